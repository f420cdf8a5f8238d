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

from dataclasses import dataclass

import numpy as np

from engram_nm.loihi import arithmetic as fp
from engram_nm.backends.engine import NumpyRecords, population_inputs, step_network
from engram_nm.backends.sigma_delta import SigmaDeltaParameters, SigmaDeltaState, sigma_delta_step
from engram_nm.errors import InputError
from engram_nm.result import RunResult
from engram_nm.spec import EngramSpec


@dataclass
class _Population:
    """One layer of every network of the call: integer parameters ``[K, 1, n]`` (K networks; they
    broadcast over the samples) and the incoming projections."""

    du: np.ndarray
    dv: np.ndarray
    theta: np.ndarray
    bias: np.ndarray | None       # None: no neuron of any network has one (lif_step skips it)
    syn_bias: np.ndarray | None
    subtract: np.ndarray | None   # None: every neuron resets to zero
    delayed: np.ndarray | None    # None: no reset is delayed
    onset: np.ndarray             # [K, 1, 1] first step of the biases
    may_overflow: bool            # whether u can leave 24 bits (arithmetic.current_bound)
    scale: np.ndarray             # [K, 1, 1] integer v units per float unit
    inputs: list  # product groups (_product_groups): (source indices, weights [K, sum n_src, n], weight_exp, graded)
    intrinsic: dict | None = None  # learning thresholds: ip_eta, ip_target, ip_theta_min, vth_fine [K, 1, n]
    sigma_delta: object = None     # a sigma-delta population: its SigmaDeltaParameters, integers [K, 1, n]


def _exact_float(w: np.ndarray) -> np.ndarray:
    """Integer weights as the narrowest float type whose matrix products with 0/1 spikes are
    exact: float32 while every sum stays below 2**24 (|w| * fan-in), else float64."""
    bound = float(np.abs(w).max(initial=0)) * w.shape[-1]
    return w.astype(np.float32 if bound < 2 ** 24 else np.float64)


def _product_groups(sources: list, graded: set = frozenset()) -> list:
    """Group a population's inputs ``(source, weights [K, n, n_src], weight_exp)`` into matrix
    products: ``(source indices, weights transposed and side by side [K, sum n_src, n], exp, graded)``.

    Lava shifts each Dense's sum by its weight exponent. A left shift (exp >= 0) is linear, so
    inputs with one such exponent share one product of their concatenated spikes; a right shift
    floors each Dense's sum on its own, so every input with exp < 0 keeps a product of its own. So
    does every input from a ``graded`` source (sigma-delta payloads): Lava's Dense computes its
    ``weights.dot(payloads)`` in int32, which wraps on its own (float64 holds the exact sum first).
    """
    groups, shared = [], {}
    for src, w, exp in sources:
        if src in graded:
            groups.append(([src], w.astype(np.float64), exp, True))
        elif exp >= 0:
            shared.setdefault(exp, []).append((src, w))
        else:
            groups.append(([src], w, exp, False))
    groups += [([src for src, _ in members], np.concatenate([w for _, w in members], axis=2), exp, False)
               for exp, members in shared.items()]
    # Stored transposed and contiguous ([K, sum n_src, n]: the product per step is spikes @ w_t),
    # in the narrowest float type that keeps the whole sum exact (payloads: float64).
    return [(srcs, np.ascontiguousarray((w if g else _exact_float(w)).transpose(0, 2, 1)), exp, g)
            for srcs, w, exp, g in groups]


def _wrap_int32(x: np.ndarray) -> np.ndarray:
    """Integers held in float64 wrapped to int32, as numpy's int32 dot product wraps."""
    return np.mod(x + 2.0 ** 31, 2.0 ** 32) - 2.0 ** 31


def _check_same_shape(specs: list) -> None:
    """Networks of one call must share populations, projections, gates and memory stage."""
    first = specs[0]

    def shape(spec):
        from engram_nm.plasticity.learner import plastic_matrices

        return (spec.n_in, [(layer.name, layer.size, layer.neuron, layer.recurrent_weight is not None,
                             layer.gate is not None,
                             layer.plasticity is not None and layer.plasticity.intrinsic is not None)
                            for layer in spec.layers],
                [m.name for m in plastic_matrices(spec.layers, spec.projections)],
                sorted((p.name, p.source, p.target) for p in spec.projections), spec.memory is not None)

    for k, spec in enumerate(specs[1:], start=1):
        if shape(spec) != shape(first):
            raise InputError(f"network {k} differs in shape from network 0 (populations, sizes, neuron kinds, "
                             "recurrence, projections, gates, plasticity or memory stage): a batch of networks "
                             "needs one shape")


