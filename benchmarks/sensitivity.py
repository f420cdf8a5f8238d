"""Sensitivity maps of the conditioning day: key outcomes over w_ee_max x w_eo_max x the capture
time constant (engram_nm/experiments/engram/sensitivity.py), on seeds 200-209 (neither tuning nor
reported seeds), each point one fixed-emu cohort with protein synthesis and one with the inhibitor.

    python benchmarks/sensitivity.py [--quick]

Writes benchmarks/results/sensitivity.{json,md,png} and docs/engram_sensitivity.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main(argv=None) -> dict:
    from engram_nm.experiments.engram.sensitivity import OUTCOMES, plot_sensitivity, sensitivity_map

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 2 x 2 x 1 grid on two seeds (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "engram_sensitivity.png")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    kwargs = dict(w_ee=(0.1, 0.15), w_eo=(0.02, 0.04), tau_capture_h=(0.1,), seeds=(200, 201)) if args.quick else {}
    result = {"benchmark": "sensitivity", **machine_info(), **sensitivity_map(progress=not args.quick, **kwargs)}
    result["seconds"] = time.perf_counter() - t0
    names = list(OUTCOMES) + ["E rate, no cue (Hz)"]
    md = ["# Sensitivity maps of the conditioning day", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; seeds {result['seeds'][0]}-{result['seeds'][-1]} "
          f"(neither the tuning seeds 0-9 nor the reported 100-119); {result['seconds']:.0f} s. Freezing, seed "
          "means, after conditioning and 24 h offline on two-stage synapses (saline) or with the inhibitor (PSI). "
          "Defaults: w_ee_max 0.15, w_eo_max 0.04, tau_capture 0.1 h. Code: engram_nm/experiments/engram/sensitivity.py.",
          "", "| tau_capture (h) | w_ee_max | w_eo_max | " + " | ".join(names) + " |",
          "|---|---|---|" + "---|" * len(names)]
    for p in result["points"]:
        md.append(f"| {p['tau_capture_h']:g} | {p['w_ee_max']:g} | {p['w_eo_max']:g} | "
                  + " | ".join(f"{p[n]:.2f}" for n in names) + " |")
    plot_sensitivity(result, Path(args.out) / "sensitivity.png")
    if args.figure and not args.quick:
        plot_sensitivity(result, args.figure)
    return publish(args.out, "sensitivity", result, md)


if __name__ == "__main__":
    main()
