"""Contextual fear conditioning on the engram network: a behavioural read-out and the engram
manipulations as the labs did them, every outcome produced by the network.

The network (:func:`conditioning_config`) is the shared-input E/I network of
:mod:`engram_nm.experiments.engram.completion` plus a behavioural read-out: an output population
``O`` (amygdala-like) that hears every E cell through plastic synapses and an unconditioned
stimulus (US, a foot shock) through channels no E cell receives. Its rate is the fear response.

The day (:func:`condition`):

1. **conditioning**: context A (a set of sensory channels) for ``encode_steps`` with plasticity on;
   the US arrives in the last ``us_steps``. Which E cells become A's engram is decided by
   competition (shared inhibition); STDP potentiates the engram's internal synapses and, while
   the US drives ``O``, the engram's synapses onto ``O``;
2. **tag** (c-fos/Arc: E cells above 20 Hz during conditioning);
3. **consolidation**: ``consolidation_hours`` (24 h) offline (:func:`offline`): background input
   only, plasticity on, at a stated time compression (1 h = 0.1 s of network time,
   :mod:`~engram_nm.experiments.engram.timescale`). Nothing drives A: any reactivation of its engram
   arises in the network. The plastic synapses are two-stage (:mod:`engram_nm.plasticity.consolidation`,
   tag and capture after Clopath et al. 2008): every learned change is early and fades in hours
   unless its synapse is tagged and its neuron synthesises proteins, which captures it into the
   stable late weight. ``consolidation="blocked"`` is a protein-synthesis inhibitor (anisomycin
   right after training, Ryan et al. 2015): plasticity stays on, capture is blocked.
   ``replay=False`` silences the engram through the window (no reactivation); ``synapses=None``
   makes every learned change permanent (single-stage synapses, the control without consolidation
   dynamics).

A test trial (:func:`trial`) presents a cue with plasticity off and reads: ``freezing`` (fraction of
``bin_steps`` bins whose ``O`` population rate exceeds ``freeze_hz``; the behavioural score) and
``out_rate_hz`` (the continuous measure), ``recruited`` (fraction of the scored engram cells that
are active: by default the engram cells with no input from the cue's channels, which only E->E
synapses can recruit) against ``chance`` (the same for non-engram cells of the same kind), and the
mean E rate (runaway flag). Lesioned or lit cells are never scored.

The protocols (each a function of one experiment, so a cohort of seeds runs it as one batch,
:func:`~engram_nm.experiments.engram.cohort.run_cohort`) return ``{condition: TestScore}``:
:func:`fear_memory` (conditioned vs neutral context, cue-fraction curve), :func:`artificial_recall`
(Liu et al., Nature 484:381, 2012), :func:`silencing` (Denny et al., Neuron 83:189, 2014),
:func:`silent_engram` (Ryan et al., Science 348:1007, 2015), :func:`rescue` (Roy et al., Nature
531:508, 2016, optogenetic LTP), :func:`ablation` (Han et al., Science 316:457, 2007; Science
323:1492, 2009) and :func:`allocation` (Yiu et al., Neuron 83:722, 2014).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engram_nm.analysis.statistics import FRACTION
from engram_nm.errors import InputError
from engram_nm.experiments.engram.completion import overlapping_contexts, shared_input_config
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.experiments.engram.manipulations import (ExcitabilityChange, Lesion, OptogeneticActivation,
                                                        OptogeneticSilencing)
from engram_nm.experiments.engram.network import EXC, EXC_TO_OUT, OUT, EngramNetworkConfig
from engram_nm.experiments.engram.stimulus import cue_channels
from engram_nm.experiments.engram.timescale import OFFLINE_HOUR_S
from engram_nm.plasticity.consolidation import TwoStageSynapses
from engram_nm.spec import projection_name

CONSOLIDATION = ("normal", "blocked", "none")

DAY_SYNAPSES = TwoStageSynapses()
"""The day's synapse model: two-stage synapses with tag and capture
(:mod:`engram_nm.plasticity.consolidation`) on every plastic projection (:data:`PLASTIC`)."""

PLASTIC = (projection_name(EXC, "recurrent"), EXC_TO_OUT)
"""The plastic projections of the conditioning network: E->E and E->O (both pair STDP)."""


def scaled_synapses(scale: int = 1) -> TwoStageSynapses:
    """:data:`DAY_SYNAPSES` for a network ``scale`` times larger (:func:`conditioning_config`): its
    learned bounds are divided by ``scale``, so each learned change is too; the tag and trigger
    thresholds (weight units) are divided alike, and a synapse or a neuron is tagged or triggered
    by the same share of its bound as at scale 1."""
    if int(scale) < 1:
        raise InputError(f"scale must be an integer >= 1, got {scale}")
    k = int(scale)
    return replace(DAY_SYNAPSES, tag_threshold=DAY_SYNAPSES.tag_threshold / k,
                   trigger_threshold=DAY_SYNAPSES.trigger_threshold / k)


def conditioning_config(seed: int = 0, scale: int = 1, **overrides) -> EngramNetworkConfig:
    """:func:`~engram_nm.experiments.engram.completion.shared_input_config` (E->E bound 0.15) with a
    20-cell read-out (``n_out``) whose synapses from E are bounded at ``w_eo_max = 0.04``. Chosen on
    ten seeds (docs/engram_protocols.md): at 0.1 the read-out saturates and a half cue of a
    never-consolidated engram drives it as hard as a consolidated one; at 0.03 few seeds freeze at
    all; at 0.04 freezing follows how many engram cells fire.

    ``scale``: ``scale`` times the E, I and sensory-channel counts (400 E + 100 I + 200 channels at
    1) with every connection probability divided by ``scale``, so each cell keeps its in-degrees
    (and the day's contexts must be ``scale`` times larger: :func:`condition`'s ``per_context``).
    The learned bounds ``w_ee_max`` and ``w_eo_max`` are divided by ``scale`` too: soft-bounded STDP
    grows absent (zero) synapses between co-active cells as well, so among an engram ``scale`` times
    larger the learned connectivity is dense and only smaller bounds keep each cell's learned drive
    (measured at scale 5 with the bounds unscaled: the engram ignited without a cue, mean E rate 31 Hz).
    The shock comes through ``scale`` times more US channels, each ``scale`` times weaker (the same
    drive): in fixed point every matrix into a layer shares one weight scale, set by its largest
    weight, and with the US synapses at 0.6 the E->O bound of 0.008 was ~3 integer steps, too few
    for the learning engine (its E->O weights decayed to 0 while float learned them)."""
    if int(scale) < 1:
        raise InputError(f"scale must be an integer >= 1, got {scale}")
    k = int(scale)
    base = dict(n_out=20, w_eo_max=0.04)
    if k > 1:
        plain = shared_input_config(seed)
        base.update(n_exc=plain.n_exc * k, n_inh=plain.n_inh * k, n_channels=plain.n_channels * k,
                    p_in=plain.p_in / k, p_ee=plain.p_ee / k, p_ei=plain.p_ei / k, p_ie=plain.p_ie / k,
                    p_eo=plain.p_eo / k, w_ee_max=plain.w_ee_max / k, w_eo_max=0.04 / k,
                    w_eo_init=plain.w_eo_init / k, n_us=plain.n_us * k, w_us=plain.w_us / k)
    base.update(overrides)
    return replace(shared_input_config(seed), **base)


@dataclass(frozen=True)
class Fear:
    """The day's contexts: ``conditioned`` (A, paired with the US) and ``neutral`` (B, never
    paired; shares ``overlap`` of A's channels)."""

    conditioned: np.ndarray
    neutral: np.ndarray


