"""Float spec -> Loihi 2 fixed point (mantissa + exponent), with a report of what was lost.

Each layer gets its own scale ``K`` (integer state units per float membrane
unit). Spikes between layers are binary, so layers can be scaled
independently. With weight exponent ``e`` (kept at 0 so accumulations stay in
range)::

    w_int   = round(W * K / (64 * 2**e))          8-bit, even if mixed sign
    vth_int = round(v_threshold * K / 64)         17-bit unsigned
    bias    = bias_mant * 2**bias_exp ~= bias * K  13-bit signed mantissa, exp 0..7
    du_int  = round(du * 4096) - 1                12-bit (the model adds 1)
    dv_int  = round(dv * 4096)                    12-bit

``K`` is chosen so the largest |weight| of the layer (feed-forward,
recurrent and extra projections into it) uses the full 8-bit range. With ``learning=True``, a layer with
plastic weights counts its rules' weight bounds in that largest |weight|, and
keeps a factor 2 of headroom when a rule has no bound, so learned weights do
not saturate at once; a rule without a sign bound makes the weights mixed-sign. The :class:`QuantizationReport` lists,
per layer and quantity, the largest relative rounding error and how many
values were clipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import QuantizationError
from engram_nm.loihi import formats as fx
from engram_nm.spec import EngramSpec, LayerSpec


@dataclass
class QuantizedLayer:
    """Integer parameters of one layer for the fixed_pt models."""

    name: str
    scale: float                 # K: integer v units per float unit
    weight_exp: int
    du: np.ndarray               # int per neuron (model adds DS_OFFSET)
    dv: np.ndarray
    vth: np.ndarray              # int mantissa (<< 6 in the model)
    bias_mant: np.ndarray
    bias_exp: np.ndarray
    syn_bias: np.ndarray         # int, in u units (already << 6 scale)
    matrices: dict = field(default_factory=dict)  # every weight matrix into this layer -> int weights
    graded: bool = False         # a sigma-delta population: vth and bias are in sigma units (no << 6)
    state_exp: int = 0           # sigma-delta: its payload leaves as delta >> state_exp
    matrix_exps: dict = field(default_factory=dict)  # a matrix's own weight exponent (graded sources)

    def matrix_exp(self, name: str) -> int:
        """The weight exponent of the Dense that carries matrix ``name`` (the layer's, unless the
        matrix carries graded spikes and has its own)."""
        return int(self.matrix_exps.get(name, self.weight_exp))

    @property
    def payload_scale(self) -> float:
        """Integer payload units per float unit of what the population sends (1 for binary spikes)."""
        return self.scale / 2.0 ** self.state_exp if self.graded else 1.0

    def matrix(self, name: str) -> np.ndarray:
        """The integer weights of the matrix ``name`` into this layer (a connection of the spec,
        :meth:`engram_nm.spec.EngramSpec.connections`)."""
        if name not in self.matrices:
            raise QuantizationError(f"layer {self.name!r} receives no matrix {name!r}; it has {sorted(self.matrices)}")
        return self.matrices[name]

    @property
    def weight_scale(self) -> float:
        """Integer weight per spec weight unit (``w_int = round(W * weight_scale)``) for binary sources;
        a graded source's weights are divided by its payload scale too."""
        shift = 0 if self.graded else fx.ACT_SHIFT
        return self.scale / (2.0 ** shift * 2.0 ** self.weight_exp)

    def dequantized_vth(self) -> np.ndarray:
        return self.vth * 2.0 ** fx.ACT_SHIFT / self.scale


@dataclass
class QuantityReport:
    layer: str
    quantity: str
    max_rel_error: float
    clipped: int
    count: int
    note: str = ""
    too_coarse: bool = False  # a learned bound only a few integer steps wide (see MIN_BOUND_STEPS)