def _populations(specs: list, quantized: list, plastic: tuple = (), intrinsic: bool = False) -> list:
    """Per layer its integer parameters and fixed input groups; the ``plastic`` matrices are left
    to the learning engines, and ``intrinsic`` adds the adapting thresholds of layers that have
    intrinsic plasticity."""
    first = specs[0]
    inputs_of = population_inputs(first.layers, first.projections)  # the schedule's order of inputs
    stack = lambda arrays: np.stack([np.asarray(a, dtype=np.float64) for a in arrays])[:, None, :]  # noqa: E731
    pops = []
    for i, layer in enumerate(first.layers):
        qs = [q.layers[i] for q in quantized]
        ls = [spec.layers[i] for spec in specs]
        n = layer.size

        def weights(get, name):
            mats = [fp.dense_weights(get(q)) for q in qs]
            exps = {q.matrix_exp(name) for q in qs}
            if len(exps) != 1:
                raise InputError(f"layer {layer.name!r}: the networks quantised to different weight exponents")
            return np.stack(mats).astype(np.float64), exps.pop()  # [K, n, n_src]

        graded_sources = {j for j, source in enumerate(first.layers) if source.graded}
        inputs = _product_groups([(src, *weights(lambda q, name=name: q.matrix(name), name))
                                  for src, name, _ in inputs_of[i] if name not in plastic], graded_sources)
        sigma_delta = None
        if layer.graded:
            sigma_delta = SigmaDeltaParameters(
                vth=stack([q.vth for q in qs]).astype(np.int64), bias=stack([q.bias_mant for q in qs]).astype(np.int64),
                relu=layer.activation == "relu",
                state_exp=np.array([q.state_exp for q in qs], dtype=np.int64)[:, None, None])
        bias = stack([fp.effective_bias(q.bias_mant, q.bias_exp) for q in qs])
        syn_bias = stack([q.syn_bias for q in qs])
        du = stack([q.du for q in qs])
        max_input = sum((np.abs(w_t).sum(axis=1) for _, w_t, _, _ in inputs), np.zeros((len(specs), n)))
        graded_in = any(g for _, _, _, g in inputs)  # payloads have no static bound
        bound = max(fp.current_bound(du[k, 0], max_input[k], syn_bias[k, 0]) for k in range(len(specs)))
        learns_in = any(name in plastic for _, name, _ in inputs_of[i])  # weights change: no static bound
        ip = layer.plasticity.intrinsic if intrinsic and layer.plasticity is not None else None
        subtract = stack([np.full(n, l.reset == "subtract") for l in ls]) > 0
        delayed = stack([np.full(n, bool(l.reset_delay)) for l in ls]) > 0
        pops.append(_Population(
            du=du, dv=stack([q.dv for q in qs]), theta=stack([fp.effective_threshold(q.vth) for q in qs]),
            bias=bias if np.any(bias) else None, syn_bias=syn_bias if np.any(syn_bias) else None,
            subtract=subtract if subtract.any() else None, delayed=delayed if delayed.any() else None,
            onset=np.array([l.bias_onset for l in ls], dtype=np.int64)[:, None, None],
            may_overflow=learns_in or graded_in or bound >= fp.MAX_UV,
            scale=np.array([q.scale for q in qs], dtype=np.float64)[:, None, None], inputs=inputs,
            intrinsic=None if ip is None else _intrinsic(specs, qs, i), sigma_delta=sigma_delta))
    return pops


def _intrinsic(specs: list, qs: list, i: int) -> dict:
    """The fixed-point intrinsic plasticity of layer ``i`` of every network, ``[K, 1, n]`` each."""
    per = []
    for spec, q in zip(specs, qs):
        ip, n = spec.layers[i].plasticity.intrinsic, spec.layers[i].size
        params = fp.intrinsic_parameters(ip.eta, ip.target_rate, ip.theta_min, spec.dt, q.scale, q.vth)
        per.append({k: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for k, v in params.items()})
    return {k: np.stack([p[k] for p in per])[:, None, :] for k in per[0]}


def _batch(spec: EngramSpec, spikes) -> np.ndarray:
    """Input as ``[B, T, n_in]`` float64 0/1, validated like every target's input."""
    from engram_nm.backends.run_inputs import check_input

    arr = np.asarray(spikes)
    if arr.ndim == 3:
        if arr.shape[0] == 0:
            raise InputError("an input batch [B, steps, n_in] needs at least one sample")
        check_input(spec, arr.reshape(-1, arr.shape[-1]) if arr.shape[1] else arr[0])
        return arr.astype(np.float64)
    return check_input(spec, arr)[None]


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


@dataclass
class _EngineGroup:
    """Networks whose matrix learns by the same engine rule (equal scales), stepped as one engine
    on weights ``[len(networks), B, n_post, n_pre]``; ``transmit`` holds the weights that carry
    this step's spikes (one learning step behind, as Lava's Dense is), as float64."""

    networks: object  # slice(None) for all networks, else an index array
    engine: object
    transmit: np.ndarray


