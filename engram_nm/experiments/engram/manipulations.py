"""In-silico manipulations of engram experiments, as edits of the spec and its input.

Two kinds, both plain edits of an :class:`~engram_nm.spec.EngramSpec` (so they
run unchanged on every target: numpy, snnTorch, Lava float and fixed, Loihi 2):

* **Transient** (during a phase's window, steps ``[start, stop)``): each adds
  one input channel onto the excitatory layer (layer 0) with weight
  ``strength`` onto the chosen cells, spiking in the window:

  - :class:`OptogeneticActivation` — channelrhodopsin light pulses: the channel
    spikes every ``1 / pulse_hz`` s with ``strength`` > threshold, so each
    pulse makes the cells fire (Liu et al., Nature 484:381, 2012: 20 Hz pulses).
  - :class:`OptogeneticSilencing` — archaerhodopsin / halorhodopsin under
    continuous light: a hyperpolarising current ``-strength`` every step
    (Denny et al., Neuron 83:189, 2014 silenced engram cells with ArchT).
  - :class:`ExcitabilityChange` — chemogenetic (DREADD) excitability shift:
    a constant current ``current`` per step (hM3Dq > 0, hM4Di < 0); for LIF
    neurons (du = 1) exactly a bias shift of ``current`` over the window,
    one step late (the channel's Dense delay).

* **Permanent** (:meth:`Permanent.edit` returns the edited spec):

  - :class:`Ablation` — cells removed from the network (rows and columns of
    every weight matrix that touches them), e.g. diphtheria-toxin ablation.
  - :class:`Lesion` — the same cell death without renumbering: every synapse onto and from the
    cells set to 0, so they never fire and nothing hears them, while the network keeps its shape
    (the networks of a cohort stay stackable; scores must then leave the lesioned cells out).
  - :class:`SynapseLoss` — a seeded fraction of existing synapses of one
    projection set to 0 (optionally only onto / from chosen cells).
  - :class:`SynapseScaling` — synapses of one projection multiplied by
    ``factor`` (weakened cue->engram synapses of a silent engram, Ryan et al.,
    Science 348:1007, 2015; their optogenetic-LTP rescue, Roy et al., Nature
    531:508, 2016, is modelled by its outcome: the potentiated weights).

Cells are indices of the excitatory layer in the network's original
numbering; :class:`~engram_nm.experiments.engram.lifecycle.EngramExperiment` maps them to
the current numbering after ablations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import ManipulationError, SpecError
from engram_nm.experiments.engram.network import EXC
from engram_nm.spec import EngramSpec, projection_name, set_connection_weight


def _cells(cells, n: int, what: str) -> np.ndarray:
    arr = np.unique(np.asarray(cells, dtype=np.int64).reshape(-1))
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ManipulationError(f"{what}: cell indices must be in 0..{n - 1}, got {arr.min()}..{arr.max()}")
    return arr


@dataclass(frozen=True)
class Transient(ABC):
    """Base of window-limited manipulations: cells, ``[start, stop)`` in steps of the phase (stop None: to the end)."""

    cells: tuple = field(default_factory=tuple)
    start: int = 0
    stop: int | None = None

    def window(self, steps: int) -> tuple[int, int]:
        stop = steps if self.stop is None else int(self.stop)
        if not 0 <= int(self.start) <= stop <= steps:
            raise ManipulationError(f"{type(self).__name__}: window [{self.start}, {self.stop}) does not fit a "
                                    f"phase of {steps} steps")
        return int(self.start), stop

    @abstractmethod
    def weight(self) -> float:
        """The channel's weight onto each chosen cell (threshold units)."""

    def train(self, steps: int, dt: float) -> np.ndarray:
        """Bool ``[steps]``: when the channel spikes (default: every step of the window)."""
        out = np.zeros(steps, dtype=bool)
        a, b = self.window(steps)
        out[a:b] = True
        return out


@dataclass(frozen=True)
class OptogeneticActivation(Transient):
    """Light pulses at ``pulse_hz`` onto ``cells``; ``strength`` (threshold units) > 1 forces a spike per pulse."""

    pulse_hz: float = 20.0
    strength: float = 2.0

    def weight(self) -> float:
        return self.strength

    def train(self, steps: int, dt: float) -> np.ndarray:
        if not 0 < self.pulse_hz * dt <= 1:
            raise ManipulationError(f"pulse_hz={self.pulse_hz} must give at most one pulse per step (dt={dt} s)")
        out = np.zeros(steps, dtype=bool)
        a, b = self.window(steps)
        period = 1.0 / (self.pulse_hz * dt)
        pulses = a + np.floor(np.arange(0, b - a, period)).astype(int)
        out[pulses[pulses < b]] = True
        return out