MIN_BOUND_STEPS = 8
"""Fewest integer weight steps between 0 and a plastic matrix's bound that learning is trusted with.
Every matrix into a layer shares the layer's weight scale, set by its largest weight; a bound far
below that weight is then a handful of steps, and the learning engine's rounded increments stop
tracking float learning. Measured on the fear-conditioning read-out (docs/engram_protocols.md),
E->O engram weight / bound after conditioning: 0.56 at 17 and at 6.8 steps, 0.05 at 5.1, 0.00 at
3.4, against 0.52-0.53 in float; 8 leaves a margin above the failures."""


@dataclass
class QuantizationReport:
    """What the float -> fixed mapping rounded or clipped."""

    entries: list = field(default_factory=list)

    @property
    def clipped(self) -> int:
        return sum(e.clipped for e in self.entries)

    def add(self, layer: str, quantity: str, exact: np.ndarray, approx: np.ndarray, clipped: int, note: str = ""):
        # Error relative to the quantity's range in this layer (max |value|):
        # what rounding costs at the scale the hardware resolves.
        exact = np.asarray(exact, dtype=np.float64)
        approx = np.asarray(approx, dtype=np.float64)
        span = float(np.max(np.abs(exact))) if exact.size else 0.0
        err = float(np.max(np.abs(approx - exact))) / span if span > 0 else 0.0
        self.entries.append(QuantityReport(layer, quantity, err, int(clipped), int(exact.size), note))

    def problems(self) -> list:
        """Entries with clipping, > 5 % rounding error, or a learned bound too few steps wide."""
        return [e for e in self.entries if e.clipped or e.max_rel_error > 0.05 or e.too_coarse]

    def table(self) -> str:
        rows = ["| layer | quantity | max error / max |value| | clipped | values | note |", "|---|---|---|---|---|---|"]
        for e in self.entries:
            rows.append(f"| {e.layer} | {e.quantity} | {e.max_rel_error:.2e} | {e.clipped} | {e.count} | {e.note} |")
        return "\n".join(rows)


@dataclass
class QuantizedSpec:
    spec: EngramSpec
    layers: list
    report: QuantizationReport


def _weights(w: np.ndarray, k: float, exp: int, mixed: bool) -> tuple[np.ndarray, int]:
    scaled = w * k / (2.0 ** fx.ACT_SHIFT * 2.0 ** exp)
    if mixed:
        q = 2 * np.round(scaled / 2)  # Lava truncates the LSB of mixed-sign weights
        lo, hi = fx.MIXED_WEIGHT_MIN, fx.MIXED_WEIGHT_MAX
    else:
        q = np.round(scaled)
        lo, hi = -fx.EXC_WEIGHT_MAX, fx.EXC_WEIGHT_MAX
    clipped = int(np.sum((q < lo) | (q > hi)))
    return np.clip(q, lo, hi).astype(np.int32), clipped


def _mixed_sign(mats) -> bool:
    """Whether the matrices into a layer hold both signs (Lava then drops a weight LSB)."""
    return any(np.min(m) < 0 for m in mats) and any(np.max(m) > 0 for m in mats)


def _weight_max(mixed: bool) -> int:
    return fx.MIXED_WEIGHT_MAX if mixed else fx.EXC_WEIGHT_MAX


def _graded_weights(w: np.ndarray, units: float, mixed: bool) -> tuple[np.ndarray, int, int]:
    """A matrix that carries graded spikes, ``units`` integer input units per weight unit per payload
    unit (``K / P``, and ``/ 64`` into a LIF): its own exponent ``e`` (-8..7) so the largest weight
    uses the 8-bit range, ``w_int = round(W * units / 2**e)``; the Dense shifts the sum back by ``e``
    (a right shift floors). Why: a payload scale that resolves the threshold finely would otherwise
    leave a handful of integer steps for the weights."""
    w_int_max = _weight_max(mixed)
    peak = float(np.max(np.abs(w))) * units
    exp = int(np.clip(np.ceil(np.log2(peak / w_int_max)), *fx.WEIGHT_EXP_RANGE)) if peak > 0 else 0
    q, clipped = _weights(w, units * 2.0 ** fx.ACT_SHIFT, exp, mixed)
    return q, exp, clipped


