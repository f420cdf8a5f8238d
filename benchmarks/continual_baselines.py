"""The engram continual learner against class-wise and exemplar baselines with the same data and
budget (class-incremental split digits, ten seeds), memory in one unit for every method.

Methods (engram_nm/experiments/continual_baselines.py): the engram learner on fixed-emu (spiking,
as benchmarked in benchmarks/continual.py) and the same learner's prototypes read out in float
(the nearest prototype), cosine 1-NN, nearest class mean, class-wise k-means at the learner's
prototype count, SLDA, iCaRL-style NME, an MLP with replay trained to convergence (every image
kept, and a buffer within the learner's bytes), and the joint MLP trained to convergence. Per
method: the final average accuracy (mean and 95 % t CI over seeds, chance 0.10 beside it), bytes
at 4 per stored number split into parameters, kept images and kept image averages, and the engram
learner minus the method paired by seed (Wilcoxon signed-rank, Holm over the family).

    python benchmarks/continual_baselines.py [--seeds 10] [--workers 2] [--quick]

Writes benchmarks/results/continual_baselines.{json,md} and merges the table into continual.json
(key ``same_budget_baselines``) and continual.md (its own section), where benchmarks/continual.py
keeps it on a rerun.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

SECTION = "## Same data, same budget: class-wise and exemplar baselines (class scenario)"
CHANCE = 0.10


def baselines_of_seed(seed: int, budget_bytes: int, quick: bool = False) -> list:
    """Every baseline on the class-incremental split of ``seed`` (``budget_bytes``: the replay
    buffer within the engram learner's bytes)."""
    import torch

    from engram_nm.experiments import continual_baselines as cb
    from engram_nm.experiments.continual_runs import task_sequence

    torch.set_num_threads(1)
    tasks = task_sequence("class", seed, max_train=40 if quick else None)
    methods = [cb.CosineNearestNeighbour(seed), cb.NearestClassMean(seed), cb.ClassKMeans(seed), cb.StreamingLDA(seed)]
    if not quick:
        methods += [cb.ICaRLNME(seed), cb.ReplayMLP(seed), cb.ReplayMLP(seed, budget_bytes=budget_bytes)]
    rows = []
    for m in methods:
        t0 = time.perf_counter()
        row = cb.run_baseline(m, tasks)
        if isinstance(m, cb.ReplayMLP) and m.budget is not None:
            row["method"] = "replay_mlp_equal_memory"
        rows.append({**row, "seed": seed, "seconds": time.perf_counter() - t0})
    if not quick:
        t0 = time.perf_counter()
        rows.append({**cb.joint_mlp(tasks, seed), "seed": seed, "seconds": time.perf_counter() - t0})
    return rows


def learner_rows(seeds: list, quick: bool = False) -> list:
    """The engram learner (spiking, fixed-emu, one cohort) and its prototypes read out in float."""
    from engram_nm.experiments import continual_baselines as cb
    from engram_nm.experiments.continual_runs import task_sequence
    from engram_nm.experiments.engram_learner import EngramLearnerConfig, train_engram_cohort

    task_lists = [task_sequence("class", s, max_train=40 if quick else None) for s in seeds]
    t0 = time.perf_counter()
    out = train_engram_cohort(task_lists, "class", EngramLearnerConfig(), seeds, "fixed-emu")
    per_seed = (time.perf_counter() - t0) / len(seeds)
    rows = []
    for (res, learner), tasks, s in zip(out, task_lists, seeds):
        memory = cb.learner_memory(learner)
        spiking = [float(res.accuracy[-1, j]) for j in range(len(tasks))]
        floating = [float(np.mean(cb.prototype_readout(learner, t.x_test) == t.y_test)) for t in tasks]
        x_test = np.concatenate([t.x_test for t in tasks])
        spikes = learner.readout_spikes(x_test, "fixed-emu")
        agree = float(np.mean(learner.decide(spikes) == cb.prototype_readout(learner, x_test)))
        train = cb.unit_rows(np.concatenate([t.x_train for t in tasks]))
        nearest = np.max(learner.prototypes[learner.allocated] @ train.T, axis=1)  # cosine to the closest image
        common = {"parameter_bytes": memory.parameters, "image_bytes": 0, "average_bytes": memory.averages,
                  "total_bytes": memory.total, "seed": s, "seconds": per_seed}
        rows.append({"method": "engram_learner", "final_average": float(np.mean(spiking)), "per_task": spiking,
                     "agrees_with_float_readout": agree,
                     "prototype_to_nearest_training_image_cosine_median": float(np.median(nearest)), **common})
        rows.append({"method": "engram_learner_prototypes_float", "final_average": float(np.mean(floating)),
                     "per_task": floating, **common})
    return rows


KEEPS = {"cosine_1nn": "images", "replay_mlp": "images", "replay_mlp_equal_memory": "images", "icarl_nme": "images",
         "nearest_class_mean": "averages", "class_kmeans": "averages", "slda": "averages",
         "engram_learner": "averages", "engram_learner_prototypes_float": "averages", "joint_mlp_converged": "none"}


def summarise(rows: list) -> dict:
    from engram_nm.analysis.statistics import holm_family, paired_contrast, t_ci95

    by = {}
    for r in rows:
        by.setdefault(r["method"], []).append(r)
    learner = {r["seed"]: r["final_average"] for r in by["engram_learner"]}
    table, contrasts = [], {}
    for method, rs in by.items():
        v = np.array([r["final_average"] for r in rs])
        table.append({"method": method, "final_average": {"mean": float(v.mean()),
                                                          "ci95": float(t_ci95(v)) if v.size > 1 else None,
                                                          "n_seeds": int(v.size)},
                      "chance": CHANCE, "keeps": KEEPS.get(method, "?"),
                      **{k: int(np.mean([r[k] for r in rs])) for k in ("parameter_bytes", "image_bytes", "average_bytes",
                                                                      "total_bytes")}})
        if method != "engram_learner" and len(rs) > 1:
            seeds = [r["seed"] for r in rs]
            contrasts[method] = paired_contrast([learner[s] for s in seeds], [r["final_average"] for r in rs])
    contrasts = {k: c.as_dict() for k, c in holm_family(contrasts).items()} if contrasts else {}
    table.sort(key=lambda t: -t["final_average"]["mean"])
    agree = [r["agrees_with_float_readout"] for r in by["engram_learner"]]
    cosine = [r["prototype_to_nearest_training_image_cosine_median"] for r in by["engram_learner"]]
    return {"table": table, "engram_learner_minus": contrasts, "spiking_vs_float_agreement": float(np.mean(agree)),
            "prototype_to_nearest_training_image_cosine_median": float(np.mean(cosine))}


def markdown(result: dict) -> list:
    s = result["summary"]
    md = [SECTION, "",
          f"{len(result['seeds'])} seeds (each its own split), the engram learner's tasks and test split for every "
          "method; final average accuracy, mean ± 95 % CI (Student's t); chance 0.10. Memory in one unit: bytes at "
          "4 per stored number (float32), split into learned parameters, kept training images and kept averages of "
          "training images (class means, centroids, prototypes). The engram learner's prototypes are averages of "
          "training images (each starts as a copy of one). Learner minus method: paired by seed, two-sided "
          "Wilcoxon, Holm over the family. Methods: engram_nm/experiments/continual_baselines.py.", "",
          "| method | final avg acc | chance | keeps | parameter bytes | image bytes | average bytes | total bytes "
          "| engram learner minus it [95 % CI] | p (Holm) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for t in s["table"]:
        c = s["engram_learner_minus"].get(t["method"])
        fa = t["final_average"]
        ci = "" if fa["ci95"] is None else f" ± {fa['ci95']:.3f}"
        diff = (f"{c['difference']:+.3f} [{c['difference_ci95'][0]:+.3f}, {c['difference_ci95'][1]:+.3f}] | "
                f"{c['p_holm']:.3g}" if c else "- | -")
        name = f"**{t['method']}**" if t["method"] == "engram_learner" else t["method"]
        md.append(f"| {name} | {fa['mean']:.3f}{ci} | {t['chance']:.2f} | {t['keeps']} | {t['parameter_bytes']} | "
                  f"{t['image_bytes']} | {t['average_bytes']} | {t['total_bytes']} | {diff} |")
    md += ["", "The learner's prototypes sit at a median cosine of "
               f"{s['prototype_to_nearest_training_image_cosine_median']:.3f} from their nearest training image "
               "(mean over seeds of the per-seed median).", "", f"The spiking learner's answer equals its prototypes' float read-out on "
               f"{s['spiking_vs_float_agreement']:.1%} of the test images (mean over seeds): the spike-vs-float gap is "
               "the time-to-first-spike race and the Hebbian read-out deciding differently from the argmax on "
               "those images."]
    return md


def merge_into_continual(out: Path) -> None:
    """Put ``continual_baselines`` into ``continual.json`` (key ``same_budget_baselines``) and its
    section into ``continual.md`` (replacing an older one); nothing when either file is missing."""
    import json

    from engram_nm.io_utils import atomic_write_text

    out = Path(out)
    source, target, page = out / "continual_baselines.json", out / "continual.json", out / "continual.md"
    if not (source.exists() and target.exists() and page.exists()):
        return
    result = json.loads(source.read_text())
    data = json.loads(target.read_text())
    data["same_budget_baselines"] = {k: result[k] for k in ("seeds", "rows", "summary")}
    atomic_write_text(target, json.dumps(data, indent=2, default=float) + "\n")
    text = page.read_text()
    if SECTION in text:
        head, _, tail = text.partition(SECTION)
        rest = tail.split("\n## ", 1)
        text = head + ("## " + rest[1] if len(rest) > 1 else "")
    atomic_write_text(page, text.rstrip("\n") + "\n\n" + "\n".join(markdown(result)) + "\n")


def main(argv=None) -> dict:
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from engram_nm.experiments import continual_baselines as cb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="two seeds, 40 training images per task, no MLPs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = [0, 1] if args.quick else list(range(args.seeds))
    t0 = time.perf_counter()
    learner = learner_rows(seeds, args.quick)
    budget = {r["seed"]: r["total_bytes"] for r in learner if r["method"] == "engram_learner"}
    rows = list(learner)
    if args.workers <= 1 or args.quick:
        for s in seeds:
            rows += baselines_of_seed(s, budget[s], args.quick)
    else:
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for part in pool.map(baselines_of_seed, seeds, [budget[s] for s in seeds]):
                rows += part
    result = {"benchmark": "continual_baselines", **machine_info(), "seeds": seeds, "rows": rows,
              "summary": summarise(rows), "converged": cb.CONVERGED, "bytes_per_number": cb.BYTES_PER_NUMBER,
              "seconds": time.perf_counter() - t0}
    md = ["# Continual learning: the engram learner against same-budget baselines", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; {result['seconds']:.0f} s.", ""] + markdown(result)
    publish(args.out, "continual_baselines", result, md)
    merge_into_continual(args.out)
    return result


if __name__ == "__main__":
    main()
