"""Many samples through one Lava graph: build once, reset the state between samples (docs/architecture.md, rule 7).

The samples are concatenated in one input ring buffer; before each sample
after the first, every population's ``u`` and ``v`` (and GeneralLIF's delayed-
reset memory; a sigma-delta population's sigma, activation and residue) and every Dense's
pending activation ``a_buff`` (a DelayDense's: every pending step) are set to zero,
which is the state a freshly built graph starts from. So each sample's spikes
equal those of its own :func:`engram_nm.hardware.targets.run` (tested), at a
fraction of the cost (one compile and start instead of one per sample).

Not for runs whose processes keep other state across steps: plasticity,
a memory stage, stochastic gates (their generator would run on), or biases
with a late onset (GeneralLIF counts steps from the start of the run).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engram_nm.errors import InputError
from engram_nm.lava_compat import lava
from engram_nm.processes.builder import FLOAT_TAG, build_network, read_voltages
from engram_nm.processes.general_lif.process import GeneralLIF
from engram_nm.processes.runtime import lava_session
from engram_nm.backends.run_inputs import check_input


def _check(spec, samples, tasks):
    if not samples:
        raise InputError("run_samples needs at least one sample")
    for layer in spec.layers:
        if layer.bias_onset and (np.any(layer.bias) or np.any(layer.syn_bias)):
            raise InputError(f"layer {layer.name!r} has a late bias onset: run its samples one by one")
        if layer.gate is not None and layer.gate.mode == "stochastic":
            raise InputError(f"layer {layer.name!r} has a stochastic gate: run its samples one by one")
    if spec.memory is not None:
        raise InputError("a spec with a memory stage keeps state across samples: run them one by one")
    xs = [check_input(spec, s) for s in samples]
    if tasks is None:
        return xs, None
    tasks = list(np.ravel(tasks))
    if len(tasks) != len(xs):
        raise InputError(f"give one task per sample: {len(tasks)} tasks for {len(xs)} samples")
    return xs, tasks


def _reset(net) -> None:
    kind = float if net.tag == FLOAT_TAG else int
    for pop in net.populations.values():
        if isinstance(pop, lava.SigmaDelta):  # sigma-delta: what it integrated, sent and held back
            for var in (pop.sigma, pop.act, pop.residue, pop.error):
                var.set(np.zeros(var.shape[0], dtype=kind))
            continue
        n = pop.u.shape[0]
        pop.u.set(np.zeros(n, dtype=kind))
        pop.v.set(np.zeros(n, dtype=kind))
        if isinstance(pop, GeneralLIF):
            pop.spiked.set(np.zeros(n, dtype=kind))
    for dense in net.dense.values():
        dense.a_buff.set(np.zeros(dense.a_buff.shape, dtype=kind))  # DelayDense: [n, max delay + 1]


class SampleRecord(NamedTuple):
    """One sample's record: ``spikes {layer: bool [T_i, size]}`` and, when recorded, ``v {layer:
    float [T_i, size]}`` (float units on both tags), else ``{}``."""

    spikes: dict
    v: dict


def run_samples(spec, samples, tag: str = FLOAT_TAG, quantized=None, tasks=None, record_v: bool = False) -> list:
    """One :class:`SampleRecord` per sample ``[T_i, n_in]`` (module docstring); ``record_v``
    monitors every population's ``v`` too (the reset to zero between samples is recorded as
    the state each sample starts from, not as a step)."""
    xs, tasks = _check(spec, samples, tasks)
    bounds = np.cumsum([0] + [len(x) for x in xs])
    schedule = None if tasks is None else np.concatenate([np.full(len(x), t) for x, t in zip(xs, tasks)])
    net = build_network(spec, np.concatenate(xs), tag=tag, quantized=quantized, tasks=schedule, record_v=record_v)
    first = next(iter(net.populations.values()))
    with lava_session(first, lava.Loihi2SimCfg(select_tag=tag)) as session:
        for i, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
            if i:
                _reset(net)
                for gate in net.gates.values():  # without tasks every gate stays on task 0
                    gate.task.set(np.array([0 if tasks is None else int(tasks[i])]))
            session.run(int(stop - start))
        graded = {layer.name for layer in spec.layers if layer.graded}
        kind = np.float64 if tag == FLOAT_TAG else np.int64  # payloads: floats, or fixed-point integers
        recorded = {name: sink.data.get().T.astype(kind if name in graded else bool)
                    for name, sink in net.sinks.items()}
        volts = read_voltages(net)
    return [SampleRecord({name: rec[start:stop] for name, rec in recorded.items()},
                         {name: v[start:stop] for name, v in volts.items()})
            for start, stop in zip(bounds[:-1], bounds[1:])]
