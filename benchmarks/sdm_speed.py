"""SDM read/write throughput vs numpy GEMM of the same shape, and the Lava SDM per-step cost.

1. Reference (:class:`engram_nm.sdm.KanervaSDM`, Top-K, k = M/100): queries per second for batched
   writes and reads with M in {1e3, 1e4, 1e5} hard locations, N = 1000-bit addresses (Kanerva's
   own choice), 256-bit data, batches of 256, next to the numpy float32 GEMMs of the same shape
   measured in the same run: the distance GEMM [B, N] x [N, M] plus the dense read
   [B, M] x [M, D] (a dense SDM read is exactly these two products). Target: read + write
   throughput >= 0.5x the GEMM throughput.
2. Lava SDM process (cpu-float, one read per step) vs the reference executing the same op
   stream, per step.

    python benchmarks/sdm_speed.py [--quick]

Writes benchmarks/results/sdm_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, write_results  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def throughput_row(m: int, n: int = 1000, d: int = 256, batch: int = 256, repeats: int = 7) -> dict:
    from engram_nm.sdm import KanervaSDM

    rng = np.random.default_rng(m)
    sdm = KanervaSDM(m, n, d, k=max(1, m // 100), seed=1)
    a = rng.integers(0, 2, (batch, n)).astype(np.int8)
    x = rng.integers(0, 2, (batch, d)).astype(np.int8)
    t_write = best_of(lambda: sdm.write(a, x), repeats)
    t_read = best_of(lambda: sdm.read(a), repeats)
    q, addr = a.astype(np.float32), sdm.addresses.astype(np.float32)
    counters = sdm.counters.astype(np.float32)

    def gemm():
        (q @ addr.T) @ counters

    t_gemm = best_of(gemm, repeats)
    ours = batch / ((t_write + t_read) / 2)
    base = batch / t_gemm
    return {"M": m, "k": sdm.k, "write_qps": batch / t_write, "read_qps": batch / t_read,
            "read_write_qps": ours, "gemm_qps": base, "ratio_to_gemm": ours / base}


def lava_row(m: int, steps: int, n: int = 256, d: int = 64) -> dict:
    import copy

    from engram_nm.processes.sdm_run import run_sdm_ops
    from engram_nm.sdm import KanervaSDM
    from engram_nm.sdm.ops import run_ops

    rng = np.random.default_rng(m)
    sdm = KanervaSDM(m, n, d, k=max(1, m // 100), seed=1)
    sdm.write(rng.integers(0, 2, (50, n)), rng.integers(0, 2, (50, d)))
    ops = np.full(steps, 2)
    addrs = rng.integers(0, 2, (steps, n))
    t0 = time.perf_counter()
    run_ops(copy.deepcopy(sdm), ops, addrs)
    ref_ms = (time.perf_counter() - t0) * 1e3 / steps
    t0 = time.perf_counter()
    run_sdm_ops(sdm, ops, addrs)
    lava_s = time.perf_counter() - t0
    return {"M": m, "steps": steps, "reference_ms_per_step": ref_ms,
            "lava_ms_per_step_incl_startup": lava_s * 1e3 / steps, "lava_total_s": lava_s,
            "ratio_lava_over_reference": lava_s * 1e3 / steps / ref_ms}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # no torch thread pool before Lava forks (docs/lava_edges.md)
    sizes = [1000, 5000] if args.quick else [1000, 10_000, 100_000]
    lava_sizes = [1000] if args.quick else [1000, 10_000]
    steps = 50 if args.quick else 300
    rows = [throughput_row(m) for m in sizes]
    for r in rows:
        print(f"M={r['M']}: read+write {r['read_write_qps']:.0f} q/s, GEMM {r['gemm_qps']:.0f} q/s, "
              f"ratio {r['ratio_to_gemm']:.2f}", flush=True)
    lava = [lava_row(m, steps) for m in lava_sizes]
    result = {"benchmark": "sdm_speed", **machine_info(), "target": "read+write >= 0.5x GEMM throughput",
              "throughput": rows, "lava": lava}
    md = ["# SDM speed", "", f"Machine: {result['machine']}, {result['cpus']} CPUs. Same-run baselines; ratios, "
          "not seconds, are comparable across runs.", "",
          "## Reference read/write vs numpy GEMM of the same shape (N = 1000, D = 256, batch 256, k = M/100)", "",
          "| M | write q/s | read q/s | read+write q/s | GEMM q/s | ratio (target >= 0.5) |", "|---|---|---|---|---|---|"]
    md += [f"| {r['M']} | {r['write_qps']:.0f} | {r['read_qps']:.0f} | {r['read_write_qps']:.0f} | "
           f"{r['gemm_qps']:.0f} | {r['ratio_to_gemm']:.2f} |" for r in rows]
    md += ["", "## Lava SDM process (cpu-float, one read per step) vs the reference on the same op stream", "",
           "| M | steps | reference ms/step | Lava ms/step (incl. start-up) | ratio |", "|---|---|---|---|---|"]
    md += [f"| {r['M']} | {r['steps']} | {r['reference_ms_per_step']:.3f} | "
           f"{r['lava_ms_per_step_incl_startup']:.2f} | {r['ratio_lava_over_reference']:.1f} |" for r in lava]
    write_results(args.out, "sdm_speed", result, md)
    print("\n".join(md))
    return result


if __name__ == "__main__":
    main()
