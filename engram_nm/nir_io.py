"""NIR export and import: EngramSpec <-> ``nir.NIRGraph`` <-> ``.nir`` file.

Export writes standard NIR nodes so any NIR reader (snnTorch's ``import_nir``,
Norse, ...) loads a fixed-weight network, and puts what NIR cannot say into
``metadata["engram_nm"]`` (docs/architecture.md, rule 3):

=====================  ==================================================
spec                   NIR
=====================  ==================================================
layer ``L`` weights    ``L_w``: ``Linear`` (``Affine`` when it has a bias)
LIF neuron             ``L``: ``LIF(tau=tau_mem, r=tau_mem/dt, v_leak=0)``
CUBA neuron            ``L``: ``CubaLIF(..., r=tau_mem/dt, w_in=tau_syn/dt)``
no leak (tau = inf)    ``L``: ``IF(r=1/dt)``
sigma-delta neuron     ``L``: ``I(r=1/dt)`` (NIR has no sigma-delta node: its sigma, the integral
                       of the input, is written; bias, activation, threshold and payload bits in
                       node metadata ``engram_nm``; a reader that ignores it gets the integrator)
recurrence             ``L_rec``: ``Linear``, edges ``L -> L_rec -> L``
extra projection ``P``   ``P``: ``Linear``, edges ``source -> P -> target`` (source ``input``
                       for an input projection); its rule and ends in graph metadata
                       ``engram_nm.projections``
v-bias, LIF            ``Affine`` bias (enters v directly when du = 1)
v-bias, CUBA           ``v_leak = bias * tau_mem / dt`` (+ exact value in metadata)
syn_bias, CUBA         ``Affine`` bias (NIR: a bias is an input current)
reset mode, delay      node metadata ``engram_nm.reset``, ``.reset_delay`` (NIR: v_reset = 0)
bias onset             node metadata ``engram_nm.bias_onset`` (another tool's file: "arrival",
                       the layer's depth, see :class:`ImportOptions`)
plasticity             node metadata ``engram_nm.plasticity`` (rule dicts; readers that
                       ignore it get the network with its current, fixed weights)
SDM memory stage       graph metadata ``engram_nm.memory`` (parameters, addresses, counters)
engram gate            node metadata ``engram_nm.gate`` (logits per task, mode, period, seed)
dt, name               graph metadata ``engram_nm.dt``, ``engram_nm.name``
=====================  ==================================================

With ``r = tau/dt`` and ``w_in = tau_syn/dt`` the NIR input scalings
``r*dt/tau`` and ``w_in*dt/tau_syn`` are 1, so weights cross unchanged (as in
snnTorch's exporter). Import accepts any graph of that shape, folding input
scalings into the weights, composing chains of Affine/Linear/Scale nodes and
flattening nested subgraphs (snnTorch's RLeaky export). What another tool's file
does not say is read with :class:`ImportOptions` (:func:`import_assumptions` lists it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engram_nm.errors import NIRFileError, SpecError, UnsupportedNodeError
from engram_nm.io_utils import atomic_target
from engram_nm.spec import EngramSpec, LayerSpec, projection_name
from engram_nm.units import snap_to_one

META = "engram_nm"
FORMAT_VERSION = 1
_LINEAR_TYPES = ("Affine", "Linear", "Scale")
_NEURON_TYPES = ("LIF", "CubaLIF", "IF", "LI", "I")  # I: our sigma-delta populations only


def _nir():
    import nir

    return nir


# --------------------------------------------------------------------------- export


def spec_to_nir(spec: EngramSpec, unit_r: bool = False):
    """Build a ``nir.NIRGraph`` from ``spec`` (see the module table).

    ``unit_r=True`` writes ``r = 1`` on LIF/LI/IF nodes and folds the factor
    into the weights that feed them (``W * tau / dt``; IF: ``W / dt``): the same
    network in NIR's semantics, in the form readers that ignore ``r`` expect
    (Norse 1.1 warns and drops ``r``). CubaLIF layers keep ``r`` (refused).
    """
    nir = _nir()
    dt = spec.dt
    nodes = {"input": nir.Input(input_type=np.array([spec.n_in]))}
    edges = []
    upstream = "input"
    for layer in spec.layers:
        w_name, rec_name = projection_name(layer.name, "feedforward"), projection_name(layer.name, "recurrent")
        meta = {"reset": layer.reset, "reset_delay": layer.reset_delay, "neuron": layer.neuron,
                "bias": layer.bias.copy(),
                "bias_onset": layer.bias_onset,
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
        if np.any(affine_bias != 0):
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
        edges += [(upstream, w_name), (w_name, layer.name)]
        if layer.recurrent_weight is not None:
            nodes[rec_name] = nir.Linear(weight=layer.recurrent_weight.copy())
            edges += [(layer.name, rec_name), (rec_name, layer.name)]
        upstream = layer.name
    for proj in spec.projections:
        nodes[proj.name] = nir.Linear(weight=proj.weight.copy())
        edges += [(proj.source, proj.name), (proj.name, proj.target)]
    nodes["output"] = nir.Output(output_type=np.array([spec.layers[-1].size]))
    edges.append((upstream, "output"))
    graph_meta = {META: {"format_version": FORMAT_VERSION, "dt": dt, "name": spec.name,
                         "spec_metadata": dict(spec.metadata), "layer_order": list(spec.layer_names)}}
    if spec.projections:
        graph_meta[META]["projections"] = {p.name: p.to_dict() for p in spec.projections}
    if spec.memory is not None:
        graph_meta[META]["memory"] = spec.memory.to_dict()
    if unit_r:
        _fold_r_into_weights(nodes, edges, dt)
        graph_meta[META]["unit_r"] = True
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=graph_meta)


def _fold_r_into_weights(nodes: dict, edges: list, dt: float) -> None:
    """In place: ``r = 1`` on every LIF/LI/IF node, its input scaling moved into the weights."""
    for name, node in list(nodes.items()):
        kind = _type(node)
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
            if dst != name or _type(nodes[src]) not in ("Linear", "Affine"):
                continue
            w = nodes[src]
            if _type(w) == "Affine":
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
        _nir().write(tmp, graph)
    return Path(path)


# --------------------------------------------------------------------------- import


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
        return _nir().read(str(path))
    except Exception as exc:  # h5py OSError, KeyError, ... on truncated or foreign files
        raise NIRFileError(
            f"{path}: not a readable NIR file ({type(exc).__name__}: {exc}); it may be truncated or "
            "not written by nir.write — re-export it"
        ) from exc


def _flatten(graph, prefix: str = ""):
    """Inline nested NIRGraph nodes; returns ``(nodes, edges)`` with dotted names."""
    nir = _nir()
    nodes, edges = {}, []
    entry, exit_ = {}, {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            sub_nodes, sub_edges = _flatten(node, full + ".")
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


def _type(node) -> str:
    return type(node).__name__


def _as_linear(name: str, node) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of an Affine / Linear / Scale node."""
    t = _type(node)
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


