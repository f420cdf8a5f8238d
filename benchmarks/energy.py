"""The accuracy-operations frontier of spiking digit classifiers against the ANN of the same shape
(issue 18): how few synaptic operations reach a given accuracy, and at what estimated energy.

    python benchmarks/energy.py [--seeds 3] [--quick]

Each point of the grid (engram_nm.experiments.frontier.FrontierSetting: input code and steps,
readout, L1 on spikes, magnitude pruning with fine-tuning, early exit) is trained on ``--seeds``
seeds of the digits split and evaluated on the whole test split (450 digits): accuracy (mean,
95 % t-interval), effective accumulates and neuron updates per inference (counted as NeuroBench
does: tests/test_neurobench_oracle.py), and estimated energy per chip profile. The reference is the
ReLU MLP 64-64-10 trained on the same images with the same seeds: accuracy, dense MACs and
effective MACs (zero inputs and zero ReLU outputs skipped, NeuroBench's count), energy at fp32.

Goals (issue 18): at accuracy within 1 point of the ANN, >= 10x fewer effective synaptic
operations than the ANN's dense MACs and >= 4x fewer than its effective MACs. The table says
which points meet them and by how much the best one misses.
Writes benchmarks/results/energy.{json,md,png}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish, stat_over_seeds as _stat  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
MEMBRANE = dict(readout="membrane", epochs=30, finetune_epochs=15)


def grid(quick: bool = False) -> list:
    from engram_nm.experiments.frontier import FrontierSetting as S

    if quick:
        q = dict(epochs=2, finetune_epochs=1)
        return [S("rate", 10, **q), S("delta", 8, threshold=0.25, readout="membrane", prune=0.9, **q)]
    return [
        S("rate", 25, epochs=30),                                            # the demo's code and readout
        S("rate", 25, epochs=30, exit_margin=3),                             # + early exit
        S("rate", 25, **MEMBRANE),
        S("regular", 10, max_rate=1.0, **MEMBRANE),
        S("latency", 10, **MEMBRANE),
        S("latency", 16, **MEMBRANE),
        S("latency", 10, prune=0.9, prune_readout=0.6, **MEMBRANE),
        S("delta", 4, threshold=0.25, **MEMBRANE),
        S("delta", 8, threshold=0.25, **MEMBRANE),
        S("delta", 8, threshold=0.25, prune=0.9, **MEMBRANE),
        S("delta", 8, threshold=0.25, prune=0.9, prune_readout=0.6, **MEMBRANE),
        S("delta", 8, threshold=0.25, l1_activity=0.05, prune=0.9, prune_readout=0.6, **MEMBRANE),
        S("delta", 8, threshold=0.34, l1_activity=0.05, prune=0.9, prune_readout=0.6, **MEMBRANE),
        S("delta", 8, threshold=0.25, l1_activity=0.1, prune=0.93, prune_readout=0.7, **MEMBRANE),
        S("delta", 8, threshold=0.25, prune=0.9, prune_readout=0.6, prune_rounds=3,
          **{**MEMBRANE, "finetune_epochs": 8}),
        S("delta", 8, threshold=0.25, prune=0.9, prune_readout=0.6, prune_schedule="gradual",
          **{**MEMBRANE, "finetune_epochs": 5}),
        S("delta", 8, threshold=0.25, l1_activity=0.05, prune=0.9, prune_readout=0.6, prune_schedule="gradual",
          **{**MEMBRANE, "finetune_epochs": 5}),
        S("delta", 8, threshold=0.25, l1_activity=0.05, prune=0.93, prune_readout=0.7, prune_schedule="gradual",
          **{**MEMBRANE, "finetune_epochs": 5}),
        S("delta", 8, threshold=0.25, prune=0.85, prune_readout=0.5, prune_schedule="gradual",
          **{**MEMBRANE, "finetune_epochs": 5}),
        S("latency", 10, prune=0.9, prune_readout=0.6, prune_schedule="gradual", **{**MEMBRANE, "finetune_epochs": 5}),
        S("delta", 8, threshold=0.25, epochs=30, exit_margin=2),            # spiking readout, early exit
    ]


def energy_nj(effective_acs: float, neuron_updates: float, spikes: float) -> dict:
    """Estimated nJ per inference for every event-driven profile (None where a cost is unknown)."""
    from engram_nm.analysis.energy import PROFILES, estimate_operations

    ops = {"synaptic_op": effective_acs, "neuron_update": neuron_updates, "spike": spikes}
    out = {}
    for name, profile in PROFILES.items():
        if profile.event_driven:
            pj = estimate_operations(ops, profile).picojoules
            out[name] = None if pj is None else pj / 1e3
    return out


def run_point(setting, seeds) -> dict:
    from engram_nm.experiments.frontier import setting_dict, train_point

    points = [train_point(setting, s)[1] for s in seeds]
    mean = {f: float(np.mean([getattr(p, f) for p in points])) for f in vars(points[0])}
    return {"label": setting.label(), "setting": setting_dict(setting), "coding": setting.code, "steps": setting.steps,
            "accuracy": _stat([p.accuracy for p in points]), "effective_acs": mean["effective_acs"],
            "neuron_updates": mean["neuron_updates"], "spikes": mean["spikes"], "exit_step": mean["exit_step"],
            "first_layer_density": mean["first_layer_density"],
            "energy_nj": energy_nj(mean["effective_acs"], mean["neuron_updates"], mean["spikes"])}


def judge(point: dict, ann: dict) -> dict:
    """The goals of the module docstring for one point: ratios and whether each is met."""
    dense = ann["ann_dense_macs"] / point["effective_acs"]
    effective = ann["ann_effective_macs"] / point["effective_acs"]
    gap = 100 * (ann["ann_accuracy"]["mean"] - point["accuracy"]["mean"])
    return {"dense_macs_over_acs": dense, "effective_macs_over_acs": effective, "accuracy_gap_points": gap,
            "within_1_point": bool(gap <= 1.0), "goal_dense_10x": bool(gap <= 1.0 and dense >= 10),
            "goal_effective_4x": bool(gap <= 1.0 and effective >= 4)}


def main(argv=None) -> dict:
    import torch
    from tqdm.auto import tqdm

    from engram_nm.analysis.energy import PROFILES
    from engram_nm.experiments.frontier import train_ann

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="two short points (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "energy_frontier.png")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    t0 = time.perf_counter()
    seeds = list(range(args.seeds))
    anns = [train_ann(64, s, epochs=5 if args.quick else 40) for s in seeds]
    ann = {"ann_accuracy": _stat([a for a, _ in anns]), "ann_dense_macs": float(np.mean([m.dense for _, m in anns])),
           "ann_effective_macs": float(np.mean([m.effective for _, m in anns]))}
    fp32 = PROFILES["cpu-fp32"].cost("mac").picojoules
    ann["ann_energy_nj_fp32"] = {"dense": ann["ann_dense_macs"] * fp32 / 1e3,
                                 "effective": ann["ann_effective_macs"] * fp32 / 1e3}
    # Same tricks for the baseline: the ANN pruned as the spiking points were (magnitude, after
    # training, fine-tuned), at every pruning the grid uses.
    prunings = sorted({(s.prune, s.prune_readout) for s in grid(args.quick) if s.prune or s.prune_readout})
    ann["ann_pruned"] = []
    for prune, prune_readout in prunings:
        runs = [train_ann(64, s, epochs=5 if args.quick else 40, prune=prune, prune_readout=prune_readout,
                          finetune_epochs=1 if args.quick else 15) for s in seeds]
        ann["ann_pruned"].append({"prune": prune, "prune_readout": prune_readout,
                                  "accuracy": _stat([a for a, _ in runs]),
                                  "effective_macs": float(np.mean([m.effective for _, m in runs]))})
    points = []
    for setting in tqdm(grid(args.quick), desc="frontier points", unit="point"):
        point = run_point(setting, seeds)
        point.update(judge(point, ann))
        points.append(point)
    within = [p for p in points if p["within_1_point"]]
    best = max(within, key=lambda p: p["dense_macs_over_acs"]) if within else None
    result = {"benchmark": "energy", **machine_info(), "seeds": seeds, "seconds": time.perf_counter() - t0,
              "goal": "at accuracy within 1 point of the ANN: >= 10x fewer effective ACs than its dense MACs and "
                      ">= 4x fewer than its effective MACs",
              **ann, "points": points, "best_within_1_point": best["label"] if best else None,
              "profiles": {n: {"event_driven": p.event_driven, "note": p.note, "sources": p.sources()}
                           for n, p in PROFILES.items()}}
    md = markdown(result)
    from engram_nm.analysis.plots import plot_frontier

    plot_frontier(result, Path(args.out) / "energy.png")
    if args.figure and not args.quick:
        plot_frontier(result, args.figure)
    return publish(args.out, "energy", result, md)


def markdown(result: dict) -> list:
    a = result["ann_accuracy"]
    md = ["# Accuracy vs synaptic operations: spiking digit classifiers and the ANN of the same shape", "",
          f"Machine: {result['machine']}; {len(result['seeds'])} seeds per point; {result['seconds']:.0f} s. "
          "Full test split (450 digits). Accuracy: mean [95 % t-interval]; operations and energy per inference, "
          "mean over seeds. Chance accuracy 0.10.", "",
          f"ANN 64-64-10 (ReLU, same images, same seeds): accuracy {a['mean']:.3f} [{a['ci95'][0]:.3f}, "
          f"{a['ci95'][1]:.3f}]; dense MACs {result['ann_dense_macs']:.0f}; effective MACs "
          f"{result['ann_effective_macs']:.0f}; fp32 arithmetic {result['ann_energy_nj_fp32']['dense']:.1f} nJ dense / "
          f"{result['ann_energy_nj_fp32']['effective']:.1f} nJ effective.", "",
          f"Goal: {result['goal']}.", "",
          "| # | point | accuracy | effective ACs | neuron updates | dense MACs / ACs | effective MACs / ACs | "
          "Loihi nJ (unverified) | within 1 point | 10x dense | 4x effective |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k, p in enumerate(result["points"], start=1):
        acc = p["accuracy"]
        loihi = p["energy_nj"].get("loihi")
        md.append(f"| {k} | {p['label']} | {acc['mean']:.3f} [{acc['ci95'][0]:.3f}, {acc['ci95'][1]:.3f}] | "
                  f"{p['effective_acs']:.0f} | {p['neuron_updates']:.0f} | {p['dense_macs_over_acs']:.1f} | "
                  f"{p['effective_macs_over_acs']:.1f} | {'n/a' if loihi is None else f'{loihi:.1f}'} | "
                  f"{'yes' if p['within_1_point'] else 'no'} | {'yes' if p['goal_dense_10x'] else 'no'} | "
                  f"{'yes' if p['goal_effective_4x'] else 'no'} |")
    best = next((p for p in result["points"] if p["label"] == result["best_within_1_point"]), None)
    md.append("")
    if best is None:
        md.append("No point reached accuracy within 1 point of the ANN.")
    else:
        md.append(f"Best point within 1 point of the ANN: {best['label']}: {best['dense_macs_over_acs']:.1f}x fewer "
                  f"ACs than the dense MACs (goal 10x: {'met' if best['goal_dense_10x'] else 'short by %.1fx' % (10 / best['dense_macs_over_acs'])}), "
                  f"{best['effective_macs_over_acs']:.1f}x fewer than the effective MACs (goal 4x: "
                  f"{'met' if best['goal_effective_4x'] else 'short by %.1fx' % (4 / best['effective_macs_over_acs'])}).")
    md += ["", "The same trick for the ANN (magnitude pruning after training, fine-tuned 15 epochs, as the spiking "
           "points; a zero weight is no MAC). The goals above are stated against the unpruned ANN; this is what a "
           "pruned ANN costs at the same sparsity:", "",
           "| ANN pruned (first layer / readout) | accuracy | effective MACs | best spiking point at that pruning "
           "(accuracy, effective ACs) |", "|---|---|---|---|"]
    for q in result.get("ann_pruned", []):
        same = [p for p in result["points"] if (p["setting"]["prune"], p["setting"]["prune_readout"])
                == (q["prune"], q["prune_readout"])]
        top = max(same, key=lambda p: p["accuracy"]["mean"]) if same else None
        acc = q["accuracy"]
        md.append(f"| {q['prune']:.0%} / {q['prune_readout']:.0%} | {acc['mean']:.3f} [{acc['ci95'][0]:.3f}, "
                  f"{acc['ci95'][1]:.3f}] | {q['effective_macs']:.0f} | "
                  + (f"{top['accuracy']['mean']:.3f}, {top['effective_acs']:.0f} ({top['label']})" if top else "-")
                  + " |")
    md += ["", "Energy profiles (every figure with its source and status; `engram_nm/analysis/energy.py`):", ""]
    for name, prof in result["profiles"].items():
        md.append(f"- {name} ({'event-driven' if prof['event_driven'] else 'dense'}): " + "; ".join(prof["sources"])
                  + (f". {prof['note']}" if prof["note"] else ""))
    return md


if __name__ == "__main__":
    main()
