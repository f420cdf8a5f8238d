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
from dataclasses import dataclass
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
    "time since conditioning": {
        "normal": (fear.consolidation_course, {}),
        "protein-synthesis inhibitor (no capture)": (fear.consolidation_course, {"consolidation": "blocked"}),
        "replay blocked (engram silenced offline)": (fear.consolidation_course, {"replay": False}),
        "single-stage synapses (no early decay)": (fear.consolidation_course, {"synapses": None})},
}
"""``{protocol: {arm: (protocol function, keyword arguments)}}``."""

TUNING_SEEDS = tuple(range(10))
"""Seeds on which the networks' free parameters (``w_ee_max``, ``w_eo_max``, the day's timings)
were chosen (docs/engram_protocols.md). Reported results use :data:`REPORTED_SEEDS`, never these."""

REPORTED_SEEDS = tuple(range(100, 120))
"""The 20 seeds of the reported tables (``benchmarks/protocols.py``, ``benchmarks/phenomena.py``):
disjoint from :data:`TUNING_SEEDS` and from the seeds 20-29 of the review that asked for it."""


@dataclass(frozen=True)
class Contrast:
    """A primary contrast, named before the run: ``a`` against ``b``, each ``(arm, condition,
    field)`` of one protocol, seed-matched (the arms of a protocol share their seeds). The lab's
    result predicts ``a > b``; :func:`primary_contrasts` reports the paired test either way."""

    name: str
    a: tuple
    b: tuple


def _c(name: str, a: tuple, b: tuple) -> Contrast:
    return Contrast(name, a, b)


PRIMARY_CONTRASTS = {
    "fear memory": (
        _c("half of A vs half of B: freezing", ("conditioned", "A 0.5", "freezing"), ("conditioned", "B 0.5", "freezing")),
        _c("half of A: engram recruited vs chance", ("conditioned", "A 0.5", "recruited"), ("conditioned", "A 0.5", "chance")),
        _c("conditioned vs plasticity off: freezing to half of A", ("conditioned", "A 0.5", "freezing"),
           ("no learning (plasticity off while conditioning)", "A 0.5", "freezing")),
        _c("conditioned vs no shock: freezing to half of A", ("conditioned", "A 0.5", "freezing"),
           ("unpaired (no shock)", "A 0.5", "freezing"))),
    "artificial recall (Liu 2012)": (
        _c("light on engram vs on as many other cells: freezing", ("conditioned", "light engram 1", "freezing"),
           ("conditioned", "light non-engram 1", "freezing")),
        _c("light on engram, conditioned vs no shock: freezing", ("conditioned", "light engram 1", "freezing"),
           ("unpaired (no shock)", "light engram 1", "freezing"))),
    "silencing (Denny 2014)": (
        _c("half of A, no light vs engram silenced (0.5): freezing", ("conditioned", "cue alone", "freezing"),
           ("conditioned", "silence engram 0.5", "freezing")),
        _c("other cells silenced vs engram silenced (0.5): freezing", ("conditioned", "silence non-engram 0.5", "freezing"),
           ("conditioned", "silence engram 0.5", "freezing"))),
    "silent engram (Ryan 2015)": (
        _c("full context, saline vs PSI: freezing", ("saline", "full context", "freezing"),
           ("protein-synthesis inhibitor", "full context", "freezing")),
        _c("PSI: light on engram vs full context: freezing", ("protein-synthesis inhibitor", "light on engram", "freezing"),
           ("protein-synthesis inhibitor", "full context", "freezing")),
        _c("half cue, saline vs PSI: freezing", ("saline", "natural cue", "freezing"),
           ("protein-synthesis inhibitor", "natural cue", "freezing"))),
    "oLTP rescue (Roy 2016)": (
        _c("natural cue after vs before oLTP: freezing", ("light on engram", "natural cue after oLTP", "freezing"),
           ("light on engram", "natural cue before oLTP", "freezing")),
        _c("after oLTP on engram vs on other cells: freezing", ("light on engram", "natural cue after oLTP", "freezing"),
           ("light on as many other cells", "natural cue after oLTP", "freezing"))),
    "ablation (Han 2007)": (
        _c("intact vs whole engram killed: freezing", ("conditioned", "intact", "freezing"),
           ("conditioned", "lesion engram 1", "freezing")),
        _c("as many other cells killed vs engram killed: freezing", ("conditioned", "lesion non-engram 1", "freezing"),
           ("conditioned", "lesion engram 1", "freezing"))),
    "allocation (Yiu 2014)": (
        _c("current 0.08: P(tagged), excitable vs other cells", ("current 0.08", "allocation", "recruited"),
           ("current 0.08", "allocation", "chance")),
        _c("current 0.08: other cells killed vs excitable killed: freezing", ("current 0.08", "lesion other cells", "freezing"),
           ("current 0.08", "lesion excitable cells", "freezing"))),
    "time since conditioning": (
        _c("24 h, full A: normal vs protein-synthesis inhibitor: freezing", ("normal", "24 h: A", "freezing"),
           ("protein-synthesis inhibitor (no capture)", "24 h: A", "freezing")),
        _c("24 h, full A: normal vs replay blocked: freezing", ("normal", "24 h: A", "freezing"),
           ("replay blocked (engram silenced offline)", "24 h: A", "freezing")),
        _c("normal: discrimination at 24 h vs 1 h", ("normal", "24 h: discrimination", "index"),
           ("normal", "1 h: discrimination", "index"))),
}
"""``{protocol: (Contrast, ...)}``: each protocol's primary contrasts, one family for Holm's correction."""