def _bias(b: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray, int]:
    target = b * k
    exp = np.zeros(b.shape, dtype=np.int32)
    mag = np.abs(target)
    for e in range(fx.BIAS_EXP_MAX + 1):
        need = mag / 2.0 ** e > fx.BIAS_MANT_MAX
        exp = np.where(need, e + 1, exp)
    clipped = int(np.sum(exp > fx.BIAS_EXP_MAX))
    exp = np.minimum(exp, fx.BIAS_EXP_MAX)
    mant = np.clip(np.round(target / 2.0 ** exp), fx.BIAS_MANT_MIN, fx.BIAS_MANT_MAX).astype(np.int32)
    return mant, exp.astype(np.int32), clipped


def _learning_range(plastic: list, wmax: float, mixed: bool) -> tuple[float, bool]:
    """(largest |weight| to plan for, mixed sign) when the ``plastic`` matrices into a layer learn
    (:attr:`~engram_nm.compiled.CompiledNetwork.plastic`): a structural rule's new synapses count,
    a rule's bounds count, a rule without bounds doubles the range, a rule without a sign makes the
    weights mixed."""
    for m in plastic:
        if m.structural is not None:
            wmax = max(wmax, abs(m.structural.w_init))
    for rule in (m.rule for m in plastic if m.rule is not None):
        bounds = [abs(b) for b in (rule.w_min, rule.w_max) if b is not None and b != 0]
        wmax = max([wmax] + bounds) if bounds else 2.0 * wmax
        mixed = mixed or rule.sign_mode() is None
    return wmax, mixed


_QUANTITY = {"feedforward": "weight", "recurrent": "recurrent_weight"}  # report labels


def one_event_per_step(layer: LayerSpec) -> str:
    """Why a population that fires several events a step cannot run on Loihi (and Lava)."""
    return (f"layer {layer.name!r}: max_events={layer.max_events}: Loihi's neurons (and Lava's models) send one "
            "spike a step; run it on 'reference', 'snntorch', 'xylo-emu' or 'xylo-sim', or set max_events=1")


