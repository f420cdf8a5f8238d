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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main(argv=None) -> dict:
    from engram_nm.experiments.engram.conditioning_suite import flat_record, run_suite, suite_table
    from engram_nm.experiments.engram.plots import plot_conditioning

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=Path, default=DOCS / "engram_conditioning.png")
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    protocols = run_suite(seeds)
    info = machine_info()
    result = {"benchmark": "protocols", **info, "seeds": seeds, "protocols": flat_record(protocols), "arms": protocols,
              "seconds": time.perf_counter() - t0}
    md = ["# Engram experiments on the fear-conditioning network", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; {len(seeds)} seeds per arm (network, input and noise "
          f"seeds), each arm one fixed-emu cohort; {result['seconds']:.0f} s. Mean [95 % bootstrap CI] over seeds. "
          "Freezing: fraction of 50 ms bins in which the read-out population fires above 10 Hz (tests of 500 ms, "
          "the first 100 ms left out); engram recruited: fraction of the scored engram cells above 10 Hz (scored: "
          "cells without input from the cue's channels, never lit, silenced or lesioned); chance: the same for "
          "non-engram cells; mean E rate: the runaway flag. Network and protocols: "
          "engram_nm/experiments/engram/conditioning.py, docs/engram_protocols.md."]
    md += suite_table(protocols)
    out = Path(args.out)
    plot_conditioning(protocols, out / "protocols.png")
    if args.figure:
        plot_conditioning(protocols, args.figure)
    return publish(out, "protocols", result, md)


if __name__ == "__main__":
    main()