@dataclass
class _LearningMatrix:
    """A plastic matrix of every network: its ends, its engine groups and the integer weight per
    spec unit of each network."""

    name: str
    pre: int          # -1: the network input
    post: int
    groups: list
    weight_scale: np.ndarray  # [K]


def _learning_matrices(specs: list, qs: list, batch: int, seed) -> list:
    """The plastic matrices of every network on the emulated engine; matrix ``j`` of network ``k``
    is seeded ``seed[k] + j`` (:func:`~engram_nm.plasticity.learner.plastic_matrices`), as on
    ``cpu-fixed``. Networks with the same engine rule share one engine (each keeps its seed)."""
    from engram_nm.loihi.learning import FixedLearningEngine
    from engram_nm.loihi.learning_rules import fixed_engine_rule
    from engram_nm.plasticity.learner import plastic_matrices

    per_network = [plastic_matrices(spec.layers, spec.projections) for spec in specs]
    out = []
    for j, m in enumerate(per_network[0]):
        if m.structural is not None:
            raise InputError(f"{m.name}: structural plasticity runs in the CPU-only PlasticDense on cpu-fixed "
                             "and is not emulated; run it on 'cpu-fixed' or 'reference'")
        rules, weights = [], []
        for spec, q, mats in zip(specs, qs, per_network):
            layer_q = q.layers[m.post]
            rules.append(fixed_engine_rule(mats[j].rule, spec.dt, layer_q.weight_scale))
            weights.append(layer_q.matrix(m.name))
        groups, placed = [], set()
        for k in range(len(specs)):
            if k in placed:
                continue
            members = [i for i in range(len(specs)) if i not in placed and rules[i] == rules[k]]
            placed.update(members)
            stacked = np.stack([np.broadcast_to(weights[i], (batch,) + weights[i].shape) for i in members])
            engine = FixedLearningEngine(rules[k], stacked, [seed[i] + j for i in members])
            index = slice(None) if len(members) == len(specs) else np.array(members)
            groups.append(_EngineGroup(index, engine, np.ascontiguousarray(engine.weights, dtype=np.float64)))
        scales = [q.layers[m.post].weight_scale for q in qs]
        out.append(_LearningMatrix(m.name, -1 if m.pre is None else m.pre, m.post, groups, np.array(scales)))
    return out


class FixedKernel(NumpyRecords):
    """Loihi's integer arithmetic (:mod:`engram_nm.loihi.arithmetic`) for
    :func:`engram_nm.backends.engine.step_network`: state ``[K, B, n]`` (networks, samples),
    integers held in float64; spikes multiply as float32 0/1 (products exact below 2**24).
    ``learning``: the plastic matrices (:func:`_learning_matrices`) when the run learns."""

    def __init__(self, pops: list, nets: int, batch: int, sizes: list, learning: list = ()):
        self.pops = pops
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
            spikes = pre(sources[0]) if len(sources) == 1 else np.concatenate([pre(s) for s in sources], axis=-1)
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

    def neuron_step(self, i: int, a_in: np.ndarray, t: int) -> np.ndarray:
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
                                              t >= pop.onset, pop.may_overflow)
        if ip is not None:
            self.vth_fine[i] = fp.intrinsic_step(self.vth_fine[i], s, ip["ip_eta"] > 0, ip["ip_eta"],
                                                 ip["ip_target"], ip["ip_theta_min"])
        self.spiked[i] = s
        return s

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
            for b in range(self.counters.shape[0]):  # per sample: its saturations are counted apart
                self.counters[b], saturated = saturating_add(self.counters[b],
                                                             np.where(active[b, :, None], bipolar[None, :], 0),
                                                             self.limit)
                self.saturated[b] += saturated
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
    _check_same_shape(specs)
    first = specs[0]
    arr = np.asarray(spikes)
    if arr.ndim == 4:
        if arr.shape[0] != len(specs):
            raise InputError(f"spikes [K, B, T, n_in] need K = {len(specs)} batches, got {arr.shape[0]}")
        x = np.stack([_batch(first, a) for a in arr])
    else:
        batch = _batch(first, arr)
        x = np.broadcast_to(batch, (len(specs),) + batch.shape)
    nets, batch, steps = x.shape[:3]
    qs = list(quantized) if quantized is not None else [quantize(spec, learning=learn) for spec in specs]
    seeds = [int(seed)] * len(specs) if np.ndim(seed) == 0 else [int(s) for s in seed]
    if len(seeds) != len(specs):
        raise InputError(f"seed: one int, or one per network ({len(specs)}), got {len(seeds)}")
    learning = _learning_matrices(specs, qs, batch, seeds) if learn else []
    pops = _populations(specs, qs, tuple(m.name for m in learning), intrinsic=learn)
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
