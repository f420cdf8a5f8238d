"""The classic engram experiments as protocols with measured outcomes.

Each protocol starts from a trained :class:`EngramExperiment` (memories
encoded, tagged and consolidated: :func:`trained_experiment`), runs its
conditions, and returns a :class:`ProtocolResult` whose ``scores`` are recall
read-outs (fraction of the engram's tagged cells active, see
:meth:`EngramExperiment.recall`). The expected outcome of each is stated in its
docstring and asserted in ``tests/engram/test_protocols.py``:

* :func:`artificial_recall` — Liu et al., Nature 484:381 (2012);
* :func:`silencing` — Denny et al., Neuron 83:189 (2014) (ArchT silencing);
* :func:`silent_engram_rescue_ablation` — Ryan et al., Science 348:1007 (2015)
  (silent engrams), Roy et al., Nature 531:508 (2016) (rescue by potentiating
  engram synapses), and ablation of the rescued engram (Han et al., Science
  323:1492, 2009 ablated allocated cells);
* :func:`allocation` — chemogenetically more excitable cells are recruited into
  the engram (Yiu et al., Neuron 83:722, 2014; Zhou et al., Nat. Neurosci.
  12:1438, 2009).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.experiments.engram.lifecycle import EngramExperiment, internal_synapses
from engram_nm.experiments.engram.manipulations import (Ablation, ExcitabilityChange, OptogeneticActivation,
                                            OptogeneticSilencing, SynapseScaling)
from engram_nm.experiments.engram.network import EngramNetworkConfig
from engram_nm.spec import projection_name


@dataclass
class ProtocolResult:
    """Per condition: ``scores`` (recall of the engram, 0..1), ``spurious`` (fraction of active
    cells outside it) and ``correlation`` with the encoding pattern."""

    name: str
    memory: str
    scores: dict = field(default_factory=dict)
    spurious: dict = field(default_factory=dict)
    correlation: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)

    def add(self, condition: str, recall, score: float | None = None) -> None:
        self.scores[condition] = float(recall.overlap if score is None else score)
        self.spurious[condition] = float(recall.spurious)
        self.correlation[condition] = float(recall.correlation)

    def table(self) -> str:
        rows = [f"**{self.name}** (memory {self.memory})", "",
                "| condition | engram recall | spurious | pattern correlation |", "|---|---|---|---|"]
        rows += [f"| {c} | {self.scores[c]:.2f} | {self.spurious[c]:.2f} | {self.correlation[c]:.2f} |"
                 for c in self.scores]
        return "\n".join(rows)


def trained_experiment(config: EngramNetworkConfig | None = None, target: str = "reference", seed: int = 0,
                       memories=("A", "B", "C"), encode_steps: int = 300, rest_steps: int = 200,
                       consolidate_steps: int = 1000, replay: bool = True,
                       progress: bool = False) -> EngramExperiment:
    """Encode, tag and rest for each memory, then consolidate (replaying every memory in turn
    when ``replay``): the starting point of every protocol. Snapshots after each tag and at the end."""
    from tqdm.auto import tqdm

    ex = EngramExperiment(config=config, target=target, seed=seed)
    for name in tqdm(list(memories), desc=f"encode ({target})", disable=not progress, leave=False):
        ex.encode(name, steps=encode_steps)
        ex.tag(name)
        ex.snapshot()
        ex.rest(rest_steps)
    if consolidate_steps:
        ex.consolidate(consolidate_steps, replay=list(memories) if replay else ())
        ex.snapshot()
    return ex


def _split(cells: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(stimulated, rest): a seeded ``fraction`` of ``cells`` and the others."""
    order = np.random.default_rng(seed).permutation(cells)
    k = max(1, int(round(fraction * len(cells))))
    return np.sort(order[:k]), np.sort(order[k:])