def primary_contrasts(protocols: dict, contrasts: dict | None = None) -> dict:
    """Paired, seed-matched tests of each protocol's primary contrasts (default
    :data:`PRIMARY_CONTRASTS`) on :func:`run_suite`'s result, Holm-corrected within the protocol
    (:func:`~engram_nm.analysis.statistics.holm_family`). Contrasts whose arm or condition did not
    run are left out. Returns ``{protocol: {name: {"a", "b", **PairedContrast.as_dict()}}}``."""
    from engram_nm.analysis.statistics import holm_family, paired_contrast

    contrasts = PRIMARY_CONTRASTS if contrasts is None else contrasts
    out: dict = {}
    for protocol, family in contrasts.items():
        group = protocols.get(protocol)
        if group is None:
            continue

        def per_seed(arm, condition, field):
            return [row[field] for row in group[arm]["per_seed"][condition]]

        ran = [c for c in family if all(end[0] in group and end[1] in group[end[0]]["per_seed"] for end in (c.a, c.b))]
        tested = holm_family({c.name: paired_contrast(per_seed(*c.a), per_seed(*c.b)) for c in ran})
        out[protocol] = {c.name: {"a": ": ".join(c.a), "b": ": ".join(c.b), **tested[c.name].as_dict()} for c in ran}
    return out


def _p(p: float) -> str:
    return f"{p:.1e}" if p < 1e-3 else f"{p:.3f}"


def contrast_table(contrasts: dict) -> list:
    """Markdown lines of :func:`primary_contrasts`: one row per contrast."""
    md = ["| protocol | contrast (a vs b) | mean a | mean b | a - b [95 % CI] | Hedges g_z | p (Wilcoxon) "
          "| p (Holm) | seeds |", "|---|---|---|---|---|---|---|---|---|"]
    for protocol, family in contrasts.items():
        first = True
        for name, c in family.items():
            low, high = c["difference_ci95"]
            md.append(f"| {protocol if first else ''} | {name} | {c['mean_a']:.2f} | {c['mean_b']:.2f} | "
                      f"{c['difference']:+.2f} [{low:+.2f}, {high:+.2f}] | {c['hedges_gz']:.2f} | {_p(c['p_value'])} | "
                      f"{_p(c['p_holm'])} | {c['n_pairs']} |")
            first = False
    return md


def run_suite(seeds, target: str = "fixed-emu", protocols=None, progress: bool = True, config=None,
              day=None, suite=None) -> dict:
    """Every arm of ``protocols`` (names of ``suite``, default :data:`SUITE`; default all) on one
    cohort of ``seeds``; ``config(seed)`` builds each network (default
    :func:`~engram_nm.experiments.engram.conditioning.conditioning_config`; an arm given as
    ``(function, kwargs, config)`` brings its own); ``day``: keyword arguments added to every arm
    (e.g. ``per_context`` and the scaled ``synapses`` of a scaled network), where the arm does not
    set them itself (the single-stage arm keeps ``synapses=None``).
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
        results = run_cohort(exs, partial(function, **{**(day or {}), **kwargs}))  # an arm's own choice wins
        out.setdefault(protocol, {})[arm] = {"conditions": fear.summarise(results),
                                             "per_seed": {c: [vars(r[c]) for r in results] for c in results[0]},
                                             "seconds": time.perf_counter() - t0}
    return out


def shown(d: dict, digits: int = 2) -> str:
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
                if "out_rate_hz" not in s:  # not a test trial: its fields in the first column
                    md.append(f"| {arm} | {condition} | " + "; ".join(f"{k} {shown(v)}" for k, v in s.items())
                              + " | | | | | |")
                    continue
                md.append(f"| {arm} | {condition} | {shown(s['freezing'])} | {shown(s['out_rate_hz'], 1)} | "
                          f"{shown(s['recruited'])} | {shown(s['chance'], 3)} | "
                          f"{shown(s['scored_engram_cells'], 1)} | {shown(s['e_rate_hz'], 1)} |")
    return md


def flat_record(protocols: dict) -> dict:
    """Per protocol and ``"arm: condition"``: engram recruitment ``mean`` / ``ci95`` / ``n_seeds``
    (and how many seeds had cells to score), its ``chance`` (mean), ``freezing``, ``out_rate_hz``
    and ``e_rate_hz`` (each mean and ci95)."""
    out: dict = {}
    for protocol, group in protocols.items():
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                if "recruited" not in s:  # not a test trial (e.g. a discrimination index): its fields as they are
                    out.setdefault(protocol, {})[f"{arm}: {condition}"] = dict(s)
                    continue
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
       for c in ("full context", "natural cue", "light on engram")]
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
    + [("time since conditioning", arm, f"{h} h: A", f"full A, {h} h after conditioning, {label}")
       for arm, label in (("normal", "normal"), ("protein-synthesis inhibitor (no capture)", "PSI"),
                          ("replay blocked (engram silenced offline)", "replay blocked"),
                          ("single-stage synapses (no early decay)", "single-stage synapses"))
       for h in ("0", "24")]
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
        md.append(f"| {protocol if protocol != last else ''} | {label} | {shown(s['freezing'])} | "
                  f"{shown(s['recruited'])} | {shown(s['chance'], 3)} |")
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
                md.append(f"| {arm} | {condition} | " + " | ".join(shown(s[f], digits) for f in fields) + " |")
    return md
