"""Memory load and pruning on the fear-conditioning network, ten reported seeds, each against its control.

Memory load (engram_nm.experiments.engram.memory_load): context A conditioned, then 1-12 contexts
stored in all (plasticity on), 24 h offline, half of A and half of a never-shown context tested;
control: the same contexts shown with plasticity off after A. Pruning
(engram_nm.experiments.engram.refinement): after conditioning, four 6-h offline blocks with E->E
synapses below a threshold pruned, probed after each; control: no structural plasticity. Seeds
100-109 (conditioning_suite.REPORTED_SEEDS; the counts and thresholds were looked at on seeds 0-2).
Mean [95 % BCa CI, Clopper-Pearson where every seed agrees] over seeds; the per-seed values are
in the JSON, so each contrast can be paired by seed.

    python benchmarks/load_and_pruning.py [--seeds 10] [--quick]

Writes benchmarks/results/load_and_pruning.{json,md,png}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

COUNTS = (1, 3, 5, 8, 12)
PRUNE = (0.0, 0.03, 0.06)


def main(argv=None) -> dict:
    import json

    from engram_nm.experiments.engram.conditioning_suite import (REPORTED_SEEDS, contrast_table, primary_contrasts,
                                                                 run_suite)
    from engram_nm.experiments.engram.memory_load import load_contrasts, load_suite, load_table
    from engram_nm.experiments.engram.plots import plot_memory_load, plot_refinement
    from engram_nm.experiments.engram.refinement import refinement_contrasts, refinement_suite, refinement_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="two seeds, counts 1 and 8, one threshold (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--from-json", type=Path, help="re-render a previous run's JSON (no simulation)")
    args = parser.parse_args(argv)
    if args.from_json:
        previous = json.loads(args.from_json.read_text())
        seeds, load, pruning, seconds = (previous["seeds"], previous["memory_load"], previous["pruning"],
                                         previous["seconds"])
        info = {k: previous[k] for k in machine_info()}
    else:
        seeds = list(REPORTED_SEEDS[: 2 if args.quick else args.seeds])
        counts, prune = ((1, 8), (0.0, 0.06)) if args.quick else (COUNTS, PRUNE)
        t0 = time.perf_counter()
        load = run_suite(seeds, target="fixed-emu", suite=load_suite(counts))
        seconds = {"memory_load": time.perf_counter() - t0}
        pruning = run_suite(seeds, target="reference", suite=refinement_suite(prune))  # structural: not on fixed-emu
        seconds["pruning"] = time.perf_counter() - t0 - seconds["memory_load"]
        info = machine_info()
    t_load = seconds["memory_load"]

    def kept(protocols):
        return {p: {a: {"conditions": d["conditions"], "per_seed": d["per_seed"]} for a, d in g.items()}
                for p, g in protocols.items()}

    contrasts = {**primary_contrasts(load, load_contrasts(8)), **primary_contrasts(pruning, refinement_contrasts())}
    result = {"benchmark": "load_and_pruning", **info, "seeds": seeds, "memory_load": kept(load),
              "pruning": kept(pruning), "primary_contrasts": contrasts, "seconds": seconds}
    md = ["# Memory load and pruning on the fear-conditioning network", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; seeds {seeds[0]}-{seeds[-1]}; memory load on fixed-emu "
          f"{t_load:.0f} s, pruning on reference {seconds['pruning']:.0f} s. Mean [95 % CI] over seeds. "
          "Chance of freezing: 0 (no seed freezes to a context never paired with the shock before any is stored).",
          "", "## Memory load (contexts of 40 of 200 channels; half cues; 24 h offline)", "", *load_table(load),
          "", "## Pruning after conditioning (E->E synapses below the threshold removed every 100 steps)", "",
          *refinement_table(pruning), "", "## Primary contrasts",
          "", "Paired by seed; two-sided Wilcoxon signed-rank p, Holm-corrected within each family.", "",
          *contrast_table(contrasts)]
    plot_memory_load(load, args.out / "load_and_pruning_load.png")
    plot_refinement(pruning, args.out / "load_and_pruning_pruning.png")
    return publish(args.out, "load_and_pruning", result, md)


if __name__ == "__main__":
    main()
