"""Same tricks for all: the SDM task key given to every trained method (class-incremental split digits).

The class-incremental score of ``gating_sdm`` (and ``xdg``) comes with two tricks: the masked loss
(cross-entropy over the current task's classes only) and an SDM key of the inputs that infers the
task at test and so turns one 10-way head into the inferred task's 2-way head. The key keeps one
thermometer-coded key per training image: stored data. ``benchmarks/continual.py`` flips the
masked loss for every method; this script gives every trained *ungated* method the masked loss and
then the key as well (``ContinualConfig(masked_loss=True, task_key=True)``), ten seeds, paired by
seed, so the share of each score that the key (and its stored images) brings is measured; the gated
pair (``gating``: task by confidence, ``gating_sdm``: task by the key) beside them.

    python benchmarks/continual_tricks.py [--seeds N] [--workers W] [--methods mlp snn ...]

Writes benchmarks/results/continual_tricks.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, write_results  # noqa: E402

from engram_nm.analysis.statistics import t_ci95  # noqa: E402

UNGATED = ("mlp", "sdm", "snn", "snn_l1", "snn_kl", "snn_l0", "ewc", "lwf", "replay", "replay_equal_memory")
VARIANTS = {"masked loss": {"masked_loss": True}, "masked loss + SDM task key": {"masked_loss": True, "task_key": True}}


def jobs_for(methods, seeds, epochs=None):
    """``(methods, seed, config, variant)`` per seed and variant, and the gated pair per seed."""
    extra = {} if epochs is None else {"epochs": epochs}
    out = [(list(methods), seed, {**extra, **cfg}, variant) for seed in seeds for variant, cfg in VARIANTS.items()]
    out += [(["gating", "gating_sdm"], seed, dict(extra), "") for seed in seeds]
    return out


def run_job(methods, seed, config, variant):
    from engram_nm.experiments.continual_runs import run_methods

    return run_methods(methods, ["class"], seed, config, variant=variant)


def main(argv=None) -> dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--methods", nargs="+", default=list(UNGATED), choices=list(UNGATED))
    parser.add_argument("--epochs", type=int, default=None, help="epochs per task (default: ContinualConfig's)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    jobs = jobs_for(args.methods, seeds, args.epochs)
    rows = []
    if args.workers <= 1:
        for job in jobs:
            rows += run_job(*job)
    else:
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for i, future in enumerate([pool.submit(run_job, *job) for job in jobs]):
                rows += future.result()
                print(f"job {i + 1}/{len(jobs)} done", flush=True)
    by = {}
    for r in rows:
        by.setdefault((r["method"], r["variant"]), {})[r["seed"]] = r
    table = []
    for method in args.methods:
        masked = by[(method, "masked loss")]
        keyed = by[(method, "masked loss + SDM task key")]
        a = np.array([masked[s]["final_average"] for s in seeds])
        b = np.array([keyed[s]["final_average"] for s in seeds])
        table.append({"method": method, "masked_loss": {"mean": float(a.mean()), "ci95": t_ci95(a)},
                      "masked_loss_task_key": {"mean": float(b.mean()), "ci95": t_ci95(b)},
                      "key_gain": {"mean": float((b - a).mean()), "ci95": t_ci95(b - a)},
                      "task_inference": float(np.mean([keyed[s]["task_inference"] for s in seeds])),
                      "stored_bytes_with_key": int(np.mean([keyed[s]["stored_bytes"] for s in seeds])),
                      "n_seeds": len(seeds)})
    gated = {m: np.array([by[(m, "")][s]["final_average"] for s in seeds]) for m in ("gating", "gating_sdm")}
    pair = {"gating": {"mean": float(gated["gating"].mean()), "ci95": t_ci95(gated["gating"])},
            "gating_sdm": {"mean": float(gated["gating_sdm"].mean()), "ci95": t_ci95(gated["gating_sdm"])},
            "key_gain": {"mean": float((gated["gating_sdm"] - gated["gating"]).mean()),
                         "ci95": t_ci95(gated["gating_sdm"] - gated["gating"])}}
    info = machine_info()
    result = {"benchmark": "continual_tricks", **info, "seeds": seeds, "rows": rows, "table": table,
              "gated_pair": pair, "seconds": time.perf_counter() - t0}

    def shown(d):
        return f"{d['mean']:.3f} ± {d['ci95']:.3f}" if np.isfinite(d["ci95"]) else f"{d['mean']:.3f}"

    md = ["# Same tricks for all: the SDM task key given to every trained method (class-incremental split digits)", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; {len(seeds)} seeds (each its own split); "
          f"{result['seconds']:.0f} s. Final average accuracy, mean ± 95 % CI (Student's t), chance 0.10. "
          "The key keeps one thermometer-coded key per training image (stored data).", "",
          "| method | masked loss | masked loss + SDM task key | gain from the key (paired) | task inferred right "
          "| stored bytes with the key |", "|---|---|---|---|---|---|"]
    for t in sorted(table, key=lambda t: -t["masked_loss_task_key"]["mean"]):
        md.append(f"| {t['method']} | {shown(t['masked_loss'])} | {shown(t['masked_loss_task_key'])} | "
                  f"{t['key_gain']['mean']:+.3f} ± {t['key_gain']['ci95']:.3f} | {t['task_inference']:.3f} | "
                  f"{t['stored_bytes_with_key']} |")
    md += ["", "Gated pair (both with the masked loss and learned engram gates; they differ only in how the task "
           "is found at test):", "", "| gating (task by confidence) | gating_sdm (task by the SDM key) | "
           "gain from the key (paired) |", "|---|---|---|",
           f"| {shown(pair['gating'])} | {shown(pair['gating_sdm'])} | {pair['key_gain']['mean']:+.3f} ± "
           f"{pair['key_gain']['ci95']:.3f} |"]
    write_results(args.out, "continual_tricks", result, md)
    print("\n".join(md))
    return result


if __name__ == "__main__":
    main()
