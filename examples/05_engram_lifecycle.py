"""Engram experiments in silico: fear conditioning and the classic manipulations, over seeds, with CIs.

User story: "I want to run the engram experiments of Liu 2012, Denny 2014, Ryan 2015, Roy 2016,
Han 2007 and Yiu 2014 on a spiking E/I network with on-chip plasticity, see freezing and the
engram cells behind it, with the controls where the mechanism is off, over ten seeds."

    python examples/05_engram_lifecycle.py [--seeds 10] [--target fixed-emu] [--out out/example05] [--quick]

The network (engram_nm.experiments.engram.conditioning): 400 E + 100 I LIF cells fed through a
sparse random projection of 200 sensory channels (contexts overlap), STDP on E->E, a behavioural
read-out population whose synapses from E learn while a foot shock (US) drives it. Each protocol
and its controls run on a cohort of seeds (one batched emulator call per phase on fixed-emu; on
Lava cpu-float / cpu-fixed seed by seed, spike for spike the same, tested). Then, for seed 0:
rasters of test trials and the trained network as NIR; and on the same network over the same
seeds: memory load (1-12 contexts stored, against the same contexts shown with plasticity off)
and pruning after conditioning (structural plasticity against none).
Writes protocols.json, load_and_pruning.json, plots and engram.nir to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds per protocol arm (default 10)")
    parser.add_argument("--target", default="fixed-emu",
                        choices=["fixed-emu", "reference", "cpu-float", "cpu-fixed", "snntorch"])
    parser.add_argument("--sweep-target", default="reference", choices=["reference", "cpu-fixed"],
                        help="backend of the pruning runs (structural plasticity is not emulated on fixed-emu)")
    parser.add_argument("--out", default="out/example05")
    parser.add_argument("--quick", action="store_true", help="three protocols, shorter sweeps (for tests)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")

    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.conditioning_suite import SUITE, flat_record, run_suite, suite_table
    from engram_nm.experiments.engram.lifecycle import EngramExperiment
    from engram_nm.experiments.engram.manipulations import OptogeneticActivation, OptogeneticSilencing
    from engram_nm.experiments.engram.memory_load import load_suite, load_table
    from engram_nm.experiments.engram.plots import (plot_conditioning, plot_memory_load, plot_refinement,
                                                    plot_trial_rasters)
    from engram_nm.experiments.engram.refinement import refinement_suite, refinement_table
    from engram_nm.experiments.engram.stimulus import cue_channels
    from engram_nm.io_utils import atomic_write_text
    from engram_nm.nir_io import export_nir

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    names = ["fear memory", "silencing (Denny 2014)", "silent engram (Ryan 2015)"] if args.quick else list(SUITE)
    seeds = list(range(args.seeds))
    print(f"{len(names)} protocols x their controls, {len(seeds)} seeds each, on {args.target} ...")
    protocols = run_suite(seeds, target=args.target, protocols=names)
    print("\n".join(suite_table(protocols)))
    atomic_write_text(out / "protocols.json", json.dumps({"target": args.target, "seeds": seeds,
                                                          "protocols": flat_record(protocols)}, indent=2) + "\n")
    if not args.quick:
        plot_conditioning(protocols, out / "conditioning.png")

    # one animal, looked at closely: the trials behind the numbers
    ex = EngramExperiment(config=fear.conditioning_config(0), target=args.target, seed=0)
    day = fear.condition(ex)
    engram = ex.memories["A"]
    print(f"\nseed 0: {engram.tagged.sum()} tagged engram cells of {ex.original_size}")
    cue = cue_channels(day.conditioned, 0.5, seed=0)
    trials = {"half of context A": ex.present(cue, 500, kind="test"),
              "half of neutral context B": ex.present(cue_channels(day.neutral, 0.5, seed=0), 500, kind="test"),
              "light on the engram, no cue": ex.present([], 500, [OptogeneticActivation(cells=tuple(engram.cells))],
                                                        kind="test"),
              "half of A, engram silenced": ex.present(cue, 500, [OptogeneticSilencing(cells=tuple(engram.cells),
                                                                                       strength=0.5)], kind="test")}
    plot_trial_rasters(trials, engram.tagged, out / "trial_rasters.png",
                       title="seed 0 after conditioning: E cells and the freezing read-out")
    export_nir(ex.spec, out / "engram.nir")

    # memory load: more contexts stored, against the same contexts shown with plasticity off
    load = run_suite(seeds, target=args.target, suite=load_suite((1, 8) if args.quick else (1, 3, 5, 8, 12)),
                     progress=False)
    print(f"\nmemory load ({args.target}; half cues; offline = 24 h of background input):")
    print("\n".join(load_table(load)))
    plot_memory_load(load, out / "memory_load.png")
    # pruning after conditioning, against no structural plasticity
    prune = run_suite(seeds, target=args.sweep_target, suite=refinement_suite((0.0, 0.06) if args.quick else
                                                                               (0.0, 0.03, 0.06)), progress=False)
    print(f"\npruning after conditioning ({args.sweep_target}):")
    print("\n".join(refinement_table(prune)))
    plot_refinement(prune, out / "refinement.png")
    atomic_write_text(out / "load_and_pruning.json", json.dumps(
        {"seeds": seeds, "memory_load": {p: {a: d["conditions"] for a, d in g.items()} for p, g in load.items()},
         "refinement": {p: {a: d["conditions"] for a, d in g.items()} for p, g in prune.items()}}, indent=2) + "\n")
    print(f"\nprotocols.json, plots and engram.nir in {out}/ ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
