"""Willshaw capacity vs N at K = log2 N, run as a sweep (examples/sweeps/capacity.toml on a local
Dask cluster), and the exponent of capacity vs N / log2 N with its 95 % CI beside the theory's.

The claim under test: a Willshaw (clipped Hebbian) memory of N units storing patterns of K =
log2 N active units holds M* = ln2 N^2 / K^2 patterns (Willshaw et al. 1969; Palm 1980), i.e.
capacity ~ (N / log N)^2: exponent 2. The measured capacity uses the criterion of one spurious
unit per full-cue retrieval (engram_nm.sdm.capacity.willshaw_capacity), whose exact theory
(``theory`` in the table) approaches M* only as N grows, so its exponent at these N is given too.

    python benchmarks/sweep_capacity.py [--workers 2] [--quick]

Writes benchmarks/results/sweep_capacity.{json,md,png}; the sweep's own folder is
out/sweeps/capacity (a rerun reuses every finished trial).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> dict:
    from engram_nm.analysis.statistics import t_ci95
    from engram_nm.sdm.capacity import scaling_exponent
    from engram_nm.sweep import load_sweep, run_sweep

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="N = 128 ... 512, 3 seeds (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--sweep-out", type=Path, default=None, help="the sweep's results folder")
    args = parser.parse_args(argv)
    spec, folder = load_sweep(ROOT / "examples" / "sweeps" / "capacity.toml")
    if args.quick:
        spec.grid, spec.seeds = {"n": [128, 256, 512]}, [0, 1, 2]
        folder = folder.parent / "capacity_quick"
    folder = args.sweep_out or folder
    t0 = time.perf_counter()
    result = run_sweep(spec, folder, workers=args.workers, progress=not args.quick)
    rows = [r for r in result.rows if r["status"] == "ok" and r["n"] in spec.grid["n"] and r["seed"] in spec.seeds]
    n = np.array([r["n"] for r in rows])
    cap = np.array([r["capacity"] for r in rows])
    seeds = np.array([r["seed"] for r in rows])
    b, (low, high) = scaling_exponent(n, cap, seeds)
    sizes = sorted(set(n.tolist()))
    theory = {int(r["n"]): r["theory"] for r in rows}
    m_star = {int(r["n"]): r["m_star"] for r in rows}
    b_theory = float(np.polyfit(np.log(np.array(sizes) / np.log2(sizes)), np.log([theory[s] for s in sizes]), 1)[0])
    per_n = []
    for s in sizes:
        v = cap[n == s]
        half = t_ci95(v) if v.size > 1 else float("nan")
        per_n.append({"N": int(s), "K": int(round(np.log2(s))), "capacity": {"mean": float(v.mean()),
                      "ci95": [float(v.mean() - half), float(v.mean() + half)], "n_seeds": int(v.size)},
                      "theory_same_criterion": float(theory[s]), "M_star": float(m_star[s]),
                      "wall_s": float(np.mean([r["wall_s"] for r in rows if r["n"] == s]))})
    out = {"benchmark": "sweep_capacity", **machine_info(), "seconds": time.perf_counter() - t0,
           "sweep": str(folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder), "trials_run_now": result.ran, "trials_reused": result.skipped,
           "failed": result.failed, "workers": args.workers,
           "exponent": {"measured": b, "ci95": [low, high], "theory_same_criterion": b_theory, "M_star": 2.0,
                        "fit": "least squares of log capacity on log(N / log2 N); CI: bootstrap of seeds within N"},
           "per_n": per_n}
    md = ["# Willshaw capacity vs N (a sweep on Dask)", "",
          f"Machine: {out['machine']}; {len(spec.seeds)} seeds per N; K = round(log2 N); criterion: one spurious "
          f"unit per full-cue retrieval; {result.ran} trials run now, {result.skipped} reused from "
          f"{folder.name}/; {out['seconds']:.0f} s with {args.workers} workers.", "",
          f"**Exponent of capacity vs N / log2 N: {b:.3f} [{low:.3f}, {high:.3f}]** (95 % bootstrap CI over seeds); "
          f"the claim M* = ln2 N^2 / K^2 says 2; the exact theory of the same criterion at these N gives "
          f"{b_theory:.3f}.", "",
          "| N | K | capacity (patterns) | theory, same criterion | M* = ln2 N^2/K^2 | s per trial |",
          "|---|---|---|---|---|---|"]
    for p in per_n:
        c = p["capacity"]
        md.append(f"| {p['N']} | {p['K']} | {c['mean']:.0f} [{c['ci95'][0]:.0f}, {c['ci95'][1]:.0f}] | "
                  f"{p['theory_same_criterion']:.0f} | {p['M_star']:.0f} | {p['wall_s']:.2f} |")
    _plot(per_n, b, (low, high), args.out / "sweep_capacity.png")
    return publish(args.out, "sweep_capacity", out, md)


def _plot(per_n, b, ci, path):
    from engram_nm.analysis.plots import _pyplot, save_figure

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
    x = np.array([p["N"] / np.log2(p["N"]) for p in per_n])
    mean = np.array([p["capacity"]["mean"] for p in per_n])
    err = np.array([[p["capacity"]["mean"] - p["capacity"]["ci95"][0], p["capacity"]["ci95"][1]
                     - p["capacity"]["mean"]] for p in per_n]).T
    ax.errorbar(x, mean, yerr=np.nan_to_num(err), fmt="o", capsize=3, label=f"measured (exponent {b:.2f} "
                f"[{ci[0]:.2f}, {ci[1]:.2f}])")
    ax.plot(x, [p["theory_same_criterion"] for p in per_n], "k:", label="theory, same criterion")
    ax.plot(x, [p["M_star"] for p in per_n], "k--", label="M* = ln2 N^2/K^2 (exponent 2)")
    from matplotlib.ticker import NullFormatter

    ax.set(xscale="log", yscale="log", xlabel="N / log2 N", ylabel="patterns stored",
           title="Willshaw capacity, K = log2 N (mean, 95 % CI)")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=8)
    return save_figure(fig, path)


if __name__ == "__main__":
    main()