def offline(ex: EngramExperiment, hours: float, replay: bool = True, chunk_hours: float = 1.0,
            learn: bool = True) -> None:
    """``hours`` of the animal's time offline (home cage, sleep): background input only, plasticity
    on, in phases of ``chunk_hours`` (each ``chunk_hours * OFFLINE_HOUR_S`` network seconds, so the
    two-stage synapses' tags and triggers are re-evaluated every ``chunk_hours``). Any reactivation
    of an engram arises in the network, from the background and the learned weights.
    ``replay=False``: every tagged cell is silenced throughout (as ripple disruption or
    optogenetic silencing during sleep does; an ArchT-like current of 1 threshold unit per step),
    so no engram reactivates. ``learn=False``: plasticity off (the no-learning control)."""
    if hours < 0 or chunk_hours <= 0:
        raise InputError(f"offline needs hours >= 0 and chunk_hours > 0, got {hours}, {chunk_hours}")
    silenced = [OptogeneticSilencing(cells=tuple(int(c) for name in ex.memories for c in ex.memories[name].cells))]
    done = 0.0
    while hours - done > 1e-9:
        step_hours = min(chunk_hours, hours - done)
        steps = int(round(step_hours * OFFLINE_HOUR_S / ex.spec.dt))
        if steps == 0:
            break
        ex.consolidate(steps, background_hz=ex.background_hz, learn=learn,
                       manipulations=() if replay else silenced)
        done += step_hours


