"""Phenomena of engram research on the fear-conditioning network: pattern separation and
interference, memory linking, and memory-disease models, each with the control that removes it.

Every protocol is a function of one :class:`~engram_nm.experiments.engram.lifecycle.EngramExperiment`
built with :func:`~engram_nm.experiments.engram.conditioning.conditioning_config`, so a cohort of
seeds runs it as one batch; each returns ``{condition: score}`` (a
:class:`~engram_nm.experiments.engram.conditioning.TestScore` or a :class:`Separation`), summarised
over seeds by :func:`~engram_nm.experiments.engram.conditioning.summarise`.

* :func:`pattern_separation` — input overlap vs engram overlap for pairs of contexts on the naive
  network (plasticity off), over a range of similarities; run it on networks of different
  inhibition (``inhibition_config``) for the curve per code sparsity.
* :func:`interference` — recall of a conditioned context A after a similar context B was stored.
* :func:`memory_linking` — Cai et al., Nature 534:115 (2016): A, then after an interval B paired
  with a shock; cells that encoded A stay more excitable for a while (a CREB-like trace,
  Rashid et al., Neuron 92:1 2016: about 6 h), so they are recruited into B's engram and A's cue
  brings back B's fear. The interval runs in the network at a stated time compression
  (:mod:`~engram_nm.experiments.engram.timescale`) and the trace decays on the animal's clock; its amplitude and time constant
  are the model's choice (``trace_current``, ``trace_hours``); the shared cells and the
  cross-recall are the network's.
* :func:`synapse_loss`, :func:`cell_loss` — progressive synapse loss (the E cells' synapses onto E
  and onto the read-out alike; E->E only as a labelled arm) and random cell loss (Alzheimer-like);
  the natural cue against light on the engram ("access, not storage", Roy et al. 2016).
* :func:`overgeneralisation` — inhibition onto E weakened after conditioning (PTSD-like):
  freezing in the neutral context.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engram_nm.errors import InputError
from engram_nm.experiments.engram.completion import overlapping_contexts
from engram_nm.analysis.statistics import FRACTION
from engram_nm.experiments.engram.conditioning import (DAY_SYNAPSES, PLASTIC, TestScore, _sample, condition,
                                                       conditioning_config, trial)
from engram_nm.experiments.engram.lifecycle import EngramExperiment, jaccard
from engram_nm.experiments.engram.manipulations import (ExcitabilityTrace, Lesion, OptogeneticActivation,
                                                        SynapseLoss, SynapseScaling)
from engram_nm.experiments.engram.network import EXC, EXC_TO_OUT, INH_TO_EXC
from engram_nm.experiments.engram.stimulus import cue_channels
from engram_nm.experiments.engram.timescale import OFFLINE_HOUR_S, network_seconds_per_hour
from engram_nm.spec import projection_name


@dataclass(frozen=True)
class Separation:
    """One pair of contexts: Jaccard overlap of their channel sets (``input_overlap``) and of the
    E cells each activates (``engram_overlap``; active: above the experiment's active threshold),
    and the fraction of E cells each activates (the code's sparsity)."""

    input_overlap: float = field(metadata=FRACTION)
    engram_overlap: float = field(metadata=FRACTION)
    active_fraction_a: float = field(metadata=FRACTION)
    active_fraction_b: float = field(metadata=FRACTION)


def inhibition_config(seed: int = 0, inhibition: float = 1.0, **overrides):
    """:func:`conditioning_config` with the I->E weights scaled by ``inhibition`` (sparser codes above 1)."""
    base = conditioning_config(seed, **overrides)
    return replace(base, w_ie_init=base.w_ie_init * float(inhibition))


def pattern_separation(ex: EngramExperiment, overlaps=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), per_context: int = 40,
                       steps: int = 300, window=(100, 300)) -> dict:
    """Present each pair of contexts sharing ``overlap`` of their channels to the naive network
    (plasticity off) and compare the E cells they activate. Conditions ``"overlap x"``."""
    out = {}
    for k, overlap in enumerate(overlaps):
        a, b = overlapping_contexts(2, ex.n_sensory, per_context, overlap, seed=ex.seed * 37 + k)
        ra, rb = ex.present_many([a, b], steps, kind="separation")
        act_a = ra.rates(window=window) > ex.active_threshold_hz
        act_b = rb.rates(window=window) > ex.active_threshold_hz
        out[f"overlap {overlap:g}"] = Separation(jaccard(np.isin(np.arange(ex.n_channels), a),
                                                          np.isin(np.arange(ex.n_channels), b)),
                                                 jaccard(act_a, act_b), float(act_a.mean()), float(act_b.mean()))
    return out


def interference(ex: EngramExperiment, overlaps=(0.1, 0.4, 0.7), cue_fraction: float = 0.5, **day) -> dict:
    """Condition A, then store a context B sharing ``overlap`` of A's channels (500 ms, plasticity
    on, no shock; each on its own copy of the conditioned network); test half of A (its engram's
    recruitment and freezing) and half of B (fear generalised to B). ``"before"``: A with no B."""
    fear = condition(ex, **day)
    cue_a = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    out = {"before: A": trial(ex, cue_a)}
    per_context = fear.conditioned.size
    for k, overlap in enumerate(overlaps):
        twin = ex.copy()
        shared = int(round(overlap * per_context))
        rng = np.random.default_rng(ex.seed * 41 + k)
        free = np.setdiff1d(np.arange(twin.n_sensory), fear.conditioned)
        b = np.sort(np.concatenate([rng.choice(fear.conditioned, shared, replace=False),
                                    rng.choice(free, per_context - shared, replace=False)]))
        twin.encode("B", channels=b, steps=500)
        twin.tag("B")
        out[f"B stored, overlap {overlap:g}: A"] = trial(twin, cue_a)
        out[f"B stored, overlap {overlap:g}: B"] = trial(twin, cue_channels(b, cue_fraction, seed=ex.seed))
    return out


def memory_linking(ex: EngramExperiment, interval_hours: float = 5.0, trace_hours: float = 6.0,
                   trace_current: float = 0.045, cue_fraction: float = 0.5, encode_steps: int = 500,
                   us_steps: int = 150, interval_learning: bool = True, synapses=None) -> dict:
    """Cai et al. 2016 (module docstring): context A explored (no shock); ``interval_hours`` pass
    offline in the network (background input; plasticity on, or off with
    ``interval_learning=False``, also in the 2 h of rest after B; 1 h = ``OFFLINE_HOUR_S`` network
    seconds, :mod:`~engram_nm.experiments.engram.timescale`) while A's tagged cells carry a decaying
    excitability (:class:`ExcitabilityTrace`: ``trace_current`` threshold units per step when A
    ends, time constant ``trace_hours`` on the animal's clock, its age read from that clock); then
    context B (unrelated channels) paired with the shock, the trace still acting, and the rest.
    ``trace_current = 0.045`` keeps the trace below threshold on its own (``v_inf = I tau_mem / dt
    = 0.9`` at ``tau_mem`` = 20 ms): it raises the odds that background input fires a cell, never
    fires one by itself. The tests (half of A: freezing, fear linked to A; half of B) run without
    the trace, as Cai et al. tested two days later when it had gone. ``trace_current = 0``: the
    control without the trace. ``synapses``: a two-stage synapse model for E->E and E->O
    (:mod:`engram_nm.plasticity.consolidation`; default single-stage). The returned ``"shared
    cells"`` score holds the Jaccard overlap of the A and B tags in its ``recruited`` field (and in
    ``chance`` the overlap expected by chance, ``|A| |B| / n`` over the union)."""
    if interval_hours < 0 or trace_hours <= 0:
        raise InputError(f"interval_hours must be >= 0 and trace_hours > 0, got {interval_hours}, {trace_hours}")
    if synapses is not None:
        ex.use_two_stage_synapses(synapses, PLASTIC)
    a, b = overlapping_contexts(2, ex.n_sensory, 40, 0.0, seed=ex.seed * 43)
    ex.encode("A", channels=a, steps=encode_steps)
    ex.tag("A")
    born = ex.hours
    cells = tuple(int(c) for c in ex.memories["A"].cells)

    def trace(kind: str) -> list:
        if not trace_current:
            return []
        per_hour = network_seconds_per_hour(kind)
        return [ExcitabilityTrace(cells=cells, current=trace_current, tau_s=trace_hours * per_hour,
                                  age_s=(ex.hours - born) * per_hour)]

    interval_steps = int(round(interval_hours * OFFLINE_HOUR_S / ex.spec.dt))
    if interval_steps:
        ex.present([], interval_steps, trace("interval"), learn=interval_learning, kind="interval")
    ex.encode("B", channels=b, steps=encode_steps, manipulations=trace("encode"),
              us=(encode_steps - us_steps, encode_steps))
    ex.tag("B")
    ex.present([], int(round(2 * OFFLINE_HOUR_S / ex.spec.dt)), trace("rest"), learn=interval_learning, kind="rest")
    ta, tb = ex.memories["A"].tagged, ex.memories["B"].tagged
    n = ex.original_size
    expected = ta.sum() * tb.sum() / n
    union = max(1.0, ta.sum() + tb.sum() - expected)
    nan = float("nan")
    shared = TestScore(nan, nan, jaccard(ta, tb), float(expected / union), nan, nan, int((ta & tb).sum()), nan)
    return {"shared cells": shared,
            "half of A": trial(ex, cue_channels(a, cue_fraction, seed=ex.seed), memory="A"),
            "half of B": trial(ex, cue_channels(b, cue_fraction, seed=ex.seed), memory="B")}


def synapse_loss(ex: EngramExperiment, fractions=(0.2, 0.4, 0.6, 0.8), cue_fraction: float = 0.5,
                 selective: bool = False, **day) -> dict:
    """A seeded ``fraction`` of the E cells' output synapses lost after consolidation (each on a copy
    of the conditioned network): onto E (E->E) and onto the read-out (E->O) alike; with
    ``selective=True`` the E->E synapses only (the read-out spared: a labelled arm, since sparing
    the route to behaviour makes "access, not storage" hold by construction). Tested with the
    natural cue (half of A) and light on every engram cell."""
    fear = condition(ex, **day)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    light = [OptogeneticActivation(cells=tuple(int(c) for c in ex.memories["A"].cells))]
    everyone = np.ones(ex.original_size, dtype=bool)
    lost = (projection_name(EXC, "recurrent"),) if selective else (projection_name(EXC, "recurrent"), EXC_TO_OUT)
    out = {"healthy: natural cue": trial(ex, cue), "healthy: light": trial(ex, [], light, scored=everyone)}
    for k, f in enumerate(fractions):
        sick = ex.copy()
        for j, projection in enumerate(lost):
            sick.apply(SynapseLoss(projection=projection, fraction=f, seed=ex.seed * 47 + k + 1000 * j))
        out[f"{f:.0%} synapses lost: natural cue"] = trial(sick, cue)
        out[f"{f:.0%} synapses lost: light"] = trial(sick, [], light, scored=everyone)
    return out


def cell_loss(ex: EngramExperiment, fractions=(0.1, 0.2, 0.4, 0.6), cue_fraction: float = 0.5, **day) -> dict:
    """A random ``fraction`` of all E cells killed after consolidation (:class:`Lesion`; engram cells
    die as often as others); the natural cue and light on the surviving engram cells, scored on
    the survivors only."""
    fear = condition(ex, **day)
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    engram = ex.memories["A"].cells
    everyone = np.ones(ex.original_size, dtype=bool)
    out = {"healthy: natural cue": trial(ex, cue)}
    for k, f in enumerate(fractions):
        dead = _sample(np.arange(ex.original_size), int(round(f * ex.original_size)), seed=ex.seed * 53 + k)
        sick = ex.copy()
        sick.apply(Lesion(cells=tuple(int(c) for c in dead)))
        alive = np.setdiff1d(engram, dead)
        light = [OptogeneticActivation(cells=tuple(int(c) for c in alive))] if alive.size else []
        out[f"{f:.0%} cells lost: natural cue"] = trial(sick, cue, exclude=dead)
        out[f"{f:.0%} cells lost: light"] = trial(sick, [], light, exclude=dead, scored=everyone)
    return out


def overgeneralisation(ex: EngramExperiment, inhibition=(1.0, 0.8, 0.6, 0.4), cue_fraction: float = 0.5,
                       **day) -> dict:
    """Inhibition onto E (the I->E synapses) scaled by each factor after consolidation (each on a
    copy); freezing in the conditioned context A and in the neutral context B."""
    fear = condition(ex, **day)
    cue_a = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)
    cue_b = cue_channels(fear.neutral, cue_fraction, seed=ex.seed)
    out = {}
    for g in inhibition:
        twin = ex.copy()
        if g != 1.0:
            twin.apply(SynapseScaling(projection=INH_TO_EXC, factor=g))
        out[f"inhibition x{g:g}: A"] = trial(twin, cue_a)
        out[f"inhibition x{g:g}: B"] = trial(twin, cue_b)
    return out


