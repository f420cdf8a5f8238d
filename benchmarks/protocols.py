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


def render(result: dict, out: Path, figure, name: str = "protocols") -> list:
    """Markdown lines of ``result`` (the summary, then every condition) and its figures."""
    from engram_nm.experiments.engram.conditioning_suite import SUITE, contrast_table, suite_table, summary_table
    from engram_nm.experiments.engram.plots import plot_conditioning

    md = ["# Engram experiments on the fear-conditioning network", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; {len(result['seeds'])} seeds per arm (network, "
          f"input and noise seeds), each arm one cohort on {result.get('target', 'fixed-emu')}; network "
          f"x{result.get('scale', 1)} ({400 * result.get('scale', 1)} E + {100 * result.get('scale', 1)} I); "
          f"seeds {result['seeds'][0]}-{result['seeds'][-1]} (parameters were chosen on seeds "
          f"{', '.join(map(str, result.get('tuning_seeds', [])))}, never reported); "
          f"{result['seconds']:.0f} s. Mean [95 % BCa CI] over seeds (Clopper-Pearson where every seed gives "
          "the same fraction). Freezing: fraction of 50 ms bins in which the read-out population fires above 10 Hz "
          "(tests of 500 ms, the first 100 ms left out); its baseline is freezing with no cue and in the "
          "no-shock control. Engram recruited: fraction of the scored engram cells above 10 Hz (scored: "
          "cells without input from the cue's channels, never lit, silenced or lesioned; '-' where none is "
          "left); chance: the same for non-engram cells; mean E rate: the runaway flag. Network and "
          "protocols: engram_nm/experiments/engram/conditioning.py, docs/engram_protocols.md. The day: "
          "conditioning (500 ms, shock in the last 150 ms), then 24 h offline (background input, plasticity "
          "on, 1 h = 0.1 s of network time) on two-stage synapses with tag and capture "
          "(engram_nm/plasticity/consolidation.py).", "",
          "## Primary contrasts", "",
          "Named before the run (conditioning_suite.PRIMARY_CONTRASTS); paired by seed; two-sided Wilcoxon "
          "signed-rank p, Holm-corrected within each protocol; Hedges g_z (standardised mean of the paired "
          "differences).", ""]
    md += contrast_table(result.get("contrasts", {}))
    md += ["", "## Summary", ""]
    md += summary_table(result["arms"])
    md += ["", "# Every condition"]
    md += suite_table(result["arms"])
    if set(result["arms"]) == set(SUITE) and figure is not False:  # the figure has a panel for every protocol
        k = result.get("scale", 1)
        title = (f"engram experiments on the fear-conditioning network: {400 * k} E + {100 * k} I, "
                 f"{len(result['seeds'])} seeds, mean and 95 % CI")
        plot_conditioning(result["arms"], out / f"{name}.png", title=title)
        if figure:
            plot_conditioning(result["arms"], figure, title=title)
    return md


def main(argv=None) -> dict:
    import json

    from dataclasses import asdict
    from functools import partial

    from engram_nm.experiments.engram.conditioning import conditioning_config, scaled_synapses
    from engram_nm.experiments.engram.conditioning_suite import (REPORTED_SEEDS, TUNING_SEEDS, flat_record,
                                                                 primary_contrasts, run_suite)

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(REPORTED_SEEDS),
                        help="how many of the reported seeds (conditioning_suite.REPORTED_SEEDS) to run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "engram_conditioning.png",
                        help="where the figure goes besides the results folder (\"\": nowhere else)")
    parser.add_argument("--protocols", nargs="*", default=None, help="a subset of the suite (names as in the tables)")
    parser.add_argument("--scale", type=int, default=1,
                        help="network size x SCALE at constant in-degrees (conditioning_config); results go to "
                             "protocols_scale<SCALE>.* and no figure is drawn")
    parser.add_argument("--target", default="fixed-emu", help="backend of the runs (default: the emulator)")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="render the tables and figures of an existing protocols.json instead of running")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text())
    else:
        seeds = [REPORTED_SEEDS[0] + k for k in range(args.seeds)]
        t0 = time.perf_counter()
        config = partial(conditioning_config, scale=args.scale)
        protocols = run_suite(seeds, target=args.target, protocols=args.protocols, config=config,
                              day={"per_context": 40 * args.scale, "synapses": scaled_synapses(args.scale)}
                              if args.scale > 1 else None)
        result = {"benchmark": "protocols", **machine_info(), "seeds": seeds, "tuning_seeds": list(TUNING_SEEDS),
                  "scale": args.scale,
                  "target": args.target, "network": asdict(config(0)), "protocols": flat_record(protocols),
                  "arms": protocols, "seconds": time.perf_counter() - t0}
    result["contrasts"] = primary_contrasts(result["arms"])
    scale = result.get("scale", 1)
    name = "protocols" if scale == 1 else f"protocols_scale{scale}"
    return publish(out, name, result, render(result, out, args.figure if scale == 1 else None, name))


if __name__ == "__main__":
    main()