def _per_neuron(x, size: int) -> np.ndarray:
    """A NIR parameter (scalar or vector) as a float64 vector of ``size``."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (size,)).copy()


def _infer_dt(neurons: dict) -> float | None:
    ratios = []
    for node in neurons.values():
        t = _type(node)
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


def _input_scale(node, dt: float, size: int) -> np.ndarray:
    """Per neuron, what one unit on the node's input adds to ``u`` (NIR's ``r*dt/tau`` etc.)."""
    t = _type(node)
    vec = lambda x: _per_neuron(x, size)  # noqa: E731
    if t == "CubaLIF":
        s = snap_to_one(vec(node.w_in) * dt / vec(node.tau_syn)) * snap_to_one(vec(node.r) * dt / vec(node.tau_mem))
        return snap_to_one(s)
    if t == "IF":
        return snap_to_one(vec(node.r) * dt)
    return snap_to_one(vec(node.r) * dt / vec(node.tau))


def _neuron_layer(name: str, node, w: np.ndarray, b: np.ndarray, w_rec, b_rec, dt: float,
                  overrides: "ImportOptions", depth: int, foreign: bool) -> LayerSpec:
    t = _type(node)
    size = w.shape[0]
    meta = dict(node.metadata.get(META, {})) if isinstance(getattr(node, "metadata", None), dict) else {}
    vec = lambda x: _per_neuron(x, size)  # noqa: E731
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
        return LayerSpec(name=layer_name_for(name), weight=weight, v_threshold=vec(meta["threshold"]),
                         neuron="sigma_delta", bias=np.asarray(meta.get("bias", 0.0), float), recurrent_weight=rec,
                         activation=meta.get("activation", "relu"), payload_bits=int(meta.get("payload_bits", 24)),
                         metadata=dict(meta.get("layer_metadata", {})))
    if t == "CubaLIF":
        tau_syn, tau_mem = vec(node.tau_syn), vec(node.tau_mem)
        s = _input_scale(node, dt, size)
        weight, rec = w * s[:, None], None if w_rec is None else w_rec * s[:, None]
        syn_bias = s * (b + b_rec)
        v_leak = vec(node.v_leak)
        bias = np.asarray(meta["bias"], float) if "bias" in meta else v_leak * dt / tau_mem
        thr, neuron = vec(node.v_threshold), "cuba"
    elif t in ("LIF", "LI", "IF"):
        tau_syn, neuron = None, "lif"
        if t == "IF":
            tau_mem = np.full(size, np.inf)
            s = _input_scale(node, dt, size)
            v_leak_bias = np.zeros(size)
        else:
            tau_mem = vec(node.tau)
            s = _input_scale(node, dt, size)
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
    return LayerSpec(name=clean, weight=weight, tau_mem=tau_mem, v_threshold=thr, neuron=neuron, tau_syn=tau_syn,
                     bias=bias, syn_bias=syn_bias, recurrent_weight=rec, reset=reset,
                     reset_delay=reset_delay, bias_onset=bias_onset,
                     plasticity=_plasticity(meta.get("plasticity"), name), gate=meta.get("gate"),
                     metadata=layer_meta)


def _plasticity(entry, node_name: str):
    """Rules from node metadata; malformed entries name the node and the problem."""
    if entry is None:
        return None
    from engram_nm.errors import PlasticityError
    from engram_nm.plasticity.layer import LayerPlasticity

    try:
        return LayerPlasticity.from_dict({k: dict(v) for k, v in dict(entry).items()})
    except (PlasticityError, TypeError, ValueError) as exc:
        raise NIRFileError(f"node {node_name!r}: unreadable plasticity metadata ({exc})") from exc


BIAS_ONSETS = ("start", "arrival")
DISCRETIZATIONS = ("euler", "exact")


@dataclass(frozen=True)
class ImportOptions:
    """How to read what a NIR graph does not say. ``None`` keeps the file's own value
    (our metadata) or, for another tool's file, the default listed by
    :func:`import_assumptions`.

    Attributes:
        dt: simulation step (s).
        reset: ``"zero"`` (``v <- 0``) or ``"subtract"`` (``v <- v - theta``) after a spike.
        reset_delay: apply the reset one step late (:mod:`engram_nm.spec`): snnTorch's
            ``reset_delay=True`` for ``Synaptic`` / ``RLeaky`` and for any subtract reset
            (a delayed *zero* reset of ``Leaky`` equals the undelayed one: ``False``).
        bias_onset: ``"arrival"``: a layer's bias and leak start at the step its first
            input can arrive (its depth in the chain; each Dense delays one step), so the
            run equals a delay-free simulator's (snnTorch, Norse) shifted by the depth;
            ``"start"``: from step 0 (what the stock Loihi LIF can run).
        discretization: how the exporter stepped NIR's ODE (see :func:`nir_to_spec`).
    """

    dt: float | None = None
    reset: str | None = None
    reset_delay: bool | None = None
    bias_onset: str | None = None
    discretization: str = "euler"

    def __post_init__(self) -> None:
        if self.dt is not None and not (np.isfinite(self.dt) and self.dt > 0):
            raise SpecError(f"dt must be a finite number of seconds > 0, got {self.dt!r}")
        if self.reset not in (None, "zero", "subtract"):
            raise SpecError(f"reset must be 'zero' or 'subtract', got {self.reset!r}")
        if self.reset_delay not in (None, True, False):
            raise SpecError(f"reset_delay must be True, False or None, got {self.reset_delay!r}")
        if self.bias_onset not in (None,) + BIAS_ONSETS:
            raise SpecError(f"bias_onset must be one of {BIAS_ONSETS}, got {self.bias_onset!r}")
        if self.discretization not in DISCRETIZATIONS:
            raise SpecError(f"discretization must be 'euler' or 'exact', got {self.discretization!r}")


def is_foreign(graph) -> bool:
    """Whether ``graph`` was written by another tool (it carries no ``metadata["engram_nm"]``)."""
    return not (isinstance(graph.metadata, dict) and isinstance(graph.metadata.get(META), dict))


def import_assumptions(graph, options: ImportOptions | None = None) -> list[tuple[str, str, str]]:
    """What :func:`nir_to_spec` assumes for a graph that does not say: ``(quantity, value, how to
    change it)`` rows. Empty for our own files, which store every one of them."""
    options = options or ImportOptions()
    if not is_foreign(graph):
        return []
    nodes, _ = _flatten(graph)
    neurons = {n: v for n, v in nodes.items() if _type(v) in _NEURON_TYPES}
    if options.dt is not None:
        dt = f"{options.dt:g} s (given)"
    else:
        inferred = _infer_dt(neurons)
        dt = f"{inferred:g} s (inferred as tau / r)" if inferred else "none (tau / r differ): pass --dt"
    reset = options.reset or "zero"
    delay = options.reset_delay if options.reset_delay is not None else False
    onset = options.bias_onset or "arrival"
    return [
        ("dt", dt, "--dt SECONDS"),
        ("reset", f"{reset}{' (given)' if options.reset else ' (NIR stores none)'}",
         "--reset zero|subtract"),
        ("reset delay", "one step late" if delay else "in the step of the spike",
         "--reset-delay / --no-reset-delay (snnTorch Synaptic/RLeaky and subtract resets "
         "default to delayed)"),
        ("bias onset", "when the layer's first input arrives (step = its depth), as a delay-free "
         "simulator applies it" if onset == "arrival" else "from step 0 (stock Loihi LIF)",
         "--bias-onset arrival|start"),
        ("discretization", f"{options.discretization} "
         f"({'v += dt/tau (...): Lava, snnTorch, Norse' if options.discretization == 'euler' else 'exact exponential: Sinabs'})",
         "--discretization euler|exact"),
    ]


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
    nir = _nir()
    if not isinstance(graph, nir.NIRGraph):
        raise NIRFileError(f"expected a nir.NIRGraph, got {type(graph).__name__}")
    gmeta = graph.metadata.get(META, {}) if isinstance(graph.metadata, dict) else {}
    nodes, edges = _flatten(graph)
    for n, node in nodes.items():
        t = _type(node)
        if t not in _LINEAR_TYPES + _NEURON_TYPES + ("Input", "Output"):
            raise UnsupportedNodeError(
                f"node {n!r} has type {t}, which engram_nm cannot map to Lava; supported: "
                f"{', '.join(_LINEAR_TYPES + _NEURON_TYPES)}, Input, Output"
            )
    inputs = [n for n, v in nodes.items() if _type(v) == "Input"]
    preds: dict = {n: [] for n in nodes}
    succs: dict = {n: [] for n in nodes}
    for s, d in edges:
        succs[s].append(d)
        preds[d].append(s)
    top_inputs = [n for n in inputs if not preds[n]]
    if len(top_inputs) != 1:
        raise UnsupportedNodeError(f"the graph needs exactly one Input node, found {top_inputs or 'none'}")
    # Input nodes inside flattened subgraphs are pass-throughs.
    passthrough = {n for n, v in nodes.items() if _type(v) in ("Input", "Output")} - {top_inputs[0]}
    in_type = nodes[top_inputs[0]].input_type
    in_shape = np.asarray(next(iter(in_type.values())) if isinstance(in_type, dict) else in_type).reshape(-1)
    if in_shape.size > 1 and np.prod(in_shape[:-1]) == 1:
        in_shape = in_shape[-1:]  # a leading batch axis of 1 (Norse writes (1, n))
    if in_shape.size != 1:
        raise UnsupportedNodeError(f"input {top_inputs[0]!r} has shape {tuple(in_shape)}; only flat inputs are supported")
    n_in = int(in_shape[0])
    neurons = {n: v for n, v in nodes.items() if _type(v) in _NEURON_TYPES}
    foreign = is_foreign(graph)
    if not neurons:
        raise UnsupportedNodeError("the graph has no neuron node (LIF, CubaLIF, IF, LI)")
    if dt is None:
        dt = gmeta.get("dt") or _infer_dt(neurons)
        if dt is None:
            raise SpecError("the NIR graph stores no dt and none can be inferred from tau / r; pass dt= (seconds)")
    dt = float(dt)
    if discretization == "exact":
        neurons = {n: _exact_to_euler(v, dt) for n, v in neurons.items()}

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
            elif _type(nodes[p]) in _LINEAR_TYPES:
                results += [(origin, chain + [p]) for origin, chain in trace_back(p, seen + (p,))]
            else:
                raise UnsupportedNodeError(f"node {p!r} ({_type(nodes[p])}) cannot sit between populations")
        return results

    def compose(chain: list, n_src: int, n_dst: int, target: str):
        w, b = np.eye(n_src), np.zeros(n_src)
        for node_name in chain:
            wk, bk = _as_linear(node_name, nodes[node_name])
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
            if p in nodes and _type(nodes[p]) in ("Affine", "Linear"):
                return int(np.asarray(nodes[p].weight).shape[0])
        return 1

    # Order the populations from the input (a chain: one feed-forward source each);
    # every other population-to-population path is an extra projection.
    paths_into = {n: trace_back(n) for n in neurons}
    declared = gmeta.get("projections", {}) if isinstance(gmeta.get("projections", {}), dict) else {}
    order = [str(n) for n in gmeta.get("layer_order", [])]
    layers, source, n_source = [], top_inputs[0], n_in
    remaining = set(neurons)
    extra_paths = []  # (origin, chain, target)
    while remaining:
        nxt = [n for n in remaining if any(o == source and not _declared(c, declared) for o, c in paths_into[n])]
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
        projected = [(o, c) for o, c in paths if _declared(c, declared) or (o != source and o != n)]
        ff = [(o, c) for o, c in paths if o == source and (o, c) not in projected]
        rec = [(o, c) for o, c in paths if o == n and (o, c) not in projected]
        if len(ff) != 1 or len(rec) > 1:
            raise UnsupportedNodeError(f"population {n!r}: expected one feed-forward and at most one recurrent "
                                       f"input, found sources {[o for o, _ in paths]}")
        extra_paths += [(o, c, n) for o, c in projected]
        w, b = compose(ff[0][1], n_source, size, n)
        w_rec = b_rec = None
        if rec:
            w_rec, b_rec = compose(rec[0][1], size, size, n)
        layers.append(_neuron_layer(n, neurons[n], w, b, w_rec, b_rec, dt, options, len(layers) + 1, foreign))
        remaining.discard(n)
        source, n_source = n, size
    projections = _projections(extra_paths, declared, neurons, compose, size_of, dt, top_inputs[0], n_in)
    spec_meta = gmeta.get("spec_metadata", {})
    return EngramSpec(n_in=n_in, layers=layers, dt=dt, name=name or gmeta.get("name", "imported"),
                      memory=gmeta.get("memory"), projections=projections,
                      metadata=dict(spec_meta) if isinstance(spec_meta, dict) else {})


def _exact_to_euler(node, dt: float):
    """A copy of ``node`` whose time constants give, under Euler steps, the exact exponential decay."""
    import dataclasses

    changes = {}
    for attr in ("tau", "tau_mem", "tau_syn"):
        if hasattr(node, attr):
            tau = np.asarray(getattr(node, attr), dtype=np.float64)
            with np.errstate(divide="ignore", over="ignore"):
                eff = np.where(np.isinf(tau), np.inf, dt / -np.expm1(-dt / tau))
            changes[attr] = eff.astype(np.asarray(getattr(node, attr)).dtype if np.asarray(
                getattr(node, attr)).dtype.kind == "f" else np.float64)
    if not changes:
        return node
    # r (and w_in) stay: the input scaling r * dt / tau_eff is then r * (1 - a), as the exact step has.
    return dataclasses.replace(node, **changes)


def _declared(chain: list, declared: dict) -> bool:
    """Whether a path of linear nodes is one of the graph's declared extra projections."""
    return len(chain) == 1 and chain[0] in declared


