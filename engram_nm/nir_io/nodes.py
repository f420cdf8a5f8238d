"""Reading NIR nodes: files, nested subgraphs flattened, linear and neuron nodes as layer parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import os
import re
from pathlib import Path

import numpy as np

from engram_nm.errors import NIRFileError, SpecError, UnsupportedNodeError
from engram_nm.spec import LayerSpec
from engram_nm.units import snap_to_one
from engram_nm.nir_io.common import META, nir_module

if TYPE_CHECKING:  # a type only: assumptions imports this module
    from engram_nm.nir_io.assumptions import ImportOptions


def read_nir(path: str | os.PathLike):
    """Read a ``.nir`` file; any failure becomes a :class:`NIRFileError` naming the file."""
    path = Path(path)
    if not path.exists():
        raise NIRFileError(f"{path}: no such file")
    if path.is_dir():
        raise NIRFileError(f"{path}: is a folder, expected a .nir file")
    if path.stat().st_size == 0:
        raise NIRFileError(f"{path}: the file is empty; re-export the model")
    try:
        return nir_module().read(str(path))
    except Exception as exc:  # h5py OSError, KeyError, ... on truncated or foreign files
        raise NIRFileError(
            f"{path}: not a readable NIR file ({type(exc).__name__}: {exc}); it may be truncated or "
            "not written by nir.write — re-export it"
        ) from exc


def flatten(graph, prefix: str = ""):
    """Inline nested NIRGraph nodes; returns ``(nodes, edges)`` with dotted names."""
    nir = nir_module()
    nodes, edges = {}, []
    entry, exit_ = {}, {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            sub_nodes, sub_edges = flatten(node, full + ".")
            ins = [n for n, v in node.nodes.items() if isinstance(v, nir.Input)]
            outs = [n for n, v in node.nodes.items() if isinstance(v, nir.Output)]
            if len(ins) != 1 or len(outs) != 1:
                raise UnsupportedNodeError(f"subgraph {full!r} must have exactly one Input and one Output node")
            entry[full], exit_[full] = f"{full}.{ins[0]}", f"{full}.{outs[0]}"
            nodes.update(sub_nodes)
            edges += sub_edges
        else:
            nodes[full] = node
    for src, dst in graph.edges:
        s, d = prefix + src, prefix + dst
        for end in (s, d):
            if end not in nodes and end not in entry:
                raise NIRFileError(f"edge ({src!r}, {dst!r}) refers to node {end!r}, which the graph does not define")
        edges.append((exit_.get(s, s), entry.get(d, d)))
    return nodes, edges


def layer_name_for(node_name: str) -> str:
    """A valid layer name for a NIR node name (snnTorch names nodes '0', '1', 'lif.lif', ...)."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", node_name)
    return clean if re.match(r"^[A-Za-z_]", clean) else f"pop_{clean}"


def node_type(node) -> str:
    return type(node).__name__


def as_linear(name: str, node) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of an Affine / Linear / Scale node."""
    t = node_type(node)
    if t == "Scale":
        s = np.asarray(node.scale, dtype=np.float64).reshape(-1)
        return np.diag(s), np.zeros(s.size)
    w = np.asarray(node.weight, dtype=np.float64)
    if w.ndim != 2:
        raise UnsupportedNodeError(f"node {name!r} ({t}): weight must be 2-D, got shape {w.shape}")
    b = np.asarray(node.bias, dtype=np.float64).reshape(-1) if t == "Affine" else np.zeros(w.shape[0])
    if b.shape != (w.shape[0],):
        raise SpecError(f"node {name!r} (Affine): bias has {b.size} values for {w.shape[0]} outputs")
    return w, b


def per_neuron(x, size: int) -> np.ndarray:
    """A NIR parameter (scalar or vector) as a float64 vector of ``size``."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (size,)).copy()


def infer_dt(neurons: dict) -> float | None:
    ratios = []
    for node in neurons.values():
        t = node_type(node)
        if t in ("LIF", "LI"):
            ratios.append(np.asarray(node.tau, float) / np.asarray(node.r, float))
        elif t == "CubaLIF":
            ratios.append(np.asarray(node.tau_mem, float) / np.asarray(node.r, float))
    if not ratios:
        return None
    values = np.concatenate([np.ravel(r) for r in ratios])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and np.allclose(values, values[0], rtol=1e-6):
        return float(values[0])
    return None


def input_scale(node, dt: float, size: int) -> np.ndarray:
    """Per neuron, what one unit on the node's input adds to ``u`` (NIR's ``r*dt/tau`` etc.)."""
    t = node_type(node)
    vec = lambda x: per_neuron(x, size)  # noqa: E731
    if t == "CubaLIF":
        s = snap_to_one(vec(node.w_in) * dt / vec(node.tau_syn)) * snap_to_one(vec(node.r) * dt / vec(node.tau_mem))
        return snap_to_one(s)
    if t == "IF":
        return snap_to_one(vec(node.r) * dt)
    return snap_to_one(vec(node.r) * dt / vec(node.tau))


