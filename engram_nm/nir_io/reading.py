"""NIR graph (ours or another tool's) -> EngramSpec: layers, recurrence, projections, metadata."""

from __future__ import annotations

import os

import numpy as np

from engram_nm.errors import NIRFileError, SpecError, UnsupportedNodeError
from engram_nm.spec import EngramSpec
from engram_nm.nir_io.assumptions import ImportOptions, exact_to_euler, is_foreign
from engram_nm.nir_io.common import DELAY_TYPE, FORMAT_VERSION, META, LINEAR_TYPES, NEURON_TYPES, nir_module
from engram_nm.nir_io.nodes import (as_linear, flatten, infer_dt, input_scale, neuron_layer, node_type,
                                    layer_name_for, read_nir)


def nir_to_spec(graph, dt: float | None = None, reset: str | None = None, name: str | None = None,
                discretization: str = "euler", reset_delay: bool | None = None,
                bias_onset: str | None = None) -> EngramSpec:
    """Build an :class:`EngramSpec` from a NIR graph.

    Args:
        graph: a ``nir.NIRGraph`` (e.g. from :func:`read_nir`).
        dt: simulation step (s). Default: ``metadata["engram_nm"]["dt"]``, else
            inferred as ``tau / r`` (snnTorch's and our exports set ``r = tau/dt``).
        reset: override the reset mode of every layer (NIR has none; snnTorch's
            exporter drops it): ``"zero"`` or ``"subtract"``.
        reset_delay: override every layer's reset delay (:class:`ImportOptions`).
        bias_onset: ``"arrival"`` or ``"start"`` for every layer (:class:`ImportOptions`);
            default: the file's value, else ``"arrival"`` for another tool's file.
        discretization: how the exporter stepped NIR's ODE ``tau dv/dt = v_leak - v + r I``
            (NIR does not say): ``"euler"`` (``v += dt/tau (...)``: Lava, snnTorch, our
            exports) or ``"exact"`` (``v = a v + (1 - a) r I`` with ``a = exp(-dt/tau)``:
            Sinabs). ``"exact"`` maps every ``tau`` to the Euler time constant
            with the same decay, ``dt / (1 - exp(-dt/tau))``, so the input scaling
            ``r dt / tau`` becomes ``r (1 - a)`` as well (exact for LIF; for CubaLIF
            the synaptic and membrane decays are exact, their coupling is Lava's).
    """
    options = ImportOptions(dt=dt, reset=reset, reset_delay=reset_delay, bias_onset=bias_onset,
                            discretization=discretization)
    nir = nir_module()
    if not isinstance(graph, nir.NIRGraph):
        raise NIRFileError(f"expected a nir.NIRGraph, got {type(graph).__name__}")
    gmeta = graph.metadata.get(META, {}) if isinstance(graph.metadata, dict) else {}
    version = gmeta.get("format_version", FORMAT_VERSION) if isinstance(gmeta, dict) else FORMAT_VERSION
    if not isinstance(version, (int, np.integer)) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise NIRFileError(f"the file's engram_nm format version is {version!r}; this engram_nm reads up to "
                           f"{FORMAT_VERSION}: update engram_nm")
    nodes, edges = flatten(graph)
    for n, node in nodes.items():
        t = node_type(node)
        if t not in LINEAR_TYPES + NEURON_TYPES + (DELAY_TYPE, "Input", "Output"):
            raise UnsupportedNodeError(
                f"node {n!r} has type {t}, which engram_nm cannot map to Lava; supported: "
                f"{', '.join(LINEAR_TYPES + NEURON_TYPES)}, {DELAY_TYPE} (on a projection), Input, Output"
            )
    inputs = [n for n, v in nodes.items() if node_type(v) == "Input"]
    preds: dict = {n: [] for n in nodes}
    succs: dict = {n: [] for n in nodes}
    for s, d in edges:
        succs[s].append(d)
        preds[d].append(s)
    top_inputs = [n for n in inputs if not preds[n]]
    if len(top_inputs) != 1:
        raise UnsupportedNodeError(f"the graph needs exactly one Input node, found {top_inputs or 'none'}")
    # Input nodes inside flattened subgraphs are pass-throughs.
    passthrough = {n for n, v in nodes.items() if node_type(v) in ("Input", "Output")} - {top_inputs[0]}
    in_type = nodes[top_inputs[0]].input_type
    in_shape = np.asarray(next(iter(in_type.values())) if isinstance(in_type, dict) else in_type).reshape(-1)
    if in_shape.size > 1 and np.prod(in_shape[:-1]) == 1:
        in_shape = in_shape[-1:]  # a leading batch axis of 1 (Norse writes (1, n))
    if in_shape.size != 1:
        raise UnsupportedNodeError(f"input {top_inputs[0]!r} has shape {tuple(in_shape)}; only flat inputs are supported")
    n_in = int(in_shape[0])
    neurons = {n: v for n, v in nodes.items() if node_type(v) in NEURON_TYPES}
    foreign = is_foreign(graph)
    if not neurons:
        raise UnsupportedNodeError("the graph has no neuron node (LIF, CubaLIF, IF, LI)")
    if dt is None:
        dt = gmeta.get("dt") or infer_dt(neurons)
        if dt is None:
            raise SpecError("the NIR graph stores no dt and none can be inferred from tau / r; pass dt= (seconds)")
    dt = float(dt)
    if discretization == "exact":
        neurons = {n: exact_to_euler(v, dt) for n, v in neurons.items()}

    def trace_back(start: str, seen=()):
        """Paths from ``start`` backwards through linear / pass-through nodes to a neuron or the input."""
        results = []
        for p in preds[start]:
            if p in seen:
                raise UnsupportedNodeError(f"cycle through non-neuron node {p!r}")
            if p in neurons or p == top_inputs[0]:
                results.append((p, []))
            elif p in passthrough:
                results += trace_back(p, seen + (p,))
            elif node_type(nodes[p]) in LINEAR_TYPES + (DELAY_TYPE,):
                results += [(origin, chain + [p]) for origin, chain in trace_back(p, seen + (p,))]
            else:
                raise UnsupportedNodeError(f"node {p!r} ({node_type(nodes[p])}) cannot sit between populations")
        return results

    def compose(chain: list, n_src: int, n_dst: int, target: str):
        w, b = np.eye(n_src), np.zeros(n_src)
        for node_name in _weights_of(chain, nodes):
            wk, bk = as_linear(node_name, nodes[node_name])
            if wk.shape[1] != w.shape[0]:
                raise SpecError(f"node {node_name!r}: weight has {wk.shape[1]} inputs but receives {w.shape[0]}")
            w, b = wk @ w, wk @ b + bk
        if w.shape[0] != n_dst:
            raise SpecError(f"connection into {target!r} delivers {w.shape[0]} values for {n_dst} neurons")
        return w, b

    def size_of(n: str) -> int:
        node = neurons[n]
        sizes = [int(np.asarray(getattr(node, a)).size) for a in ("v_threshold", "tau", "tau_mem", "r")
                 if hasattr(node, a)]
        if not sizes:
            raise UnsupportedNodeError(f"cannot tell the size of node {n!r}")
        if max(sizes) > 1:
            return max(sizes)
        # Scalar parameters (Sinabs exports shape (1,)): the size is what the incoming weights deliver.
        for p in preds[n]:
            if p in nodes and node_type(nodes[p]) in ("Affine", "Linear"):
                return int(np.asarray(nodes[p].weight).shape[0])
        return 1

    # Order the populations from the input (a chain: one feed-forward source each);
    # every other population-to-population path is an extra projection.
    paths_into = {n: trace_back(n) for n in neurons}
    declared = gmeta.get("projections", {}) if isinstance(gmeta.get("projections", {}), dict) else {}
    order = _names(gmeta.get("layer_order", []))
    layers, source, n_source = [], top_inputs[0], n_in
    remaining = set(neurons)
    extra_paths = []  # (origin, chain, target)
    while remaining:
        nxt = [n for n in remaining if any(o == source and not _declared(c, declared, nodes) for o, c in paths_into[n])]
        if len(layers) < len(order) and order[len(layers)] in remaining and not _fed_forward(neurons[order[len(layers)]]):
            nxt = [order[len(layers)]]  # one of our populations fed only by projections: no path from `source`
        if len(nxt) > 1 and len(layers) < len(order) and order[len(layers)] in nxt:
            nxt = [order[len(layers)]]
        if len(nxt) != 1:
            raise UnsupportedNodeError(
                f"engram_nm maps chains of populations; {source!r} feeds {sorted(nxt) or 'no population'} "
                f"(unreached: {sorted(remaining)})"
            )
        n = nxt[0]
        size = size_of(n)
        paths = paths_into[n]
        projected = [(o, c) for o, c in paths if _declared(c, declared, nodes) or (o != source and o != n)]
        ff = [(o, c) for o, c in paths if o == source and (o, c) not in projected]
        rec = [(o, c) for o, c in paths if o == n and (o, c) not in projected]
        fed_forward = _fed_forward(neurons[n])
        if len(ff) != int(fed_forward) or len(rec) > 1:
            raise UnsupportedNodeError(f"population {n!r}: expected {'one' if fed_forward else 'no'} feed-forward and "
                                       f"at most one recurrent input, found sources {[o for o, _ in paths]}")
        extra_paths += [(o, c, n) for o, c in projected]
        for _, chain in ff + rec:
            if _delay_steps(chain, nodes, dt, n) != 1:
                raise UnsupportedNodeError(f"population {n!r}: a Delay node on its feed-forward or recurrent input; "
                                           "engram_nm delays only extra projections (declare it as one)")
        w, b = compose(ff[0][1], n_source, size, n) if fed_forward else (None, np.zeros(size))
        w_rec = b_rec = None
        if rec:
            w_rec, b_rec = compose(rec[0][1], size, size, n)
        layers.append(neuron_layer(n, neurons[n], w, b, w_rec, b_rec, dt, options, len(layers) + 1, foreign, size))
        remaining.discard(n)
        source, n_source = n, size
    projections = _projections(extra_paths, declared, neurons, compose, size_of, dt, top_inputs[0], n_in, nodes)
    written = _names(gmeta.get("projection_order", []))
    if written:  # the spec's order (files before it: the order of the targets, which those specs had)
        projections.sort(key=lambda p: written.index(p.name) if p.name in written else len(written))
    spec_meta = gmeta.get("spec_metadata", {})
    return EngramSpec(n_in=n_in, layers=layers, dt=dt, name=name or gmeta.get("name", "imported"),
                      memory=gmeta.get("memory"), projections=projections,
                      metadata=dict(spec_meta) if isinstance(spec_meta, dict) else {})