@dataclass(frozen=True)
class OptogeneticSilencing(Transient):
    """A hyperpolarising current ``-strength`` (threshold units per step) onto ``cells`` in the window."""

    strength: float = 1.0

    def weight(self) -> float:
        return -abs(self.strength)


@dataclass(frozen=True)
class ExcitabilityChange(Transient):
    """A constant current ``current`` (threshold units per step; > 0 excites, < 0 inhibits) in the window."""

    current: float = 0.02

    def weight(self) -> float:
        return float(self.current)


@dataclass(frozen=True)
class ExcitabilityTrace(Transient):
    """A decaying excitability (a CREB-like trace, Rashid et al., Neuron 92:1, 2016) on ``cells``:
    the current ``I(t) = current * exp(-(age_s + t dt) / tau_s)`` (threshold units per step; ``t``
    the step of the phase, ``age_s`` the trace's age in network seconds when the phase starts).

    The channel carries pulses of ``current`` whose density follows ``exp(-(age_s + t dt) / tau_s)``
    by error diffusion (a pulse whenever the running integral of the density passes the pulses
    sent), so the charge delivered up to any step equals the integral of ``I`` to within one pulse
    and the trace decays while the phase runs, not between phases."""

    current: float = 0.08
    tau_s: float = 1.2
    age_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.tau_s > 0 or self.age_s < 0:
            raise ManipulationError(f"ExcitabilityTrace needs tau_s > 0 and age_s >= 0, got {self.tau_s}, {self.age_s}")

    def weight(self) -> float:
        return float(self.current)

    def train(self, steps: int, dt: float) -> np.ndarray:
        out = np.zeros(steps, dtype=bool)
        a, b = self.window(steps)
        density = np.exp(-(self.age_s + np.arange(b - a) * dt) / self.tau_s)
        sent = np.floor(np.cumsum(density) + 0.5)  # pulses owed so far, rounded
        out[a:b] = np.diff(np.concatenate([[0.0], sent])) > 0
        return out


def apply_transient(spec: EngramSpec, spikes: np.ndarray, manipulations) -> tuple[EngramSpec, np.ndarray]:
    """``(spec, input)`` with one extra input channel per transient manipulation onto layer 0."""
    manipulations = list(manipulations)
    if not manipulations:
        return spec, spikes
    layer = spec.layers[0]
    steps = spikes.shape[0]
    columns, trains = [], []
    for m in manipulations:
        if not isinstance(m, Transient):
            raise ManipulationError(f"{type(m).__name__} is not a transient manipulation; apply permanent edits "
                                    "with EngramExperiment.apply (or .edit(spec))")
        col = np.zeros(layer.size)
        col[_cells(m.cells, layer.size, type(m).__name__)] = m.weight()
        columns.append(col)
        trains.append(m.train(steps, spec.dt))
    out = spec.copy()
    light = np.stack(columns, axis=1)
    for c in out.connections():  # the light reaches layer 0 only: other matrices from the input ignore it
        if c.source is None:
            extra = light if c.target == layer.name else np.zeros((c.weight.shape[0], len(columns)))
            set_connection_weight(out.layers, out.projections, c.name, np.hstack([c.weight, extra]))
    out.n_in = spec.n_in + len(columns)
    out.validate()
    return out, np.hstack([np.asarray(spikes, dtype=bool), np.stack(trains, axis=1)])


class Permanent(ABC):
    """Base of lasting edits: ``edit(spec) -> spec``."""

    @abstractmethod
    def edit(self, spec: EngramSpec) -> EngramSpec:
        """A copy of ``spec`` with the edit made."""


def _cell_axes(spec: EngramSpec, name: str):
    """Every ``(connection, axes)`` of a weight matrix with a row (axis 0: onto) or a column (axis 1:
    from) per cell of layer ``name``: its inputs, its recurrent weights (both), and every matrix
    it feeds."""
    for c in spec.connections():
        axes = ((0,) if c.target == name else ()) + ((1,) if c.source == name else ())
        if axes:
            yield c, axes


