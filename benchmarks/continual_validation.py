"""How the engram learner's hyper-parameters were chosen: validation accuracy of candidate settings.

Five seeds (0-4), class scenario; for each seed 20 % of every task's *training* images are held
out (engram_nm.experiments.continual_runs.validation_split) and the learner is trained on the
rest, so the test split is never looked at. Beside the spiking learner's validation accuracy, the
accuracy its learned prototypes give when read out in float (the class of the best-matching
prototype, ``argmax_i w_i . x``): the ceiling of the spiking race, so the table shows how much the
spikes lose and which setting loses least.

    python benchmarks/continual_validation.py [--seeds N] [--set "trace_tau=2e-3,max_rate=1.0" ...]

Writes benchmarks/results/continual_validation.{json,md}.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, write_results  # noqa: E402

# The settings compared when the learner's defaults were last chosen (docs/continual.md). The
# first row is the learner's previous default (before the readout trace was shortened).
CANDIDATES = (
    "trace_tau=5e-3,max_rate=0.5",
    "trace_tau=5e-3,max_rate=0.5,rest_steps=32",
    "trace_tau=3e-3,max_rate=0.5",
    "trace_tau=2e-3,max_rate=0.5",
    "trace_tau=2e-3,max_rate=0.5,first_spike_fraction=0.5",
    "trace_tau=2e-3,max_rate=0.75",
    "trace_tau=2e-3,max_rate=1.0",
    "trace_tau=2e-3,max_rate=1.0,steps=24",
    "trace_tau=2e-3,max_rate=1.0,first_spike_fraction=0.5",
    "trace_tau=2e-3,max_rate=1.0,cells_per_unit=20",
)


def parse_setting(text: str) -> dict:
    """``"a=1,b=2e-3"`` -> ``{"a": 1, "b": 0.002}`` (literals only)."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        out[key.strip()] = ast.literal_eval(value.strip())
    return out


def evaluate(setting: dict, seeds) -> dict:
    """Validation accuracy (spiking, and float prototypes) of ``setting`` on each seed."""
    from engram_nm.experiments.continual_runs import task_sequence, validation_split
    from engram_nm.experiments.engram_learner import EngramLearnerConfig, train_engram_cohort

    task_lists = [validation_split(task_sequence("class", s), s) for s in seeds]
    t0 = time.perf_counter()
    out = train_engram_cohort(task_lists, "class", EngramLearnerConfig(**setting), seeds)
    spiking, prototypes = [], []
    for (result, learner), tasks in zip(out, task_lists):
        spiking.append(result.final_average)
        cells = np.where(learner.allocated[:, None], learner.prototypes, -np.inf)
        per_task = [np.mean((np.argmax(t.x_test @ cells.T, axis=1) // learner.config.cells_per_unit) % 10 == t.y_test)
                    for t in tasks]
        prototypes.append(float(np.mean(per_task)))
    return {"spiking": spiking, "prototypes": prototypes, "param_bytes": out[0][1].param_bytes,
            "seconds": time.perf_counter() - t0}


def main(argv=None) -> dict:
    from engram_nm.analysis.statistics import t_ci95

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--set", dest="settings", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    rows = []
    for text in args.settings:
        res = evaluate(parse_setting(text), seeds)
        spk = np.asarray(res["spiking"])
        rows.append({"setting": text, **res, "mean": float(spk.mean()),
                     "ci95": float(t_ci95(spk)) if len(spk) > 1 else None,
                     "prototype_mean": float(np.mean(res["prototypes"]))})
        print(f"{text}: {rows[-1]['mean']:.3f} (prototypes {rows[-1]['prototype_mean']:.3f})", flush=True)
    info = machine_info()
    lines = ["# Engram learner: validation accuracy of candidate settings (class scenario)", "",
             f"Machine: {info['machine']}, {info['cpus']} CPUs; seeds {seeds}, 20 % of each task's training images held out; "
             "the test split is not used. Chance 0.10.", "",
             "| setting (fields that differ from EngramLearnerConfig's defaults may be listed) | validation accuracy (mean ± 95 % CI) "
             "| float prototypes (ceiling) | parameter bytes |", "|---|---|---|---|"]
    for r in rows:
        ci = "n/a" if r["ci95"] is None else f"{r['ci95']:.3f}"
        lines.append(f"| {r['setting']} | {r['mean']:.3f} ± {ci} | {r['prototype_mean']:.3f} | {r['param_bytes']} |")
    payload = {"machine": machine_info(), "seeds": seeds, "rows": rows}
    write_results(args.out, "continual_validation", payload, lines)
    return payload


if __name__ == "__main__":
    main()
