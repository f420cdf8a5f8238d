"""``fixed-emu``: what Lava's ``cpu-fixed`` target computes, without Lava, for a batch at once.

The same quantised network (:func:`engram_nm.loihi.quantize.quantize`) stepped with the
integer arithmetic of :mod:`engram_nm.loihi.arithmetic` on arrays ``[B, n]``, in the
schedule of the Lava graph that :mod:`engram_nm.processes.builder` builds:

* each Dense (feed-forward, recurrent, extra projection) delivers at step ``t`` the weights of
  its sources' spikes of step ``t - 1`` (input spike ``x[t]`` reaches layer 0 at ``t + 1``);
* an engram gate multiplies a layer's summed input by this step's mask (the fixed-point
  gate's draws, :meth:`engram_nm.gating.GateSpec.masks`), adding no delay;
* the SDM stage reads its address layer's spikes of the same step and keeps
  ``counter_bits``-bit counters that saturate, like the ``fixed_pt`` SDM model.

Integer sums of 0/1 spikes times 8-bit weights are exact in a float32 matrix product while
|w| * fan-in < 2**24 (float64 beyond), so one BLAS call per population and step (all its
inputs side by side) serves the whole batch; the neuron
state is integers held in float64 as well (:func:`engram_nm.loihi.arithmetic.lif_step`). Samples of a
batch never interact: each has its own state (and its own memory counters).

Learning (``learn=True``): every plastic matrix runs on the emulated fixed-point learning engine
(:mod:`engram_nm.loihi.learning`, bit-exact to Lava's ``LearningDense`` ``fixed_pt``
model) with the seed the Lava graph gives it, and carries spikes with the one-step lag of Lava's
Dense (weights before this step's learning); intrinsic plasticity adapts ``vth_fine`` as the
``GeneralLIF`` fixed-point model does (:func:`engram_nm.loihi.arithmetic.intrinsic_step`).
Every network and every sample learns its own weights. Structural plasticity (the CPU-only
``PlasticDense`` on ``cpu-fixed``) is not emulated.
"""

from __future__ import annotations

import numpy as np

from engram_nm.loihi import arithmetic as fp
from engram_nm.backends.engine import NumpyRecords, step_network
from engram_nm.backends.run_inputs import check_batch
from engram_nm.backends.fixed_packing import check_same_shape, learning_matrices, populations
from engram_nm.backends.sigma_delta import SigmaDeltaState, sigma_delta_step
from engram_nm.errors import InputError
from engram_nm.result import RunResult
from engram_nm.spec import EngramSpec


def _wrap_int32(x: np.ndarray) -> np.ndarray:
    """Integers held in float64 wrapped to int32, as numpy's int32 dot product wraps."""
    return np.mod(x + 2.0 ** 31, 2.0 ** 32) - 2.0 ** 31


def _task_schedule(spec: EngramSpec, batch: int, steps: int, tasks) -> list:
    """Per sample, the gates' masks ``{layer: [T, n]}`` (tasks: int, ``[T]`` for all, or ``[B, T]``)."""
    from engram_nm.backends.run_inputs import gate_masks

    if tasks is not None and np.ndim(tasks) == 2:
        tasks = np.asarray(tasks)
        if tasks.shape != (batch, steps):
            raise InputError(f"tasks per sample must have shape ({batch}, {steps}), got {tasks.shape}")
        return [gate_masks(spec, steps, row, fixed_point=True) for row in tasks]
    shared = gate_masks(spec, steps, tasks, fixed_point=True)
    return [shared] * batch


