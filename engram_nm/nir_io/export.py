"""EngramSpec -> NIR graph -> ``.nir`` file (the mapping table: :mod:`engram_nm.nir_io`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.io_utils import atomic_target
from engram_nm.projection import INPUT, delay_node_name
from engram_nm.spec import EngramSpec, projection_name
from engram_nm.nir_io.common import FORMAT_VERSION, META, nir_module
from engram_nm.nir_io.nodes import node_type


def spec_to_nir(spec: EngramSpec, unit_r: bool = False):
    """Build a ``nir.NIRGraph`` from ``spec`` (see the module table).

    ``unit_r=True`` writes ``r = 1`` on LIF/LI/IF nodes and folds the factor
    into the weights that feed them (``W * tau / dt``; IF: ``W / dt``): the same
    network in NIR's semantics, in the form readers that ignore ``r`` expect
    (Norse 1.1 warns and drops ``r``). CubaLIF layers keep ``r`` (refused).
    """
    nir = nir_module()
    dt = spec.dt
    nodes = {"input": nir.Input(input_type=np.array([spec.n_in]))}
    edges = []
    upstream = "input"
    for layer in spec.layers:
        w_name, rec_name = projection_name(layer.name, "feedforward"), projection_name(layer.name, "recurrent")
        meta = {"reset": layer.reset, "reset_delay": layer.reset_delay, "neuron": layer.neuron,
                "bias": layer.bias.copy(),
                "bias_onset": layer.bias_onset,
                "max_events": layer.max_events,
                "layer_metadata": dict(layer.metadata)}
        if layer.plasticity is not None:
            meta["plasticity"] = layer.plasticity.to_dict()
        if layer.gate is not None:
            meta["gate"] = layer.gate.to_dict()
        if layer.graded:
            meta.update(activation=layer.activation, payload_bits=layer.payload_bits,
                        threshold=layer.v_threshold.copy())
            affine_bias = np.zeros(layer.size)  # the bias is added to sigma, not integrated: metadata
            v_leak = None
        elif layer.neuron == "lif":
            affine_bias = layer.bias
            v_leak = np.zeros(layer.size)
        else:
            affine_bias = layer.syn_bias
            v_leak = layer.bias * layer.tau_mem / dt
        if not layer.fed_forward:
            # No feed-forward node to carry the constant input: a LIF's bias becomes its leak
            # potential (v_leak = bias tau / dt, where tau is finite); every bias rides in the metadata.
            meta.update(feed_forward=False, syn_bias=layer.syn_bias.copy())
            if v_leak is not None and layer.neuron == "lif":
                finite = np.isfinite(layer.tau_mem)
                v_leak = np.where(finite, layer.bias * np.where(finite, layer.tau_mem, 0.0) / dt, 0.0)
        elif np.any(affine_bias != 0):
            nodes[w_name] = nir.Affine(weight=layer.weight.copy(), bias=affine_bias.copy())
        else:
            nodes[w_name] = nir.Linear(weight=layer.weight.copy())
        thr = layer.v_threshold.copy()
        if layer.graded:
            node = nir.I(r=np.full(layer.size, 1.0 / dt), metadata={META: meta})
        elif layer.neuron == "cuba":
            node = nir.CubaLIF(tau_syn=layer.tau_syn.copy(), tau_mem=layer.tau_mem.copy(), r=layer.tau_mem / dt,
                               v_leak=v_leak, v_threshold=thr, v_reset=np.zeros(layer.size),
                               w_in=layer.tau_syn / dt, metadata={META: meta})
        elif np.all(np.isinf(layer.tau_mem)) and not np.any(layer.bias):
            node = nir.IF(r=np.full(layer.size, 1.0 / dt), v_threshold=thr, v_reset=np.zeros(layer.size),
                          metadata={META: meta})
        elif np.all(np.isinf(thr)):
            node = nir.LI(tau=layer.tau_mem.copy(), r=layer.tau_mem / dt, v_leak=v_leak, metadata={META: meta})
        else:
            node = nir.LIF(tau=layer.tau_mem.copy(), r=layer.tau_mem / dt, v_leak=v_leak, v_threshold=thr,
                           v_reset=np.zeros(layer.size), metadata={META: meta})
        nodes[layer.name] = node
        if layer.fed_forward:
            edges += [(upstream, w_name), (w_name, layer.name)]
        if layer.recurrent_weight is not None:
            nodes[rec_name] = nir.Linear(weight=layer.recurrent_weight.copy())
            edges += [(layer.name, rec_name), (rec_name, layer.name)]
        upstream = layer.name
    sizes = {layer.name: layer.size for layer in spec.layers}
    for proj in spec.projections:
        nodes[proj.name] = nir.Linear(weight=proj.weight.copy())
        if proj.delay > 1:  # the Dense's own step is implicit, as for every Linear; the rest is NIR's Delay
            held = delay_node_name(proj.name)
            n_src = spec.n_in if proj.source == INPUT else sizes[proj.source]
            nodes[held] = nir.Delay(delay=np.full(n_src, (proj.delay - 1) * dt))
            edges += [(proj.source, held), (held, proj.name), (proj.name, proj.target)]
        else:
            edges += [(proj.source, proj.name), (proj.name, proj.target)]
    nodes["output"] = nir.Output(output_type=np.array([spec.layers[-1].size]))
    edges.append((upstream, "output"))
    graph_meta = {META: {"format_version": FORMAT_VERSION, "dt": dt, "name": spec.name,
                         "spec_metadata": dict(spec.metadata), "layer_order": list(spec.layer_names)}}
    if spec.projections:
        graph_meta[META]["projections"] = {p.name: p.to_dict() for p in spec.projections}
        # HDF5 returns a dict's keys sorted; the spec's order seeds the learning engines.
        graph_meta[META]["projection_order"] = [p.name for p in spec.projections]
    if spec.memory is not None:
        graph_meta[META]["memory"] = spec.memory.to_dict()
    if unit_r:
        fold_r_into_weights(nodes, edges, dt)
        graph_meta[META]["unit_r"] = True
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=graph_meta)


def fold_r_into_weights(nodes: dict, edges: list, dt: float) -> None:
    """In place: ``r = 1`` on every LIF/LI/IF node, its input scaling moved into the weights."""
    for name, node in list(nodes.items()):
        kind = node_type(node)
        if kind == "CubaLIF":
            raise SpecError(f"unit_r: layer {name!r} is a CubaLIF; only LIF, LI and IF layers can drop r "
                            "(export it with unit_r=False)")
        if kind not in ("LIF", "LI", "IF"):
            continue
        r = np.asarray(node.r, dtype=np.float64)
        old_scale = r * dt if kind == "IF" else r * dt / np.asarray(node.tau, dtype=np.float64)
        new_scale = np.full_like(r, dt) if kind == "IF" else dt / np.asarray(node.tau, dtype=np.float64)
        factor = old_scale / new_scale  # per neuron: what the weights must now carry
        for src, dst in edges:
            if dst != name or node_type(nodes[src]) not in ("Linear", "Affine"):
                continue
            w = nodes[src]
            if node_type(w) == "Affine":
                w.weight, w.bias = w.weight * factor[:, None], w.bias * factor
            else:
                w.weight = w.weight * factor[:, None]
        if kind != "IF" and np.any(np.asarray(getattr(node, "v_leak", 0.0))):
            raise SpecError(f"unit_r: layer {name!r} has a leak bias (v_leak); export it with unit_r=False")
        node.r = np.ones_like(r)


def export_nir(spec_or_module, path: str | os.PathLike, unit_r: bool = False) -> Path:
    """Write a spec (or a trained :class:`~engram_nm.backends.torch_backend.SpecNetwork`) to ``path``.

    The file is written to a temporary name in the same folder and renamed, so
    an interrupted export never leaves a half-written ``.nir`` behind.
    ``unit_r``: see :func:`spec_to_nir` (for Norse).
    """
    spec = spec_or_module.to_spec() if hasattr(spec_or_module, "to_spec") else spec_or_module
    if not isinstance(spec, EngramSpec):
        raise SpecError(f"export_nir needs an EngramSpec or SpecNetwork, got {type(spec_or_module).__name__}")
    graph = spec_to_nir(spec, unit_r=unit_r)
    with atomic_target(path) as tmp:
        nir_module().write(tmp, graph)
    return Path(path)