def neuron_layer(name: str, node, w: np.ndarray | None, b: np.ndarray, w_rec, b_rec, dt: float,
                  overrides: "ImportOptions", depth: int, foreign: bool, size: int | None = None) -> LayerSpec:
    """One population from its node, its composed feed-forward ``w, b`` (``w`` None: fed only by
    projections, ``size`` neurons; its biases then come from our metadata) and recurrent ones."""
    t = node_type(node)
    size = w.shape[0] if w is not None else int(size)
    meta = dict(node.metadata.get(META, {})) if isinstance(getattr(node, "metadata", None), dict) else {}
    if w is None:  # the arithmetic below scales a matrix; there is none: an empty stand-in, dropped at the end
        w = np.zeros((size, 0))
    vec = lambda x: per_neuron(x, size)  # noqa: E731
    v_reset = getattr(node, "v_reset", None)
    if v_reset is not None and np.any(vec(v_reset) != 0):
        raise UnsupportedNodeError(f"node {name!r} ({t}): v_reset != 0 is not supported (Lava resets to 0)")
    b_rec = np.zeros(size) if b_rec is None else b_rec
    syn_bias = np.zeros(size)
    if t == "I":
        if meta.get("neuron") != "sigma_delta":
            raise UnsupportedNodeError(f"node {name!r}: an I (integrator) node is read only as an engram_nm "
                                       "sigma-delta population (its metadata says so); this one's does not")
        weight, rec = w * snap_to_one(vec(node.r) * dt)[:, None], w_rec
        if np.any(b) or np.any(b_rec):
            raise UnsupportedNodeError(f"node {name!r}: a sigma-delta population takes its bias from metadata, "
                                       "not from an Affine")
        return LayerSpec(name=layer_name_for(name), weight=weight if weight.shape[1] else None, size=size,
                         v_threshold=vec(meta["threshold"]),
                         neuron="sigma_delta", bias=np.asarray(meta.get("bias", 0.0), float), recurrent_weight=rec,
                         activation=meta.get("activation", "relu"), payload_bits=int(meta.get("payload_bits", 24)),
                         metadata=dict(meta.get("layer_metadata", {})))
    if t == "CubaLIF":
        tau_syn, tau_mem = vec(node.tau_syn), vec(node.tau_mem)
        s = input_scale(node, dt, size)
        weight, rec = w * s[:, None], None if w_rec is None else w_rec * s[:, None]
        syn_bias = s * (b + b_rec) if "syn_bias" not in meta else np.asarray(meta["syn_bias"], float)
        v_leak = vec(node.v_leak)
        bias = np.asarray(meta["bias"], float) if "bias" in meta else v_leak * dt / tau_mem
        thr, neuron = vec(node.v_threshold), "cuba"
    elif t in ("LIF", "LI", "IF"):
        tau_syn, neuron = None, "lif"
        if t == "IF":
            tau_mem = np.full(size, np.inf)
            s = input_scale(node, dt, size)
            v_leak_bias = np.zeros(size)
        else:
            tau_mem = vec(node.tau)
            s = input_scale(node, dt, size)
            v_leak_bias = vec(node.v_leak) * dt / tau_mem
        weight, rec = w * s[:, None], None if w_rec is None else w_rec * s[:, None]
        bias = s * (b + b_rec) + v_leak_bias
        if "bias" in meta and np.allclose(np.asarray(meta["bias"], float), bias, rtol=1e-9, atol=1e-12):
            bias = np.asarray(meta["bias"], float)
        thr = np.full(size, np.inf) if t == "LI" else vec(node.v_threshold)
    else:  # pragma: no cover - filtered by the caller
        raise UnsupportedNodeError(f"node {name!r}: unsupported neuron type {t}")
    reset = overrides.reset or meta.get("reset", "zero")
    reset_delay = overrides.reset_delay if overrides.reset_delay is not None else bool(meta.get("reset_delay", False))
    has_bias = bool(np.any(bias) or np.any(syn_bias))
    if overrides.bias_onset is not None:
        bias_onset = depth if overrides.bias_onset == "arrival" and has_bias else 0
    elif "bias_onset" in meta or not foreign:
        bias_onset = int(meta.get("bias_onset", 0))
    else:  # a file from a delay-free simulator: the layer's clock starts when its first input arrives
        bias_onset = depth if has_bias else 0
    layer_meta = dict(meta.get("layer_metadata", {})) if isinstance(meta.get("layer_metadata", {}), dict) else {}
    clean = layer_name_for(name)
    if clean != name:
        layer_meta.setdefault("nir_node", name)
    if not bool(meta.get("feed_forward", True)):  # our population fed only by projections: its biases as written
        bias = np.asarray(meta.get("bias", bias), float)
    return LayerSpec(name=clean, weight=weight if weight.shape[1] else None, size=size, tau_mem=tau_mem,
                     v_threshold=thr, neuron=neuron, tau_syn=tau_syn,
                     bias=bias, syn_bias=syn_bias, recurrent_weight=rec, reset=reset,
                     reset_delay=reset_delay, bias_onset=bias_onset, max_events=int(meta.get("max_events", 1)),
                     plasticity=plasticity_of(meta.get("plasticity"), name), gate=meta.get("gate"),
                     metadata=layer_meta)


def plasticity_of(entry, node_name: str):
    """Rules from node metadata; malformed entries name the node and the problem."""
    if entry is None:
        return None
    from engram_nm.errors import PlasticityError
    from engram_nm.plasticity.layer import LayerPlasticity

    try:
        return LayerPlasticity.from_dict({k: dict(v) for k, v in dict(entry).items()})
    except (PlasticityError, TypeError, ValueError) as exc:
        raise NIRFileError(f"node {node_name!r}: unreadable plasticity metadata ({exc})") from exc