def condition(ex: EngramExperiment, consolidation: str = "normal", encode_steps: int = 500, us_steps: int = 150,
              consolidation_hours: float = 24.0, per_context: int = 40, overlap: float = 0.1,
              learn: bool = True, us: bool = True, manipulations=(), replay: bool = True,
              synapses: TwoStageSynapses | None = DAY_SYNAPSES) -> Fear:
    """Conditioning, tag and ``consolidation_hours`` offline (module docstring; :func:`offline`).

    ``consolidation``: ``"normal"``; ``"blocked"``: a protein-synthesis inhibitor from the end of
    conditioning through the window (anisomycin right after training, Ryan et al. 2015): plasticity
    still on, no capture, so the early changes fade; ``"none"``: no offline window (tests right
    after conditioning). ``replay=False``: the engram silenced through the window (no
    reactivation). ``synapses``: the two-stage synapse model of :data:`PLASTIC` (``None``:
    single-stage synapses, every learned change permanent: the control without consolidation
    dynamics). ``learn=False``: plasticity off while conditioning (the no-learning control);
    ``us=False``: context A without the shock (unpaired control); ``manipulations`` act during
    conditioning (e.g. :func:`allocation`'s excitability)."""
    if consolidation not in CONSOLIDATION:
        raise InputError(f"consolidation must be one of {CONSOLIDATION}, got {consolidation!r}")
    if not 0 <= us_steps <= encode_steps:
        raise InputError(f"us_steps must be in 0..encode_steps={encode_steps}, got {us_steps}")
    if synapses is not None and ex.synapses is None:
        ex.use_two_stage_synapses(synapses, PLASTIC)
    a, b = overlapping_contexts(2, ex.n_sensory, per_context, overlap, seed=ex.seed * 31)
    ex.encode("A", channels=a, steps=encode_steps, learn=learn, manipulations=manipulations,
              us=(encode_steps - us_steps, encode_steps) if us else None)
    ex.tag("A")
    if consolidation != "none":
        ex.protein_synthesis = consolidation == "normal"
        offline(ex, consolidation_hours, replay=replay, learn=learn)
        ex.protein_synthesis = True
    return Fear(a, b)


@dataclass(frozen=True)
class TestScore:
    """One test trial (module docstring): behaviour, engram recruitment against chance, runaway flag."""

    freezing: float = field(metadata=FRACTION)
    out_rate_hz: float
    recruited: float = field(metadata=FRACTION)
    chance: float = field(metadata=FRACTION)
    recruited_rate_hz: float
    chance_rate_hz: float
    scored_engram_cells: int
    e_rate_hz: float


