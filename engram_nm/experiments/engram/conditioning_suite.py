"""The conditioning protocols with their controls, run over seeds as cohorts, summarised and tabled.

:data:`SUITE` lists, per protocol of :mod:`engram_nm.experiments.engram.conditioning`, its arms (the
experiment and its controls); :func:`run_suite` runs each arm on a cohort of seeds (one batched
emulator call per phase on ``fixed-emu``, :func:`~engram_nm.experiments.engram.cohort.run_cohort`)
and keeps, per condition, the summary over seeds (:func:`~engram_nm.experiments.engram.conditioning.summarise`)
and every seed's scores. ``benchmarks/protocols.py`` and ``examples/05_engram_lifecycle.py`` print
:func:`suite_table` of it and plot it (:func:`~engram_nm.experiments.engram.plots.plot_conditioning`).
"""

from __future__ import annotations

import time
from functools import partial

from engram_nm.errors import InputError
from engram_nm.experiments.engram import conditioning as fear

SUITE = {
    "fear memory": {"conditioned": (fear.fear_memory, {}),
                    "no learning (plasticity off while conditioning)": (fear.fear_memory, {"learn": False}),
                    "unpaired (no shock)": (fear.fear_memory, {"us": False})},
    "artificial recall (Liu 2012)": {"conditioned": (fear.artificial_recall, {}),
                                     "unpaired (no shock)": (fear.artificial_recall, {"us": False})},
    "silencing (Denny 2014)": {"conditioned": (fear.silencing, {})},
    "silent engram (Ryan 2015)": {"saline": (fear.silent_engram, {"consolidation": "normal"}),
                                  "protein-synthesis inhibitor": (fear.silent_engram, {"consolidation": "blocked"})},
    "oLTP rescue (Roy 2016)": {"light on engram": (fear.rescue, {}),
                               "light on engram, paired with the cue": (fear.rescue, {"paired_with_cue": True}),
                               "light on as many other cells": (fear.rescue, {"cells": "non-engram"})},
    "ablation (Han 2007)": {"conditioned": (fear.ablation, {})},
    "allocation (Yiu 2014)": {f"current {c:g}": (fear.allocation, {"current": c}) for c in (0.02, 0.05, 0.08)},
    "time since conditioning": {"consolidation": (fear.consolidation_course, {})},
}
"""``{protocol: {arm: (protocol function, keyword arguments)}}``."""


