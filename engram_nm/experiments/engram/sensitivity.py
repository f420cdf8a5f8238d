"""Where each effect lives: key outcomes of the conditioning day over a grid of the network's free
parameters, so a reader sees whether an effect holds on a plateau or on a knife edge.

The parameters mapped: the E->E and E->O learned bounds (``w_ee_max``, ``w_eo_max``: chosen by hand
on the tuning seeds, engram_nm/experiments/engram/conditioning.py) and the two-stage synapse's
capture time constant (``tau_capture_h``, engram_nm/plasticity/consolidation.py). Per grid point
one cohort of seeds runs :func:`sensitivity_day` with protein synthesis and one with the
inhibitor; the outcomes (:data:`OUTCOMES`) are seed means. The seeds are their own
(:data:`MAP_SEEDS`), neither the tuning seeds nor the reported ones.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import partial

import numpy as np

from engram_nm.errors import InputError
from engram_nm.experiments.engram import conditioning as fear
from engram_nm.experiments.engram.manipulations import OptogeneticActivation
from engram_nm.experiments.engram.stimulus import cue_channels

MAP_SEEDS = tuple(range(200, 210))
"""The sensitivity maps' seeds: apart from the tuning seeds (0-9) and the reported ones (100-119)."""

OUTCOMES = {
    "full A, saline": ("saline", "full A"),
    "half of A, saline": ("saline", "half of A"),
    "full B (neutral), saline": ("saline", "full B"),
    "no cue, saline": ("saline", "no cue"),
    "light on engram, saline": ("saline", "light"),
    "full A, PSI": ("PSI", "full A"),
}
"""``{outcome: (arm, test)}``: freezing in each, a seed mean per grid point."""


def sensitivity_day(ex, consolidation: str = "normal", synapses=fear.DAY_SYNAPSES) -> dict:
    """The day (:func:`~engram_nm.experiments.engram.conditioning.condition`, 24 h offline) and the
    tests of :data:`OUTCOMES`: the full contexts A and B, half of A, no cue, light on the engram."""
    day = fear.condition(ex, consolidation, synapses=synapses)
    lit = tuple(int(c) for c in ex.memories["A"].cells)
    everyone = np.ones(ex.original_size, dtype=bool)
    return {"full A": fear.trial(ex, day.conditioned), "half of A": fear.trial(ex, cue_channels(day.conditioned, 0.5, seed=ex.seed)),
            "full B": fear.trial(ex, day.neutral), "no cue": fear.trial(ex, []),
            "light": fear.trial(ex, [], [OptogeneticActivation(cells=lit)], exclude=lit, scored=everyone)}


def sensitivity_map(w_ee=(0.10, 0.15, 0.2, 0.3), w_eo=(0.02, 0.04, 0.06, 0.1),
                    tau_capture_h=(0.1, 1.0), seeds=MAP_SEEDS, target: str = "fixed-emu",
                    progress: bool = True) -> dict:
    """Every grid point's :data:`OUTCOMES` (freezing, seed means) and the E rate with no cue.
    Returns ``{"axes": {...}, "seeds": [...], "points": [{"w_ee_max", "w_eo_max", "tau_capture_h",
    outcome: mean, ...}]}``."""
    from tqdm.auto import tqdm

    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    seeds = [int(s) for s in seeds]
    if not seeds or not (w_ee and w_eo and tau_capture_h):
        raise InputError("sensitivity_map needs seeds and at least one value on every axis")
    grid = list(itertools.product(tau_capture_h, w_ee, w_eo))
    points = []
    for tau, ee, eo in tqdm(grid, desc="sensitivity map", unit="point", disable=not progress):
        synapses = replace(fear.DAY_SYNAPSES, tau_capture_h=float(tau))
        runs = {}
        for arm, consolidation in (("saline", "normal"), ("PSI", "blocked")):
            exs = [EngramExperiment(config=fear.conditioning_config(s, w_ee_max=ee, w_eo_max=eo), target=target,
                                    seed=s) for s in seeds]
            runs[arm] = run_cohort(exs, partial(sensitivity_day, consolidation=consolidation, synapses=synapses))
        point = {"w_ee_max": float(ee), "w_eo_max": float(eo), "tau_capture_h": float(tau)}
        for name, (arm, test) in OUTCOMES.items():
            point[name] = float(np.mean([r[test].freezing for r in runs[arm]]))
        point["E rate, no cue (Hz)"] = float(np.mean([r["no cue"].e_rate_hz for r in runs["saline"]]))
        points.append(point)
    return {"axes": {"w_ee_max": [float(v) for v in w_ee], "w_eo_max": [float(v) for v in w_eo],
                     "tau_capture_h": [float(v) for v in tau_capture_h]}, "seeds": seeds, "points": points}


def plot_sensitivity(result: dict, path, outcomes=None, title: str = "where each effect lives"):
    """Heat maps: one row per ``tau_capture_h``, one column per outcome, ``w_eo_max`` across and
    ``w_ee_max`` up; the defaults (0.15, 0.04, 0.1 h) marked."""
    from engram_nm.analysis.plots import _pyplot, save_figure

    plt = _pyplot()
    outcomes = list(outcomes or OUTCOMES)
    axes_values = result["axes"]
    taus, ees, eos = axes_values["tau_capture_h"], axes_values["w_ee_max"], axes_values["w_eo_max"]
    fig, axes = plt.subplots(len(taus), len(outcomes), figsize=(3.1 * len(outcomes), 2.9 * len(taus)),
                             squeeze=False, layout="constrained")
    lookup = {(p["tau_capture_h"], p["w_ee_max"], p["w_eo_max"]): p for p in result["points"]}
    image = None
    for i, tau in enumerate(taus):
        for j, name in enumerate(outcomes):
            ax = axes[i, j]
            grid = np.array([[lookup[(tau, ee, eo)][name] for eo in eos] for ee in ees])
            image = ax.imshow(grid, origin="lower", vmin=0, vmax=1, cmap="viridis", aspect="auto")
            for (a, b), v in np.ndenumerate(grid):
                ax.text(b, a, f"{v:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if v < 0.5 else "black")
            ax.set_xticks(range(len(eos)), [f"{v:g}" for v in eos], fontsize=7)
            ax.set_yticks(range(len(ees)), [f"{v:g}" for v in ees], fontsize=7)
            if (0.15 in ees) and (0.04 in eos) and tau == 0.1:
                ax.plot(eos.index(0.04), ees.index(0.15), "rs", mfc="none", ms=14)
            if i == 0:
                ax.set_title(name, fontsize=9)
            if j == 0:
                ax.set_ylabel(f"tau_capture {tau:g} h\nw_ee_max")
            if i == len(taus) - 1:
                ax.set_xlabel("w_eo_max")
    fig.colorbar(image, ax=axes, shrink=0.6, label="freezing (seed mean)")
    fig.suptitle(f"{title} ({len(result['seeds'])} seeds per point; red square: the defaults)")
    return save_figure(fig, path)
