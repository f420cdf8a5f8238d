"""EngramSpec -> Lava process graph (one process per population / projection).

Graph per layer ``l`` (DESIGN rule 9, few processes)::

    source RingBuffer ─Dense(W_0)─▶ pop_0 ─Dense(W_1)─▶ pop_1 ...
                                     ▲  │
                                     └Dense(W_rec)┘ (recurrent layers)
    pop_l ─▶ sink RingBuffer (spike record)    [+ Monitor on v if asked]

``pop_l`` is the stock ``lava.proc.lif.process.LIF`` whenever the layer is
stock-compatible (zero reset, shared du/dv/vth, voltage bias only), which is
what Loihi 2 runs; otherwise the CPU-only ``GeneralLIF``, and the network
reports that it is not deployable as it is.

Timing: each Dense delays by one step, exactly as the torch backend and the
numpy reference model it, so spikes agree at the same step index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import InputError
from engram_nm.lava_compat import lava
from engram_nm.processes.general_lif.process import GeneralLIF
from engram_nm.processes.runtime import lava_session
from engram_nm.reference import check_input
from engram_nm.spec import EngramSpec

FLOAT_TAG = "floating_pt"
FIXED_TAG = "fixed_pt"


@dataclass
class LavaNetwork:
    """A built Lava graph and what it records."""

    spec: EngramSpec
    tag: str
    steps: int
    source: object
    populations: dict
    dense: dict
    sinks: dict
    monitors: dict = field(default_factory=dict)
    custom_layers: dict = field(default_factory=dict)  # layer -> reason it is not stock
    quantized: object = None

    @property
    def process_count(self) -> int:
        return 1 + len(self.populations) + len(self.dense) + len(self.sinks) + len(self.monitors)

    @property
    def deployable(self) -> bool:
        return not self.custom_layers


def _population(layer, dt: float, tag: str, qlayer) -> tuple[object, str]:
    """Create the population process; returns (process, reason-if-custom or '')."""
    ok, reason = layer.stock_lava_compatible(dt)
    shape = (layer.size,)
    subtract = int(layer.reset == "subtract")
    if tag == FLOAT_TAG:
        du, dv = layer.decays(dt)
        if ok:
            return lava.LIF(shape=shape, du=float(du[0]), dv=float(dv[0]), vth=float(layer.v_threshold[0]),
                            bias_mant=layer.bias.copy(), name=layer.name), ""
        return GeneralLIF(shape=shape, du=du, dv=dv, vth=layer.v_threshold, bias=layer.bias,
                          syn_bias=layer.syn_bias, reset_subtract=subtract, reset_delay=int(layer.reset_delay),
                          bias_onset=layer.bias_onset,
                          name=layer.name), reason
    q = qlayer
    uniform_ints = bool(np.all(q.du == q.du[0]) and np.all(q.dv == q.dv[0]) and np.all(q.vth == q.vth[0]))
    if ok and uniform_ints:
        return lava.LIF(shape=shape, du=int(q.du[0]), dv=int(q.dv[0]), vth=int(q.vth[0]),
                        bias_mant=q.bias_mant.copy(), bias_exp=q.bias_exp.copy(), name=layer.name), ""
    return GeneralLIF(shape=shape, du=q.du, dv=q.dv, vth=q.vth, bias=q.bias_mant, bias_exp=q.bias_exp,
                      syn_bias=q.syn_bias, reset_subtract=subtract, reset_delay=int(layer.reset_delay),
                          bias_onset=layer.bias_onset,
                      name=layer.name), (
        reason or "per-neuron fixed-point decays or thresholds")


def _dense(weights: np.ndarray, tag: str, weight_exp: int, name: str):
    if tag == FLOAT_TAG:
        return lava.Dense(weights=weights.copy(), name=name)
    return lava.Dense(weights=weights.astype(np.int32).copy(), weight_exp=int(weight_exp), num_weight_bits=8,
                      name=name)


def build_network(spec: EngramSpec, spikes: np.ndarray, tag: str = FLOAT_TAG, quantized=None,
                  record_v: bool = False) -> LavaNetwork:
    """Build the Lava graph of ``spec`` fed by ``spikes [steps, n_in]``.

    ``tag`` is ``"floating_pt"`` or ``"fixed_pt"``; the latter needs
    ``quantized`` (:func:`engram_nm.hardware.quantize.quantize`).
    """
    x = check_input(spec, spikes)
    steps = x.shape[0]
    if tag not in (FLOAT_TAG, FIXED_TAG):
        raise InputError(f"unknown process-model tag {tag!r}; use {FLOAT_TAG!r} or {FIXED_TAG!r}")
    if tag == FIXED_TAG and quantized is None:
        raise InputError("fixed_pt needs the quantized spec (engram_nm.hardware.quantize.quantize(spec))")
    data = x.T.copy() if tag == FLOAT_TAG else x.T.astype(np.int32)
    source = lava.SourceRingBuffer(data=data)
    populations, dense, sinks, monitors, custom = {}, {}, {}, {}, {}
    upstream = source.s_out
    for i, layer in enumerate(spec.layers):
        q = quantized.layers[i] if quantized is not None else None
        pop, reason = _population(layer, spec.dt, tag, q)
        if reason:
            custom[layer.name] = reason
        w = layer.weight if tag == FLOAT_TAG else q.weight
        ff = _dense(w, tag, 0 if q is None else q.weight_exp, f"{layer.name}_w")
        upstream.connect(ff.s_in)
        ff.a_out.connect(pop.a_in)
        dense[f"{layer.name}_w"] = ff
        if layer.recurrent_weight is not None:
            wr = layer.recurrent_weight if tag == FLOAT_TAG else q.recurrent_weight
            rec = _dense(wr, tag, 0 if q is None else q.weight_exp, f"{layer.name}_rec")
            pop.s_out.connect(rec.s_in)
            rec.a_out.connect(pop.a_in)
            dense[f"{layer.name}_rec"] = rec
        sink = lava.SinkRingBuffer(shape=(layer.size,), buffer=steps)
        pop.s_out.connect(sink.a_in)
        populations[layer.name] = pop
        sinks[layer.name] = sink
        if record_v:
            mon = lava.Monitor()
            mon.probe(pop.v, steps)
            monitors[layer.name] = mon
        upstream = pop.s_out
    return LavaNetwork(spec=spec, tag=tag, steps=steps, source=source, populations=populations, dense=dense,
                       sinks=sinks, monitors=monitors, custom_layers=custom, quantized=quantized)


def run_network(net: LavaNetwork, run_cfg=None) -> tuple[dict, dict]:
    """Run a built network for its ``steps``; returns ``(spikes, v)`` dicts of ``[steps, size]``.

    Always stops the runtime, also on error (:func:`lava_session`). ``v`` is in
    float units for both tags (fixed-point voltages are divided by the layer scale).
    """
    cfg = run_cfg or lava.Loihi2SimCfg(select_tag=net.tag)
    first = next(iter(net.populations.values()))
    spikes, volts = {}, {}
    with lava_session(first, cfg) as session:
        session.run(net.steps)
        for name, sink in net.sinks.items():
            spikes[name] = sink.data.get().T.astype(bool)
        for name, mon in net.monitors.items():
            pop = net.populations[name]
            data = mon.get_data()[pop.name][pop.v.name]
            v = np.asarray(data, dtype=np.float64).reshape(net.steps, -1)
            if net.quantized is not None:
                v = v / net.quantized.layers[[l.name for l in net.spec.layers].index(name)].scale
            volts[name] = v
    return spikes, volts
