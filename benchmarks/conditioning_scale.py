"""What a larger conditioning network costs: one protocol arm at 400 E + 100 I and at 2,000 E + 500 I.

Issue 31 asked for the suite's default network at >= 2,000 E + 500 I at no more than the run time
of today's 20-seed suite, or for the measured reason why not. This runs the same arm (fear memory,
conditioned: the day, 24 h offline, four cue fractions and the neutral context) on one fixed-emu
cohort of seeds at each scale (``conditioning_config(seed, scale)``, the scaled day of
``benchmarks/protocols.py --scale``), and reports seconds per seed and arm, the ratio between the
scales (the baseline is scale 1, in the same run), and the freezing each gives (a scaled network
that learned nothing would be cheap for the wrong reason).

    python benchmarks/conditioning_scale.py [--seeds 4] [--scales 1 5]

Writes benchmarks/results/conditioning_scale.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402


def main(argv=None) -> dict:
    from engram_nm.experiments.engram.conditioning import conditioning_config, scaled_synapses
    from engram_nm.experiments.engram.conditioning_suite import REPORTED_SEEDS, SUITE, run_suite, shown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = list(REPORTED_SEEDS[: args.seeds])
    arm = {"fear memory": {"conditioned": SUITE["fear memory"]["conditioned"]}}
    arms_in_suite = sum(len(a) for a in SUITE.values())
    rows = []
    for scale in args.scales:
        t0 = time.perf_counter()
        out = run_suite(seeds, target="fixed-emu", suite=arm, progress=False,
                        config=partial(conditioning_config, scale=scale),
                        day={"per_context": 40 * scale, "synapses": scaled_synapses(scale)} if scale > 1 else None)
        seconds = time.perf_counter() - t0
        conditions = out["fear memory"]["conditioned"]["conditions"]
        rows.append({"scale": scale, "e_cells": 400 * scale, "i_cells": 100 * scale, "seconds": seconds,
                     "seconds_per_seed": seconds / len(seeds),
                     "suite_estimate_seconds": seconds / len(seeds) * 20 * arms_in_suite,
                     "freezing_half_of_A": conditions["A 0.5"]["freezing"],
                     "freezing_half_of_B": conditions["B 0.5"]["freezing"]})
    base = rows[0]["seconds_per_seed"]
    for r in rows:
        r["cost_vs_first_scale"] = r["seconds_per_seed"] / base
    info = machine_info()
    result = {"benchmark": "conditioning_scale", **info, "seeds": seeds, "arms_in_suite": arms_in_suite, "rows": rows}
    md = ["# The conditioning network at two sizes: cost of one arm", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; seeds {seeds[0]}-{seeds[-1]}, one fixed-emu cohort per "
          f"scale; the arm 'fear memory, conditioned'. Suite estimate: seconds per seed x 20 seeds x "
          f"{arms_in_suite} arms (arms differ in length; the measured 20-seed suite is benchmarks/results/protocols.md).",
          "", "| network | s per seed (one arm) | cost vs the first row | 20-seed suite, estimated (s) "
          "| freezing, half of A | freezing, half of B |", "|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['e_cells']} E + {r['i_cells']} I | {r['seconds_per_seed']:.1f} | x{r['cost_vs_first_scale']:.1f} | "
                  f"{r['suite_estimate_seconds']:.0f} | {shown(r['freezing_half_of_A'])} | {shown(r['freezing_half_of_B'])} |")
    return publish(args.out, "conditioning_scale", result, md)


if __name__ == "__main__":
    main()