class FixedKernel(NumpyRecords):
    """Loihi's integer arithmetic (:mod:`engram_nm.loihi.arithmetic`) for
    :func:`engram_nm.backends.engine.step_network`: state ``[K, B, n]`` (networks, samples),
    integers held in float64; spikes multiply as float32 0/1 (products exact below 2**24).
    ``learning``: the plastic matrices (:func:`learning_matrices`) when the run learns."""

    def __init__(self, pops: list, nets: int, batch: int, sizes: list, learning: list = ()):
        self.pops = pops
        self.bias_onsets = [p.onset for p in pops]  # [K, 1, 1]: one per network
        self.u = [np.zeros((nets, batch, n)) for n in sizes]
        self.v = [np.zeros((nets, batch, n)) for n in sizes]
        self.spiked = [np.zeros((nets, batch, n), dtype=bool) for n in sizes]
        self.learning = list(learning)
        self.vth_fine = [None if p.intrinsic is None else
                         np.broadcast_to(p.intrinsic["vth_fine"], (nets, batch, n)).copy()
                         for p, n in zip(pops, sizes)]
        zeros = lambda n: np.zeros((nets, batch, n), dtype=np.int64)  # noqa: E731
        self.sigma_delta = {i: SigmaDeltaState(zeros(n), zeros(n), zeros(n))
                            for i, (p, n) in enumerate(zip(pops, sizes)) if p.sigma_delta is not None}

    def synaptic_input(self, i: int, pre) -> np.ndarray:
        a_in = None
        for sources, w_t, exp, graded in self.pops[i].inputs:
            spikes = pre(*sources[0]) if len(sources) == 1 else np.concatenate([pre(*s) for s in sources], axis=-1)
            total = np.matmul(spikes, w_t)  # exact: binary groups below 2**24 in float32, payloads in float64
            part = _wrap_int32(fp.dense_output(_wrap_int32(total), exp)) if graded else fp.dense_output(total, exp)
            a_in = part if a_in is None else a_in + part.astype(np.float64)  # groups sum in float64
        for m in self.learning:
            if m.post != i:
                continue
            source = pre(m.pre)
            if a_in is not None and not source.any():
                continue  # no spike: the matrix adds nothing
            active = np.flatnonzero(source.reshape(-1, source.shape[-1]).any(axis=0))
            sparse = active.size * 4 < source.shape[-1]  # few active sources: multiply only their columns
            spikes = (source[..., active] if sparse else source)[..., None].astype(np.float64)  # exact sums
            for g in m.groups:
                w = g.transmit[..., active] if sparse else g.transmit
                part = np.matmul(w, spikes[g.networks])[..., 0]
                if isinstance(g.networks, slice):
                    a_in = part if a_in is None else a_in + part
                else:
                    if a_in is None:
                        a_in = np.zeros(spikes.shape[:-2] + part.shape[-1:])  # [K, B, n]
                    a_in[g.networks] += part
        return a_in

    def neuron_step(self, i: int, a_in: np.ndarray, bias_on) -> np.ndarray:
        pop = self.pops[i]
        if pop.sigma_delta is not None:
            state, payload = sigma_delta_step(self.sigma_delta[i], np.rint(a_in).astype(np.int64), pop.sigma_delta)
            self.sigma_delta[i] = state
            self.u[i], self.v[i] = state.sigma.astype(np.float64), state.act.astype(np.float64)
            return payload
        ip = pop.intrinsic
        theta = pop.theta if ip is None else fp.intrinsic_threshold(self.vth_fine[i], ip["ip_eta"] > 0, pop.theta)
        self.u[i], self.v[i], s = fp.lif_step(self.u[i], self.v[i], a_in, pop.du, pop.dv, theta, pop.bias,
                                              pop.syn_bias, pop.subtract, pop.delayed, self.spiked[i],
                                              bias_on, pop.may_overflow)
        self.spiked[i] = s
        return s

    def adapting(self, i: int) -> bool:
        return self.pops[i].intrinsic is not None

    def adapt_threshold(self, i: int, spikes: np.ndarray) -> None:
        ip = self.pops[i].intrinsic
        self.vth_fine[i] = fp.intrinsic_step(self.vth_fine[i], spikes, ip["ip_eta"] > 0, ip["ip_eta"],
                                             ip["ip_target"], ip["ip_theta_min"])

    def for_products(self, spikes: np.ndarray, graded: bool = False) -> np.ndarray:
        return np.asarray(spikes, dtype=np.float64 if graded else np.float32)  # payloads: integers in float64

    def recorded_v(self, i: int) -> np.ndarray:
        return self.v[i] / self.pops[i].scale

    def recorded_u(self, i: int) -> np.ndarray:
        return self.u[i] / self.pops[i].scale

    def after_step(self, t: int, x_t: np.ndarray, spikes: list) -> None:
        """Each plastic matrix learns from this step's pre and post spikes; the weights before
        the update carry the next step's spikes (Lava's Dense computes them before learning)."""
        for m in self.learning:
            pre = x_t if m.pre < 0 else spikes[m.pre]
            for g in m.groups:
                g.engine.copy_changes(g.transmit)  # transmit <- the weights after the previous step's learning
                g.engine.step(pre[g.networks] > 0, spikes[m.post][g.networks])

    def learned_weights(self) -> dict:
        """Plastic matrix -> ``[K, B, n_post, n_pre]`` in spec units."""
        out = {}
        for m in self.learning:
            first = m.groups[0].engine.weights
            w = np.zeros((len(m.weight_scale),) + first.shape[1:])
            for g in m.groups:
                w[g.networks] = g.engine.weights
            out[m.name] = w / m.weight_scale[:, None, None, None]
        return out

    def learned_thresholds(self) -> dict:
        """Layer index -> ``[K, B, n]`` adapted thresholds in spec units."""
        return {i: fine / (pop.scale * 2 ** fp.IP_FRACTION_BITS)
                for i, (pop, fine) in enumerate(zip(self.pops, self.vth_fine)) if fine is not None}


