"""``fixed-emu``: what Lava's ``cpu-fixed`` target computes, without Lava, for a batch at once.

The same quantised network (:func:`engram_nm.hardware.quantize.quantize`) stepped with the
integer arithmetic of :mod:`engram_nm.backends.fixed_point` on arrays ``[B, n]``, in the
schedule of the Lava graph that :mod:`engram_nm.processes.builder` builds:

* each Dense (feed-forward, recurrent, extra projection) delivers at step ``t`` the weights of
  its sources' spikes of step ``t - 1`` (input spike ``x[t]`` reaches layer 0 at ``t + 1``);
* an engram gate multiplies a layer's summed input by this step's mask (the fixed-point
  gate's draws, :meth:`engram_nm.gating.GateSpec.masks`), adding no delay;
* the SDM stage reads its address layer's spikes of the same step and keeps
  ``counter_bits``-bit counters that saturate, like the ``fixed_pt`` SDM model.

Integer sums of 0/1 spikes times 8-bit weights are exact in a float32 matrix product while
|w| * fan-in < 2**24 (float64 beyond), so one BLAS call per projection and step serves the
whole batch; the neuron
state is integers held in float64 as well (:func:`engram_nm.backends.fixed_point.lif_step`). Samples of a
batch never interact: each has its own state (and its own memory counters).
Learning is not emulated yet: runs with ``learn=True`` go to ``cpu-fixed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.backends import fixed_point as fp
from engram_nm.errors import InputError
from engram_nm.spec import EngramSpec


@dataclass
class EmulatedRun:
    """Per layer ``[B, T, n]`` spikes (bool) and, if recorded, ``v`` in float units (``v / scale``);
    ``memory_reads [B, T, data_bits]`` and ``memory_saturated [B]`` when the spec has a memory stage
    driven by an op stream."""

    spikes: dict
    v: dict
    memory_reads: np.ndarray | None = None
    memory_saturated: np.ndarray | None = None


@dataclass
class _Population:
    """A layer's integer parameters, each ``[n]``, and its incoming projections."""

    du: np.ndarray
    dv: np.ndarray
    theta: np.ndarray
    bias: np.ndarray | None       # None: no neuron has one (lif_step skips it)
    syn_bias: np.ndarray | None
    subtract: np.ndarray | None   # None: every neuron resets to zero
    delayed: np.ndarray | None    # None: no reset is delayed
    onset: int
    may_overflow: bool            # whether u can leave 24 bits (fixed_point.current_bound)
    scale: float
    inputs: list  # (source index, -1 for the network input; float64 weights [n, n_src]; weight_exp)


def _exact_float(w: np.ndarray) -> np.ndarray:
    """Integer weights as the narrowest float type whose matrix products with 0/1 spikes are
    exact: float32 while every sum stays below 2**24 (|w| * fan-in), else float64."""
    bound = float(np.abs(w).max(initial=0)) * w.shape[1]
    return w.astype(np.float32 if bound < 2 ** 24 else np.float64)


def _populations(spec: EngramSpec, quantized) -> list:
    index = {layer.name: i for i, layer in enumerate(spec.layers)}
    pops = []
    for i, (layer, q) in enumerate(zip(spec.layers, quantized.layers)):
        n = layer.size
        as_dense = lambda w: _exact_float(fp.dense_weights(w))  # noqa: E731
        inputs = [(i - 1, as_dense(q.weight), q.weight_exp)]
        if q.recurrent_weight is not None:
            inputs.append((i, as_dense(q.recurrent_weight), q.weight_exp))
        for proj in spec.projections:
            if proj.target == layer.name:
                inputs.append((index[proj.source], as_dense(q.projections[proj.name]), q.weight_exp))
        bias = fp.effective_bias(q.bias_mant, q.bias_exp).astype(np.float64)
        syn_bias = np.asarray(q.syn_bias, dtype=np.float64)
        max_input = sum(np.abs(w).sum(axis=1) for _, w, _ in inputs)
        bound = fp.current_bound(q.du, max_input, syn_bias)
        pops.append(_Population(
            du=np.asarray(q.du, np.float64), dv=np.asarray(q.dv, np.float64),
            theta=fp.effective_threshold(q.vth).astype(np.float64),
            bias=bias if np.any(bias) else None, syn_bias=syn_bias if np.any(syn_bias) else None,
            subtract=np.full(n, True) if layer.reset == "subtract" else None,
            delayed=np.full(n, True) if layer.reset_delay else None,
            onset=int(layer.bias_onset), may_overflow=bound >= fp.MAX_UV, scale=float(q.scale), inputs=inputs))
    return pops


def _batch(spec: EngramSpec, spikes) -> np.ndarray:
    """Input as ``[B, T, n_in]`` float64 0/1, validated like every target's input."""
    from engram_nm.reference import check_input

    arr = np.asarray(spikes)
    if arr.ndim == 3:
        if arr.shape[0] == 0:
            raise InputError("an input batch [B, steps, n_in] needs at least one sample")
        check_input(spec, arr.reshape(-1, arr.shape[-1]) if arr.shape[1] else arr[0])
        return arr.astype(np.float64)
    return check_input(spec, arr)[None]


