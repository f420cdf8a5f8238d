"""Does structural plasticity refine an engram offline? Pruning on the fear-conditioning network.

The idea tested (engram refinement, e.g. the sparsening of engrams over consolidation reviewed by
Josselyn & Tonegawa, Science 367:eaaw4325, 2020): during consolidation weak synapses are removed,
the engram keeps the cells its strong synapses bind, and becomes smaller and more strongly
connected. :func:`refinement` conditions context A
(:func:`~engram_nm.experiments.engram.conditioning.condition`, tests right after it), then runs
``blocks`` offline windows of ``block_hours`` (background input only, plasticity on, nothing
replayed) during which E->E synapses below ``prune_below`` are pruned every 100 steps
(:class:`~engram_nm.plasticity.structural.StructuralPlasticity`, no growth). After conditioning and
after each block it probes, plasticity off: the E cells that respond to the whole of A, half of A
(engram recruitment and freezing: :func:`~engram_nm.experiments.engram.conditioning.trial`), and
the engram's internal synapses (how many exist, their mean weight).

``prune_below = 0`` is the control (no structural plasticity). The synapses are single-stage
(every learned change permanent): pruning is not modelled on two-stage synapses, whose early
changes would let a pruned synapse's late weight come back. Structural plasticity runs on
``reference`` and Lava ``cpu-fixed`` (not emulated on ``fixed-emu``). An earlier version of this
protocol (on a network with one private input channel per cell) drove the memory with scheduled
replay bursts during consolidation, and the refinement it showed came from that schedule; here
nothing is replayed, and what the network does on its own is what is reported
(``docs/engram_protocols.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.analysis.statistics import FRACTION
from engram_nm.errors import InputError
from engram_nm.experiments.engram.conditioning import condition, trial
from engram_nm.experiments.engram.lifecycle import EngramExperiment, internal_synapses
from engram_nm.experiments.engram.stimulus import cue_channels
from engram_nm.experiments.engram.timescale import OFFLINE_HOUR_S
from engram_nm.plasticity.structural import StructuralPlasticity


@dataclass(frozen=True)
class EngramState:
    """One probe: E cells active for the whole context (``responding_cells``), of them tagged
    engram cells; half of the context: ``freezing`` and ``recruited`` (engram cells without input
    from the cue that fire); the engram's internal E->E synapses: ``connected`` (fraction of
    ordered pairs with a synapse left) and ``mean_weight`` of those."""

    responding_cells: int
    responding_engram_cells: int
    freezing: float = field(metadata=FRACTION)
    recruited: float = field(metadata=FRACTION)
    connected: float  # of hundreds of pairs: not a per-seed yes/no, so no Clopper-Pearson when seeds agree
    mean_weight: float


def probe(ex: EngramExperiment, context: np.ndarray, cue_fraction: float = 0.5, steps: int = 300) -> EngramState:
    """Read the engram of memory ``"A"`` (class docstring), plasticity off."""
    whole = ex.present(context, steps, kind="test")
    responding = whole.rates(window=(100, steps)) > ex.active_threshold_hz
    engram = ex.memories["A"].tagged
    half = trial(ex, cue_channels(context, cue_fraction, seed=ex.seed))
    among = internal_synapses(ex.internal_weights(), engram)
    exists = among > 0  # a pruned synapse is a zero weight that learning cannot regrow
    return EngramState(int(responding.sum()), int((responding & engram).sum()), half.freezing, half.recruited,
                       float(exists.mean()) if among.size else float("nan"),
                       float(among[exists].mean()) if exists.any() else 0.0)


def refinement(ex: EngramExperiment, prune_below: float = 0.03, blocks: int = 4, block_hours: float = 6.0,
               cue_fraction: float = 0.5) -> dict:
    """Condition, then ``blocks`` offline windows with pruning (module docstring). Returns
    ``{"0 h": EngramState, "6 h": ..., ...}`` (hours since conditioning)."""
    if prune_below < 0 or blocks < 1 or block_hours <= 0:
        raise InputError(f"refinement needs prune_below >= 0, blocks >= 1 and block_hours > 0, "
                         f"got {prune_below}, {blocks}, {block_hours}")
    fear = condition(ex, consolidation="none", synapses=None)  # pruning is single-stage (EngramExperiment.consolidate)
    structural = (StructuralPlasticity(prune_below=prune_below, grow_probability=0.0, w_init=0.0, interval=100,
                                       seed=ex.seed) if prune_below > 0 else None)
    out = {"0 h": probe(ex, fear.conditioned, cue_fraction)}
    steps = int(round(block_hours * OFFLINE_HOUR_S / ex.spec.dt))
    for b in range(1, blocks + 1):
        ex.consolidate(steps, background_hz=ex.background_hz, structural=structural)
        out[f"{b * block_hours:g} h"] = probe(ex, fear.conditioned, cue_fraction)
    return out


def refinement_suite(prune=(0.0, 0.03, 0.06)) -> dict:
    """``{protocol: {arm: (function, kwargs)}}`` for
    :func:`~engram_nm.experiments.engram.conditioning_suite.run_suite`: the control and each pruning threshold."""
    return {"refinement by pruning": {("no structural plasticity (control)" if p == 0 else f"prune below {p:g}"):
                                      (refinement, {"prune_below": p}) for p in prune}}


def refinement_table(protocols: dict) -> list:
    """Markdown lines of :func:`refinement_suite` run over seeds: per arm and time point, each field
    of :class:`EngramState` as mean [95 % CI]."""
    from engram_nm.experiments.engram.conditioning_suite import shown

    md = ["| arm | hours | E cells responding | of them engram | freezing, half of A | engram recruited "
          "| engram synapses left | their mean weight |", "|---|---|---|---|---|---|---|---|"]
    for group in protocols.values():
        for arm, data in group.items():
            for hours, s in data["conditions"].items():
                md.append(f"| {arm} | {hours.split()[0]} | {shown(s['responding_cells'], 1)} | "
                          f"{shown(s['responding_engram_cells'], 1)} | {shown(s['freezing'])} | "
                          f"{shown(s['recruited'])} | {shown(s['connected'])} | {shown(s['mean_weight'], 3)} |")
    return md


def refinement_contrasts(prune_below: float = 0.06, hours: str = "24 h") -> dict:
    """The primary contrasts of :func:`refinement_suite` (the module docstring's claims), paired by
    seed, for :func:`~engram_nm.experiments.engram.conditioning_suite.primary_contrasts`: the
    control against pruning at ``prune_below``, at ``hours``: the responding cells (fewer with
    pruning), of them engram cells (kept), and half-cue recruitment (its cost)."""
    from engram_nm.experiments.engram.conditioning_suite import Contrast

    control, pruned = "no structural plasticity (control)", f"prune below {prune_below:g}"
    return {"refinement by pruning": tuple(
        Contrast(f"{hours}: {label}, control vs pruned", (control, hours, fld), (pruned, hours, fld))
        for label, fld in (("E cells responding", "responding_cells"), ("engram cells responding",
                                                                         "responding_engram_cells"),
                           ("engram recruited by half of A", "recruited")))}