def trial(ex: EngramExperiment, cue, manipulations=(), exclude=(), steps: int = 500, window=(100, 500),
         bin_steps: int = 50, freeze_hz: float = 10.0, scored=None, memory: str = "A") -> TestScore:
    """Present ``cue`` (channels; may be empty) with ``manipulations`` acting, plasticity off, and
    score it (module docstring). ``scored``: the E cells (bool) whose recruitment is read
    (default: those without input from the cue); ``exclude``: cells never scored (lit, lesioned)."""
    cue = np.asarray(cue, dtype=np.int64)
    record = ex.present(cue, steps, manipulations, kind="test", memory=memory)
    e_rates = record.rates(window=window)
    active = e_rates > ex.active_threshold_hz
    candidates = (ex.unreached_cells(cue) if scored is None else np.asarray(scored, dtype=bool)).copy()
    candidates[np.asarray(exclude, dtype=np.int64)] = False
    engram = ex.memories[memory].tagged
    mine, others = candidates & engram, candidates & ~engram
    a, b = window
    out = record.spikes[OUT][a:b]
    bins = out[: (b - a) // bin_steps * bin_steps].reshape(-1, bin_steps, out.shape[1]).mean(axis=(1, 2)) / ex.spec.dt
    nan = float("nan")
    return TestScore(float(np.mean(bins > freeze_hz)), float(out.mean() / ex.spec.dt),
                     float(active[mine].mean()) if mine.any() else nan, float(active[others].mean()) if others.any() else nan,
                     float(e_rates[mine].mean()) if mine.any() else nan, float(e_rates[others].mean()) if others.any() else nan,
                     int(mine.sum()), float(e_rates.mean()))


def _sample(pool: np.ndarray, count: int, seed: int) -> np.ndarray:
    pool = np.asarray(pool, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(pool, size=min(count, pool.size), replace=False))


def _expressing(cells: np.ndarray, probability: float, seed: int) -> np.ndarray:
    """The cells that express the opsin: each with ``probability`` (seeded), at least one."""
    rng = np.random.default_rng(seed)
    chosen = cells[rng.random(cells.size) < probability]
    return chosen if chosen.size else cells[:1]


def fear_memory(ex: EngramExperiment, cue_fractions=(0.25, 0.5, 0.75, 1.0), consolidation: str = "normal",
                learn: bool = True, us: bool = True, **day) -> dict:
    """Freezing and engram recruitment in the conditioned context A and the neutral context B (each
    from ``cue_fraction`` of its channels) and with no cue; the engram cells scored are those the
    cue does not reach. Conditions ``"A x"`` / ``"B x"`` for each fraction ``x``, and ``"no cue"``."""
    fear = condition(ex, consolidation, learn=learn, us=us, **day)
    out = {}
    for fraction in cue_fractions:
        for label, context in (("A", fear.conditioned), ("B", fear.neutral)):
            out[f"{label} {fraction:g}"] = trial(ex, cue_channels(context, fraction, seed=ex.seed))
    out["no cue"] = trial(ex, [])
    return out


def artificial_recall(ex: EngramExperiment, expression=(0.1, 0.25, 0.5, 1.0), pulse_hz: float = 20.0,
                      us: bool = True, **day) -> dict:
    """Light on the opsin-expressing engram cells (each tagged cell expresses with probability
    ``expression``), no cue (Liu et al. 2012: ChR2 in dentate-gyrus engram cells, 20 Hz light);
    control: the same number of non-engram cells lit. Scored: freezing, and the recruitment of
    the unlit engram cells against the unlit non-engram cells (chance)."""
    condition(ex, us=us, **day)
    engram = ex.memories["A"].cells
    outsiders = np.flatnonzero(~ex.memories["A"].tagged & ex.alive)
    everyone = np.ones(ex.original_size, dtype=bool)
    out = {"no light": trial(ex, [], scored=everyone)}
    for k, p in enumerate(expression):
        lit = _expressing(engram, p, seed=ex.seed * 101 + k)
        control = _sample(outsiders, lit.size, seed=ex.seed * 103 + k)
        for label, cells in (("engram", lit), ("non-engram", control)):
            light = OptogeneticActivation(cells=tuple(int(c) for c in cells), pulse_hz=pulse_hz)
            out[f"light {label} {p:g}"] = trial(ex, [], [light], exclude=cells, scored=everyone)
    return out


def silencing(ex: EngramExperiment, strengths=(0.02, 0.05, 0.1, 0.2, 0.5), cue_fraction: float = 0.5,
              **day) -> dict:
    """A hyperpolarising current (ArchT under continuous light; ``strength`` in threshold units per
    step) on the engram cells, or on as many non-engram cells, while the conditioned context is
    presented (Denny et al. 2014); ``"cue alone"`` without light. Scored on behaviour (freezing)
    and on the cells not silenced."""
    fear = condition(ex, **day)
    engram = ex.memories["A"].cells
    control = _sample(np.flatnonzero(~ex.memories["A"].tagged & ex.alive), engram.size, seed=ex.seed * 107)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    out = {"cue alone": trial(ex, cue)}
    for strength in strengths:
        for label, cells in (("engram", engram), ("non-engram", control)):
            dark = OptogeneticSilencing(cells=tuple(int(c) for c in cells), strength=strength)
            out[f"silence {label} {strength:g}"] = trial(ex, cue, [dark], exclude=cells)
    return out


def silent_engram(ex: EngramExperiment, consolidation: str = "blocked", cue_fraction: float = 0.5,
                  expression: float = 1.0, **day) -> dict:
    """Ryan et al. 2015: after ``consolidation`` (``"blocked"``: a protein-synthesis inhibitor,
    no capture; ``"normal"``: the saline control), the natural cue as Ryan et al. tested it (the
    full context A), a partial cue (``cue_fraction`` of A) and light on the engram (``expression``
    of its cells lit, no cue; the unlit engram cells scored). A silent engram is: the full context
    fails, light recalls."""
    fear = condition(ex, consolidation, **day)
    engram = ex.memories["A"].cells
    lit = _expressing(engram, expression, seed=ex.seed * 109)
    everyone = np.ones(ex.original_size, dtype=bool)
    return {"full context": trial(ex, fear.conditioned),
            "natural cue": trial(ex, cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)),
            "light on engram": trial(ex, [], [OptogeneticActivation(cells=tuple(int(c) for c in lit))],
                                    exclude=lit, scored=everyone)}


