"""The engram experiments on the fear-conditioning network, each over many seeds with its controls.

Every protocol of engram_nm.experiments.engram.conditioning runs as one fixed-emu cohort per arm
(all seeds in one batched emulator call per phase): fear memory (conditioned vs neutral context
over cue fractions; the no-learning and unpaired controls), artificial recall (expression
dose-response; unpaired control), graded silencing (engram vs as many other cells), silent engram
(saline vs the protein-synthesis-inhibitor analogue), optogenetic-LTP rescue (engram vs other
cells; paired with the cue), ablation (fraction of the engram vs as many other cells), allocation
(excitability dose) and recall against time since conditioning (normal vs blocked consolidation).

    python benchmarks/protocols.py [--seeds 20]

Writes benchmarks/results/protocols.{json,md,png} (per protocol and condition: mean, ci95,
n_seeds of the engram recruitment, its chance level, freezing, O rate and mean E rate) and the
same figure to docs/engram_conditioning.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"


def arms():
    """``{protocol: {arm: (function, kwargs)}}``: what the benchmark runs."""
    from engram_nm.experiments.engram import conditioning as fear

    return {
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


def run(seeds: list, progress: bool = True) -> dict:
    from tqdm.auto import tqdm

    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    plan = [(p, a, f, kw) for p, group in arms().items() for a, (f, kw) in group.items()]
    out: dict = {}
    for protocol, arm, function, kwargs in tqdm(plan, desc="protocols", unit="arm", disable=not progress):
        exs = [EngramExperiment(config=fear.conditioning_config(s), target="fixed-emu", seed=s) for s in seeds]
        t0 = time.perf_counter()
        results = run_cohort(exs, partial(function, **kwargs))
        out.setdefault(protocol, {})[arm] = {"conditions": fear.summarise(results),
                                             "per_seed": {c: [vars(r[c]) for r in results] for c in results[0]},
                                             "seconds": time.perf_counter() - t0}
    return out


def table_rows(protocols: dict) -> list:
    def shown(d, digits=2):
        if d["mean"] is None:
            return "-"
        return f"{d['mean']:.{digits}f} [{d['ci95'][0]:.{digits}f}, {d['ci95'][1]:.{digits}f}]"

    md = []
    for protocol, group in protocols.items():
        md += ["", f"## {protocol}", "",
               "| arm | condition | freezing | O rate (Hz) | engram recruited | chance (other cells) "
               "| engram cells scored | mean E rate (Hz) |", "|---|---|---|---|---|---|---|---|"]
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                md.append(f"| {arm} | {condition} | {shown(s['freezing'])} | {shown(s['out_rate_hz'], 1)} | "
                          f"{shown(s['recruited'])} | {shown(s['chance'], 3)} | "
                          f"{shown(s['scored_engram_cells'], 1)} | {shown(s['e_rate_hz'], 1)} |")
    return md


def flat(protocols: dict) -> dict:
    """The issue's per protocol and condition record: recruitment ``mean``/``ci95``/``n_seeds``,
    ``chance`` (its mean), ``freezing`` and ``e_rate_hz`` (mean and ci95)."""
    out = {}
    for protocol, group in protocols.items():
        for arm, data in group.items():
            for condition, s in data["conditions"].items():
                out.setdefault(protocol, {})[f"{arm}: {condition}"] = {
                    "mean": s["recruited"]["mean"], "ci95": s["recruited"]["ci95"], "n_seeds": s["freezing"]["n_seeds"],
                    "n_seeds_with_scored_cells": s["recruited"]["n_seeds"], "chance": s["chance"]["mean"],
                    "freezing": s["freezing"], "out_rate_hz": s["out_rate_hz"], "e_rate_hz": s["e_rate_hz"]}
    return out


def main(argv=None) -> dict:
    from engram_nm.experiments.engram.plots import plot_conditioning

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=Path, default=DOCS / "engram_conditioning.png")
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    protocols = run(seeds)
    info = machine_info()
    result = {"benchmark": "protocols", **info, "seeds": seeds, "protocols": flat(protocols), "arms": protocols,
              "seconds": time.perf_counter() - t0}
    md = ["# Engram experiments on the fear-conditioning network", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; {len(seeds)} seeds per arm (network, input and noise "
          f"seeds), each arm one fixed-emu cohort; {result['seconds']:.0f} s. Mean [95 % bootstrap CI] over seeds. "
          "Freezing: fraction of 50 ms bins in which the read-out population fires above 10 Hz (tests of 500 ms, "
          "the first 100 ms left out); engram recruited: fraction of the scored engram cells above 10 Hz (scored: "
          "cells without input from the cue's channels, never lit, silenced or lesioned); chance: the same for "
          "non-engram cells; mean E rate: the runaway flag. Network and protocols: "
          "engram_nm/experiments/engram/conditioning.py, docs/engram_protocols.md."]
    md += table_rows(protocols)
    out = Path(args.out)
    plot_conditioning(protocols, out / "protocols.png")
    if args.figure:
        plot_conditioning(protocols, args.figure)
    return publish(out, "protocols", result, md)


if __name__ == "__main__":
    main()
