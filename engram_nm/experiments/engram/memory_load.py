"""Memory load on the fear-conditioning network: how many contexts it stores before they interfere.

:func:`memory_load` conditions context A (with the shock), then stores ``count - 1`` more contexts
(no shock; 500 ms each, plasticity on), lets 24 h pass offline (background input only, two-stage
synapses: :func:`~engram_nm.experiments.engram.conditioning.condition`), and tests half of A and
half of a context never shown. Contexts of 40 of the 200 sensory channels are disjoint while they
last (five), then drawn at random, so they share channels.

The mechanism claimed is the learning of the other contexts: ``learn_others=False`` presents the
same contexts with plasticity off (the control: no storage, the same sensory history). The
continuous measures are the offline E rate (:class:`OfflineActivity`; a network whose learned
excitation ignites keeps firing without input) and recruitment of non-engram cells by A's cue
(``chance`` of :class:`~engram_nm.experiments.engram.conditioning.TestScore`): both rise with load
when the stored engrams overlap and link into one excitable assembly.

Measured: ``benchmarks/results`` has no table of it yet; ``examples/05_engram_lifecycle.py`` prints
the curve over seeds with 95 % CIs and ``docs/engram_protocols.md`` says what to read from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError
from engram_nm.experiments.engram.completion import overlapping_contexts
from engram_nm.experiments.engram.conditioning import DAY_SYNAPSES, PLASTIC, offline, trial
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.experiments.engram.stimulus import cue_channels


@dataclass(frozen=True)
class OfflineActivity:
    """The E population rate (Hz) over the whole offline window and over its last quarter."""

    e_rate_hz: float
    final_e_rate_hz: float


def load_contexts(count: int, n_channels: int, per_context: int, seed: int) -> list:
    """``count`` sorted channel sets of ``per_context`` channels: disjoint while ``n_channels``
    allows, then each further one drawn at random (seeded) from all channels."""
    if count < 1:
        raise InputError(f"count must be >= 1, got {count}")
    disjoint = min(count, n_channels // per_context)
    contexts = overlapping_contexts(disjoint, n_channels, per_context, 0.0, seed=seed)
    rng = np.random.default_rng(seed + 1)
    contexts += [np.sort(rng.choice(n_channels, per_context, replace=False)) for _ in range(count - disjoint)]
    return contexts


def memory_load(ex: EngramExperiment, count: int = 8, learn_others: bool = True, cue_fraction: float = 0.5,
                per_context: int = 40, encode_steps: int = 500, us_steps: int = 150,
                offline_hours: float = 24.0) -> dict:
    """Condition A, store ``count - 1`` more contexts, ``offline_hours`` offline, test (module
    docstring). Returns ``{"half of A": TestScore, "half of a new context": TestScore, "offline":
    OfflineActivity}``."""
    if ex.synapses is None:
        ex.use_two_stage_synapses(DAY_SYNAPSES, PLASTIC)
    *contexts, unseen = load_contexts(count + 1, ex.n_sensory, per_context, seed=ex.seed * 59)
    ex.encode("A", channels=contexts[0], steps=encode_steps, us=(encode_steps - us_steps, encode_steps))
    ex.tag("A")
    for k, channels in enumerate(contexts[1:]):
        ex.encode(f"M{k + 1}", channels=channels, steps=encode_steps, learn=learn_others)
        ex.tag(f"M{k + 1}")
    first = len(ex.records)
    offline(ex, offline_hours)
    rates = np.concatenate([r.population_rate() for r in ex.records[first:] if r.kind == "consolidate"])
    return {"half of A": trial(ex, cue_channels(contexts[0], cue_fraction, seed=ex.seed)),
            "half of a new context": trial(ex, cue_channels(unseen, cue_fraction, seed=ex.seed)),
            "offline": OfflineActivity(float(rates.mean()), float(rates[-max(1, rates.size // 4):].mean()))}


def load_suite(counts=(1, 3, 5, 8, 12)) -> dict:
    """``{protocol: {arm: (function, kwargs)}}`` for
    :func:`~engram_nm.experiments.engram.conditioning_suite.run_suite`: per count, the stored
    contexts learned and the control with plasticity off after A."""
    return {f"{n} contexts": {"stored (plasticity on)": (memory_load, {"count": n}),
                              "shown, plasticity off after A": (memory_load, {"count": n, "learn_others": False})}
            for n in counts}


def load_table(protocols: dict) -> list:
    """Markdown lines of :func:`load_suite` run over seeds: per count and arm, freezing to half of A
    and to half of a new context, non-engram cells recruited by A's cue (the chance column of
    :class:`~engram_nm.experiments.engram.conditioning.TestScore`) and the offline E rate, each
    mean [95 % CI]."""
    from engram_nm.experiments.engram.conditioning_suite import shown

    md = ["| contexts | arm | freezing, half of A | freezing, half of a new context | other cells recruited by A "
          "| offline E rate (Hz) |", "|---|---|---|---|---|---|"]
    for protocol, group in protocols.items():
        for arm, data in group.items():
            c = data["conditions"]
            md.append(f"| {protocol.split()[0]} | {arm} | {shown(c['half of A']['freezing'])} | "
                      f"{shown(c['half of a new context']['freezing'])} | {shown(c['half of A']['chance'], 3)} | "
                      f"{shown(c['offline']['e_rate_hz'], 2)} |")
    return md


def load_contrasts(count: int = 8) -> dict:
    """The primary contrasts of :func:`load_suite` at ``count`` contexts (the module docstring's
    claims), for :func:`~engram_nm.experiments.engram.conditioning_suite.primary_contrasts`:
    stored vs the plasticity-off control, paired by seed."""
    from engram_nm.experiments.engram.conditioning_suite import Contrast

    on, off = "stored (plasticity on)", "shown, plasticity off after A"
    return {f"{count} contexts": (
        Contrast("offline E rate, stored vs shown", (on, "offline", "e_rate_hz"), (off, "offline", "e_rate_hz")),
        Contrast("freezing to half of a new context, stored vs shown", (on, "half of a new context", "freezing"),
                 (off, "half of a new context", "freezing")),
        Contrast("other cells recruited by half of A, stored vs shown", (on, "half of A", "chance"),
                 (off, "half of A", "chance")))}
