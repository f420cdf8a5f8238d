"""Engram experiments in silico: encode, tag, consolidate, recall, and the classic manipulations.

User story: "I want to run the engram experiments of Liu 2012, Denny 2014,
Ryan 2015 and Roy 2016 on a spiking E/I network with on-chip plasticity — on the
neuromorphic simulator, not just in numpy — and see the outcomes."

    python examples/05_engram_lifecycle.py [--target cpu-float] [--out out/example05] [--quick]

Builds the E/I engram network (STDP on E->E, inhibitory STDP on I->E, both on
Lava's learning engine), stores three memories, tags their engrams, consolidates,
and runs: artificial recall by light, silencing, silent engram -> rescue ->
ablation, allocation by chemogenetic excitability, pattern completion from
partial cues, interference with and without inhibitory plasticity, and engram
refinement with structural plasticity.
Writes plots and the trained network (``engram.nir``) to ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="cpu-float",
                        choices=["reference", "snntorch", "cpu-float", "cpu-fixed"])
    parser.add_argument("--sweep-target", default="reference",
                        help="backend of the interference and refinement sweeps (many runs; default: reference)")
    parser.add_argument("--out", default="out/example05")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="shorter phases and sweeps (for tests)")
    args = parser.parse_args(argv)

    from engram_nm.experiments.engram import EngramNetworkConfig
    from engram_nm.experiments.engram.plots import (plot_engram_history, plot_interference, plot_protocols,
                                        plot_recall_raster, plot_refinement)
    from engram_nm.experiments.engram.protocols import (allocation, artificial_recall, completion_curve, interference_curve,
                                            refinement, silencing, silent_engram_rescue_ablation,
                                            trained_experiment)
    from engram_nm.experiments.engram.manipulations import OptogeneticActivation, OptogeneticSilencing
    from engram_nm.nir_io import export_nir
    from engram_nm.analysis.plots import plot_recall_curves

    out = Path(args.out)
    t0 = time.perf_counter()
    lengths = dict(encode_steps=300, rest_steps=100, consolidate_steps=300) if args.quick else {}
    steps = 150 if args.quick else 200
    print(f"training: 3 memories encoded, tagged and consolidated on {args.target} ...")
    ex = trained_experiment(target=args.target, seed=args.seed, progress=True, **lengths)
    for name, mem in ex.memories.items():
        print(f"  memory {name}: {len(mem.cells)} tagged cells")
    export_nir(ex.spec, out / "engram.nir")

    results = [artificial_recall(ex, steps=steps), silencing(ex, steps=steps),
               silent_engram_rescue_ablation(ex, steps=steps),
               allocation(target=args.target, seed=args.seed, steps=steps)]
    for r in results:
        print()
        print(r.table())
    plot_protocols(results, out / "protocols.png", title=f"engram protocols on {args.target}")

    a = ex.memories["A"]
    rasters = {"cue": ex.recall("A", 1.0, steps=steps), "half cue": ex.recall("A", 0.5, steps=steps),
               "light, no cue": ex.recall("A", 0.0, steps=steps, manipulations=[
                   OptogeneticActivation(cells=tuple(a.cells[: len(a.cells) // 2]))]),
               "cue + engram silenced": ex.recall("A", 1.0, steps=steps, manipulations=[
                   OptogeneticSilencing(cells=tuple(a.cells))])}
    plot_recall_raster(rasters, a.tagged, out / "recall_raster.png", title="memory A: E spikes (tagged cells red)")

    fractions = (0.1, 0.3, 0.5, 1.0) if args.quick else (0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
    curve = completion_curve(ex, fractions, steps=steps)
    print("\npattern completion (mean over memories):")
    print("| cue fraction | recall | spurious |\n|---|---|---|")
    for f, (rec, spur) in curve.items():
        print(f"| {f:.1f} | {rec:.2f} | {spur:.2f} |")
    plot_recall_curves({args.target: (list(curve), [v[0] for v in curve.values()])}, out / "completion.png",
                       xlabel="cue fraction", ylabel="engram recall", title="pattern completion")
    plot_engram_history(ex.history, out / "engram_history.png")

    counts = (3, 14) if args.quick else (1, 3, 6, 10, 14)
    sweeps = {}
    for label, istdp in (("inhibitory STDP on", True), ("inhibitory STDP off", False)):
        sweeps[label] = interference_curve(counts, EngramNetworkConfig(inhibitory_plasticity=istdp),
                                           target=args.sweep_target, seed=args.seed)
    print(f"\ninterference ({args.sweep_target}; half cues; offline = 2 s of background activity):")
    print("| memories | iSTDP | recall | spurious | mean offline E rate (Hz) |\n|---|---|---|---|---|")
    for label, rows in sweeps.items():
        for r in rows:
            print(f"| {r['count']} | {'on' if 'on' in label else 'off'} | {r['recall']:.2f} | {r['spurious']:.2f} "
                  f"| {r['mean_offline_rate_hz']:.1f} |")
    plot_interference(sweeps, out / "interference.png")

    ref = refinement(target=args.sweep_target, seed=args.seed, blocks=3 if args.quick else 6)
    print(f"\nrefinement with structural plasticity ({args.sweep_target}):")
    print(ref.table())
    plot_refinement(ref, out / "refinement.png")
    print(f"\nplots and engram.nir in {out}/ ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