def _projections(paths, declared: dict, neurons: dict, compose, size_of, dt: float, input_node: str,
                 n_in: int) -> list:
    """ProjectionSpecs for the paths outside the chain: population to population, or a declared
    projection from the graph input (``source="input"``)."""
    from engram_nm.projection import INPUT, ProjectionSpec

    out = []
    for origin, chain, target in paths:
        from_input = origin == input_node and _declared(chain, declared)
        if origin not in neurons and not from_input:
            raise UnsupportedNodeError(f"population {target!r} has a second input from {origin!r}; "
                                       "only one path from the graph input is supported")
        w, b = compose(chain, n_in if from_input else size_of(origin), size_of(target), target)
        if np.any(b):
            raise UnsupportedNodeError(f"the connection {origin!r} -> {target!r} has a bias; extra projections "
                                       "between populations must be Linear (put biases on the chain's weights)")
        scale = _input_scale(neurons[target], dt, size_of(target))
        name = chain[-1] if chain else f"{origin}_to_{target}"
        entry = declared.get(name, {}) if isinstance(declared.get(name, {}), dict) else {}
        meta = entry.get("metadata", {})
        try:
            out.append(ProjectionSpec(name=layer_name_for(name), source=INPUT if from_input else layer_name_for(origin),
                                      target=layer_name_for(target), weight=w * scale[:, None],
                                      plasticity=entry.get("plasticity"),
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
