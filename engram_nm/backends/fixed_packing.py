"""The quantised networks of one ``fixed-emu`` call packed for its kernel
(:mod:`engram_nm.backends.fixed_emulator`): per population its integer parameters stacked over the
networks ``[K, 1, n]`` and its inputs grouped into matrix products; per plastic matrix its
emulated learning engines; the check that the networks of one call share their shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.loihi import arithmetic as fp
from engram_nm.backends.sigma_delta import SigmaDeltaParameters
from engram_nm.errors import InputError


@dataclass
class Population:
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
    inputs: list  # product groups (product_groups): ((source, delay) pairs, weights [K, sum n_src, n], exp, graded)
    intrinsic: dict | None = None  # learning thresholds: ip_eta, ip_target, ip_theta_min, vth_fine [K, 1, n]
    sigma_delta: object = None     # a sigma-delta population: its SigmaDeltaParameters, integers [K, 1, n]


def exact_float(w: np.ndarray) -> np.ndarray:
    """Integer weights as the narrowest float type whose matrix products with 0/1 spikes are
    exact: float32 while every sum stays below 2**24 (|w| * fan-in), else float64."""
    bound = float(np.abs(w).max(initial=0)) * w.shape[-1]
    return w.astype(np.float32 if bound < 2 ** 24 else np.float64)


def product_groups(sources: list, graded: set = frozenset()) -> list:
    """Group a population's inputs ``((source, delay), weights [K, n, n_src], weight_exp)`` into matrix
    products: ``((source, delay) pairs, weights transposed and side by side [K, sum n_src, n], exp,
    graded)``.

    Lava shifts each Dense's sum by its weight exponent. A left shift (exp >= 0) is linear, so
    inputs with one such exponent share one product of their concatenated spikes; a right shift
    floors each Dense's sum on its own, so every input with exp < 0 keeps a product of its own. So
    does every input from a ``graded`` source (sigma-delta payloads): Lava's Dense computes its
    ``weights.dot(payloads)`` in int32, which wraps on its own (float64 holds the exact sum first).
    """
    groups, shared = [], {}
    for src, w, exp in sources:
        if src[0] in graded:
            groups.append(([src], w.astype(np.float64), exp, True))
        elif exp >= 0:
            shared.setdefault(exp, []).append((src, w))
        else:
            groups.append(([src], w, exp, False))
    groups += [([src for src, _ in members], np.concatenate([w for _, w in members], axis=2), exp, False)
               for exp, members in shared.items()]
    # Stored transposed and contiguous ([K, sum n_src, n]: the product per step is spikes @ w_t),
    # in the narrowest float type that keeps the whole sum exact (payloads: float64).
    return [(srcs, np.ascontiguousarray((w if g else exact_float(w)).transpose(0, 2, 1)), exp, g)
            for srcs, w, exp, g in groups]


def check_same_shape(specs: list) -> None:
    """Networks of one call must share populations, projections, gates and memory stage."""
    first = specs[0]

    def shape(spec):
        return (spec.n_in, [(layer.name, layer.size, layer.neuron, layer.fed_forward, layer.recurrent_weight is not None,
                             layer.gate is not None,
                             layer.plasticity is not None and layer.plasticity.intrinsic is not None)
                            for layer in spec.layers],
                [m.name for m in spec.compile().plastic],
                sorted((p.name, p.source, p.target, p.delay) for p in spec.projections), spec.memory is not None)

    for k, spec in enumerate(specs[1:], start=1):
        if shape(spec) != shape(first):
            raise InputError(f"network {k} differs in shape from network 0 (populations, sizes, neuron kinds, "
                             "recurrence, projections and their delays, gates, plasticity or memory stage): "
                             "a batch of networks needs one shape")


def populations(specs: list, quantized: list, plastic: tuple = (), intrinsic: bool = False) -> list:
    """Per layer its integer parameters and fixed input groups; the ``plastic`` matrices are left
    to the learning engines, and ``intrinsic`` adds the adapting thresholds of layers that have
    intrinsic plasticity."""
    first = specs[0]
    inputs_of = first.compile().inputs  # the schedule's order of inputs
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
        inputs = product_groups([((src, delay), *weights(lambda q, name=name: q.matrix(name), name))
                                  for src, name, _, delay in inputs_of[i] if name not in plastic], graded_sources)
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
        learns_in = any(inp.name in plastic for inp in inputs_of[i])  # weights change: no static bound
        ip = layer.plasticity.intrinsic if intrinsic and layer.plasticity is not None else None
        subtract = stack([np.full(n, l.reset == "subtract") for l in ls]) > 0
        delayed = stack([np.full(n, bool(l.reset_delay)) for l in ls]) > 0
        pops.append(Population(
            du=du, dv=stack([q.dv for q in qs]), theta=stack([fp.effective_threshold(q.vth) for q in qs]),
            bias=bias if np.any(bias) else None, syn_bias=syn_bias if np.any(syn_bias) else None,
            subtract=subtract if subtract.any() else None, delayed=delayed if delayed.any() else None,
            onset=np.array([l.bias_onset for l in ls], dtype=np.int64)[:, None, None],
            may_overflow=learns_in or graded_in or bound >= fp.MAX_UV,
            scale=np.array([q.scale for q in qs], dtype=np.float64)[:, None, None], inputs=inputs,
            intrinsic=None if ip is None else intrinsic_parameters(specs, qs, i), sigma_delta=sigma_delta))
    return pops


def intrinsic_parameters(specs: list, qs: list, i: int) -> dict:
    """The fixed-point intrinsic plasticity of layer ``i`` of every network, ``[K, 1, n]`` each."""
    per = []
    for spec, q in zip(specs, qs):
        ip, n = spec.layers[i].plasticity.intrinsic, spec.layers[i].size
        params = fp.intrinsic_parameters(ip.eta, ip.target_rate, ip.theta_min, spec.dt, q.scale, q.vth)
        per.append({k: np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)) for k, v in params.items()})
    return {k: np.stack([p[k] for p in per])[:, None, :] for k in per[0]}


@dataclass
class EngineGroup:
    """Networks whose matrix learns by the same engine rule (equal scales), stepped as one engine
    on weights ``[len(networks), B, n_post, n_pre]``; ``transmit`` holds the weights that carry
    this step's spikes (one learning step behind, as Lava's Dense is), as float64."""

    networks: object  # slice(None) for all networks, else an index array
    engine: object
    transmit: np.ndarray


@dataclass
class LearningMatrix:
    """A plastic matrix of every network: its ends, its engine groups and the integer weight per
    spec unit of each network."""

    name: str
    pre: int          # -1: the network input
    post: int
    groups: list
    weight_scale: np.ndarray  # [K]


def learning_matrices(specs: list, qs: list, batch: int, seed) -> list:
    """The plastic matrices of every network on the emulated engine; matrix ``j`` of network ``k``
    is seeded ``seed[k] + j`` (:attr:`~engram_nm.compiled.CompiledNetwork.plastic`), as on
    ``cpu-fixed``. Networks with the same engine rule share one engine (each keeps its seed)."""
    from engram_nm.loihi.learning import FixedLearningEngine
    from engram_nm.loihi.learning_rules import fixed_engine_rule

    per_network = [spec.compile().plastic for spec in specs]
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
            groups.append(EngineGroup(index, engine, np.ascontiguousarray(engine.weights, dtype=np.float64)))
        scales = [q.layers[m.post].weight_scale for q in qs]
        out.append(LearningMatrix(m.name, -1 if m.pre is None else m.pre, m.post, groups, np.array(scales)))
    return out