@dataclass(frozen=True)
class Ablation(Permanent):
    """Remove ``cells`` of layer ``layer`` (default the first): every weight row and column they own goes."""

    cells: tuple = field(default_factory=tuple)
    layer: str | None = None

    def keep(self, spec: EngramSpec) -> np.ndarray:
        name = self.layer or spec.layers[0].name
        size = spec.layer(name).size
        gone = _cells(self.cells, size, "Ablation")
        keep = np.ones(size, dtype=bool)
        keep[gone] = False
        if not keep.any():
            raise ManipulationError(f"Ablation would remove every neuron of layer {name!r}")
        return keep

    def edit(self, spec: EngramSpec) -> EngramSpec:
        name = self.layer or spec.layers[0].name
        keep = self.keep(spec)
        out = spec.copy()
        i = out.layer_index(name)
        layer = out.layers[i]
        if layer.gate is not None:
            raise ManipulationError(f"Ablation of gated layer {name!r} is not supported (its gate logits would "
                                    "need the same edit)")
        for c, axes in list(_cell_axes(out, name)):
            w = c.weight
            for axis in axes:
                w = np.compress(keep, w, axis=axis)
            set_connection_weight(out.layers, out.projections, c.name, w)  # a new shape: validated below
        if not layer.fed_forward:
            layer.size = int(keep.sum())  # no weight rows to say it
        for attr in ("tau_mem", "v_threshold", "tau_syn", "bias", "syn_bias"):
            value = getattr(layer, attr)
            if value is not None:
                setattr(layer, attr, value[keep])
        if out.memory is not None and out.memory_layer().name == name:
            raise ManipulationError("Ablation of the layer that addresses the SDM stage is not supported")
        return out.validate()


@dataclass(frozen=True)
class Lesion(Permanent):
    """Cell death that keeps the network's shape (module docstring): every weight onto and from
    ``cells`` of layer ``layer`` (default the first) set to 0."""

    cells: tuple = field(default_factory=tuple)
    layer: str | None = None

    def edit(self, spec: EngramSpec) -> EngramSpec:
        name = self.layer or spec.layers[0].name
        out = spec.copy()
        dead = _cells(self.cells, out.layer(name).size, "Lesion")
        for c, axes in list(_cell_axes(out, name)):
            w = c.weight.copy()
            for axis in axes:
                np.moveaxis(w, axis, 0)[dead] = 0.0
            out.set_weight(c.name, w)
        return out.validate()


def matrix_ends(spec: EngramSpec, projection: str):
    """``(post layer, pre layer)`` of the named weight matrix
    (:meth:`~engram_nm.spec.EngramSpec.connection`); the pre layer of a matrix from the network
    input is ``"input"``."""
    try:
        c = spec.connection(projection)
    except SpecError as exc:
        raise ManipulationError(str(exc)) from exc
    return c.target, "input" if c.source is None else c.source


def _block(shape, post, pre) -> np.ndarray:
    block = np.zeros(shape, dtype=bool)
    rows = np.arange(shape[0]) if post is None else _cells(post, shape[0], "post cells")
    cols = np.arange(shape[1]) if pre is None else _cells(pre, shape[1], "pre cells")
    block[np.ix_(rows, cols)] = True
    return block


def _edit_synapses(spec: EngramSpec, projection: str, post, pre, change) -> EngramSpec:
    """Copy of ``spec`` where ``change(w, block)`` edited (in place) the named matrix's synapses
    onto ``post`` / from ``pre`` (``block``: bool mask of them)."""
    out = spec.copy()
    try:
        w = out.connection(projection).weight.copy()
    except SpecError as exc:  # names the matrices there are
        raise ManipulationError(str(exc)) from exc
    change(w, _block(w.shape, post, pre))
    out.set_weight(projection, w)
    return out.validate()


@dataclass(frozen=True)
class SynapseLoss(Permanent):
    """Set a seeded ``fraction`` of the existing synapses of ``projection`` (onto ``post`` / from ``pre``) to 0."""

    projection: str = projection_name(EXC, "recurrent")
    fraction: float = 0.5
    post: tuple | None = None
    pre: tuple | None = None
    seed: int = 0

    def edit(self, spec: EngramSpec) -> EngramSpec:
        if not 0.0 <= self.fraction <= 1.0:
            raise ManipulationError(f"SynapseLoss fraction must be in [0, 1], got {self.fraction}")

        def lose(w, block):
            w[block & (w != 0) & (np.random.default_rng(self.seed).random(w.shape) < self.fraction)] = 0.0

        return _edit_synapses(spec, self.projection, self.post, self.pre, lose)


@dataclass(frozen=True)
class SynapseScaling(Permanent):
    """Multiply the synapses of ``projection`` onto ``post`` / from ``pre`` by ``factor`` (>= 0)."""

    projection: str = projection_name(EXC, "feedforward")
    factor: float = 0.5
    post: tuple | None = None
    pre: tuple | None = None

    def edit(self, spec: EngramSpec) -> EngramSpec:
        if not self.factor >= 0:
            raise ManipulationError(f"SynapseScaling factor must be >= 0, got {self.factor}")

        def scale(w, block):
            w[block] *= self.factor

        return _edit_synapses(spec, self.projection, self.post, self.pre, scale)