def _task_schedule(spec: EngramSpec, batch: int, steps: int, tasks) -> list:
    """Per sample, the gates' masks ``{layer: [T, n]}`` (tasks: int, ``[T]`` for all, or ``[B, T]``)."""
    from engram_nm.reference import gate_masks

    if tasks is not None and np.ndim(tasks) == 2:
        tasks = np.asarray(tasks)
        if tasks.shape != (batch, steps):
            raise InputError(f"tasks per sample must have shape ({batch}, {steps}), got {tasks.shape}")
        return [gate_masks(spec, steps, row, fixed_point=True) for row in tasks]
    shared = gate_masks(spec, steps, tasks, fixed_point=True)
    return [shared] * batch


class _Memory:
    """The SDM stage of every sample: shared addresses, one set of saturating counters per sample."""

    def __init__(self, spec: EngramSpec, batch: int, ops, data):
        from engram_nm.reference import memory_stream

        self.sdm, self.ops, self.data = memory_stream(spec, len(ops), ops, data)
        self.limit = 2 ** (int(spec.memory.counter_bits) - 1) - 1
        self.counters = np.repeat(self.sdm.counters[None].astype(np.int64), batch, axis=0)
        self.reads = np.zeros((batch, len(ops), self.sdm.data_bits), dtype=np.int8)
        self.saturated = np.zeros(batch, dtype=np.int64)

    def _active(self, address: np.ndarray) -> np.ndarray:
        """Boolean ``[B, M]``: the locations each sample's address activates (the reference's rule)."""
        return self.sdm.activate(address.astype(np.int8))

    def step(self, t: int, address: np.ndarray) -> None:
        from engram_nm.sdm.ops import OP_READ, OP_WRITE

        op = self.ops[t]
        if op == OP_WRITE:
            active = self._active(address)
            bipolar = 2 * self.data[t].astype(np.int64) - 1
            new = self.counters + np.where(active[:, :, None], bipolar[None, None, :], 0)
            self.saturated += np.sum(np.abs(new) > self.limit, axis=(1, 2))
            self.counters = np.clip(new, -self.limit, self.limit)
        elif op == OP_READ:
            active = self._active(address)
            sums = np.einsum("bm,bmd->bd", active.astype(np.int64), self.counters)
            self.reads[:, t] = sums > 0


def emulate(spec: EngramSpec, spikes, quantized=None, record_v: bool = False, tasks=None, memory_ops=None,
            memory_data=None) -> EmulatedRun:
    """Run ``spikes`` (``[T, n_in]`` or a batch ``[B, T, n_in]``) through ``spec`` in Loihi fixed point.

    Equal, spike for spike and voltage for voltage, to the ``cpu-fixed`` target run on each
    sample alone (``tests/equivalence/test_fixed_emulator.py``). ``quantized`` defaults to
    ``quantize(spec)``; ``tasks`` selects the gates' task (an int, one per step, or ``[B, T]``);
    ``memory_ops`` / ``memory_data`` drive the SDM stage, the same stream for every sample.
    """
    from engram_nm.hardware.quantize import quantize

    spec.validate()
    x = _batch(spec, spikes)
    batch, steps = x.shape[:2]
    q = quantized or quantize(spec)
    pops = _populations(spec, q)
    masks = _task_schedule(spec, batch, steps, tasks)
    gated = {i: np.stack([m[layer.name] for m in masks]) for i, layer in enumerate(spec.layers) if layer.gate}
    memory = None
    if memory_ops is not None or memory_data is not None:
        if memory_ops is None:
            raise InputError("memory_data needs memory_ops (0 idle, 1 write, 2 read per step)")
        memory = _Memory(spec, batch, memory_ops, memory_data)
    memory_index = spec.layer_names.index(spec.memory_layer().name) if memory is not None else -1

    u = [np.zeros((batch, layer.size)) for layer in spec.layers]  # integers, held in float64 (exact)
    v = [np.zeros((batch, layer.size)) for layer in spec.layers]
    s_prev = [np.zeros((batch, layer.size), np.float32) for layer in spec.layers]  # 0/1 for the products
    x_prev = np.zeros((batch, spec.n_in), np.float32)
    x = x.astype(np.float32)
    rec_s = {layer.name: np.zeros((batch, steps, layer.size), dtype=bool) for layer in spec.layers}
    rec_v = {layer.name: np.zeros((batch, steps, layer.size)) for layer in spec.layers} if record_v else {}
    for t in range(steps):
        s_now = []
        for i, (layer, pop) in enumerate(zip(spec.layers, pops)):
            a_in = None
            for src, w, exp in pop.inputs:
                pre = x_prev if src < 0 else s_prev[src]
                part = fp.dense_output(pre @ w.T, exp)  # exact, each below 2**24
                a_in = part if a_in is None else a_in + part.astype(np.float64)  # sums in float64
            if i in gated:
                a_in = np.where(gated[i][:, t], a_in, 0.0)
            u[i], v[i], s = fp.lif_step(u[i], v[i], a_in, pop.du, pop.dv, pop.theta, pop.bias, pop.syn_bias,
                                        pop.subtract, pop.delayed, s_prev[i] > 0, t >= pop.onset,
                                        pop.may_overflow)
            rec_s[layer.name][:, t] = s
            if record_v:
                rec_v[layer.name][:, t] = v[i] / pop.scale
            s_now.append(s)
        if memory is not None:
            memory.step(t, s_now[memory_index])
        s_prev = [s.astype(np.float32) for s in s_now]
        x_prev = x[:, t]
    return EmulatedRun(spikes=rec_s, v=rec_v, memory_reads=None if memory is None else memory.reads,
                       memory_saturated=None if memory is None else memory.saturated)