def _names(stored) -> list:
    """A list of names as stored in the file's metadata (HDF5 gives them back as bytes)."""
    return [n.decode() if isinstance(n, bytes) else str(n) for n in stored]


def _fed_forward(node) -> bool:
    """False for a population our exporter marked as fed only by projections (no feed-forward node)."""
    meta = node.metadata.get(META, {}) if isinstance(getattr(node, "metadata", None), dict) else {}
    return not isinstance(meta, dict) or bool(meta.get("feed_forward", True))  # HDF5 gives numpy bools back


def _weights_of(chain: list, nodes: dict) -> list:
    """The nodes of a path that carry weights (a Delay node only holds spikes back)."""
    return [n for n in chain if node_type(nodes[n]) != DELAY_TYPE]


def _delay_steps(chain: list, nodes: dict, dt: float, target: str) -> int:
    """Steps a path delivers a spike after (1: the Dense's own step, plus its Delay nodes' delays / dt),
    refused unless every channel waits the same whole number of steps."""
    extra = 0.0
    for name in chain:
        if node_type(nodes[name]) == DELAY_TYPE:
            d = np.unique(np.asarray(nodes[name].delay, dtype=np.float64).reshape(-1))
            if d.size != 1:
                raise UnsupportedNodeError(f"Delay node {name!r} into {target!r} has per-channel delays {d.tolist()}; "
                                           "engram_nm delays a projection by one time for all its synapses")
            extra += float(d[0])
    steps = extra / dt
    if steps < 0 or not np.isclose(steps, round(steps), rtol=0, atol=1e-6):
        raise UnsupportedNodeError(f"the delay into {target!r} is {extra} s, not a whole number of steps of {dt} s")
    return 1 + int(round(steps))


