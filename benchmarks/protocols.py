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


def render(result: dict, out: Path, figure: Path | None) -> list:
    """Markdown lines of ``result`` (the summary, then every condition) and its figures."""
    from engram_nm.experiments.engram.conditioning_suite import SUITE, suite_table, summary_table
    from engram_nm.experiments.engram.plots import plot_conditioning

    md = ["# Engram experiments on the fear-conditioning network", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; {len(result['seeds'])} seeds per arm (network, "
          f"input and noise seeds), each arm one fixed-emu cohort; {result['seconds']:.0f} s. Mean [95 % bootstrap "
          "CI] over seeds. Freezing: fraction of 50 ms bins in which the read-out population fires above 10 Hz "
          "(tests of 500 ms, the first 100 ms left out); its baseline is freezing with no cue and in the "
          "no-shock control. Engram recruited: fraction of the scored engram cells above 10 Hz (scored: "
          "cells without input from the cue's channels, never lit, silenced or lesioned; '-' where none is "
          "left); chance: the same for non-engram cells; mean E rate: the runaway flag. Network and "
          "protocols: engram_nm/experiments/engram/conditioning.py, docs/engram_protocols.md.", "",
          "## Summary", ""]
    md += summary_table(result["arms"])
    md += ["", "# Every condition"]
    md += suite_table(result["arms"])
    if set(result["arms"]) == set(SUITE):  # the figure has a panel for every protocol
        plot_conditioning(result["arms"], out / "protocols.png")
        if figure:
            plot_conditioning(result["arms"], figure)
    return md


def main(argv=None) -> dict:
    import json

    from engram_nm.experiments.engram.conditioning_suite import flat_record, run_suite

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "engram_conditioning.png",
                        help="where the figure goes besides the results folder (\"\": nowhere else)")
    parser.add_argument("--protocols", nargs="*", default=None, help="a subset of the suite (names as in the tables)")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="render the tables and figures of an existing protocols.json instead of running")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text())
    else:
        seeds = list(range(args.seeds))
        t0 = time.perf_counter()
        protocols = run_suite(seeds, protocols=args.protocols)
        result = {"benchmark": "protocols", **machine_info(), "seeds": seeds, "protocols": flat_record(protocols),
                  "arms": protocols, "seconds": time.perf_counter() - t0}
    return publish(out, "protocols", result, render(result, out, args.figure))


if __name__ == "__main__":
    main()