def quantize_layer(layer: LayerSpec, dt: float, report: QuantizationReport, connections: list,
                   plastic: list = (), payload_scales: dict | None = None) -> QuantizedLayer:
    """One layer, with the ``connections`` into it (:meth:`~engram_nm.spec.EngramSpec.connections`:
    they share its scale) and, when quantising for learning, the ``plastic`` matrices among them.
    ``payload_scales``: connection name -> its graded source's payload scale (binary sources: 1);
    a graded source's integer weights are ``W * K / (64 * P)``, so ``K`` is chosen on ``W / P``."""
    if layer.max_events > 1:
        raise QuantizationError(one_event_per_step(layer))
    if np.any(np.isinf(layer.v_threshold)):
        raise QuantizationError(
            f"layer {layer.name!r}: an infinite threshold has no fixed-point form; "
            "give readout neurons a large finite threshold for cpu-fixed / loihi2"
        )
    units = {c.name: (payload_scales or {}).get(c.name, 1.0) for c in connections}
    if layer.graded:
        return _quantize_sigma_delta(layer, report, connections, units)
    binary = [c for c in connections if c.name not in (payload_scales or {})]
    mats = [c.weight for c in binary] or [np.zeros((1, 1))]
    wmax = max(float(np.max(np.abs(m))) for m in mats)
    every = [c.weight for c in connections]
    mixed = _mixed_sign(every)
    if plastic:
        wmax, mixed = _learning_range(plastic, wmax, mixed)
    w_int_max = _weight_max(mixed)
    if wmax == 0 and len(binary) < len(connections):
        # graded inputs only: K as large as the threshold allows, with room for v to overshoot 2x
        k = float(2 ** fx.ACT_SHIFT) * fx.VTH_MAX / (2 * float(np.max(layer.v_threshold)))
    elif wmax == 0:
        k = float(2 ** fx.ACT_SHIFT) * w_int_max / float(np.max(layer.v_threshold))
    else:
        k = float(2 ** fx.ACT_SHIFT) * w_int_max / wmax
    # Keep the threshold inside 17 bits: shrink K (coarser weights) if needed.
    vth_scaled_max = float(np.max(layer.v_threshold)) * k / 2 ** fx.ACT_SHIFT
    if vth_scaled_max > fx.VTH_MAX:
        k *= fx.VTH_MAX / vth_scaled_max
    exp = 0
    matrices, exps = {}, {}
    for c in connections:
        if c in binary:
            matrices[c.name], clipped = _weights(c.weight, k, exp, mixed)
            back = matrices[c.name] * 2.0 ** fx.ACT_SHIFT / k
        else:
            matrices[c.name], exps[c.name], clipped = _graded_weights(c.weight, k / (2 ** fx.ACT_SHIFT * units[c.name]),
                                                                      mixed)
            back = matrices[c.name] * 2.0 ** (fx.ACT_SHIFT + exps[c.name]) * units[c.name] / k
        report.add(layer.name, _QUANTITY.get(c.kind, f"projection {c.name}"), c.weight, back, clipped)
    weight_scale = k / 2 ** fx.ACT_SHIFT
    for m in plastic:
        bound = max((abs(b) for b in (m.rule.w_min, m.rule.w_max) if b is not None), default=0.0) if m.rule else 0.0
        if bound:
            steps = bound * weight_scale
            report.entries.append(QuantityReport(
                layer.name, f"learned bound of {m.name}", abs(round(steps) - steps) / steps, 0, 1,
                note=f"{steps:.1f} integer steps from 0 to the bound {bound:g} (the layer's weight scale is set by "
                     f"its largest weight, {wmax:g})", too_coarse=steps < MIN_BOUND_STEPS))
    vth = np.round(layer.v_threshold * k / 2 ** fx.ACT_SHIFT)
    clip_v = int(np.sum((vth < 1) | (vth > fx.VTH_MAX)))
    vth = np.clip(vth, 1, fx.VTH_MAX).astype(np.int32)
    report.add(layer.name, "v_threshold", layer.v_threshold, vth * 2.0 ** fx.ACT_SHIFT / k, clip_v)
    du, dv = layer.decays(dt)
    du_int = np.clip(np.round(du * 2 ** fx.DECAY_BITS) - fx.DS_OFFSET, 0, fx.DECAY_MAX).astype(np.int32)
    dv_int = np.clip(np.round(dv * 2 ** fx.DECAY_BITS), 0, fx.DECAY_MAX).astype(np.int32)
    report.add(layer.name, "du", du, (du_int + fx.DS_OFFSET) / 2 ** fx.DECAY_BITS,
               int(np.sum(np.round(du * 4096) - 1 < 0)))
    report.add(layer.name, "dv", dv, dv_int / 2 ** fx.DECAY_BITS, int(np.sum(np.round(dv * 4096) > fx.DECAY_MAX)),
               note="dv = 1 is 4095/4096 on Loihi" if np.any(dv_int == fx.DECAY_MAX) else "")
    mant, bexp, clip_b = _bias(layer.bias, k)
    report.add(layer.name, "bias", layer.bias, mant * 2.0 ** bexp / k, clip_b)
    syn_bias = np.round(layer.syn_bias * k).astype(np.int32)
    if np.any(layer.syn_bias):
        report.add(layer.name, "syn_bias", layer.syn_bias, syn_bias / k, 0)
    return QuantizedLayer(layer.name, k, exp, du_int, dv_int, vth, mant, bexp, syn_bias, matrices, matrix_exps=exps)