class _NetworkMemories:
    """The memory stage of every network: network ``k`` is addressed by its own spikes."""

    def __init__(self, memories: list):
        self.memories = memories

    def step(self, t: int, address: np.ndarray) -> None:
        for k, memory in enumerate(self.memories):
            memory.step(t, address[k])


class _Memory:
    """The SDM stage of every sample: shared addresses, one set of saturating counters per sample."""

    def __init__(self, spec: EngramSpec, batch: int, ops, data):
        from engram_nm.backends.run_inputs import memory_stream

        self.sdm, self.ops, self.data = memory_stream(spec, len(ops), ops, data)
        self.limit = 2 ** (int(spec.memory.counter_bits) - 1) - 1
        self.counters = np.repeat(self.sdm.counters[None].astype(np.int64), batch, axis=0)
        self.reads = np.zeros((batch, len(ops), self.sdm.data_bits), dtype=np.int8)
        self.saturated = np.zeros(batch, dtype=np.int64)

    def step(self, t: int, address: np.ndarray) -> None:
        from engram_nm.sdm.kanerva import saturating_add
        from engram_nm.sdm.ops import OP_READ, OP_WRITE

        op = self.ops[t]
        if op == OP_WRITE:
            active = self.sdm.activate(address.astype(np.int8))  # [B, M], the reference's rule
            bipolar = 2 * self.data[t].astype(np.int64) - 1
            self.counters, saturated = saturating_add(self.counters, np.where(active[:, :, None], bipolar, 0),
                                                      self.limit, per_sample=True)
            self.saturated += saturated
        elif op == OP_READ:
            active = self.sdm.activate(address.astype(np.int8))
            sums = np.einsum("bm,bmd->bd", active.astype(np.int64), self.counters)
            self.reads[:, t] = sums > 0


def emulate(spec: EngramSpec, spikes, quantized=None, record_v: bool = False, tasks=None, memory_ops=None,
            memory_data=None, learn: bool = False, seed: int = 0) -> RunResult:
    """Run ``spikes`` (``[T, n_in]`` or a batch ``[B, T, n_in]``) through ``spec`` in Loihi fixed point.

    Equal, spike for spike and voltage for voltage, to the ``cpu-fixed`` target run on each
    sample alone (``tests/equivalence/test_fixed_emulator.py``). ``quantized`` defaults to
    ``quantize(spec)``; ``tasks`` selects the gates' task (an int, one per step, or ``[B, T]``);
    ``memory_ops`` / ``memory_data`` drive the SDM stage, the same stream for every sample.
    ``learn`` runs the spec's plasticity (module docstring; ``quantized`` then defaults to
    ``quantize(spec, learning=True)``, as ``cpu-fixed`` uses), its engines seeded from ``seed``.
    Records are ``[B, T, n]`` (``B = 1`` for a single sample).
    """
    out = emulate_networks([spec], spikes, None if quantized is None else [quantized], record_v, tasks,
                           memory_ops, memory_data, learn, seed)
    first = lambda d: {k: a[0] for k, a in d.items()}  # noqa: E731 - the one network
    return RunResult("fixed-emu", out.steps, first(out.spikes), first(out.v),
                     memory_reads=None if out.memory_reads is None else out.memory_reads[0],
                     memory_saturated=None if out.memory_saturated is None else out.memory_saturated[0],
                     learned_weights=first(out.learned_weights), learned_thresholds=first(out.learned_thresholds))