def run_suite(seeds, target: str = "fixed-emu", protocols=None, progress: bool = True, config=None,
              day=None, suite=None) -> dict:
    """Every arm of ``protocols`` (names of ``suite``, default :data:`SUITE`; default all) on one
    cohort of ``seeds``; ``config(seed)`` builds each network (default
    :func:`~engram_nm.experiments.engram.conditioning.conditioning_config`; an arm given as
    ``(function, kwargs, config)`` brings its own); ``day``: keyword arguments added to every arm
    (e.g. ``per_context`` for a scaled network).
    Returns ``{protocol: {arm: {"conditions": summary, "per_seed": {condition: [scores]}, "seconds"}}}``."""
    from tqdm.auto import tqdm

    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    suite = SUITE if suite is None else suite
    names = list(suite) if protocols is None else list(protocols)
    unknown = [n for n in names if n not in suite]
    if unknown:
        raise InputError(f"unknown protocol(s) {unknown}; choose from {list(suite)}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("run_suite needs at least one seed")
    config = config or fear.conditioning_config
    plan = [(p, a, *arm) for p in names for a, arm in suite[p].items()]
    out: dict = {}
    for protocol, arm, function, kwargs, *own in tqdm(plan, desc=f"protocols on {target}", unit="arm",
                                                      disable=not progress):
        build = own[0] if own else config
        exs = [EngramExperiment(config=build(s), target=target, seed=s) for s in seeds]
        t0 = time.perf_counter()
        results = run_cohort(exs, partial(function, **{**kwargs, **(day or {})}))
        out.setdefault(protocol, {})[arm] = {"conditions": fear.summarise(results),
                                             "per_seed": {c: [vars(r[c]) for r in results] for c in results[0]},
                                             "seconds": time.perf_counter() - t0}
    return out


def _shown(d: dict, digits: int = 2) -> str:
    if d["mean"] is None:
        return "-"
    return f"{d['mean']:.{digits}f} [{d['ci95'][0]:.{digits}f}, {d['ci95'][1]:.{digits}f}]"


def suite_table(protocols: dict) -> list:
    """Markdown lines: one table per protocol, one row per arm and condition (mean [95 % CI])."""
    md = []
    for protocol, group in protocols.items():
        md += ["", f"## {protocol}", "",
               "| arm | condition | freezing | O rate (Hz) | engram recruited | chance (other cells) "
               "| engram cells scored | mean E rate (Hz) |", "|---|---|---|---|---|---|---|---|"]
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                md.append(f"| {arm} | {condition} | {_shown(s['freezing'])} | {_shown(s['out_rate_hz'], 1)} | "
                          f"{_shown(s['recruited'])} | {_shown(s['chance'], 3)} | "
                          f"{_shown(s['scored_engram_cells'], 1)} | {_shown(s['e_rate_hz'], 1)} |")
    return md


def flat_record(protocols: dict) -> dict:
    """Per protocol and ``"arm: condition"``: engram recruitment ``mean`` / ``ci95`` / ``n_seeds``
    (and how many seeds had cells to score), its ``chance`` (mean), ``freezing``, ``out_rate_hz``
    and ``e_rate_hz`` (each mean and ci95)."""
    out: dict = {}
    for protocol, group in protocols.items():
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                out.setdefault(protocol, {})[f"{arm}: {condition}"] = {
                    "mean": s["recruited"]["mean"], "ci95": s["recruited"]["ci95"],
                    "n_seeds": s["freezing"]["n_seeds"], "n_seeds_with_scored_cells": s["recruited"]["n_seeds"],
                    "chance": s["chance"]["mean"], "freezing": s["freezing"], "out_rate_hz": s["out_rate_hz"],
                    "e_rate_hz": s["e_rate_hz"]}
    return out


# (protocol, arm, condition, label) rows of the summary table: one outcome per row
SUMMARY_ROWS = (
    [("fear memory", "conditioned", c, l) for c, l in (("A 0.5", "half of the conditioned context A"),
                                                      ("B 0.5", "half of the neutral context B (A's engram scored)"),
                                                      ("no cue", "no cue"))]
    + [("fear memory", "no learning (plasticity off while conditioning)", "A 0.5", "control, plasticity off while conditioning: half of A"),
       ("fear memory", "unpaired (no shock)", "A 0.5", "control, no shock: half of A")]
    + [("artificial recall (Liu 2012)", "conditioned", f"light engram {p}", f"20 Hz light, opsin in {float(p):.0%} of engram cells, no cue")
       for p in ("0.1", "0.25", "0.5", "1")]
    + [("artificial recall (Liu 2012)", "conditioned", "light non-engram 1", "light on as many non-engram cells"),
       ("artificial recall (Liu 2012)", "unpaired (no shock)", "light engram 1", "control, no shock: light on every engram cell")]
    + [("silencing (Denny 2014)", "conditioned", "cue alone", "half of A, no light")]
    + [("silencing (Denny 2014)", "conditioned", f"silence engram {s}", f"half of A, engram silenced, current {s}")
       for s in ("0.02", "0.05", "0.1", "0.5")]
    + [("silencing (Denny 2014)", "conditioned", "silence non-engram 0.5", "half of A, as many other cells silenced, 0.5")]
    + [("silent engram (Ryan 2015)", arm, c, f"{label}: {c}") for arm, label in
       (("saline", "saline"), ("protein-synthesis inhibitor", "consolidation blocked (PSI)"))
       for c in ("natural cue", "light on engram")]
    + [("oLTP rescue (Roy 2016)", "light on engram", "natural cue before oLTP", "silent engram, natural cue"),
       ("oLTP rescue (Roy 2016)", "light on engram", "natural cue after oLTP", "after 100 Hz light on the engram, plasticity on"),
       ("oLTP rescue (Roy 2016)", "light on engram, paired with the cue", "natural cue after oLTP", "after the same light paired with the cue"),
       ("oLTP rescue (Roy 2016)", "light on as many other cells", "natural cue after oLTP", "after the same light on as many other cells")]
    + [("ablation (Han 2007)", "conditioned", "intact", "half of A, intact")]
    + [("ablation (Han 2007)", "conditioned", f"lesion engram {f}", f"half of A, {float(f):.0%} of the engram killed") for f in ("0.25", "0.5", "1")]
    + [("ablation (Han 2007)", "conditioned", "lesion non-engram 1", "half of A, as many other cells killed")]
    + [("allocation (Yiu 2014)", f"current {c}", "allocation", f"10 % of E more excitable ({c}): P(tagged), excitable vs other")
       for c in ("0.02", "0.05", "0.08")]
    + [("allocation (Yiu 2014)", "current 0.08", f"lesion {w} cells", f"current 0.08, then the {w} cells killed")
       for w in ("excitable", "other")]
    + [("time since conditioning", "consolidation", f"{arm} {t}", f"half of A after {int(t) / 1000:g} s of {arm} consolidation")
       for arm, t in (("normal", "0"), ("normal", "1000"), ("normal", "2000"), ("normal", "3000"), ("blocked", "3000"))]
)


def summary_table(protocols: dict) -> list:
    """Markdown lines of the one-outcome-per-row summary (:data:`SUMMARY_ROWS` present in
    ``protocols``): freezing and engram recruitment, each mean [95 % CI], and recruitment's chance."""
    md = ["| protocol | condition | freezing | engram recruited | chance (other cells) |", "|---|---|---|---|---|"]
    last = None
    for protocol, arm, condition, label in SUMMARY_ROWS:
        s = protocols.get(protocol, {}).get(arm, {}).get("conditions", {}).get(condition)
        if s is None:
            continue
        md.append(f"| {protocol if protocol != last else ''} | {label} | {_shown(s['freezing'])} | "
                  f"{_shown(s['recruited'])} | {_shown(s['chance'], 3)} |")
        last = protocol
    return md


def generic_table(protocols: dict, digits: int = 2) -> list:
    """Markdown lines, one table per protocol whose columns are the fields of its scores (mean [95 % CI])."""
    md = []
    for protocol, group in protocols.items():
        first = next(iter(next(iter(group.values()))["conditions"].values()))
        fields = list(first)
        md += ["", f"## {protocol}", "", "| arm | condition | " + " | ".join(f.replace("_", " ") for f in fields) + " |",
               "|---|---|" + "---|" * len(fields)]
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                md.append(f"| {arm} | {condition} | " + " | ".join(_shown(s[f], digits) for f in fields) + " |")
    return md
