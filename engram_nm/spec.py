"""EngramSpec: one framework-neutral description of a spiking network.

A spec is a graph of populations and named projections. Its convenience form
is a chain of populations (``LayerSpec``), each fed by the previous one (the
first by the input), each optionally recurrent, plus any extra projections
(``ProjectionSpec``: feedback, lateral, inhibitory, or from the input straight
to any population; :mod:`engram_nm.projection`). Every consumer reads the
graph through :meth:`EngramSpec.connections` (one :class:`Connection` per
weight matrix, source ``None`` = the input), never the chain. Parameters are in
continuous time, as in NIR: time constants in seconds, thresholds and biases in
the membrane's own units, and one explicit step ``dt`` (s) for every backend.

Discrete update of layer ``l`` (stock Lava LIF / CUBA-LIF; docs/architecture.md, rule 4)::

    a_in[t] = W  @ s_{l-1}[t-1]  +  W_rec @ s_l[t-1]      one step per Dense
              + sum over projections p into l of W_p @ s_{source(p)}[t-1]
    u[t]    = u[t-1] * (1 - du) + a_in[t] + syn_bias       du = dt/tau_syn (LIF: 1)
    v[t]    = v[t-1] * (1 - dv) + u[t] + bias              dv = dt/tau_mem
    s[t]    = v[t] > v_threshold                           strict comparison
    v[t]    = 0  where s[t]          (reset="zero",     stock Lava)
    v[t]    = v[t] - v_threshold     (reset="subtract", CPU-only custom model)

With ``reset_delay=True`` (snnTorch's default, CPU-only custom model) the spike
does not touch ``v`` at once; the reset is applied one step later, to the
freshly integrated voltage, before the threshold test::

    v[t]    = (v[t-1] * (1 - dv) + u[t] + bias) * (1 - s[t-1])          reset="zero"
    v[t]    =  v[t-1] * (1 - dv) + u[t] + bias - v_threshold * s[t-1]   reset="subtract"

so a zero reset loses the input of the step after a spike (snnTorch
``Synaptic`` / ``RLeaky``) and a subtract reset removes ``v_threshold`` undecayed
(snnTorch ``Leaky`` / ``Synaptic`` / ``RLeaky``).

A **sigma-delta** population (``neuron="sigma_delta"``; Loihi 2's graded-spike neuron, Lava's
``SigmaDelta``; :mod:`engram_nm.backends.sigma_delta`) sends graded spikes: a payload, the change of
its activation, when the change reaches ``v_threshold``::

    sigma[t] = sigma[t-1] + a_in[t]                   a_in: weights times the sources' payloads
    act[t]   = relu(sigma[t] + bias)                  (activation="identity": no ReLU)
    delta    = act[t] - act[t-1] + residue[t-1]
    s[t]     = delta where |delta| >= v_threshold, else 0;   residue[t] = delta - s[t]

``tau_mem`` and the reset do not apply; ``payload_bits`` is the payload's width on the chip
(Loihi 2 graded spikes: up to 24 bits, Lava's ``Dense(num_message_bits=24)``). A Dense from a
sigma-delta source multiplies weights by payloads (``W @ s``), one from a spiking source sums the
columns of the active sources; both are counted as one synaptic operation per non-zero
source and non-zero weight.

A population with ``max_events`` > 1 (a Xylo hidden neuron: up to 31) may fire several events in
one step, each taking one threshold off ``v`` (subtract reset only)::

    s[t] = #{k in 1..max_events : v[t] > k v_threshold}      v[t] = v[t] - s[t] v_threshold

its record holds the counts, and a Dense from it multiplies weights by them (``W @ s``). Loihi's
neurons send one spike a step: such a population runs on the engine's float kernels and on Xylo.

``bias`` enters ``v`` from step 0 (Lava's ``bias_mant``). ``syn_bias`` is a
constant input current (what an NIR ``Affine`` bias into a ``CubaLIF`` means);
it is zero for engram_nm-built networks and needs the CPU-only custom model.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.projection import INPUT, delay_node_name
from engram_nm.units import decay_from_tau

NeuronKind = Literal["lif", "cuba", "sigma_delta"]
ResetMode = Literal["zero", "subtract"]
NEURON_KINDS = ("lif", "cuba", "sigma_delta")
ACTIVATIONS = ("relu", "identity")  # a sigma-delta population's activation (Lava's RELU, UNIT)
RESET_MODES = ("zero", "subtract")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _vector(value: Any, size: int, what: str, layer: str) -> np.ndarray:
    """Broadcast a scalar or check a per-neuron vector; always float64, a copy."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SpecError(f"layer {layer!r}: {what} must be numeric, got {value!r}") from exc
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        raise SpecError(
            f"layer {layer!r}: {what} has shape {arr.shape}, expected ({size},) "
            "— one value per neuron, or a scalar"
        )
    if np.any(np.isnan(arr)):
        raise SpecError(f"layer {layer!r}: {what} contains NaN")
    return arr


