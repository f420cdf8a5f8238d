"""Where neuromorphic inference can pay: the generated event-camera digits and digit video
(engram_nm/events/, docs/events.md), and the frame-based ANN baseline on them, dense, with zero
inputs skipped (effective) and as a delta network (engram_nm/analysis/delta.py).

What runs now: the ANN side of the study (a 64-hidden frame MLP per data set and seed, mean logits
over frames; dense, effective and delta MACs per recording at delta thresholds 0 and above). The
spiking networks (LIF and sigma-delta) and the frontier against these numbers are not built yet
(docs/events.md).

    python benchmarks/events.py [--seeds 10] [--quick]

Writes benchmarks/results/events.{json,md}: per data set, ``dataset``, ``seeds`` and ``ann`` (accuracy,
dense_macs, effective_macs, delta_macs: mean and 95 % t CI over seeds, per recording, at each
delta threshold), chance 0.10.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

THRESHOLDS = {"camera": (0.0, 0.5, 1.5), "video": (0.0, 0.02, 0.05)}
STEPS, STEP_US = 30, 10_000  # event digits: 30 frames of 10 ms


def one_seed(dataset: str, seed: int, quick: bool) -> list:
    import torch

    from engram_nm.events.digits import digit_video, load_event_digits
    from engram_nm.experiments.event_ann import evaluate, event_frames, train_frame_mlp

    torch.set_num_threads(1)
    limit = (200, 100) if quick else (None, None)
    if dataset == "camera":
        data = [load_event_digits(split, seed, limit=n) for split, n in zip(("train", "test"), limit)]
        (x_tr, y_tr), (x_te, y_te) = [(event_frames(e, o, STEPS, STEP_US), y) for e, o, y in data]
    else:
        (v_tr, y_tr), (v_te, y_te) = [digit_video(split, seed, limit=n) for split, n in zip(("train", "test"), limit)]
        x_tr, x_te = v_tr.reshape(len(v_tr), v_tr.shape[1], -1), v_te.reshape(len(v_te), v_te.shape[1], -1)
    model = train_frame_mlp(x_tr, y_tr, hidden=64, epochs=5 if quick else 30, seed=seed)
    frames = x_te.shape[1]
    rows = []
    for th in THRESHOLDS[dataset]:
        r = evaluate(model, x_te, y_te, threshold=th)
        rows.append({"seed": seed, "threshold": th, "accuracy": r["accuracy"],
                     **{k: r[k] * frames for k in ("dense_macs", "effective_macs", "delta_macs")}})
    return rows


def summarise(rows: list) -> dict:
    from engram_nm.analysis.statistics import t_ci95

    out = {}
    for th in sorted({r["threshold"] for r in rows}):
        rs = [r for r in rows if r["threshold"] == th]
        out[f"{th:g}"] = {}
        for key in ("accuracy", "dense_macs", "effective_macs", "delta_macs"):
            v = np.array([r[key] for r in rs])
            out[f"{th:g}"][key] = {"mean": float(v.mean()), "ci95": float(t_ci95(v)) if v.size > 1 else None,
                                   "n_seeds": int(v.size)}
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="two seeds, 200 / 100 recordings, 5 epochs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = [0, 1] if args.quick else list(range(args.seeds))
    t0 = time.perf_counter()
    result = {"benchmark": "events", **machine_info(), "seeds": seeds, "chance": 0.1, "datasets": {}}
    for dataset in ("camera", "video"):
        rows = [r for s in seeds for r in one_seed(dataset, s, args.quick)]
        result["datasets"][dataset] = {"dataset": dataset, "seeds": seeds, "rows": rows, "ann": summarise(rows)}
    result["seconds"] = time.perf_counter() - t0
    md = ["# Event data: the frame-based ANN baseline", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; {len(seeds)} seeds (each its own split and "
          f"sensor); {result['seconds']:.0f} s. A frame MLP (features -> 64 ReLU -> 10, mean logits over frames, "
          "30 epochs) per data set and seed; MACs per recording (every frame), mean ± 95 % CI (t); chance 0.10. "
          "Camera: event digits binned into 30 frames of 10 ms (2 x 32 x 32 counts); video: 20 frames of "
          "32 x 32. The spiking side is not built yet (docs/events.md).", "",
          "| data | delta threshold | accuracy | dense MACs | effective MACs | delta MACs | dense / delta |",
          "|---|---|---|---|---|---|---|"]
    for dataset, data in result["datasets"].items():
        for th, s in data["ann"].items():
            ci = (lambda d: "" if d["ci95"] is None else f" ± {d['ci95']:.3f}")
            md.append(f"| {dataset} | {th} | {s['accuracy']['mean']:.3f}{ci(s['accuracy'])} | "
                      f"{s['dense_macs']['mean']:,.0f} | {s['effective_macs']['mean']:,.0f} | "
                      f"{s['delta_macs']['mean']:,.0f} | {s['dense_macs']['mean'] / s['delta_macs']['mean']:.1f}x |")
    return publish(args.out, "events", result, md)


if __name__ == "__main__":
    main()