def rescue(ex: EngramExperiment, cue_fraction: float = 0.5, oltp_steps: int = 500, pulse_hz: float = 100.0,
           cells: str = "engram", paired_with_cue: bool = False, **day) -> dict:
    """Roy et al. 2016: a silent engram (consolidation blocked), then **optogenetic LTP**: trains of
    ``pulse_hz`` light on the engram cells (``cells="engram"``) or on as many non-engram cells
    (``"non-engram"``, the control) for ``oltp_steps`` with plasticity on (optionally while the cue
    is presented); then the natural cue. Whether cue-driven recall returns is up to STDP."""
    if cells not in ("engram", "non-engram"):
        raise InputError(f"rescue cells must be 'engram' or 'non-engram', got {cells!r}")
    fear = condition(ex, "blocked", **day)
    engram = ex.memories["A"].cells
    lit = engram if cells == "engram" else _sample(np.flatnonzero(~ex.memories["A"].tagged & ex.alive),
                                                   engram.size, seed=ex.seed * 113)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    before = trial(ex, cue)
    light = OptogeneticActivation(cells=tuple(int(c) for c in lit), pulse_hz=pulse_hz)
    ex.present(cue if paired_with_cue else [], oltp_steps, [light], learn=True, kind="oLTP")
    return {"natural cue before oLTP": before, "natural cue after oLTP": trial(ex, cue)}