def _matrix(value: Any, shape: tuple[int, int], what: str, layer: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SpecError(f"layer {layer!r}: {what} must be a numeric matrix") from exc
    if arr.shape != shape:
        raise SpecError(
            f"layer {layer!r}: {what} has shape {arr.shape}, expected {shape} "
            "(rows = this layer's neurons, columns = source neurons)"
        )
    if not np.all(np.isfinite(arr)):
        raise SpecError(f"layer {layer!r}: {what} contains NaN or inf")
    return arr


def projection_name(layer_name: str, kind: str) -> str:
    """Name of a layer's own weight matrix (also its Lava process and NIR node), ``kind``
    ``"feedforward"`` -> ``L_w``, ``"recurrent"`` -> ``L_rec``; extra projections carry their own."""
    return f"{layer_name}_w" if kind == "feedforward" else f"{layer_name}_rec"


class Connection(NamedTuple):
    """One weight matrix of a network seen as a projection ``source -> target`` (``source`` None:
    the network input): a layer's feed-forward or recurrent matrix, or an extra projection. It
    delivers a source spike ``delay`` steps later (1: every Dense's step). ``rule`` /
    ``structural``: the synaptic and structural plasticity on this matrix (None: fixed), wherever
    the spec attached them (a layer's :class:`~engram_nm.plasticity.LayerPlasticity` slots or a
    projection's ``plasticity`` / ``structural``), so no
    reader needs to know where a matrix is stored; it is written back by name
    (:meth:`EngramSpec.set_weight`)."""

    name: str
    source: str | None
    target: str
    weight: np.ndarray
    kind: str           # "feedforward", "recurrent" or "projection"
    rule: Any = None
    structural: Any = None
    delay: int = 1


def _layer_rules(layer, kind: str) -> tuple:
    """``(synaptic rule, structural rule)`` a layer's plasticity puts on its ``kind`` matrix."""
    p = getattr(layer, "plasticity", None)
    if p is None:
        return None, None
    if kind == "feedforward":
        return p.feedforward, p.structural
    return p.recurrent, p.recurrent_structural


def connections_of(layers, projections) -> list:
    """The :class:`Connection` list of a network, per target layer in the order its inputs sum:
    feed-forward (source: the layer before, None for the first; absent for a population fed only by
    projections), recurrent, then the extra projections into it in the spec's order. ``layers`` /
    ``projections``: a spec's, or the torch module's (anything with ``name``, ``weight``,
    ``recurrent_weight``, ``plasticity`` / ``name``, ``source``, ``target``, ``weight``,
    ``plasticity``, ``structural``, ``delay``)."""
    out = []
    for i, layer in enumerate(layers):
        source = layers[i - 1].name if i else None
        if layer.weight is not None:
            out.append(Connection(projection_name(layer.name, "feedforward"), source, layer.name, layer.weight,
                                  "feedforward", *_layer_rules(layer, "feedforward")))
        if layer.recurrent_weight is not None:
            out.append(Connection(projection_name(layer.name, "recurrent"), layer.name, layer.name,
                                  layer.recurrent_weight, "recurrent", *_layer_rules(layer, "recurrent")))
        out += [Connection(p.name, None if p.source == INPUT else p.source, p.target, p.weight, "projection",
                           p.plasticity, p.structural, p.delay)
                for p in projections if p.target == layer.name]
    return out


def set_connection_weight(layers, projections, name: str, weight) -> None:
    """Store ``weight`` as the matrix called ``name`` (:func:`connections_of`'s names) of a network's
    ``layers`` / ``projections``: the one place that knows where each kind of matrix lives. The
    caller checks shape and type (numpy for a spec, a tensor copied in place for the torch module)."""
    for layer in layers:
        for kind, attribute in (("feedforward", "weight"), ("recurrent", "recurrent_weight")):
            if projection_name(layer.name, kind) == name and getattr(layer, attribute) is not None:
                setattr(layer, attribute, weight)
                return
    for p in projections:
        if p.name == name:
            p.weight = weight
            return
    raise SpecError(f"no weight matrix {name!r}; the network has "
                    f"{[c.name for c in connections_of(layers, projections)]}")


@dataclass
class LayerSpec:
    """One population of LIF or current-based LIF neurons and its input weights.

    Attributes:
        name: identifier, also the population's NIR node name.
        weight: ``[size, n_source]`` feed-forward weights (dimensionless: one
            pre spike adds ``weight`` to ``u``) from the population before it in the chain (the
            input for the first), or None for a population fed only by its recurrent weights and
            projections (then ``size`` says how many neurons it has).
        tau_mem: membrane time constant (s), per neuron; ``inf`` = no leak (IF).
        v_threshold: spike threshold (> 0); ``inf`` = never spikes (LI readout).
        neuron: ``"lif"`` (no synaptic filter, du = 1) or ``"cuba"``.
        tau_syn: synaptic time constant (s), ``"cuba"`` only.
        bias: constant added to ``v`` every step, from step 0.
        syn_bias: constant added to ``u`` every step (``"cuba"`` only).
        recurrent_weight: ``[size, size]`` or None.
        reset: ``"zero"`` (stock Lava) or ``"subtract"``.
        reset_delay: apply the reset one step late (module docstring); False is
            Lava's behaviour, True is snnTorch's ``reset_delay=True``.
        gate: an engram gate on the layer's input current
            (:class:`~engram_nm.gating.GateSpec`, ``[n_tasks, size]`` logits), or None.
        plasticity: a :class:`~engram_nm.plasticity.LayerPlasticity` (rules on the
            feed-forward and recurrent weights, intrinsic, structural), a dict of
            it (as in NIR metadata), or None for fixed weights.
        bias_onset: step from which ``bias`` and ``syn_bias`` apply (0 = from the
            start, as Lava does; snnTorch models get their depth, see
            :mod:`engram_nm.snntorch_models`). Non-zero needs the CPU-only model.
        metadata: free-form, carried through NIR.
        activation: ``"relu"`` or ``"identity"``, sigma-delta only.
        payload_bits: a sigma-delta population's payload width in bits (1-24).
        size: number of neurons; needed only when ``weight`` is None (else ``weight``'s rows,
            and a given ``size`` must agree).
        max_events: events a neuron may send in one step (module docstring): 1 (every Loihi
            neuron) up to 255; above 1 needs ``reset="subtract"`` and no delayed reset.
    """

    name: str
    weight: Any
    tau_mem: Any = 20e-3
    v_threshold: Any = 1.0
    neuron: NeuronKind = "lif"
    tau_syn: Any = None
    bias: Any = 0.0
    syn_bias: Any = 0.0
    recurrent_weight: Any = None
    reset: ResetMode = "zero"
    reset_delay: bool = False
    bias_onset: int = 0
    plasticity: Any = None
    gate: Any = None
    metadata: dict = field(default_factory=dict)
    activation: str = "relu"
    payload_bits: int = 24
    size: Any = None
    max_events: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise SpecError(
                f"layer name {self.name!r} is not an identifier (letters, digits, '_'; "
                "no dots: NIR readers split node names on '.')"
            )
        given = self.size
        if given is not None and (isinstance(given, bool) or not isinstance(given, (int, np.integer)) or given <= 0):
            raise SpecError(f"layer {self.name!r}: size must be a positive whole number of neurons, got {given!r}")
        if self.weight is None:
            if given is None:
                raise SpecError(f"layer {self.name!r}: a population without feed-forward weight (fed only by its "
                                "recurrent weights and projections) needs size=<number of neurons>")
            size = int(given)
        else:
            w = np.array(self.weight, dtype=np.float64)
            if w.ndim != 2 or 0 in w.shape:
                raise SpecError(
                    f"layer {self.name!r}: weight must be a non-empty 2-D matrix [size, n_source], "
                    f"got shape {w.shape}"
                )
            size = w.shape[0]
            if given is not None and int(given) != size:
                raise SpecError(f"layer {self.name!r}: size={given} but weight has {size} rows")
            self.weight = _matrix(w, w.shape, "weight", self.name)
        self.size = size
        if self.neuron not in NEURON_KINDS:
            raise SpecError(f"layer {self.name!r}: unknown neuron {self.neuron!r}; use one of {NEURON_KINDS}")
        if self.reset not in RESET_MODES:
            raise SpecError(f"layer {self.name!r}: unknown reset mode {self.reset!r}; use one of {RESET_MODES}")
        if not isinstance(self.reset_delay, (bool, np.bool_)):
            raise SpecError(f"layer {self.name!r}: reset_delay must be True or False, got {self.reset_delay!r}")
        self.reset_delay = bool(self.reset_delay)
        self.tau_mem = _vector(self.tau_mem, size, "tau_mem", self.name)
        if np.any(~(self.tau_mem > 0)):
            raise SpecError(f"layer {self.name!r}: tau_mem must be > 0 s (got min {self.tau_mem.min()!r})")
        self.v_threshold = _vector(self.v_threshold, size, "v_threshold", self.name)
        if np.any(~(self.v_threshold > 0)):
            raise SpecError(
                f"layer {self.name!r}: v_threshold must be > 0 (got min {self.v_threshold.min()!r}); "
                "a neuron that should never spike takes inf"
            )
        if self.neuron == "cuba":
            if self.tau_syn is None:
                raise SpecError(f"layer {self.name!r}: a 'cuba' layer needs tau_syn (s)")
            self.tau_syn = _vector(self.tau_syn, size, "tau_syn", self.name)
            if np.any(~(self.tau_syn > 0)):
                raise SpecError(f"layer {self.name!r}: tau_syn must be > 0 s")
        elif self.tau_syn is not None:
            raise SpecError(f"layer {self.name!r}: tau_syn is only for neuron='cuba' (this layer is {self.neuron!r})")
        self.bias = _vector(self.bias, size, "bias", self.name)
        self.syn_bias = _vector(self.syn_bias, size, "syn_bias", self.name)
        if not np.all(np.isfinite(self.bias)) or not np.all(np.isfinite(self.syn_bias)):
            raise SpecError(f"layer {self.name!r}: biases must be finite")
        if self.neuron == "lif" and np.any(self.syn_bias != 0):
            # For du = 1 a current bias is a voltage bias: keep one representation.
            self.bias = self.bias + self.syn_bias
            self.syn_bias = np.zeros(size)
        if isinstance(self.bias_onset, bool) or not isinstance(self.bias_onset, (int, np.integer)) \
                or self.bias_onset < 0:
            raise SpecError(f"layer {self.name!r}: bias_onset must be a whole number of steps >= 0, "
                            f"got {self.bias_onset!r}")
        self.bias_onset = int(self.bias_onset)
        if self.recurrent_weight is not None:
            self.recurrent_weight = _matrix(self.recurrent_weight, (size, size), "recurrent_weight", self.name)
        if not isinstance(self.metadata, dict):
            raise SpecError(f"layer {self.name!r}: metadata must be a dict")
        self._check_plasticity()
        self._check_gate()
        self._check_sigma_delta()
        self._check_max_events()

    @property
    def counts_events(self) -> bool:
        """True when a neuron may send several events a step (its record holds counts)."""
        return self.max_events > 1

    def _check_max_events(self) -> None:
        m = self.max_events
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 1 <= m <= 255:
            raise SpecError(f"layer {self.name!r}: max_events must be a whole number of events per step in 1..255, "
                            f"got {m!r}")
        self.max_events = int(m)
        if m > 1 and (self.reset != "subtract" or self.reset_delay or self.graded):
            raise SpecError(f"layer {self.name!r}: max_events > 1 takes one threshold off v per event: it needs "
                            "reset='subtract', no delayed reset and a spiking (not sigma-delta) neuron")

    @property
    def graded(self) -> bool:
        """True for a sigma-delta population: its spikes carry payloads."""
        return self.neuron == "sigma_delta"

    def _check_sigma_delta(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise SpecError(f"layer {self.name!r}: activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if isinstance(self.payload_bits, bool) or not isinstance(self.payload_bits, (int, np.integer)) \
                or not 1 <= self.payload_bits <= 24:
            raise SpecError(f"layer {self.name!r}: payload_bits must be a whole number in 1..24 (Loihi 2's graded "
                            f"spikes), got {self.payload_bits!r}")
        self.payload_bits = int(self.payload_bits)
        if not self.graded:
            if self.activation != "relu":
                raise SpecError(f"layer {self.name!r}: activation is for neuron='sigma_delta' only")
            return
        unsupported = [what for what, present in (
            ("plasticity", self.plasticity is not None), ("an engram gate", self.gate is not None),
            ("reset_delay", self.reset_delay), ("a bias onset", self.bias_onset != 0),
            ("a subtract reset", self.reset != "zero")) if present]
        if unsupported:
            raise SpecError(f"layer {self.name!r}: a sigma-delta population takes no {', '.join(unsupported)}")
        if not np.all(np.isfinite(self.v_threshold)):
            raise SpecError(f"layer {self.name!r}: a sigma-delta threshold (the smallest change sent) must be finite")

    def _check_gate(self) -> None:
        if self.gate is None:
            return
        from engram_nm.gating.reference import GateSpec

        if isinstance(self.gate, dict):
            self.gate = GateSpec.from_dict(self.gate)
        if not isinstance(self.gate, GateSpec):
            raise SpecError(f"layer {self.name!r}: gate must be a GateSpec (or its dict), got {type(self.gate).__name__}")
        if self.gate.size != self.size:
            raise SpecError(f"layer {self.name!r}: gate logits have {self.gate.size} columns for {self.size} neurons")

    def _check_plasticity(self) -> None:
        from engram_nm.errors import PlasticityError
        from engram_nm.plasticity.layer import LayerPlasticity

        if self.plasticity is None:
            return
        try:
            if isinstance(self.plasticity, dict):
                self.plasticity = LayerPlasticity.from_dict(self.plasticity)
        except PlasticityError as exc:
            raise SpecError(f"layer {self.name!r}: {exc}") from exc
        if not isinstance(self.plasticity, LayerPlasticity):
            raise SpecError(f"layer {self.name!r}: plasticity must be a LayerPlasticity (or its dict), "
                            f"got {type(self.plasticity).__name__}")
        if self.plasticity.recurrent_structural is not None and self.recurrent_weight is None:
            raise SpecError(f"layer {self.name!r}: recurrent structural plasticity needs recurrent_weight")
        if self.plasticity.recurrent is not None and self.recurrent_weight is None:
            raise SpecError(f"layer {self.name!r}: a recurrent plasticity rule needs recurrent_weight")
        if not self.plasticity.any:
            self.plasticity = None

    def validate(self) -> "LayerSpec":
        """Re-run every check (after fields were assigned by hand); returns the layer. The size
        follows a reassigned ``weight``."""
        if self.weight is not None:
            self.size = None
        self.__post_init__()
        return self

    @property
    def plastic(self) -> bool:
        """True when any weight or threshold of the layer learns."""
        return self.plasticity is not None

    @property
    def fed_forward(self) -> bool:
        """True when the population has feed-forward weights from the one before it in the chain."""
        return self.weight is not None

    @property
    def n_source(self) -> int | None:
        """Columns of the feed-forward weight (None: the population has none)."""
        return None if self.weight is None else int(self.weight.shape[1])

    def decays(self, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """``(du, dv)`` per neuron for step ``dt`` (s); ``du = 1`` for LIF."""
        dv = decay_from_tau(self.tau_mem, dt)
        du = decay_from_tau(self.tau_syn, dt) if self.neuron == "cuba" else np.ones(self.size)
        return du, dv

    def uniform(self, dt: float) -> bool:
        """True when du, dv and the threshold are shared by all neurons (stock LIF can hold them)."""
        du, dv = self.decays(dt)
        return bool(np.all(du == du[0]) and np.all(dv == dv[0]) and np.all(self.v_threshold == self.v_threshold[0]))

    def stock_lava_compatible(self, dt: float) -> tuple[bool, str]:
        """Whether Lava's stock neuron (hence Loihi 2) runs this layer exactly, and why not: the
        Lava side's check, :func:`engram_nm.processes.compatibility.stock_layer`."""
        from engram_nm.processes.compatibility import stock_layer

        return stock_layer(self, dt)

    def equals(self, other: "LayerSpec") -> bool:
        """Exact equality of every field and array."""
        def same(a, b):
            if a is None or b is None:
                return a is b
            return np.array_equal(np.asarray(a), np.asarray(b))

        return (
            self.name == other.name
            and self.neuron == other.neuron
            and self.activation == other.activation
            and self.payload_bits == other.payload_bits
            and self.reset == other.reset
            and self.reset_delay == other.reset_delay
            and self.bias_onset == other.bias_onset
            and self.max_events == other.max_events
            and self.size == other.size
            and self.plasticity == other.plasticity
            and ((self.gate is None and other.gate is None) or (self.gate is not None and other.gate is not None
                 and self.gate.mode == other.gate.mode and self.gate.period == other.gate.period
                 and self.gate.seed == other.gate.seed and np.array_equal(self.gate.logits, other.gate.logits)))
            and all(same(getattr(self, f), getattr(other, f)) for f in
                    ("weight", "tau_mem", "v_threshold", "tau_syn", "bias", "syn_bias", "recurrent_weight"))
        )


@dataclass
class EngramSpec:
    """A validated, framework-neutral spiking network: input -> layers[0] -> ... -> layers[-1].

    Attributes:
        n_in: number of input channels (spike trains).
        layers: the populations, in feed-forward order.
        dt: simulation step (s) used by every backend.
        name: model name (NIR metadata, file names).
        memory: an SDM stage addressed by one layer's spikes (the last, unless
            ``memory.address_layer`` names another;
            :class:`~engram_nm.sdm.memory_spec.MemorySpec`), or None.
        projections: extra population-to-population connections outside the
            chain (:class:`~engram_nm.projection.ProjectionSpec`), e.g. I -> E.
        metadata: free-form, carried through NIR.
        activation: ``"relu"`` or ``"identity"``, sigma-delta only.
        payload_bits: a sigma-delta population's payload width in bits (1-24).
    """

    n_in: int
    layers: list
    dt: float = 1e-3
    name: str = "engram"
    memory: Any = None
    projections: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.n_in, bool) or not isinstance(self.n_in, (int, np.integer)) or self.n_in <= 0:
            raise SpecError(f"n_in must be a positive integer, got {self.n_in!r}")
        self.n_in = int(self.n_in)
        if not isinstance(self.dt, (int, float, np.floating)) or not (self.dt > 0) or not np.isfinite(self.dt):
            raise SpecError(f"dt must be a positive number of seconds, got {self.dt!r}")
        self.dt = float(self.dt)
        self.layers = list(self.layers)
        if not self.layers:
            raise SpecError("a spec needs at least one layer")
        names = set()
        n_source = self.n_in
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, LayerSpec):
                raise SpecError(f"layers[{i}] is a {type(layer).__name__}, expected LayerSpec")
            if layer.name in names or layer.name in ("input", "output"):
                raise SpecError(f"layer name {layer.name!r} is used twice or reserved ('input', 'output')")
            names.add(layer.name)
            if layer.fed_forward and layer.n_source != n_source:
                src = "the input" if i == 0 else f"layer {self.layers[i - 1].name!r}"
                raise SpecError(
                    f"layer {layer.name!r}: weight has {layer.n_source} columns but {src} has "
                    f"{n_source} neurons; weight must be [{layer.size}, {n_source}]"
                )
            layer.decays(self.dt)  # raises SpecError for tau < dt
            n_source = layer.size
        if self.memory is not None:
            from engram_nm.sdm.memory_spec import MemorySpec

            if isinstance(self.memory, dict):
                self.memory = MemorySpec.from_dict(self.memory)
            if not isinstance(self.memory, MemorySpec):
                raise SpecError(f"memory must be a MemorySpec (or its dict), got {type(self.memory).__name__}")
            self.memory.check(self.memory_layer().size)
        self._check_projections(names)
        fed = {c.target for c in self.connections()}
        unfed = [layer.name for layer in self.layers if layer.name not in fed]
        if unfed:
            raise SpecError(f"population(s) {unfed} receive no weight matrix: give each a feed-forward weight, "
                            "a recurrent weight or a projection into it")

    def _check_projections(self, layer_names: set) -> None:
        from engram_nm.projection import ProjectionSpec

        self.projections = list(self.projections or [])
        own = {projection_name(n, kind) for n in layer_names for kind in ("feedforward", "recurrent")}
        taken = set(layer_names) | own
        sizes = {layer.name: layer.size for layer in self.layers}
        held = {delay_node_name(p.name) for p in self.projections if getattr(p, "delay", 1) > 1}
        clash = held & (taken | {p.name for p in self.projections})
        if clash:
            raise SpecError(f"name(s) {sorted(clash)} are reserved for the NIR Delay nodes of delayed projections")
        for i, proj in enumerate(self.projections):
            if not isinstance(proj, ProjectionSpec):
                raise SpecError(f"projections[{i}] is a {type(proj).__name__}, expected ProjectionSpec")
            if proj.name in taken:
                raise SpecError(f"projection name {proj.name!r} is already a layer or projection name")
            taken.add(proj.name)
            proj.check_against(sizes, self.n_in)
            if proj.delay > 1 and proj.source != INPUT and self.layer(proj.source).graded:
                raise SpecError(f"projection {proj.name!r}: a delayed projection (delay={proj.delay}) from the "
                                f"sigma-delta population {proj.source!r} is not supported: Lava's DelayDense "
                                "carries binary spikes only")

    def connections(self) -> list:
        """Every weight matrix as a :class:`Connection` (the network as populations and named
        projections; :func:`connections_of`)."""
        return connections_of(self.layers, self.projections)

    def compile(self):
        """The indices every consumer steps, builds or quantises by
        (:func:`engram_nm.compiled.compile_network`): populations by position, inputs in summation
        order, plastic matrices in seed order."""
        from engram_nm.compiled import compile_network

        return compile_network(self.layers, self.projections)

    def connection(self, name: str) -> Connection:
        """The weight matrix called ``name`` (a layer's ``projection_name`` or an extra projection)."""
        for c in self.connections():
            if c.name == name:
                return c
        raise SpecError(f"no weight matrix {name!r} in spec {self.name!r}; it has "
                        f"{[c.name for c in self.connections()]}")

    def set_weight(self, name: str, weight) -> None:
        """Replace the weight matrix called ``name`` (same shape, finite): how learned, folded or
        manipulated weights come back into a spec, by name (:func:`set_connection_weight`)."""
        current = self.connection(name).weight
        w = np.array(weight, dtype=np.float64)
        if w.shape != current.shape:
            raise SpecError(f"weight matrix {name!r}: new weights have shape {w.shape}, the spec's {current.shape}")
        if not np.all(np.isfinite(w)):
            raise SpecError(f"weight matrix {name!r}: new weights contain NaN or inf")
        set_connection_weight(self.layers, self.projections, name, w)

    def weights(self) -> dict:
        """``{matrix name: weight}`` of every connection (copies)."""
        return {c.name: c.weight.copy() for c in self.connections()}

    def projection(self, name: str):
        """The extra projection called ``name``."""
        for proj in self.projections:
            if proj.name == name:
                return proj
        raise SpecError(f"no projection named {name!r}; projections are {[p.name for p in self.projections]}")

    def memory_layer(self) -> LayerSpec:
        """The layer whose spikes address the memory stage."""
        if self.memory is None or self.memory.address_layer is None:
            return self.layers[-1]
        try:
            return self.layer(self.memory.address_layer)
        except SpecError as exc:
            raise SpecError(f"memory stage: address_layer {self.memory.address_layer!r} is not a layer; "
                            f"layers are {self.layer_names}") from exc

    def layer_index(self, name: str) -> int:
        """Position of layer ``name`` in the chain."""
        self.layer(name)  # raises SpecError naming the layers
        return self.layer_names.index(name)

    def validate(self) -> "EngramSpec":
        """Re-run every check of the spec and its layers (after fields were assigned by hand)."""
        for layer in self.layers:
            if isinstance(layer, LayerSpec):
                layer.validate()
        for proj in self.projections or []:
            if hasattr(proj, "__post_init__"):
                proj.__post_init__()
        self.__post_init__()
        return self

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    @property
    def sizes(self) -> list[int]:
        return [layer.size for layer in self.layers]

    def layer(self, name: str) -> LayerSpec:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise SpecError(f"no layer named {name!r}; layers are {self.layer_names}")

    def stock_lava_compatible(self) -> tuple[bool, dict[str, str]]:
        """(all layers stock-compatible, {layer: reason} for those that are not):
        :func:`engram_nm.processes.compatibility.stock_spec`."""
        from engram_nm.processes.compatibility import stock_spec

        return stock_spec(self)

    def copy(self) -> "EngramSpec":
        return copy.deepcopy(self)

    def equals(self, other: "EngramSpec") -> bool:
        """Exact equality (arrays compared element-wise, bit for bit)."""
        return (
            self.n_in == other.n_in
            and self.dt == other.dt
            and len(self.layers) == len(other.layers)
            and all(a.equals(b) for a, b in zip(self.layers, other.layers))
            and ((self.memory is None and other.memory is None)
                 or (self.memory is not None and self.memory.equals(other.memory)))
            and len(self.projections) == len(other.projections)
            and all(a.equals(b) for a, b in zip(self.projections, other.projections))
        )

    def summary(self) -> str:
        lines = [f"EngramSpec {self.name!r}: n_in={self.n_in}, dt={self.dt:g} s"]
        for layer in self.layers:
            rec = ", recurrent" if layer.recurrent_weight is not None else ""
            rec += "" if layer.fed_forward else ", fed by projections only"
            delayed = " (delayed)" if layer.reset_delay else ""
            lines.append(f"  {layer.name}: {layer.size} x {layer.neuron}, reset={layer.reset}{delayed}{rec}")
        for p in self.projections:
            rule = f", {p.plasticity.name}" if p.plasticity is not None else ""
            lines.append(f"  {p.name}: {p.source} -> {p.target}{rule}")
        if self.memory is not None:
            m = self.memory
            act = f"top-{m.k}" if m.activation == "topk" else f"radius {m.radius}"
            lines.append(f"  memory: SDM, {m.n_locations} locations x {m.data_bits} bits, {act}")
        return "\n".join(lines)


def population(name: str, size: int, **neuron) -> LayerSpec:
    """A population with no feed-forward weight: fed only by projections (and its own recurrent
    weights), ``size`` neurons, the neuron keywords of :class:`LayerSpec`."""
    if "weight" in neuron:
        raise SpecError(f"population {name!r}: its inputs are projections; pass no weight (LayerSpec takes one)")
    return LayerSpec(name, weight=None, size=size, **neuron)


def graph(n_in: int, populations: list, projections: list, **spec) -> EngramSpec:
    """The network as what it is: ``populations`` (from :func:`population`, stepped in this order)
    and named ``projections`` (:class:`~engram_nm.projection.ProjectionSpec`, ``source="input"``
    for the network input, ``source == target`` for recurrence), every matrix with its own name and
    rule. ``spec``: the other :class:`EngramSpec` fields (``dt``, ``name``, ``memory``,
    ``metadata``). The chain form (``EngramSpec(n_in, layers)``) is the shorthand of the common
    feed-forward case and compiles to the same connections."""
    fed = [p.name for p in populations if isinstance(p, LayerSpec) and p.fed_forward]
    if fed:
        raise SpecError(f"graph(): population(s) {fed} carry a chain weight; declare every input as a projection "
                        "(or build the chain with EngramSpec(n_in, layers))")
    return EngramSpec(n_in=n_in, layers=list(populations), projections=list(projections), **spec)


def random_spec(
    n_in: int,
    sizes: list[int],
    *,
    neuron: NeuronKind = "lif",
    reset: ResetMode = "zero",
    reset_delay: bool = False,
    recurrent: bool | list[bool] = False,
    dt: float = 1e-3,
    tau_mem: float = 20e-3,
    tau_syn: float = 5e-3,
    v_threshold: float = 1.0,
    weight_scale: float = 1.0,
    bias: float = 0.0,
    seed: int = 0,
    name: str = "random",
) -> EngramSpec:
    """A random spec for tests, examples and benchmarks.

    Weights are ``N(0.5, 1) * weight_scale * v_threshold / sqrt(n_source)``-ish
    (positive mean so activity propagates); recurrent weights are weaker and
    zero-mean. Deterministic in ``seed``.
    """
    rng = np.random.default_rng(seed)
    recurrent = recurrent if isinstance(recurrent, list) else [recurrent] * len(sizes)
    layers = []
    n_source = n_in
    for i, size in enumerate(sizes):
        w = rng.normal(0.6, 1.0, size=(size, n_source)) * weight_scale * v_threshold / np.sqrt(n_source) * 2.0
        w_rec = (rng.normal(0.0, 1.0, size=(size, size)) * 0.5 * weight_scale * v_threshold / np.sqrt(size)
                 if recurrent[i] else None)
        layers.append(
            LayerSpec(
                name=f"layer{i}",
                weight=w,
                tau_mem=tau_mem,
                tau_syn=tau_syn if neuron == "cuba" else None,
                v_threshold=v_threshold,
                neuron=neuron,
                bias=bias,
                recurrent_weight=w_rec,
                reset=reset,
                reset_delay=reset_delay,
            )
        )
        n_source = size
    return EngramSpec(n_in=n_in, layers=layers, dt=dt, name=name)