def _quantize_sigma_delta(layer: LayerSpec, report: QuantizationReport, connections: list,
                          units: dict) -> QuantizedLayer:
    """A sigma-delta population (module docstring): ``K`` from its input weights (``W / P`` for
    graded sources), no ``<< 6``; 24-bit threshold, 16-bit bias; ``state_exp`` so that a payload at
    threshold is about :data:`~engram_nm.loihi.formats.PAYLOAD_LEVELS` integer steps. ``vth``
    and ``bias`` are in state units, multiples of ``2**state_exp`` (what Lava's process makes of its
    arguments)."""
    graded = {name for name, p in units.items() if p != 1.0}
    binary = [c.weight for c in connections if c.name not in graded]
    every = [c.weight for c in connections]
    mixed = _mixed_sign(every)
    w_int_max = _weight_max(mixed)
    wmax = max((float(np.max(np.abs(m))) for m in binary), default=0.0)
    vmax = float(np.max(layer.v_threshold))
    # binary inputs set K (8-bit weights); graded inputs only: the threshold gets SD_LEVELS steps
    k = w_int_max / wmax if wmax > 0 else fx.SD_LEVELS / float(np.min(layer.v_threshold))
    if vmax * k > fx.SD_VTH_MAX:
        k *= fx.SD_VTH_MAX / (vmax * k)
    matrices, exps = {}, {}
    for c in connections:
        if c.name in graded:
            q, exps[c.name], clipped = _graded_weights(c.weight, k / units[c.name], mixed)  # w_int = W K / P / 2**e
            back = q * 2.0 ** exps[c.name] * units[c.name] / k
        else:
            q, clipped = _weights(c.weight, k * 2.0 ** fx.ACT_SHIFT, 0, mixed)  # w_int = W K
            back = q / k
        matrices[c.name] = q
        report.add(layer.name, _QUANTITY.get(c.kind, f"projection {c.name}"), c.weight, back, clipped)
    # Lava's SigmaDelta takes vth and bias in payload units and multiplies them by 2**state_exp
    # (lava/proc/sdn/process.py): in state units they are multiples of 2**state_exp.
    smallest = max(float(np.min(layer.v_threshold)) * k, 1.0)
    state_exp = int(np.clip(np.floor(np.log2(smallest / fx.PAYLOAD_LEVELS)), 0, fx.SD_STATE_EXP_MAX))
    step = 2 ** state_exp
    vth = np.round(layer.v_threshold * k / step) * step
    clip_v = int(np.sum((vth < step) | (vth > fx.SD_VTH_MAX)))
    vth = np.clip(vth, step, fx.SD_VTH_MAX // step * step).astype(np.int32)
    report.add(layer.name, "v_threshold (sigma-delta)", layer.v_threshold, vth / k, clip_v)
    bias = np.round(layer.bias * k / step)
    clip_b = int(np.sum(np.abs(bias) > fx.SD_BIAS_MAX))
    bias = (np.clip(bias, -fx.SD_BIAS_MAX, fx.SD_BIAS_MAX) * step).astype(np.int32)
    report.add(layer.name, "bias (sigma-delta)", layer.bias, bias / k, clip_b)
    zeros = np.zeros(layer.size, dtype=np.int32)
    return QuantizedLayer(layer.name, k, 0, zeros, zeros, vth, bias, zeros, zeros, matrices, graded=True,
                          state_exp=state_exp, matrix_exps=exps)


def quantize(spec: EngramSpec, learning: bool = False) -> QuantizedSpec:
    """Map every layer of ``spec`` to Loihi 2 fixed point; see the module docstring. Layers are
    quantised in order, so a graded (sigma-delta) source's payload scale is known to the layers it
    feeds; a graded projection from the same or a later population has no fixed-point form yet."""
    report = QuantizationReport()
    connections = spec.connections()
    compiled = spec.compile()
    plastic = compiled.plastic if learning else []
    index = compiled.index
    layers = []
    for i, layer in enumerate(spec.layers):
        into = [c for c in connections if c.target == layer.name]
        scales = {}
        for c in into:
            if c.source is None or not spec.layers[index[c.source]].graded:
                continue
            if index[c.source] >= i:
                raise QuantizationError(f"{c.name}: a graded projection from {c.source!r} into {layer.name!r} "
                                        "(recurrent or feedback) has no fixed-point form yet")
            scales[c.name] = layers[index[c.source]].payload_scale
        if scales and any(c.name in {m.name for m in plastic} for c in into):
            raise QuantizationError(f"layer {layer.name!r}: learning on graded spikes has no fixed-point form")
        layers.append(quantize_layer(layer, spec.dt, report, into, [m for m in plastic if m.post == i], scales))
    return QuantizedSpec(spec=spec, layers=layers, report=report)
