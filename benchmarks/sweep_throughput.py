"""Sweep throughput: trials per second serially (no Dask; numpy's BLAS on every core, and on one
thread) and on a local Dask cluster of 1 and 2 single-threaded workers, for a small capacity
sweep; and the per-trial cost of the machinery on near-empty trials (what sets where a scheduler
saturates). Every configuration runs in this one run, on the same trials, into a fresh results
folder each.

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


def _measure(spec, scheduler, workers: int = 1, blas_threads=None) -> dict:
    """``spec`` on ``scheduler`` ("serial" or a running scheduler's address with ``workers``
    workers) into a fresh folder: trials/s and the overhead per trial beyond the trials' compute."""
    from threadpoolctl import threadpool_limits

    from engram_nm.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(blas_threads):
        t0 = time.perf_counter()
        result = run_sweep(spec, Path(tmp) / "out", scheduler=scheduler, progress=False, plots=False)
        wall = time.perf_counter() - t0
    busy = sum(r["wall_s"] for r in result.rows)
    return {"trials": result.ran, "failed": result.failed, "wall_s": wall, "trials_per_s": result.ran / wall,
            "trial_compute_s": busy, "overhead_s_per_trial": (wall - busy / workers) / result.ran}


def main(argv=None) -> dict:
    from engram_nm.sweep import SweepSpec
    from engram_nm.sweep.runner import dask_client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [256, 512] if args.quick else [1024, 2048]
    work = SweepSpec("capacity", seeds=4 if args.quick else 6, grid={"n": sizes})
    empty = SweepSpec("capacity", seeds=20 if args.quick else 100, grid={"n": [32]})
    sweeps = ((f"capacity N = {sizes[0]}/{sizes[1]}", work), ("near-empty trials (N = 32)", empty))
    t0 = time.perf_counter()
    rows = []

    def record(label, what, m, startup=None):
        rows.append({"config": label, "sweep": what, "cluster_startup_s": startup, **m})
        print(f"{label:34s} {what:28s} {m['trials_per_s']:7.2f} trials/s ({m['wall_s']:.1f} s)", flush=True)

    for label, blas in (("serial (no Dask), BLAS on every core", None), ("serial (no Dask), 1 BLAS thread", 1)):
        for what, spec in sweeps:
            record(label, what, _measure(spec, "serial", 1, blas))
    for workers in (1, 2):
        t1 = time.perf_counter()
        with dask_client(workers=workers) as client:  # started once; the sweeps connect to it
            startup = time.perf_counter() - t1
            for what, spec in sweeps:
                m = _measure(spec, client.scheduler.address, workers)
                record(f"Dask, {workers} local worker{'s' if workers > 1 else ''} (1 thread each)", what, m, startup)
    base = {r["sweep"]: r["trials_per_s"] for r in rows if r["config"].startswith("serial (no Dask), 1 BLAS")}
    for r in rows:
        r["speedup_vs_serial_1_thread"] = r["trials_per_s"] / base[r["sweep"]]
    out = {"benchmark": "sweep_throughput", **machine_info(), "seconds": time.perf_counter() - t0, "rows": rows}
    md = ["# Sweep throughput (serial vs a local Dask cluster)", "",
          f"Machine: {out['machine']}, {out['cpus']} cores. Each configuration runs the same trials into a fresh "
          "results folder (row files and table written). The Dask clusters are started once and reused by both "
          "sweeps (their start-up is the last column); a Dask worker has one thread and numpy's BLAS one thread "
          "(Dask sets OMP_NUM_THREADS=1), so the fair serial baseline is the 1-thread one. Overhead per trial = "
          "(wall - trial compute / workers) / trials.", "",
          "| configuration | sweep | trials | wall (s) | trials/s | x serial (1 thread) | overhead per trial (ms) | "
          "cluster start-up (s) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        start = "" if r["cluster_startup_s"] is None else f"{r['cluster_startup_s']:.1f}"
        md.append(f"| {r['config']} | {r['sweep']} | {r['trials']} | {r['wall_s']:.1f} | {r['trials_per_s']:.2f} | "
                  f"{r['speedup_vs_serial_1_thread']:.2f} | {1e3 * r['overhead_s_per_trial']:.0f} | {start} |")
    return publish(args.out, "sweep_throughput", out, md)


if __name__ == "__main__":
    main()
