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
rasters of test trials, the trained network as NIR, and on the older private-input network the
interference sweep (with and without inhibitory plasticity) and engram refinement.
Writes protocols.json, plots and engram.nir to ``--out``.
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
    parser.add_argument("--sweep-target", default="reference",
                        help="backend of the interference and refinement sweeps (many runs; default: reference)")
    parser.add_argument("--out", default="out/example05")
    parser.add_argument("--quick", action="store_true", help="three protocols, shorter sweeps (for tests)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")

    from engram_nm.experiments.engram import EngramNetworkConfig
    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.conditioning_suite import SUITE, flat_record, run_suite, suite_table
    from engram_nm.experiments.engram.lifecycle import EngramExperiment
    from engram_nm.experiments.engram.manipulations import OptogeneticActivation, OptogeneticSilencing
    from engram_nm.experiments.engram.plots import (plot_conditioning, plot_interference, plot_refinement,
                                                    plot_trial_rasters)
    from engram_nm.experiments.engram.protocols import interference_curve, refinement
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

    counts = (3, 14) if args.quick else (1, 3, 6, 10, 14)
    sweeps = {label: interference_curve(counts, EngramNetworkConfig(inhibitory_plasticity=istdp),
                                        target=args.sweep_target, seed=0)
              for label, istdp in (("inhibitory STDP on", True), ("inhibitory STDP off", False))}
    print(f"\ninterference on the private-input network ({args.sweep_target}; half cues; offline = 2 s of "
          "background activity):")
    print("| memories | iSTDP | recall | spurious | mean offline E rate (Hz) |\n|---|---|---|---|---|")
    for label, rows in sweeps.items():
        for r in rows:
            print(f"| {r['count']} | {'on' if 'on' in label else 'off'} | {r['recall']:.2f} | {r['spurious']:.2f} "
                  f"| {r['mean_offline_rate_hz']:.1f} |")
    plot_interference(sweeps, out / "interference.png")
    ref = refinement(target=args.sweep_target, seed=0, blocks=3 if args.quick else 6)
    print(f"\nrefinement with structural plasticity ({args.sweep_target}):")
    print(ref.table())
    plot_refinement(ref, out / "refinement.png")
    print(f"\nprotocols.json, plots and engram.nir in {out}/ ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
