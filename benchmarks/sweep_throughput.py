"""Sweep throughput: trials per second serially (no Dask), and on a local Dask cluster of 1 and
2 workers, for a small capacity sweep; and the per-trial cost of the machinery on near-empty
trials (what sets where a scheduler saturates). Every configuration runs in this one run, on the
same trials, into a fresh results folder each.

    python benchmarks/sweep_throughput.py [--quick]

Writes benchmarks/results/sweep_throughput.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402


def _measure(spec, scheduler, workers) -> dict:
    from engram_nm.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run_sweep(spec, Path(tmp) / "out", scheduler=scheduler, workers=workers, progress=False,
                           plots=False)
        wall = time.perf_counter() - t0
    busy = sum(r["wall_s"] for r in result.rows)
    return {"trials": result.ran, "failed": result.failed, "wall_s": wall, "trials_per_s": result.ran / wall,
            "trial_compute_s": busy, "overhead_s_per_trial": (wall - busy / (workers or 1)) / result.ran}


def main(argv=None) -> dict:
    from engram_nm.sweep import SweepSpec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = 4 if args.quick else 12
    work = SweepSpec("capacity", seeds=seeds, grid={"n": [256, 512] if args.quick else [512, 1024]})
    empty = SweepSpec("capacity", seeds=20 if args.quick else 100, grid={"n": [32]})
    configs = [("serial (no Dask)", "serial", None), ("Dask, 1 local worker", None, 1), ("Dask, 2 local workers", None, 2)]
    t0 = time.perf_counter()
    rows = []
    for label, scheduler, workers in configs:
        for what, spec in (("capacity N = 512/1024" if not args.quick else "capacity N = 256/512", work),
                           ("near-empty trials (N = 32)", empty)):
            m = _measure(spec, scheduler, workers)
            rows.append({"config": label, "sweep": what, **m})
            print(f"{label:24s} {what:28s} {m['trials_per_s']:7.2f} trials/s ({m['wall_s']:.1f} s)", flush=True)
    base = {r["sweep"]: r["trials_per_s"] for r in rows if r["config"].startswith("serial")}
    for r in rows:
        r["speedup_vs_serial"] = r["trials_per_s"] / base[r["sweep"]]
    out = {"benchmark": "sweep_throughput", **machine_info(), "seconds": time.perf_counter() - t0, "rows": rows}
    md = ["# Sweep throughput (serial vs a local Dask cluster)", "",
          f"Machine: {out['machine']}, {out['cpus']} cores. Wall time includes starting and closing the local "
          "cluster (a few seconds) and writing every row file and the table; overhead per trial = (wall - "
          "trial compute / workers) / trials.", "",
          "| configuration | sweep | trials | wall (s) | trials/s | x serial | overhead per trial (ms) |",
          "|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['config']} | {r['sweep']} | {r['trials']} | {r['wall_s']:.1f} | {r['trials_per_s']:.2f} | "
                  f"{r['speedup_vs_serial']:.2f} | {1e3 * r['overhead_s_per_trial']:.0f} |")
    return publish(args.out, "sweep_throughput", out, md)


if __name__ == "__main__":
    main()