@dataclass(frozen=True)
class Discrimination:
    """Recall of the conditioned context A against the neutral context B, as Tomé et al. (Nat.
    Neurosci. 2024) score it per cue: ``tpr`` = freezing to A (true positives), ``fpr`` = freezing to
    B (false positives), ``index = (tpr - fpr) / (tpr + fpr)`` (``nan`` when neither freezes)."""

    tpr: float = field(metadata=FRACTION)
    fpr: float = field(metadata=FRACTION)
    index: float = field(metadata={"bounds": (-1.0, 1.0)})


def discrimination(a: TestScore, b: TestScore) -> Discrimination:
    """:class:`Discrimination` of the tests of the full contexts A (conditioned) and B (neutral)."""
    total = a.freezing + b.freezing
    return Discrimination(a.freezing, b.freezing, (a.freezing - b.freezing) / total if total else float("nan"))


COURSE_HOURS = (0, 1, 2, 5, 8, 12, 24)
"""Checkpoints (hours after conditioning) of :func:`consolidation_course`."""

MICE_DISCRIMINATION = {1: 0.05, 5: 0.12, 12: 0.54, 24: 0.70}
"""Mice's behavioural discrimination after contextual fear conditioning against hours since
conditioning (11 mice per point; Tomé et al., Nat. Neurosci. 2024, ``experimental-data.csv`` of
their public code), the curve :func:`consolidation_course` is reported beside."""


def consolidation_course(ex: EngramExperiment, hours=COURSE_HOURS, cue_fraction: float = 0.5,
                         consolidation: str = "normal", replay: bool = True, synapses=DAY_SYNAPSES, **day) -> dict:
    """Recall against time since conditioning: after conditioning, the offline window runs on
    (:func:`offline`: background input, spontaneous activity, plasticity on; ``replay=False``: the
    engram silenced; ``consolidation="blocked"``: no protein synthesis; ``synapses=None``:
    single-stage synapses) and at each of ``hours`` the full contexts A and B and ``cue_fraction``
    of A are tested (tests do not advance the clock). Conditions ``"<h> h: A"``, ``"<h> h: half of
    A"``, ``"<h> h: B"``, ``"<h> h: discrimination"`` (:class:`Discrimination`) and, at the end,
    ``"<h> h: light on engram"``."""
    if consolidation not in ("normal", "blocked"):
        raise InputError(f"consolidation_course consolidation must be 'normal' or 'blocked', got {consolidation!r}")
    hours = sorted(float(h) for h in hours)
    if not hours or hours[0] < 0:
        raise InputError(f"hours must be non-empty and >= 0, got {hours}")
    fear = condition(ex, "none", synapses=synapses, **day)
    half = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    out = {}
    done = 0.0
    ex.protein_synthesis = consolidation == "normal"
    try:
        for h in hours:
            offline(ex, h - done, replay=replay)
            done = h
            a, b = trial(ex, fear.conditioned), trial(ex, fear.neutral)
            out[f"{h:g} h: A"], out[f"{h:g} h: B"] = a, b
            out[f"{h:g} h: half of A"] = trial(ex, half)
            out[f"{h:g} h: discrimination"] = discrimination(a, b)
    finally:
        ex.protein_synthesis = True
    lit = tuple(int(c) for c in ex.memories["A"].cells)
    out[f"{hours[-1]:g} h: light on engram"] = trial(ex, [], [OptogeneticActivation(cells=lit)], exclude=lit,
                                                   scored=np.ones(ex.original_size, dtype=bool))
    return out