def _phenomena() -> dict:
    from functools import partial

    return {
        "pattern separation": {f"inhibition x{g:g}": (pattern_separation, {}, partial(inhibition_config, inhibition=g))
                               for g in (0.5, 1.0, 2.0)},
        "interference": {"conditioned": (interference, {})},
        "memory linking (Cai 2016)": {
            **{f"{h:g} h": (memory_linking, {"interval_hours": h}) for h in (0.5, 2, 5, 12, 24)},
            **{f"{h:g} h, plasticity off in the interval": (memory_linking, {"interval_hours": h,
                                                                              "interval_learning": False})
               for h in (0.5, 5, 24)},
            **{f"{h:g} h, two-stage synapses": (memory_linking, {"interval_hours": h, "synapses": DAY_SYNAPSES})
               for h in (0.5, 5, 24)},
            "5 h, no excitability trace": (memory_linking, {"interval_hours": 5, "trace_current": 0.0})},
        "synapse loss": {"uniform (E->E and E->O)": (synapse_loss, {}),
                         "selective (E->E only, read-out spared)": (synapse_loss, {"selective": True})},
        "cell loss": {"conditioned": (cell_loss, {})},
        "overgeneralisation": {"conditioned": (overgeneralisation, {})},
    }


PHENOMENA = _phenomena()
"""``{phenomenon: {arm: (protocol, kwargs[, config])}}`` for
:func:`~engram_nm.experiments.engram.conditioning_suite.run_suite` (``suite=PHENOMENA``)."""