def _outside(ex: EngramExperiment, cells: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` living cells not in ``cells`` (the control group), seeded."""
    pool = np.setdiff1d(np.flatnonzero(ex.alive), cells)
    return np.sort(np.random.default_rng(seed).choice(pool, size=min(count, pool.size), replace=False))


def artificial_recall(ex: EngramExperiment, memory: str = "A", stimulated_fraction: float = 0.5,
                      steps: int = 200, seed: int = 1) -> ProtocolResult:
    """Optogenetic activation of part of a tagged engram, without any cue (Liu et al. 2012).

    Conditions: no stimulation; 20 Hz light on ``stimulated_fraction`` of the
    engram; the same light on as many cells outside it. Score: the fraction of
    the engram's *unstimulated* cells that became active (recruited through the
    learned E->E synapses). Expected: high for the engram, ~0 for the others.
    """
    cells = ex.memories[memory].cells
    lit, rest = _split(cells, stimulated_fraction, seed)
    control = _outside(ex, cells, lit.size, seed)
    out = ProtocolResult("artificial recall", memory)
    out.notes["stimulated cells"] = int(lit.size)
    for label, target in (("no stimulation", None), ("light on engram cells", lit),
                          ("light on non-engram cells", control)):
        manip = [] if target is None else [OptogeneticActivation(cells=tuple(target))]
        r = ex.recall(memory, cue_fraction=0.0, steps=steps, manipulations=manip)
        out.add(label, r, float(r.active[rest].mean()) if rest.size else 0.0)
    return out


def silencing(ex: EngramExperiment, memory: str = "A", steps: int = 200, seed: int = 2) -> ProtocolResult:
    """Optogenetic silencing during the full cue (Denny et al. 2014).

    Conditions: cue alone; cue + the tagged cells silenced; cue + as many
    non-engram cells silenced. Expected: recall high, ~0, still high.
    """
    cells = ex.memories[memory].cells
    control = _outside(ex, cells, cells.size, seed)
    out = ProtocolResult("silencing", memory)
    for label, target in (("cue", None), ("cue + engram silenced", cells),
                          ("cue + as many other cells silenced", control)):
        manip = [] if target is None else [OptogeneticSilencing(cells=tuple(target))]
        out.add(label, ex.recall(memory, 1.0, steps=steps, manipulations=manip))
    return out


def silent_engram_rescue_ablation(ex: EngramExperiment, memory: str = "A", weakening: float = 0.2,
                                  stimulated_fraction: float = 0.5, steps: int = 200,
                                  seed: int = 3) -> ProtocolResult:
    """Silent engram, its rescue, and ablation of the rescued engram (Ryan 2015; Roy 2016).

    1. Amnesia: the cue->engram synapses (memory channels onto tagged cells)
       are scaled by ``weakening`` (loss of engram-specific spine density).
       Expected: natural recall (full cue) fails, while light on part of the
       engram still recruits the rest (the engram's own connectivity survives).
    2. Non-specific potentiation: the input synapses of as many cells *outside*
       the engram are potentiated by ``1 / weakening``. Expected: no rescue.
    3. Specific rescue: the cue->engram synapses are potentiated back by
       ``1 / weakening``. Expected: natural recall returns.
    4. Ablation of the rescued engram (its tagged cells removed). Expected:
       recall is gone, while ablating as many other cells (a control run on a
       copy) leaves it intact.

    Runs on a copy of ``ex`` (the edits are lasting); ``ex`` is unchanged.

    ``scores``: engram recall for the cue conditions; for "light on part of
    the engram" the recruited fraction of the unlit engram cells.
    """
    ex = ex.copy()  # the edits below are lasting: keep the caller's network intact
    mem = ex.memories[memory]
    cells, channels = mem.cells, mem.channels
    sensory = projection_name(ex.spec.layers[0].name, "feedforward")  # input -> engram cells
    out = ProtocolResult("silent engram, rescue, ablation", memory)
    out.add("cue, healthy", ex.recall(memory, 1.0, steps=steps))
    ex.apply(SynapseScaling(projection=sensory, factor=weakening, post=tuple(cells), pre=tuple(channels)))
    out.add("cue, amnesia (silent engram)", ex.recall(memory, 1.0, steps=steps))
    lit, rest = _split(cells, stimulated_fraction, seed)
    r = ex.recall(memory, 0.0, steps=steps, manipulations=[OptogeneticActivation(cells=tuple(lit))])
    out.add("light on part of the engram, amnesia", r, float(r.active[rest].mean()) if rest.size else 0.0)
    others = _outside(ex, cells, cells.size, seed)
    ex.apply(SynapseScaling(projection=sensory, factor=1.0 / weakening, post=tuple(others)))
    out.add("cue, after non-specific potentiation", ex.recall(memory, 1.0, steps=steps))
    ex.apply(SynapseScaling(projection=sensory, factor=1.0 / weakening, post=tuple(cells), pre=tuple(channels)))
    out.add("cue, after rescue", ex.recall(memory, 1.0, steps=steps))
    control = ex.copy()
    control.apply(Ablation(cells=tuple(_outside(control, cells, cells.size, seed + 1))))
    out.add("cue, as many other cells ablated", control.recall(memory, 1.0, steps=steps))
    ex.apply(Ablation(cells=tuple(cells)))
    r = ex.recall(memory, 1.0, steps=steps)
    out.add("cue, rescued engram ablated", r)
    out.notes["active cells after ablation"] = int(r.active.sum())
    return out


def allocation(config: EngramNetworkConfig | None = None, target: str = "reference", seed: int = 0,
               cells: int = 20, current: float = 0.045, encode_steps: int = 300, steps: int = 200) -> ProtocolResult:
    """Excitability decides allocation (Yiu 2014): raise the excitability of ``cells`` cells the
    stimulus does not reach (a constant current ``current`` during encoding: DREADD hM3Dq; 0.045
    brings them to 90 % of threshold at rest), encode a memory, and cue it later.

    Scores: the fraction of the boosted cells, and of as many control cells, that the cue
    reactivates (they get no input from the cue: only the engram's learned synapses can
    recruit them). Expected: boosted cells recruited, control cells not.
    """
    from engram_nm.experiments.engram.stimulus import memory_channels

    ex = EngramExperiment(config=config or EngramNetworkConfig(seed=seed), target=target, seed=seed)
    channels = memory_channels(1, ex.n_channels, ex.per_memory, seed=seed)[0]
    rng = np.random.default_rng(seed + 10)
    outside = np.setdiff1d(np.arange(ex.original_size), channels)
    boosted = np.sort(rng.choice(outside, cells, replace=False))
    control = np.sort(rng.choice(np.setdiff1d(outside, boosted), cells, replace=False))
    ex.encode("A", channels=channels, steps=encode_steps,
              manipulations=[ExcitabilityChange(cells=tuple(boosted), current=current)])
    ex.tag("A")
    ex.rest(100)
    r = ex.recall("A", 1.0, steps=steps)
    out = ProtocolResult("allocation by excitability", "A")
    out.add("boosted cells reactivated by the cue", r, float(r.active[boosted].mean()))
    out.add("control cells reactivated by the cue", r, float(r.active[control].mean()))
    w = ex.internal_weights()
    out.notes["mean weight engram -> boosted"] = float(w[np.ix_(boosted, channels)].mean())
    out.notes["mean weight engram -> control"] = float(w[np.ix_(control, channels)].mean())
    out.notes["boosted cells tagged"] = int(ex.memories["A"].tagged[boosted].sum())
    return out


def completion_curve(ex: EngramExperiment, fractions=(0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0), memories=None,
                     steps: int = 200) -> dict:
    """``{fraction: (mean recall, mean spurious)}`` over ``memories`` (default all tagged)."""
    names = list(memories or [n for n, m in ex.memories.items() if m.tagged is not None])
    out = {}
    done = iter(ex.recall_many([(n, f) for f in fractions for n in names], steps=steps))  # one Lava graph
    for f in fractions:
        rs = [next(done) for _ in names]
        out[float(f)] = (float(np.mean([r.overlap for r in rs])), float(np.mean([r.spurious for r in rs])))
    return out


def interference_curve(counts=(1, 3, 6, 10, 14), config: EngramNetworkConfig | None = None,
                       target: str = "reference", seed: int = 0, cue_fraction: float = 0.5,
                       consolidate_steps: int = 2000, progress: bool = False) -> list:
    """Recall vs number of stored memories: per count, a fresh network stores that many memories
    (channels disjoint while they last, then reused), consolidates, and recalls each from
    ``cue_fraction`` cues. Rows: ``dict(count, recall, spurious, max_rate_hz, mean_offline_rate_hz,
    final_offline_rate_hz)`` (E population rates; "final": the last quarter of the offline phase)."""
    from tqdm.auto import tqdm

    rows = []
    for n in tqdm(list(counts), desc="memories stored", disable=not progress, leave=False):
        names = [f"M{i}" for i in range(n)]
        ex = trained_experiment(config, target, seed, names, consolidate_steps=consolidate_steps)
        rs = ex.recall_many([(m, cue_fraction) for m in names])
        offline = [r for r in ex.records if r.kind == "consolidate"]
        rows.append(dict(count=n, recall=float(np.mean([r.overlap for r in rs])),
                         spurious=float(np.mean([r.spurious for r in rs])),
                         max_rate_hz=ex.max_population_rate(),
                         mean_offline_rate_hz=float(np.mean([r.population_rate().mean() for r in offline]))
                         if offline else 0.0,
                         final_offline_rate_hz=float(offline[-1].population_rate()[-len(
                             offline[-1].population_rate()) // 4:].mean()) if offline else 0.0))
    return rows


@dataclass
class RefinementResult:
    """The engram over consolidation: per time point (s) its size (cells), the mean E->E weight
    among them, the fraction of existing synapses among them, and how many belong to the core
    (the channels driven at the full stimulus rate)."""

    times_s: list
    sizes: list
    mean_weights: list
    connected: list
    core_members: list
    core_size: int

    def table(self) -> str:
        rows = ["| time (s) | engram cells | of them core | mean E->E weight | connected pairs |",
                "|---|---|---|---|---|"]
        rows += [f"| {t:.1f} | {n} | {c} | {w:.3f} | {f:.2f} |" for t, n, c, w, f in
                 zip(self.times_s, self.sizes, self.core_members, self.mean_weights, self.connected)]
        return "\n".join(rows)


def refinement_config(**overrides) -> EngramNetworkConfig:
    """The network of :func:`refinement`: fixed, stronger feedback inhibition instead of iSTDP.

    Why: Vogels' iSTDP is a per-cell homeostat; it lowers inhibition onto weakly
    active cells, which protects the periphery of an engram, and in our runs the
    engram then did not shrink. Global (non-plastic) E->I->E inhibition makes
    the cells compete: as the core's synapses strengthen, its extra drive raises
    the inhibition every cell receives and the periphery drops out.
    """
    values = dict(inhibitory_plasticity=False, w_ei=0.2, w_ie_init=0.3)
    values.update(overrides)
    return EngramNetworkConfig(**values)


def refinement(config: EngramNetworkConfig | None = None, target: str = "reference", seed: int = 0,
               core: int = 20, periphery: int = 40, periphery_hz: float = 50.0, blocks: int = 6,
               block_steps: int = 1000, structural=None, probe_steps: int = 200,
               progress: bool = False) -> RefinementResult:
    """Lifecycle refinement with structural plasticity during consolidation.

    A graded stimulus drives ``core`` channels at the full rate and ``periphery``
    more at ``periphery_hz``: at encoding many cells are active and weakly
    connected. Consolidation (``blocks`` x ``block_steps``, replaying the memory,
    E->E pruning by ``structural``; default: prune below 0.03 every 100 steps,
    no growth) strengthens the core's synapses and removes weak ones; after each
    block a probe (the full stimulus, plasticity off) reads out which cells
    still respond. Expected: fewer cells, more strongly connected, mostly core.
    """
    from tqdm.auto import tqdm

    from engram_nm.plasticity.structural import StructuralPlasticity

    structural = structural or StructuralPlasticity(prune_below=0.03, grow_probability=0.0, w_init=0.0,
                                                    interval=100, seed=seed)
    ex = EngramExperiment(config=config or refinement_config(seed=seed), target=target, seed=seed,
                          tag_threshold_hz=10.0, active_threshold_hz=10.0)
    order = np.random.default_rng(seed).permutation(ex.n_channels)
    channels = order[: core + periphery]
    rates = np.where(np.arange(channels.size) < core, ex.stim_hz, periphery_hz)
    core_cells = np.sort(channels[:core])
    ex.encode("A", channels=channels, channel_hz=rates)
    ex.tag("A")
    out = RefinementResult([], [], [], [], [], core)

    def record(cells: np.ndarray) -> None:
        among = internal_synapses(ex.internal_weights(), cells)
        out.times_s.append(ex.time_s)
        out.sizes.append(int(cells.sum()))
        out.core_members.append(int(np.isin(np.flatnonzero(cells), core_cells).sum()))
        out.mean_weights.append(float(among.mean()) if among.size else 0.0)
        out.connected.append(float((among > 0).mean()) if among.size else 0.0)

    record(ex.recall("A", 1.0, steps=probe_steps).active)  # the same read-out at every time point
    for _ in tqdm(range(blocks), desc="consolidation", disable=not progress, leave=False):
        ex.consolidate(block_steps, background_hz=2.0, replay=["A"], replay_every=100, replay_fraction=1.0,
                       structural=structural)
        record(ex.recall("A", 1.0, steps=probe_steps).active)
    return out
