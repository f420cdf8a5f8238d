"""EngramSpec -> Xylo: what fits, what is refused, and the integers of what fits.

**What Xylo computes** (:mod:`engram_nm.xylo.emulator`): current-based neurons whose synaptic
current decays by a bit shift before it reaches the membrane, a membrane that decays by a bit
shift, subtractive reset, no synaptic delays, no learning. So a spec maps when:

* its last population is the read-out (at most the chip's outputs, not recurrent, fed only by
  hidden populations) and every other population is hidden (together at most the chip's hidden
  neurons; the input, at most the chip's channels, reaches only hidden neurons);
* every population is ``neuron="cuba"`` with ``reset="subtract"`` and no delayed reset, no bias,
  no synaptic bias, a finite positive threshold, and time constants a bit shift can hold;
* nothing learns (Xylo has no on-chip learning), no SDM stage, no engram gate (fold a
  deterministic gate into the weights first: ``engram-nm fold``), no graded spikes, every
  projection delays one step.

**The integers.** With ``dash = round(log2(tau / dt))`` (Xylo's decay ``x -= x >> dash`` is
``x (1 - 2**-dash)``, the spec's ``x (1 - dt / tau)`` when ``tau = dt 2**dash``)::

    dash_syn = round(log2(tau_syn / dt))        1..15   (0 would decay the whole current away)
    dash_mem = round(log2(tau_mem / dt))        0..15   (tau_mem = inf: 15, the slowest leak)
    W_eff    = W / (1 - 2**-dash_syn)           Xylo's current reaches v after its decay; the
                                                spec's before: this undoes the decay of the step
    s_P      = min(127 / max |W_eff into P|, 32767 / max threshold_P)    one scale per population
    weights  = round(W_eff s_P)  (8 bit),   threshold = max(1, round(threshold s_P))  (16 bit)

as Rockpool 3.1's ``global_quantize`` scales weights and thresholds together
(``rockpool/transform/quantize_methods.py``), here per target population. The chip also counts
a spike the step it arrives (the targets hand it the input a step late, as the spec delivers it)
and fires while ``v >= threshold``, up to 31 events a step: a spec trained with
``max_events=31`` on its hidden populations (:mod:`engram_nm.spec`) fires as the chip does, one
trained with 1 does not (a warning says so). ``xylo-sim`` and ``xylo-emu`` agree with each other
bit for bit; their agreement with the float model is measured, not assumed
(``benchmarks/chips.py``, docs/xylo.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import EngramError
from engram_nm.loihi.quantize import QuantizationReport
from engram_nm.spec import EngramSpec
from engram_nm.xylo.chips import CHIPS, MAX_DASH, MAX_HIDDEN_EVENTS, MAX_OUTPUT_EVENTS, XyloChip, chip as chip_named
from engram_nm.xylo.config import STATE_MAX, W_MAX, XyloConfig


class XyloFitError(EngramError, ValueError):
    """A spec does not fit the Xylo chip it is mapped to (the message lists every reason)."""


@dataclass
class XyloMapping:
    """A spec on a chip: its integer ``config`` (None when it does not fit), the ``problems`` that
    stop it, ``warnings`` that do not, and what quantisation rounded or clipped."""

    chip: XyloChip
    config: XyloConfig | None
    problems: list
    warnings: list = field(default_factory=list)
    quantization: QuantizationReport | None = None
    scales: dict = field(default_factory=dict)  # population -> integer units per spec unit

    @property
    def fits(self) -> bool:
        return not self.problems

    def table(self) -> str:
        c = self.chip
        rows = [f"Fit on {c.name} ({c.part}; {c.status}: {c.source})", "",
                f"inputs <= {c.inputs}, hidden neurons <= {c.hidden}, outputs <= {c.outputs}, 8-bit weights, "
                "16-bit state, time constants as bit shifts, no biases, no learning, a non-recurrent read-out", ""]
        if self.config is not None:
            rows.append(f"uses {self.config.n_in} inputs, {self.config.n_hidden} hidden neurons, "
                        f"{self.config.n_out} outputs")
        rows += ["fits: " + ("yes" if self.fits else "NO")] + [f"* {p}" for p in self.problems]
        rows += [f"* warning: {w}" for w in self.warnings]
        if self.quantization is not None:
            rows += ["", "Quantisation (largest error relative to the largest |value|):", self.quantization.table()]
        return "\n".join(rows)


def _dash(tau, dt: float) -> np.ndarray:
    """``round(log2(tau / dt))`` per neuron; ``inf`` -> :data:`MAX_DASH`."""
    tau = np.asarray(tau, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(np.isinf(tau), MAX_DASH, np.round(np.log2(np.where(np.isinf(tau), 1.0, tau) / dt)))


def _shifts_fit(dash: np.ndarray, lowest: int) -> bool:
    """Whether every bit shift is in ``lowest..MAX_DASH`` (a synaptic shift of 0 would decay the
    whole current away: its lowest is 1)."""
    return bool(np.all((dash >= lowest) & (dash <= MAX_DASH)))


def _rules(spec: EngramSpec) -> list:
    """What the Xylo core cannot compute at all (the chip's sizes aside)."""
    out = []
    if spec.memory is not None:
        out.append("an SDM memory stage: Xylo has no memory stage")
    for c in spec.connections():
        if c.rule is not None:
            out.append(f"{c.name}: plasticity {type(c.rule).__name__}: Xylo has no on-chip learning")
        if c.structural is not None:
            out.append(f"{c.name}: structural plasticity: Xylo has no on-chip learning")
        if c.delay != 1:
            out.append(f"{c.name}: delay {c.delay} steps: Xylo has no synaptic delays (every connection: 1)")
    for layer in spec.layers:
        name = layer.name
        ip = getattr(layer.plasticity, "intrinsic", None)
        if ip is not None:
            out.append(f"{name}: intrinsic plasticity: Xylo has no on-chip learning")
        if layer.graded:
            out.append(f"{name}: graded spikes (sigma-delta): Xylo sends binary events")
            continue
        if layer.gate is not None:
            how = "fold it first (engram-nm fold --task)" if layer.gate.mode == "deterministic" else \
                "a stochastic gate cannot be folded"
            out.append(f"{name}: an engram gate: Xylo has none; {how}")
        if layer.neuron != "cuba":
            out.append(f"{name}: neuron {layer.neuron!r}: Xylo's neurons integrate a synaptic current that decays "
                       "by a bit shift before it reaches the membrane; use neuron='cuba' with tau_syn >= 2 dt")
        elif not _shifts_fit(_dash(layer.tau_syn, spec.dt), lowest=1):
            out.append(f"{name}: tau_syn {np.min(layer.tau_syn):g}-{np.max(layer.tau_syn):g} s is not a bit shift "
                       f"1..{MAX_DASH} of dt={spec.dt:g} s (tau_syn = dt 2**dash: {2 * spec.dt:g} to "
                       f"{spec.dt * 2 ** MAX_DASH:g} s)")
        if not _shifts_fit(_dash(layer.tau_mem, spec.dt), lowest=0):
            out.append(f"{name}: tau_mem is not a bit shift 0..{MAX_DASH} of dt={spec.dt:g} s (tau_mem = dt 2**dash, "
                       f"up to {spec.dt * 2 ** MAX_DASH:g} s, or inf)")
        if layer.reset != "subtract":
            out.append(f"{name}: reset {layer.reset!r}: Xylo subtracts the threshold (reset='subtract')")
        if layer.reset_delay:
            out.append(f"{name}: a delayed reset: Xylo resets in the step it fires")
        if np.any(layer.bias != 0) or np.any(layer.syn_bias != 0):
            out.append(f"{name}: a bias: engram_nm maps no biases to Xylo (set bias and syn_bias to 0)")
        th = layer.v_threshold
        if not np.all(np.isfinite(th)) or np.any(th <= 0):
            out.append(f"{name}: threshold must be finite and > 0 on Xylo (a read-out spikes too)")
    return out


def _structure(spec: EngramSpec, chip: XyloChip) -> list:
    """Where each population sits on the chip, against its sizes."""
    out = []
    if len(spec.layers) < 2:
        return ["Xylo needs at least one hidden population and a read-out (the input reaches hidden neurons only)"]
    output, hidden = spec.layers[-1], spec.layers[:-1]
    n_hidden = sum(layer.size for layer in hidden)
    for what, used, limit in (("input channels", spec.n_in, chip.inputs), ("hidden neurons", n_hidden, chip.hidden),
                              ("output neurons", output.size, chip.outputs)):
        if used > limit:
            out.append(f"{used} {what}: {chip.name} has {limit}")
    if output.max_events > MAX_OUTPUT_EVENTS:
        out.append(f"{output.name}: max_events {output.max_events}: Xylo's read-out fires {MAX_OUTPUT_EVENTS} event "
                   "a step")
    for c in spec.connections():
        if c.target == output.name and c.source is None:
            out.append(f"{c.name}: the input into the read-out {output.name!r}: on Xylo the input reaches hidden "
                       "neurons only")
        elif c.target == output.name and c.source == output.name:
            out.append(f"{c.name}: the read-out {output.name!r} is recurrent: Xylo's read-out is not")
        elif c.source == output.name:
            out.append(f"{c.name}: the read-out {output.name!r} feeds {c.target!r}: Xylo's read-out feeds nothing")
    if chip.expansion_limit is not None and not out:
        offsets = _offsets(hidden)
        receiving = [offsets[c.target] + np.flatnonzero(np.any(c.weight != 0, axis=1))
                     for c in spec.connections() if c.source is None]
        sending = [offsets[c.source] + np.flatnonzero(np.any(c.weight != 0, axis=0))
                   for c in spec.connections() if c.target == output.name]
        first_n = int(max((r.max() + 1 for r in receiving if r.size), default=0))
        last_n = n_hidden - int(min((s.min() for s in sending if s.size), default=n_hidden))
        for what, used in (("input-expansion", first_n), ("output-expansion", last_n)):
            if used > chip.expansion_limit:
                out.append(f"{used} {what} neurons (the hidden neurons from the first that receives input / to the "
                           f"last that sends to the read-out): {chip.name} has {chip.expansion_limit}")
    return out


def _offsets(hidden) -> dict:
    """Population name -> its first index in the hidden array."""
    starts = np.cumsum([0] + [layer.size for layer in hidden])
    return {layer.name: int(s) for layer, s in zip(hidden, starts)}


def fit_xylo(spec: EngramSpec, chip: str | XyloChip = "xylo-audio2") -> XyloMapping:
    """Map ``spec`` onto ``chip`` (module docstring): its config when it fits, else every problem."""
    chip = chip_named(chip) if isinstance(chip, str) else chip
    spec.validate()
    problems = _rules(spec) + _structure(spec, chip)
    if problems:
        return XyloMapping(chip, None, problems)
    config, report, scales, warnings = _quantize(spec)
    problems = [f"{e.layer}.{e.quantity}: {e.clipped} of {e.count} values clip" for e in report.entries if e.clipped]
    return XyloMapping(chip, None if problems else config, problems, warnings, report, scales)


def _quantize(spec: EngramSpec):
    hidden, output = spec.layers[:-1], spec.layers[-1]
    offsets = _offsets(hidden)
    n_hidden = sum(layer.size for layer in hidden)
    w_in = np.zeros((spec.n_in, n_hidden))
    w_rec = np.zeros((n_hidden, n_hidden))
    w_out = np.zeros((n_hidden, output.size))
    th, th_out = np.zeros(n_hidden), np.zeros(output.size)
    report, scales, warnings = QuantizationReport(), {}, []
    dashes = {}
    for layer in spec.layers:
        d_syn, d_mem = _dash(layer.tau_syn, spec.dt), _dash(layer.tau_mem, spec.dt)
        dashes[layer.name] = (d_syn, d_mem)
        report.add(layer.name, "tau_syn", layer.tau_syn, spec.dt * 2.0 ** d_syn, 0, "dt 2**dash_syn")
        finite = np.isfinite(layer.tau_mem)
        report.add(layer.name, "tau_mem", layer.tau_mem[finite], spec.dt * 2.0 ** d_mem[finite], 0, "dt 2**dash_mem")
        if not np.all(finite):
            warnings.append(f"{layer.name}: tau_mem inf has no bit shift; Xylo leaks with dash {MAX_DASH} "
                            f"(tau = {spec.dt * 2 ** MAX_DASH:g} s)")
    for layer in hidden:
        if layer.max_events != MAX_HIDDEN_EVENTS:
            warnings.append(f"{layer.name}: max_events {layer.max_events}: a hidden Xylo neuron fires up to "
                            f"{MAX_HIDDEN_EVENTS} events a step; where v passes two thresholds in one step the chip "
                            f"differs from the spec (train with max_events={MAX_HIDDEN_EVENTS} to match it)")
    connections = spec.connections()
    for layer in spec.layers:
        into = [c for c in connections if c.target == layer.name]
        keep = 1.0 - 2.0 ** -dashes[layer.name][0]  # the share of a current left after the step's decay
        eff = {c.name: c.weight / keep[:, None] for c in into}
        largest = max(float(np.max(np.abs(w), initial=0.0)) for w in eff.values())
        scale = min(W_MAX / largest if largest > 0 else np.inf, STATE_MAX / float(np.max(layer.v_threshold)))
        scales[layer.name] = scale
        thq = np.maximum(1.0, np.round(layer.v_threshold * scale))
        report.add(layer.name, "threshold", layer.v_threshold, thq / scale, int(np.sum(thq > STATE_MAX)))
        for c in into:
            q = np.round(eff[c.name] * scale)
            report.add(layer.name, f"weight {c.name}", eff[c.name], q / scale, int(np.sum(np.abs(q) > W_MAX)),
                       "W / (1 - 2**-dash_syn)")
            vanished = int(np.sum((c.weight != 0) & (q == 0)))
            if vanished:
                warnings.append(f"{c.name}: {vanished} non-zero weights round to 0 in 8 bits")
            q = np.clip(q, -W_MAX - 1, W_MAX)
            if layer is output:
                rows = slice(offsets[c.source], offsets[c.source] + q.shape[1])
                w_out[rows, :] = q.T
            elif c.source is None:
                cols = slice(offsets[layer.name], offsets[layer.name] + layer.size)
                w_in[:, cols] = q.T
            else:
                w_rec[offsets[c.source]:offsets[c.source] + q.shape[1],
                      offsets[layer.name]:offsets[layer.name] + layer.size] = q.T
        if layer is output:
            th_out = np.clip(thq, 1, STATE_MAX)
        else:
            th[offsets[layer.name]:offsets[layer.name] + layer.size] = np.clip(thq, 1, STATE_MAX)
    stack = lambda k: np.concatenate([dashes[layer.name][k] for layer in hidden])  # noqa: E731
    config = XyloConfig(weights_in=w_in.astype(np.int64), weights_rec=w_rec.astype(np.int64),
                        weights_out=w_out.astype(np.int64), threshold=th.astype(np.int64),
                        threshold_out=th_out.astype(np.int64), dash_mem=stack(1).astype(np.int64),
                        dash_syn=stack(0).astype(np.int64), dash_mem_out=dashes[output.name][1].astype(np.int64),
                        dash_syn_out=dashes[output.name][0].astype(np.int64),
                        hidden_populations=tuple((layer.name, offsets[layer.name], offsets[layer.name] + layer.size)
                                                 for layer in hidden),
                        output_population=output.name, dt=spec.dt)
    return config, report, scales, warnings


def map_to_xylo(spec: EngramSpec, chip: str | None = None) -> XyloMapping:
    """The mapping a run uses: onto ``chip``, or (None) onto the first Xylo chip that holds the
    spec; :class:`XyloFitError` with every reason when it fits none."""
    tried = [fit_xylo(spec, chip)] if chip is not None else [fit_xylo(spec, c) for c in CHIPS.values()]
    for mapping in tried:
        if mapping.fits:
            return mapping
    best = min(tried, key=lambda m: len(m.problems))
    raise XyloFitError(f"the network does not fit {best.chip.name if chip else 'any Xylo chip'}: "
                       + "; ".join(best.problems))