def _phenomena_contrasts() -> dict:
    from engram_nm.experiments.engram.conditioning_suite import Contrast as C

    uniform, selective = "uniform (E->E and E->O)", "selective (E->E only, read-out spared)"
    return {
        "pattern separation": (
            C("overlap 0.6: input overlap vs engram overlap", ("inhibition x1", "overlap 0.6", "input_overlap"),
              ("inhibition x1", "overlap 0.6", "engram_overlap")),
            C("engram overlap at input overlap 0.6: inhibition x0.5 vs x2", ("inhibition x0.5", "overlap 0.6", "engram_overlap"),
              ("inhibition x2", "overlap 0.6", "engram_overlap"))),
        "interference": (
            C("half of A: before vs after storing B (overlap 0.4): freezing", ("conditioned", "before: A", "freezing"),
              ("conditioned", "B stored, overlap 0.4: A", "freezing")),
            C("freezing to half of B: overlap 0.7 vs 0.1", ("conditioned", "B stored, overlap 0.7: B", "freezing"),
              ("conditioned", "B stored, overlap 0.1: B", "freezing"))),
        "memory linking (Cai 2016)": (
            C("shared cells: 5 h vs no trace", ("5 h", "shared cells", "recruited"),
              ("5 h, no excitability trace", "shared cells", "recruited")),
            C("freezing to half of A (linked fear): 5 h vs no trace", ("5 h", "half of A", "freezing"),
              ("5 h, no excitability trace", "half of A", "freezing")),
            C("shared cells: 0.5 h vs 24 h", ("0.5 h", "shared cells", "recruited"), ("24 h", "shared cells", "recruited")),
            C("shared cells, plasticity off in the interval: 0.5 h vs 24 h",
              ("0.5 h, plasticity off in the interval", "shared cells", "recruited"),
              ("24 h, plasticity off in the interval", "shared cells", "recruited")),
            C("shared cells, two-stage synapses: 0.5 h vs 24 h", ("0.5 h, two-stage synapses", "shared cells", "recruited"),
              ("24 h, two-stage synapses", "shared cells", "recruited"))),
        "synapse loss": (
            C("uniform: healthy vs 40 % lost, natural cue: freezing", (uniform, "healthy: natural cue", "freezing"),
              (uniform, "40% synapses lost: natural cue", "freezing")),
            C("uniform, 40 % lost: light vs natural cue: freezing", (uniform, "40% synapses lost: light", "freezing"),
              (uniform, "40% synapses lost: natural cue", "freezing")),
            C("E->E only, 40 % lost: light vs natural cue: freezing", (selective, "40% synapses lost: light", "freezing"),
              (selective, "40% synapses lost: natural cue", "freezing"))),
        "cell loss": (
            C("healthy vs 40 % cells lost: natural cue: freezing", ("conditioned", "healthy: natural cue", "freezing"),
              ("conditioned", "40% cells lost: natural cue", "freezing")),),
        "overgeneralisation": (
            C("freezing in B: inhibition x0.4 vs x1", ("conditioned", "inhibition x0.4: B", "freezing"),
              ("conditioned", "inhibition x1: B", "freezing")),),
    }


PHENOMENA_CONTRASTS = _phenomena_contrasts()
"""``{phenomenon: (Contrast, ...)}``: the primary contrasts of :data:`PHENOMENA`, named before the
run, for :func:`~engram_nm.experiments.engram.conditioning_suite.primary_contrasts`."""