def _declared(chain: list, declared: dict, nodes: dict) -> bool:
    """Whether a path of linear nodes (and Delay nodes) is one of the graph's declared extra projections."""
    weights = _weights_of(chain, nodes)
    return len(weights) == 1 and weights[0] in declared


def _projections(paths, declared: dict, neurons: dict, compose, size_of, dt: float, input_node: str,
                 n_in: int, nodes: dict) -> list:
    """ProjectionSpecs for the paths outside the chain: population to population, or a declared
    projection from the graph input (``source="input"``); a Delay node on the path is the
    projection's delay beyond the Dense's own step."""
    from engram_nm.projection import INPUT, ProjectionSpec

    out = []
    for origin, chain, target in paths:
        from_input = origin == input_node and _declared(chain, declared, nodes)
        if origin not in neurons and not from_input:
            raise UnsupportedNodeError(f"population {target!r} has a second input from {origin!r}; "
                                       "only one path from the graph input is supported")
        w, b = compose(chain, n_in if from_input else size_of(origin), size_of(target), target)
        if np.any(b):
            raise UnsupportedNodeError(f"the connection {origin!r} -> {target!r} has a bias; extra projections "
                                       "between populations must be Linear (put biases on the chain's weights)")
        scale = input_scale(neurons[target], dt, size_of(target))
        weights = _weights_of(chain, nodes)
        name = weights[-1] if weights else f"{origin}_to_{target}"
        entry = declared.get(name, {}) if isinstance(declared.get(name, {}), dict) else {}
        meta = entry.get("metadata", {})
        try:
            out.append(ProjectionSpec(name=layer_name_for(name), source=INPUT if from_input else layer_name_for(origin),
                                      target=layer_name_for(target), weight=w * scale[:, None],
                                      plasticity=entry.get("plasticity"), structural=entry.get("structural"),
                                      delay=_delay_steps(chain, nodes, dt, target),
                                      metadata=dict(meta) if isinstance(meta, dict) else {}))
        except SpecError as exc:
            raise NIRFileError(f"projection {name!r}: {exc}") from exc
    return out


def import_nir(path_or_graph, dt: float | None = None, reset: str | None = None,
               discretization: str = "euler", reset_delay: bool | None = None,
               bias_onset: str | None = None) -> EngramSpec:
    """Read a ``.nir`` file (or take a graph) and return its :class:`EngramSpec` (see :func:`nir_to_spec`)."""
    graph = path_or_graph if not isinstance(path_or_graph, (str, os.PathLike)) else read_nir(path_or_graph)
    return nir_to_spec(graph, dt=dt, reset=reset, discretization=discretization, reset_delay=reset_delay,
                       bias_onset=bias_onset)
