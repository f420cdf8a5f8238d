"""The engram lifecycle on a spiking network: encode -> consolidate -> tag -> recall, and manipulations.

:class:`EngramExperiment` holds one network (an :class:`~engram_nm.spec.EngramSpec`,
by default :func:`~engram_nm.experiments.engram.network.build_engram_network`) and runs
phases on one target (``"reference"`` = the numpy reference, ``"snntorch"``,
``"cpu-float"``, ``"cpu-fixed"``, ``"fixed-emu"``, ``"loihi2"``). Each phase is one run;
plastic phases fold the learned weights back into the network, so the next
phase starts from them (neuron state starts at rest in every phase, as after
a pause between sessions).

* ``encode(name)`` presents memory ``name`` (a set of sensory channels firing
  at ``stim_hz``) with plasticity on;
* ``tag(name)`` labels its engram like c-fos / Arc: the excitatory cells whose
  rate during encoding exceeded ``tag_threshold_hz``;
* ``consolidate(steps)``: offline activity (all channels at a raised
  background rate, no stimulus) with plasticity on (STDP and the inhibitory
  homeostat);
* ``recall(name, cue_fraction)``: a partial cue (a fraction of the memory's
  channels) with plasticity off; reads out which cells are active (rate above
  the tag threshold in the read-out window) and their overlap with the tagged
  set (active: rate above ``active_threshold_hz``). Transient manipulations (:mod:`engram_nm.experiments.engram.manipulations`) act
  during a recall; permanent ones go through :meth:`EngramExperiment.apply`.

Every phase appends a :class:`PhaseRecord`; :meth:`EngramExperiment.snapshot`
records each engram's size, mean internal weight and its overlap with the
other engrams over time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from engram_nm.experiments.engram.manipulations import Ablation, Permanent, apply_transient
from engram_nm.experiments.engram.network import EXC, EngramNetworkConfig, build_engram_network
from engram_nm.experiments.engram.stimulus import cue_channels, memory_channels, poisson_input
from engram_nm.experiments.engram.timescale import phase_hours
from engram_nm.errors import InputError, ManipulationError
from engram_nm.hardware.targets import check_target
from engram_nm.spec import EngramSpec

@dataclass
class Memory:
    """A stored memory: its channels, the E rates while it was encoded (Hz) and its tagged cells."""

    name: str
    channels: np.ndarray
    encoding_rates: np.ndarray | None = None
    tagged: np.ndarray | None = None     # bool [n_exc], original numbering
    channel_hz: np.ndarray | None = None  # per-channel stimulus rate (None: the experiment's stim_hz)

    def rates_of(self, channels: np.ndarray, default_hz: float):
        """The stimulus rate of each of ``channels`` (a subset of the memory's)."""
        if self.channel_hz is None:
            return default_hz
        lookup = dict(zip(self.channels.tolist(), self.channel_hz.tolist()))
        return np.array([lookup[c] for c in np.asarray(channels).tolist()], dtype=float)

    @property
    def cells(self) -> np.ndarray:
        """Indices of the tagged cells."""
        if self.tagged is None:
            raise InputError(f"memory {self.name!r} is not tagged yet: call tag({self.name!r}) after encoding")
        return np.flatnonzero(self.tagged)


@dataclass
class PhaseRecord:
    """One phase: what ran, when, and the spikes (E in original numbering; ablated cells never spike)."""

    kind: str
    memory: str | None
    start_s: float
    steps: int
    spikes: dict
    dt: float

    def rates(self, layer: str = EXC, window=None) -> np.ndarray:
        """Per-cell rate (Hz) over ``window = (start, stop)`` steps (default: the whole phase)."""
        a, b = window or (0, self.steps)
        return self.spikes[layer][a:b].sum(axis=0) / ((b - a) * self.dt)

    def population_rate(self, layer: str = EXC, bin_steps: int = 10) -> np.ndarray:
        """Mean rate of the population (Hz) in bins of ``bin_steps``."""
        s = self.spikes[layer]
        n = s.shape[0] // bin_steps
        return s[: n * bin_steps].reshape(n, bin_steps, -1).mean(axis=(1, 2)) / self.dt


@dataclass
class RecallResult:
    """Read-out of one recall: ``overlap`` = fraction of the tagged cells that were active,
    ``spurious`` = fraction of the active cells that are not tagged, ``correlation`` =
    Pearson correlation of the E rate vector with the one during encoding."""

    memory: str
    cue_fraction: float
    overlap: float
    spurious: float
    correlation: float
    active: np.ndarray
    rates: np.ndarray
    record: PhaseRecord


@dataclass
class EngramSnapshot:
    """One memory's engram at one time: size (tagged, not ablated), mean E->E weight among
    its cells (and from them onto the rest), overlap (Jaccard) with every other engram."""

    time_s: float
    memory: str
    size: int
    mean_internal_weight: float
    mean_outgoing_weight: float
    overlaps: dict = field(default_factory=dict)


def internal_synapses(weights: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """The weights among ``cells`` (bool mask) without the diagonal, flattened: ``w[i, j], i != j``."""
    inside = weights[np.ix_(cells, cells)]
    return inside[~np.eye(inside.shape[0], dtype=bool)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """``|a & b| / |a | b|`` of two bool masks (0 when both are empty)."""
    union = np.sum(a | b)
    return float(np.sum(a & b) / union) if union else 0.0


class EngramExperiment:
    """An engram network and its history of phases (module docstring).

    Args:
        spec: the network (default: ``build_engram_network(config)``); layer 0
            is the excitatory population, fed by one channel per input.
        config: used when ``spec`` is None.
        target: backend of every phase (:data:`engram_nm.hardware.targets.TARGETS`).
        seed: seeds stimuli and the learning engine's rounding, phase by phase.
        stim_hz / background_hz: channel rates with and without the stimulus (Hz).
        tag_threshold_hz: rate above which a cell is tagged during encoding (Hz).
        active_threshold_hz: rate above which a cell counts as active in a recall (Hz);
            lower than the tag threshold because a recall's read-out window is short
            (a few spikes) and recruited cells fire less than stimulated ones.
        per_memory: channels per memory when :meth:`encode` draws them.
        us_hz: rate of the unconditioned-stimulus channels while a US is on (networks with a
            behavioural read-out, ``EngramNetworkConfig.n_out > 0``); silent otherwise.
    """

    def __init__(self, spec: EngramSpec | None = None, config: EngramNetworkConfig | None = None,
                 target: str = "reference", seed: int = 0, stim_hz: float = 80.0, background_hz: float = 2.0,
                 tag_threshold_hz: float = 20.0, active_threshold_hz: float = 10.0, per_memory: int = 20,
                 us_hz: float = 100.0):
        check_target(target)
        self.spec = (spec or build_engram_network(config)).copy()
        self.spec.validate()
        self.original_size = self.spec.layers[0].size
        self.alive = np.ones(self.original_size, dtype=bool)
        self.target, self.seed = target, int(seed)
        self.stim_hz, self.background_hz = float(stim_hz), float(background_hz)
        self.tag_threshold_hz, self.per_memory = float(tag_threshold_hz), int(per_memory)
        self.active_threshold_hz = float(active_threshold_hz)
        self.memories: dict = {}
        self.records: list = []
        self.history: list = []
        self.time_s = 0.0
        self._phase = 0
        self.us_channels = np.asarray(self.spec.metadata.get("us_channels", []), dtype=np.int64)
        self.us_hz = float(us_hz)
        self.runner = None  # set by engram_nm.experiments.engram.cohort to batch this experiment's runs with others'
        self.hours = 0.0  # the animal's clock (engram_nm/experiments/engram/timescale.py)
        self.synapses = None  # two-stage synapses (use_two_stage_synapses); None: every learned change is permanent
        self.protein_synthesis = True  # False: a protein-synthesis inhibitor acts (no capture)

    def use_two_stage_synapses(self, model, projections) -> None:
        """From now on, the learned changes of ``projections`` (names of plastic weight matrices) are
        early and labile and become late only by tag and capture
        (:class:`~engram_nm.plasticity.consolidation.TwoStageSynapses` ``model``); the present
        weights count as late. Every phase that advances the animal's clock
        (:func:`~engram_nm.experiments.engram.timescale.phase_hours`) evolves them;
        :attr:`protein_synthesis` says whether capture can happen."""
        from engram_nm.plasticity.consolidation import SynapseState

        self.synapses = SynapseState(model, {k: self.spec.connection(k).weight for k in projections})

    # ------------------------------------------------------------------ running one phase
    @property
    def n_channels(self) -> int:
        """Input channels of the network (sensory and, with a read-out, the US channels last)."""
        return self.spec.n_in

    @property
    def n_sensory(self) -> int:
        """Sensory channels (contexts are drawn from ``0 .. n_sensory - 1``)."""
        return self.spec.n_in - self.us_channels.size

    def _run(self, x: np.ndarray, learn: bool, transient=(), kind: str = "", memory: str | None = None):
        spec, x_full = apply_transient(self.spec, x, transient)
        seed = self.seed * 1000 + self._phase
        self._phase += 1
        res = self._execute(spec, x_full, learn, seed)
        spikes, weights, thresholds = res.spikes, res.learned_weights, res.learned_thresholds
        from engram_nm.plasticity.apply import with_learned

        weights, thresholds = (dict(weights), thresholds) if learn else ({}, {})
        hours = phase_hours(kind, x.shape[0], self.spec.dt)
        if self.synapses is not None and (learn or hours > 0):  # the slow synaptic variables, on the animal's clock
            before = {k: self.spec.connection(k).weight for k in self.synapses.late}
            after = {k: weights.get(k, w) for k, w in before.items()}
            weights.update(self.synapses.after_phase(before, after, hours, self.protein_synthesis))
        if weights or thresholds:
            self.spec = with_learned(self.spec, weights, thresholds)
        self.hours += hours
        return self._record(spikes, x.shape[0], kind, memory)

    def _execute(self, spec: EngramSpec, x: np.ndarray, learn: bool, seed: int):
        """One run of ``spec`` on this experiment's target (or through :attr:`runner`)."""
        if self.runner is not None:
            return self.runner(spec, x, learn, seed)
        from engram_nm.hardware.targets import run

        return run(spec, x, self.target, learn=learn, seed=seed)

    def _record(self, spikes: dict, steps: int, kind: str, memory) -> PhaseRecord:
        """Keep a phase's spikes (E cells also in the original numbering) and advance the clock."""
        spikes = dict(spikes)
        full = np.zeros((steps, self.original_size), dtype=bool)
        full[:, self.alive] = spikes[self.spec.layers[0].name]
        spikes[EXC] = full
        record = PhaseRecord(kind, memory, self.time_s, steps, spikes, self.spec.dt)
        self.records.append(record)
        self.time_s += steps * self.spec.dt
        return record

    def _stimulus(self, steps: int, channels, rate_hz: float | None = None, background_hz: float | None = None,
                  us=None):
        """Poisson input; the US channels are silent except in the ``us = (start, stop)`` window of steps."""
        x = poisson_input(steps, self.n_channels, channels, self.stim_hz if rate_hz is None else rate_hz,
                          self.background_hz if background_hz is None else background_hz, self.spec.dt,
                          seed=self.seed * 7919 + self._phase)
        if self.us_channels.size:
            x[:, self.us_channels] = False
            if us is not None:
                a, b = max(0, int(us[0])), min(steps, int(us[1]))
                rng = np.random.default_rng([self.seed, self._phase, 7])
                x[a:b, self.us_channels] = rng.random((max(0, b - a), self.us_channels.size)) < self.us_hz * self.spec.dt
        elif us is not None:
            raise InputError("this network has no behavioural read-out (EngramNetworkConfig.n_out = 0): no US to give")
        return x

    def copy(self) -> "EngramExperiment":
        """A deep copy (network, memories, records) that runs through the same :attr:`runner`, so a
        copy made inside a cohort's protocol stays in the cohort's lockstep."""
        import copy

        runner, self.runner = self.runner, None
        try:
            twin = copy.deepcopy(self)
        finally:
            self.runner = runner
        twin.runner = runner
        return twin

    def unreached_cells(self, channels) -> np.ndarray:
        """E cells (bool, original numbering, living) with no synapse from any of ``channels``."""
        w_in = np.zeros((self.original_size, self.n_channels))
        w_in[self.alive] = self.spec.layers[0].weight
        return ~np.any(w_in[:, np.asarray(channels, dtype=np.int64)] != 0, axis=1) & self.alive

    def _map_cells(self, cells) -> np.ndarray:
        """Original E indices -> current indices (ablated cells dropped)."""
        cells = np.asarray(cells, dtype=np.int64).reshape(-1)
        if cells.size and (cells.min() < 0 or cells.max() >= self.original_size):
            raise ManipulationError(f"cells must be in 0..{self.original_size - 1}")
        current = np.cumsum(self.alive) - 1
        return current[cells[self.alive[cells]]]

    def _translated(self, manipulation):
        """A copy of ``manipulation`` whose E cell indices are in the current numbering."""
        changes = {}
        for f in dataclasses.fields(manipulation):
            value = getattr(manipulation, f.name)
            if f.name == "cells" or (f.name in ("post", "pre") and value is not None
                                     and self._axis_is_first_layer(manipulation, f.name)):
                changes[f.name] = tuple(int(c) for c in self._map_cells(value))
        return dataclasses.replace(manipulation, **changes) if changes else manipulation

    def _axis_is_first_layer(self, manipulation, axis: str) -> bool:
        """Whether ``axis`` ("post" / "pre") of the manipulated matrix indexes layer 0's cells."""
        from engram_nm.experiments.engram.manipulations import matrix_ends

        post, pre = matrix_ends(self.spec, manipulation.projection)
        return (post if axis == "post" else pre) == self.spec.layers[0].name

    # ------------------------------------------------------------------ the lifecycle
    def encode(self, name: str, channels=None, steps: int = 300, learn: bool = True,
               channel_hz=None, manipulations=(), us=None) -> PhaseRecord:
        """Present memory ``name`` for ``steps`` with plasticity on (``channels``: its sensory
        channels; default: the next ``per_memory`` unused channels, drawn from the seed;
        ``channel_hz``: one stimulus rate per channel for a graded stimulus, default ``stim_hz``;
        ``manipulations`` act during encoding, e.g. an excitability change that biases allocation;
        ``us = (start, stop)``: the unconditioned stimulus in that window of steps, i.e. conditioning)."""
        if channels is None:
            channels = memory_channels(len(self.memories) + 1, self.n_channels, self.per_memory,
                                       seed=self.seed)[-1]
        channels = np.asarray(channels, dtype=np.int64)
        if channels.size == 0 or channels.min() < 0 or channels.max() >= self.n_channels:
            raise InputError(f"memory {name!r}: channels must be non-empty and in 0..{self.n_channels - 1}")
        if channel_hz is not None:
            channel_hz = np.asarray(channel_hz, dtype=float)
            if channel_hz.shape != channels.shape:
                raise InputError(f"memory {name!r}: channel_hz needs one rate per channel ({channels.size})")
        memory = Memory(name, channels, channel_hz=channel_hz)
        record = self.present(channels, steps, manipulations, learn, memory.rates_of(channels, self.stim_hz),
                              "encode", name, us=us)
        memory.encoding_rates = record.rates()
        self.memories[name] = memory
        return record

    def tag(self, name: str, window=None, threshold_hz: float | None = None) -> np.ndarray:
        """Label memory ``name``'s engram: cells above ``threshold_hz`` during its encoding
        (``window`` = (start, stop) steps of the encoding phase). Returns the tagged indices."""
        memory = self._memory(name)
        record = next(r for r in reversed(self.records) if r.kind == "encode" and r.memory == name)
        rates = record.rates(window=window)
        memory.tagged = rates > (self.tag_threshold_hz if threshold_hz is None else threshold_hz)
        return memory.cells

    def consolidate(self, steps: int = 1000, background_hz: float = 10.0, learn: bool = True, replay=(),
                    replay_every: int = 200, replay_steps: int = 40, replay_fraction: float = 0.5,
                    structural=None, manipulations=()) -> PhaseRecord:
        """Offline phase: every channel at ``background_hz``, no stimulus, plasticity on.

        ``replay`` (memory names): every ``replay_every`` steps one of them (in turn) is
        reactivated for ``replay_steps`` by a random ``replay_fraction`` of its channels
        at the stimulus rate — offline reactivation as in sleep replay or targeted
        memory reactivation (a model choice: spontaneous reactivation in a network
        this small is rare). ``structural`` (a
        :class:`~engram_nm.plasticity.structural.StructuralPlasticity`) prunes and grows
        the E->E synapses during this phase only; ``manipulations`` (transient) act throughout.
        """
        x = self._stimulus(steps, [], background_hz, background_hz)
        names = list(replay)
        rng = np.random.default_rng(self.seed * 104729 + self._phase)
        for k, start in enumerate(range(replay_every // 2, steps, replay_every) if names else ()):
            memory = self._memory(names[k % len(names)])
            cue = rng.permutation(memory.channels)[: max(1, int(round(replay_fraction * memory.channels.size)))]
            stop = min(steps, start + replay_steps)
            burst = rng.random((stop - start, cue.size)) < memory.rates_of(cue, self.stim_hz) * self.spec.dt
            x[start:stop][:, cue] |= burst
        transient = [self._translated(m) for m in manipulations]
        if structural is None:
            return self._run(x, learn, transient, kind="consolidate")
        if self.synapses is not None:
            # the two-stage state would read a pruned synapse's zero as an early change of -w, and
            # the late weight would come back as that change decays: a silent regrowth
            raise InputError("structural plasticity with two-stage synapses is not modelled (a pruned "
                             "synapse would regrow as its early change decays): use single-stage synapses")
        layer = self.spec.layers[0]
        plain = layer.plasticity
        layer.plasticity = dataclasses.replace(plain, recurrent_structural=structural)
        try:
            layer.validate()
            return self._run(x, learn, transient, kind="consolidate")
        finally:
            self.spec.layers[0].plasticity = plain

    def rest(self, steps: int = 200, learn: bool = True) -> PhaseRecord:
        """Background activity only (between presentations)."""
        return self._run(self._stimulus(steps, []), learn, kind="rest")

    def present(self, channels, steps: int = 200, manipulations=(), learn: bool = False, rates_hz=None,
                kind: str = "present", memory: str | None = None, us=None) -> PhaseRecord:
        """Drive ``channels`` at ``rates_hz`` (default ``stim_hz``; one rate or one per channel)
        over the background for ``steps``, with ``manipulations`` acting (and the US in the
        ``us = (start, stop)`` window of steps); returns the record."""
        channels = np.asarray(channels, dtype=np.int64)
        if channels.size and (channels.min() < 0 or channels.max() >= self.n_channels):
            raise InputError(f"channels must be in 0..{self.n_channels - 1}")
        transient = [self._translated(m) for m in manipulations]
        return self._run(self._stimulus(steps, channels, rates_hz, us=us), learn, transient, kind=kind, memory=memory)

    def present_many(self, cues, steps: int = 200, kind: str = "present", memories=None, rates_hz=None) -> list:
        """Several presentations (plasticity off, no manipulations), each from a fresh state as
        :meth:`present` runs it, as one batch: one Lava graph for all of them (state reset between
        them) instead of one graph each. Stimuli, seeds and records equal those of calling
        :meth:`present` once per cue, in order (tests/engram/test_lifecycle.py)."""
        cues = [np.asarray(c, dtype=np.int64) for c in cues]
        memories = [None] * len(cues) if memories is None else list(memories)
        rates = [None] * len(cues) if rates_hz is None else list(rates_hz)
        if len(memories) != len(cues) or len(rates) != len(cues):
            raise InputError(f"memories and rates_hz: one per cue ({len(cues)}), got {len(memories)} and "
                             f"{len(rates)}")
        if not cues:
            return []
        for channels in cues:
            if channels.size and (channels.min() < 0 or channels.max() >= self.n_channels):
                raise InputError(f"channels must be in 0..{self.n_channels - 1}")
        stimuli = []
        for channels, rate in zip(cues, rates):  # the same stimulus (and phase count) as one present() per cue
            stimuli.append(self._stimulus(steps, channels, rate))
            self._phase += 1
        together = self._execute(self.spec, np.stack(stimuli), False, 0).spikes
        batch = [{name: a[b] for name, a in together.items()} for b in range(len(stimuli))]
        return [self._record(spikes, steps, kind, memory) for spikes, memory in zip(batch, memories)]

    def recall(self, name: str, cue_fraction: float = 1.0, steps: int = 200, manipulations=(),
               window=None, learn: bool = False, cue_seed: int = 0) -> RecallResult:
        """Cue memory ``name`` with ``cue_fraction`` of its channels (0: no cue, e.g. for optogenetic
        recall) while ``manipulations`` act; read out over ``window`` (default: the last 3/4)."""
        memory, cue = self._cue(name, cue_fraction, cue_seed)
        record = self.present(cue, steps, manipulations, learn, memory.rates_of(cue, self.stim_hz), "recall", name)
        return self._recall_result(name, cue_fraction, record, window or (steps // 4, steps))

    def recall_many(self, requests, steps: int = 200, window=None, cue_seed: int = 0) -> list:
        """:meth:`recall` for each ``(name, cue_fraction)`` of ``requests`` (plasticity off, no
        manipulations) in one batch (one Lava graph); equal to calling :meth:`recall` in order."""
        requests = [(name, float(fraction)) for name, fraction in requests]
        cued = [self._cue(name, fraction, cue_seed) for name, fraction in requests]
        records = self.present_many([cue for _, cue in cued], steps, "recall", [name for name, _ in requests],
                                    [memory.rates_of(cue, self.stim_hz) for memory, cue in cued])
        return [self._recall_result(name, fraction, record, window or (steps // 4, steps))
                for (name, fraction), record in zip(requests, records)]

    def _cue(self, name: str, cue_fraction: float, cue_seed: int):
        """``(memory, cue channels)`` of a recall of ``name`` with ``cue_fraction`` of its channels."""
        memory = self._memory(name)
        if memory.tagged is None:
            raise InputError(f"memory {name!r} is not tagged yet: call tag({name!r}) after encoding")
        return memory, cue_channels(memory.channels, cue_fraction, seed=cue_seed)

    def _recall_result(self, name: str, cue_fraction: float, record, window) -> RecallResult:
        """Overlap with the tagged engram, spurious cells and rate correlation of a recall phase."""
        memory = self._memory(name)
        rates = record.rates(window=window)
        active = rates > self.active_threshold_hz
        tagged = memory.tagged & self.alive
        overlap = float(np.sum(active & tagged) / max(1, np.sum(memory.tagged)))
        spurious = float(np.sum(active & ~tagged) / max(1, np.sum(active)))
        enc = memory.encoding_rates
        corr = float(np.corrcoef(rates, enc)[0, 1]) if np.std(rates) > 0 and np.std(enc) > 0 else 0.0
        return RecallResult(name, float(cue_fraction), overlap, spurious, corr, active, rates, record)

    def apply(self, *edits: Permanent) -> EngramSpec:
        """Lasting edits (ablation, synapse loss, scaling), cells in the original numbering."""
        for edit in edits:
            if not isinstance(edit, Permanent):
                raise ManipulationError(f"{type(edit).__name__} is not a permanent edit; pass transient "
                                        "manipulations to recall()")
            local = self._translated(edit)
            if isinstance(edit, Ablation) and (edit.layer or self.spec.layers[0].name) == self.spec.layers[0].name:
                self.spec = local.edit(self.spec)
                gone = np.asarray(edit.cells, dtype=np.int64)
                self.alive[gone] = False
            else:
                self.spec = local.edit(self.spec)
        return self.spec

    # ------------------------------------------------------------------ the record
    def _memory(self, name: str) -> Memory:
        if name not in self.memories:
            raise InputError(f"no memory {name!r}; encoded: {sorted(self.memories) or 'none'}")
        return self.memories[name]

    def internal_weights(self) -> np.ndarray:
        """The E->E weights in the original numbering (0 for ablated cells)."""
        w = np.zeros((self.original_size, self.original_size))
        rec = self.spec.layers[0].recurrent_weight
        if rec is not None:
            w[np.ix_(self.alive, self.alive)] = rec
        return w

    def snapshot(self) -> list:
        """Record every tagged engram now (appended to :attr:`history`)."""
        w = self.internal_weights()
        tagged = {n: m.tagged & self.alive for n, m in self.memories.items() if m.tagged is not None}
        out = []
        for name, cells in tagged.items():
            among = internal_synapses(w, cells)
            internal = float(among.mean()) if among.size else 0.0
            outgoing = float(w[np.ix_(~cells & self.alive, cells)].mean()) if np.any(~cells & self.alive) else 0.0
            overlaps = {other: jaccard(cells, c) for other, c in tagged.items() if other != name}
            out.append(EngramSnapshot(self.time_s, name, int(cells.sum()), internal, outgoing, overlaps))
        self.history += out
        return out

    def max_population_rate(self, kinds=None, bin_steps: int = 10) -> float:
        """Highest E population rate (Hz, in ``bin_steps`` bins) over the phases of ``kinds`` (default all)."""
        rates = [r.population_rate(EXC, bin_steps).max(initial=0.0) for r in self.records
                 if kinds is None or r.kind in kinds]
        return float(max(rates, default=0.0))