def emulate_networks(specs, spikes, quantized=None, record_v: bool = False, tasks=None, memory_ops=None,
                     memory_data=None, learn: bool = False, seed: int = 0) -> RunResult:
    """Run ``K`` networks of one shape (e.g. ten seeds, each with its own weights) in one call.

    ``spikes``: ``[T, n_in]`` or ``[B, T, n_in]`` shared by every network, or ``[K, B, T, n_in]``
    one batch per network; ``tasks`` as in :func:`emulate`, or ``[K, B, T]`` one schedule per
    network. Records get a leading network axis: ``[K, B, T, n]``; so do the learned
    weights and thresholds (``learn``, see :func:`emulate`; ``seed``: one for all, or one per network). Each network is quantised on its own
    and never interacts with the others: network ``k`` gives exactly what :func:`emulate` gives for
    it alone, learning included.
    """
    from engram_nm.loihi.quantize import quantize

    specs = list(specs)
    if not specs:
        raise InputError("emulate_networks needs at least one network")
    for spec in specs:
        spec.validate()
    check_same_shape(specs)
    first = specs[0]
    arr = np.asarray(spikes)
    if arr.ndim == 4:
        if arr.shape[0] != len(specs):
            raise InputError(f"spikes [K, B, T, n_in] need K = {len(specs)} batches, got {arr.shape[0]}")
        x = np.stack([check_batch(first, a) for a in arr])
    else:
        batch = check_batch(first, arr)
        x = np.broadcast_to(batch, (len(specs),) + batch.shape)
    nets, batch, steps = x.shape[:3]
    qs = list(quantized) if quantized is not None else [quantize(spec, learning=learn) for spec in specs]
    seeds = [int(seed)] * len(specs) if np.ndim(seed) == 0 else [int(s) for s in seed]
    if len(seeds) != len(specs):
        raise InputError(f"seed: one int, or one per network ({len(specs)}), got {len(seeds)}")
    learning = learning_matrices(specs, qs, batch, seeds) if learn else []
    pops = populations(specs, qs, tuple(m.name for m in learning), intrinsic=learn)
    gated_names = [layer.name for layer in first.layers if layer.gate is not None]
    if tasks is not None and np.ndim(tasks) == 3:  # one schedule per network: [K, B, T]
        if np.shape(tasks)[0] != nets:
            raise InputError(f"tasks per network [K, B, T] need K = {nets}, got {np.shape(tasks)[0]}")
        per_network = list(tasks)
    else:
        per_network = [tasks] * nets
    schedules = [_task_schedule(spec, batch, steps, t) for spec, t in zip(specs, per_network)] if gated_names else []
    gated = {name: np.stack([np.stack([m[name] for m in per_sample]) for per_sample in schedules])
             for name in gated_names}  # [K, B, T, n]
    memories = None
    if memory_ops is not None or memory_data is not None:
        if memory_ops is None:
            raise InputError("memory_data needs memory_ops (0 idle, 1 write, 2 read per step)")
        memories = [_Memory(spec, batch, memory_ops, memory_data) for spec in specs]

    kernel = FixedKernel(pops, nets, batch, [layer.size for layer in first.layers], learning)
    stage = None if memories is None else _NetworkMemories(memories)
    rec_s, rec_v, _ = step_network(first, x.astype(np.float32), kernel, gated, stage, record_v=record_v)
    return RunResult("fixed-emu", steps, rec_s, rec_v,
                     memory_reads=None if memories is None else np.stack([m.reads for m in memories]),
                     memory_saturated=None if memories is None else np.stack([m.saturated for m in memories]),
                     learned_weights=kernel.learned_weights(),
                     learned_thresholds={first.layers[i].name: th for i, th in kernel.learned_thresholds().items()})