def ablation(ex: EngramExperiment, fractions=(0.25, 0.5, 1.0), cue_fraction: float = 0.5, **day) -> dict:
    """Han et al. 2007/2009: a fraction of the engram's cells killed (:class:`Lesion`, after
    consolidation), or as many non-engram cells; then the natural cue. Scored on freezing and on
    the **surviving** engram cells the cue does not reach (killed cells are never scored). Each
    condition on its own copy of the trained network."""
    fear = condition(ex, **day)
    engram = ex.memories["A"].cells
    outsiders = np.flatnonzero(~ex.memories["A"].tagged & ex.alive)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    out = {"intact": trial(ex, cue)}
    for k, f in enumerate(fractions):
        killed = _sample(engram, max(1, int(round(f * engram.size))), seed=ex.seed * 127 + k)
        control = _sample(outsiders, killed.size, seed=ex.seed * 131 + k)
        for label, cells in (("engram", killed), ("non-engram", control)):
            lesioned = ex.copy()
            lesioned.apply(Lesion(cells=tuple(int(c) for c in cells)))
            out[f"lesion {label} {f:g}"] = trial(lesioned, cue, exclude=cells)
    return out


def allocation(ex: EngramExperiment, fraction: float = 0.1, current: float = 0.08, cue_fraction: float = 0.5,
               **day) -> dict:
    """Yiu et al. 2014 / Han et al. 2007: a random ``fraction`` of the E cells made more excitable
    (``current`` threshold units per step, a DREADD/CREB analogue) during conditioning. Returns the
    tests after conditioning with those cells lesioned or as many other cells lesioned, and, in
    ``"allocation"``, a :class:`TestScore` whose ``recruited`` is P(tagged | excitable) and
    ``chance`` P(tagged | other) (read from the tag, no extra run)."""
    rng = np.random.default_rng(ex.seed * 137)
    excitable = np.sort(rng.choice(ex.original_size, size=max(1, int(round(fraction * ex.original_size))),
                                   replace=False))
    fear = condition(ex, manipulations=[ExcitabilityChange(cells=tuple(int(c) for c in excitable),
                                                           current=current)], **day)
    tagged = ex.memories["A"].tagged
    mask = np.zeros(ex.original_size, dtype=bool)
    mask[excitable] = True
    nan = float("nan")
    allocated = TestScore(nan, nan, float(tagged[mask].mean()), float(tagged[~mask].mean()), nan, nan,
                          int(mask.sum()), nan)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    control = _sample(np.flatnonzero(~mask & ex.alive), excitable.size, seed=ex.seed * 139)
    out = {"allocation": allocated, "intact": trial(ex, cue)}
    for label, cells in (("excitable", excitable), ("other", control)):
        lesioned = ex.copy()
        lesioned.apply(Lesion(cells=tuple(int(c) for c in cells)))
        out[f"lesion {label} cells"] = trial(lesioned, cue, exclude=cells)
    return out


def summarise(results: list) -> dict:
    """Per condition of one protocol's results over seeds (a list of ``{condition: score}``, each
    score a dataclass of numbers such as :class:`TestScore`): per field, ``{"mean", "ci95", "n_seeds"}``
    over the seeds where it is defined (a seed with no engram cell left to score has no recruitment;
    ``n_seeds`` says how many had). The interval is :func:`~engram_nm.analysis.statistics.mean_ci95`
    (BCa; for a fraction (:data:`~engram_nm.analysis.statistics.FRACTION`) on which every seed agrees, Clopper-Pearson)."""
    import dataclasses

    from engram_nm.analysis.statistics import mean_ci95

    if not results:
        raise InputError("summarise needs the results of at least one seed")
    out = {}
    for condition in results[0]:
        fields = {}
        for f in dataclasses.fields(results[0][condition]):
            v = np.array([getattr(r[condition], f.name) for r in results], dtype=float)
            v = v[np.isfinite(v)]
            bounds = f.metadata.get("bounds")
            fields[f.name] = ({"mean": float(v.mean()), "ci95": list(mean_ci95(v, bounds)), "n_seeds": int(v.size)}
                              if v.size else {"mean": None, "ci95": [None, None], "n_seeds": 0})
        out[condition] = fields
    return out
