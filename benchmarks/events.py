"""Where neuromorphic inference can pay (issue 30): the accuracy-operations frontier on the generated
event-camera digits and digit video (engram_nm/events/, docs/events.md), spiking networks against
the frame ANN on the same recordings, seeds and pruning (engram_nm/experiments/event_frontier.py).

Per data set and seed (reported seeds 100-109; every setting was chosen on seeds 0-1): the frame
MLP (2048 -> 64 ReLU -> 10) dense, with zero inputs skipped (effective) and as a delta network at
several thresholds, unpruned and pruned as the spiking points are; and each spiking point of the
grid (LIF or sigma-delta hidden layer, membrane readout, magnitude pruning of the first layer),
counted on the full test split. Ratios are paired per seed (the ANN and the point of the same
seed), mean and 95 % t CI.

    python benchmarks/events.py [--seeds 10] [--quick] [--workers 2]

Writes benchmarks/results/events.{json,md,png}. JSON per data set: ``dataset``, ``seeds``, ``chance``,
``ann`` (``accuracy``, ``dense_macs``, ``effective_macs``, ``delta_macs`` of the unpruned ANN at
threshold 0, and ``by_threshold`` / ``pruned``), ``points`` [{``setting``, ``label``, ``accuracy``
{mean, ci95, n_seeds}, ``effective_acs``, ``graded_macs``, ``synaptic_ops`` (their sum),
``neuron_updates``, ``active_neuron_updates`` (neurons a spike or payload reaches), ``energy_nj``
(neuron updates as each profile charges them, ``EnergyProfile.updates``)}], and
``best_within_1_point`` (the point with the fewest effective ACs whose mean accuracy is within 1
point of the best ANN's, with its ratios to the dense ANN, the effective ANN and the cheapest delta
ANN within 1 point, and to the ANN pruned as it is).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish, stat_over_seeds as _stat  # noqa: E402

REPORTED_SEEDS = tuple(range(100, 110))
THRESHOLDS = {"camera": (0.0, 0.5, 1.5), "video": (0.0, 0.02, 0.05)}
ANN_PRUNE = 0.9  # the spiking points' pruning, given to the ANN too


def grid(dataset: str, quick: bool) -> list:
    """The spiking settings per data set (chosen on seeds 0-1): LIF and sigma-delta hidden layers,
    unpruned and with the first layer pruned by magnitude (the static frontier's levers)."""
    from engram_nm.experiments.frontier import FrontierSetting

    base = FrontierSetting(readout="membrane", epochs=2 if quick else 10, finetune_epochs=1 if quick else 5)
    sd = replace(base, neuron="sigma_delta", sd_threshold=0.1)
    if quick:
        return [base, replace(sd, prune=ANN_PRUNE, lr=5e-3)]
    if dataset == "video":
        return [base, replace(base, prune=ANN_PRUNE, lr=5e-3), sd, replace(sd, prune=ANN_PRUNE, lr=5e-3)]
    return [base, replace(base, prune=0.8, lr=5e-3), replace(base, prune=ANN_PRUNE, lr=5e-3),
            replace(base, prune=0.95, lr=5e-3), replace(base, hidden=32, prune=ANN_PRUNE, lr=5e-3),
            replace(sd, prune=ANN_PRUNE, lr=5e-3), replace(sd, prune=0.95, lr=5e-3)]


def label(setting) -> str:
    parts = [f"{'sigma-delta' if setting.neuron == 'sigma_delta' else 'LIF'} {setting.hidden} hidden"]
    if setting.neuron == "sigma_delta":
        parts.append(f"threshold {setting.sd_threshold:g}")
    if setting.l1_activity:
        parts.append(f"L1 {setting.l1_activity:g}")
    if setting.prune:
        parts.append(f"prune {setting.prune:.0%}")
    return ", ".join(parts)


def one_seed(job) -> dict:
    """Everything of one data set and seed (runs in a worker process)."""
    import torch

    from engram_nm.experiments.event_frontier import ann_point, snn_point
    from engram_nm.experiments.frontier import setting_dict

    dataset, seed, quick = job
    torch.set_num_threads(1)
    limit = (200, 100) if quick else (None, None)
    epochs = 5 if quick else 30
    ann = ann_point(dataset, seed, THRESHOLDS[dataset], epochs=epochs, limit=limit)
    pruned = ann_point(dataset, seed, THRESHOLDS[dataset], epochs=epochs, prune=ANN_PRUNE, limit=limit)
    cnn = ann_point(dataset, seed, THRESHOLDS[dataset], epochs=epochs, limit=limit, cnn=True)
    points = []
    for setting in grid(dataset, quick):
        _, p = snn_point(dataset, setting, seed, limit=limit)
        points.append({"setting": setting_dict(setting), **vars(p)})
    return {"dataset": dataset, "seed": seed, "ann": ann, "ann_pruned": pruned, "ann_cnn": cnn, "points": points}


def _ann_table(runs: list, key: str) -> dict:
    out = {}
    for th in sorted({r["threshold"] for run in runs for r in run[key]}):
        rows = [next(r for r in run[key] if r["threshold"] == th) for run in runs]
        out[f"{th:g}"] = {k: _stat([r[k] for r in rows]) for k in ("accuracy", "dense_macs", "effective_macs",
                                                                   "delta_macs")}
    return out


def summarise(dataset: str, runs: list) -> dict:
    """The JSON block of one data set (module docstring)."""
    from energy import energy_nj

    from engram_nm.analysis.energy import PROFILES

    runs = sorted(runs, key=lambda r: r["seed"])
    by_th, pruned, cnn = _ann_table(runs, "ann"), _ann_table(runs, "ann_pruned"), _ann_table(runs, "ann_cnn")
    exact = by_th["0"]
    best_ann = max(s["accuracy"]["mean"] for s in (*by_th.values(), *pruned.values(), *cnn.values()))
    fp32 = PROFILES["cpu-fp32"].cost("mac").picojoules
    ann = {**{k: exact[k] for k in ("accuracy", "dense_macs", "effective_macs", "delta_macs")},
           "energy_nj_fp32": {k: exact[f"{k}_macs"]["mean"] * fp32 / 1e3 for k in ("dense", "effective", "delta")},
           "by_threshold": by_th, "pruned": {"prune": ANN_PRUNE, "by_threshold": pruned},
           "cnn": {"architecture": "conv 3x3 stride 2 -> 8 channels, ReLU, 64 ReLU, 10", "by_threshold": cnn}}
    # the strongest delta baseline: the cheapest threshold still within 1 point of the best ANN
    within = [th for th, s in by_th.items() if s["accuracy"]["mean"] >= best_ann - 0.01] or ["0"]
    delta_th = min(within, key=lambda th: by_th[th]["delta_macs"]["mean"])
    within_p = [th for th, s in pruned.items() if s["accuracy"]["mean"] >= best_ann - 0.01]
    pruned_th = min(within_p, key=lambda th: pruned[th]["delta_macs"]["mean"]) if within_p else "0"
    points = []
    for k, setting in enumerate(runs[0]["points"]):
        per = [run["points"][k] for run in runs]
        for p in per:
            p["synaptic_ops"] = p["effective_acs"] + p["graded_macs"]
        mean = {f: float(np.mean([p[f] for p in per])) for f in ("effective_acs", "graded_macs", "synaptic_ops",
                                                                 "neuron_updates", "active_neuron_updates", "spikes")}
        ratios = {}
        for name, key, th, table in (("dense", "dense_macs", "0", "ann"), ("effective", "effective_macs", "0", "ann"),
                                     ("delta", "delta_macs", delta_th, "ann"),
                                     ("pruned_delta", "delta_macs", pruned_th, "ann_pruned")):
            ann_v = [next(r for r in run[table] if f"{r['threshold']:g}" == th)[key] for run in runs]
            ratios[name] = _stat([a / max(p["synaptic_ops"], 1e-9) for a, p in zip(ann_v, per)])
        points.append({"setting": setting["setting"], "label": label(_setting(setting["setting"])),
                       "accuracy": _stat([p["accuracy"] for p in per]), **mean,
                       "first_layer_density": float(np.mean([p["first_layer_density"] for p in per])),
                       "energy_nj": _energy(mean),
                       "energy_nj_active_updates": energy_nj(mean["synaptic_ops"], mean["active_neuron_updates"],
                                                             mean["spikes"]),
                       "ratios": ratios, "within_1_point": bool(np.mean([p["accuracy"] for p in per]) >= best_ann - 0.01)})
    within_points = [p for p in points if p["within_1_point"]]
    best = min(within_points, key=lambda p: p["synaptic_ops"]) if within_points else None
    best_block = None if best is None else {
        "label": best["label"], "accuracy": best["accuracy"], "effective_acs": best["effective_acs"],
        "synaptic_ops": best["synaptic_ops"],
        "dense_over_acs": best["ratios"]["dense"], "effective_over_acs": best["ratios"]["effective"],
        "delta_over_acs": best["ratios"]["delta"], "pruned_delta_over_acs": best["ratios"]["pruned_delta"],
        "delta_threshold": float(delta_th), "pruned_delta_threshold": float(pruned_th),
        "goal_dense_10x": bool(best["ratios"]["dense"]["mean"] >= 10),
        "goal_delta_4x": bool(best["ratios"]["delta"]["mean"] >= 4)}
    return {"dataset": dataset, "seeds": [r["seed"] for r in runs], "chance": 0.1, "best_ann_accuracy": best_ann,
            "ann": ann, "points": points, "best_within_1_point": best_block}


def deploy_best(result: dict, quick: bool) -> None:
    """Item 5 of the issue: the best point within 1 point on each data set (else its most accurate
    point), retrained on the first reported seed, made deployable and run on fixed-emu over the
    full test split, on Lava cpu-fixed for three recordings (compared spike for spike), and checked
    against the Loihi 2 fit (engram_nm/experiments/event_frontier.py, ``deploy``)."""
    import torch

    from engram_nm.experiments.event_frontier import deploy, snn_point, spikes

    torch.set_num_threads(2)
    seed = result["seeds"][0]
    limit = (200, 100) if quick else (None, None)
    for name, d in result["datasets"].items():
        best = d["best_within_1_point"]
        point = next((p for p in d["points"] if best and p["label"] == best["label"]), None) \
            or max(d["points"], key=lambda p: p["accuracy"]["mean"])
        spec, _ = snn_point(name, _setting(point["setting"]), seed, limit=limit)
        x_tr, _ = spikes(name, "train", seed, limit[0])
        x_te, y_te = spikes(name, "test", seed, limit[1])
        d["deploy"] = {"label": point["label"], "seed": seed,
                       **deploy(spec, x_tr[:, :300], x_te, y_te, lava_samples=2 if quick else 3)}


def _energy(mean: dict) -> dict:
    """nJ per recording on each event-driven profile, charging the neuron updates it says it pays
    (``EnergyProfile.updates``: every neuron every step, or only the neurons reached)."""
    from energy import energy_nj

    from engram_nm.analysis.energy import PROFILES

    out = {}
    for kind in ("every", "reached"):
        updates = mean["neuron_updates"] if kind == "every" else mean["active_neuron_updates"]
        values = energy_nj(mean["synaptic_ops"], updates, mean["spikes"])
        out.update({name: v for name, v in values.items() if PROFILES[name].updates == kind})
    return out


def _setting(d: dict):
    from engram_nm.experiments.frontier import FrontierSetting

    return FrontierSetting(**d)


def markdown(result: dict) -> list:
    md = ["# Event data: spiking networks against the frame ANN, same recordings, seeds and pruning", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; seeds {result['seeds'][0]}-{result['seeds'][-1]} "
          f"({len(result['seeds'])}; settings chosen on seeds 0-1); {result['seconds']:.0f} s. Per recording, full "
          "test split (449 digits); accuracy mean [95 % t CI]; ratios are per seed (paired), mean [95 % CI]. "
          "Chance 0.10. ANN: frame MLP 2048 -> 64 ReLU -> 10 on binned counts (camera) or frames (video), mean "
          "logits over frames, 30 epochs. Spiking: 2048 -> 64 (or 32) -> 10, membrane readout, input spikes as in "
          "`engram_nm/experiments/event_frontier.py`. Effective ACs: every spike times its non-zero fan-out "
          "(NeuroBench's count; a graded spike is one operation carrying its payload, a MAC rather than an AC on "
          "chip); neuron updates: every neuron every step. The CNN (conv 3x3 stride 2 -> 8 channels -> 64 -> 10) is "
          "counted as its unrolled convolution: dense MACs are the kernel's, effective and delta MACs skip zero "
          "and unchanged inputs alike.", ""]
    for name, d in result["datasets"].items():
        a = d["ann"]
        md += [f"## {name}", "", "| ANN | delta threshold | accuracy | dense MACs | effective MACs | delta MACs |",
               "|---|---|---|---|---|---|"]
        for kind, table in (("MLP", a["by_threshold"]), (f"MLP pruned {a['pruned']['prune']:.0%}", a["pruned"]["by_threshold"]),
                            ("CNN", a["cnn"]["by_threshold"])):
            for th, s in table.items():
                acc = s["accuracy"]
                md.append(f"| {kind} | {th} | {acc['mean']:.3f} [{acc['ci95'][0]:.3f}, {acc['ci95'][1]:.3f}] | "
                          f"{s['dense_macs']['mean']:,.0f} | {s['effective_macs']['mean']:,.0f} | "
                          f"{s['delta_macs']['mean']:,.0f} |")
        md += ["", "| # | spiking point | accuracy | synaptic ops (graded) | neuron updates (reached) | dense / ops | "
               "effective / ops | delta / ops | pruned delta / ops | Loihi nJ (unverified; reached only) | within 1 point |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
        for k, p in enumerate(d["points"], start=1):
            acc, r = p["accuracy"], p["ratios"]
            f = lambda s: f"{s['mean']:.1f} [{s['ci95'][0]:.1f}, {s['ci95'][1]:.1f}]"  # noqa: E731
            loihi, reached = p["energy_nj"].get("loihi"), p["energy_nj_active_updates"].get("loihi")
            md.append(f"| {k} | {p['label']} | {acc['mean']:.3f} [{acc['ci95'][0]:.3f}, {acc['ci95'][1]:.3f}] | "
                      f"{p['synaptic_ops']:,.0f} ({p['graded_macs']:,.0f}) | {p['neuron_updates']:,.0f} "
                      f"({p['active_neuron_updates']:,.0f}) | {f(r['dense'])} | {f(r['effective'])} | "
                      f"{f(r['delta'])} | {f(r['pruned_delta'])} | "
                      f"{'n/a' if loihi is None else f'{loihi:,.0f} ({reached:,.0f})'} | "
                      f"{'yes' if p['within_1_point'] else 'no'} |")
        b = d["best_within_1_point"]
        md.append("")
        if b is None:
            md.append(f"No spiking point is within 1 point of the best ANN ({d['best_ann_accuracy']:.3f}).")
        else:
            dr, tr = b["dense_over_acs"]["mean"], b["delta_over_acs"]["mean"]
            md.append(f"Best within 1 point of the best ANN ({d['best_ann_accuracy']:.3f}): {b['label']}, "
                      f"{b['accuracy']['mean']:.3f}: {dr:.1f}x fewer operations than the dense ANN (goal 10x: "
                      f"{'met' if dr >= 10 else 'short by %.1fx' % (10 / dr)}), {tr:.1f}x fewer than the delta ANN at "
                      f"threshold {b['delta_threshold']:g} (goal 4x: {'met' if tr >= 4 else 'short by %.1fx' % (4 / tr)}), "
                      f"{b['pruned_delta_over_acs']['mean']:.2f}x against the ANN pruned as it is, run as a delta "
                      f"network (threshold {b['pruned_delta_threshold']:g}).")
        dep = d.get("deploy")
        if dep:
            md.append("")
            md.append(f"Deployed ({dep['label']}, seed {dep['seed']}): float {dep['float_accuracy']:.3f}, fixed-emu "
                      f"{dep['fixed_emu_accuracy']:.3f} ({dep['decisions_kept']:.1%} of decisions kept); Lava cpu-fixed "
                      f"on {dep['lava_cpu_fixed_samples']} recordings {'equals' if dep['lava_equals_fixed_emu'] else 'DIFFERS FROM'} "
                      f"fixed-emu spike for spike (payloads included); Loihi 2 fit: "
                      f"{'fits, %d cores' % dep['loihi2_cores'] if dep['fits_loihi2'] else 'does not fit: ' + '; '.join(dep['fit_problems'])}.")
        md.append("")
    return md


def plot(result: dict, path: Path) -> None:
    from engram_nm.analysis.plots import _pyplot

    plt = _pyplot()
    names = list(result["datasets"])
    fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 4.8), layout="constrained", squeeze=False)
    for ax, name in zip(axes[0], names):
        d = result["datasets"][name]
        for k, p in enumerate(d["points"], start=1):
            acc = p["accuracy"]
            err = np.abs(np.array([[acc["ci95"][0]], [acc["ci95"][1]]]) - acc["mean"])
            color = "#31a354" if p["setting"]["neuron"] == "sigma_delta" else "#2b8cbe"
            ax.errorbar([p["synaptic_ops"]], [acc["mean"]], yerr=np.nan_to_num(err), fmt="o", color=color, capsize=3)
            ax.annotate(str(k), (p["synaptic_ops"], acc["mean"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        for kind, table, marker in (("ANN", d["ann"]["by_threshold"], "s"),
                                    ("ANN pruned", d["ann"]["pruned"]["by_threshold"], "x"),
                                    ("CNN", d["ann"]["cnn"]["by_threshold"], "^")):
            for th, s in table.items():
                for key, face in (("dense_macs", "none"), ("effective_macs", "0.6"), ("delta_macs", "k")):
                    if key != "delta_macs" and th != "0":
                        continue
                    ax.plot(s[key]["mean"], s["accuracy"]["mean"], marker, color="k", mfc=face, ms=6)
        ax.plot([], [], "s", color="k", mfc="none", label="ANN dense MACs")
        ax.plot([], [], "s", color="k", mfc="0.6", label="ANN effective MACs")
        ax.plot([], [], "s", color="k", label="ANN delta MACs (each threshold)")
        ax.plot([], [], "x", color="k", label="ANN pruned 90 %")
        ax.plot([], [], "^", color="k", mfc="none", label="CNN (dense, effective, delta)")
        ax.plot([], [], "o", color="#2b8cbe", label="LIF (95 % CI, 10 seeds)")
        ax.plot([], [], "o", color="#31a354", label="sigma-delta")
        ax.axhspan(d["best_ann_accuracy"] - 0.01, 1.0, color="0.9", zorder=0, label="within 1 point of the best ANN")
        ax.set_xscale("log")
        ax.set(xlabel="synaptic operations per recording (ACs and graded MACs; MACs for the ANN)",
               ylabel="test accuracy (chance 0.10)", title=name)
        ax.legend(fontsize=7, loc="lower right")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> dict:
    import multiprocessing

    from tqdm.auto import tqdm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(REPORTED_SEEDS), help="how many of the reported seeds")
    parser.add_argument("--quick", action="store_true", help="two seeds, 200 / 100 recordings, short training")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (spawned: torch and fork deadlock)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--deploy-only", action="store_true",
                        help="rerun only the deployment of the best points of an existing events.json")
    args = parser.parse_args(argv)
    if args.deploy_only:
        import json

        result = json.loads((Path(args.out) / "events.json").read_text())
        deploy_best(result, args.quick)
        return publish(args.out, "events", result, markdown(result))
    seeds = [0, 1] if args.quick else list(REPORTED_SEEDS[:args.seeds])
    t0 = time.perf_counter()
    jobs = [(dataset, s, args.quick) for dataset in ("camera", "video") for s in seeds]
    if args.workers > 1:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            runs = list(tqdm(pool.imap(one_seed, jobs), total=len(jobs), desc="events", unit="seed"))
    else:
        runs = [one_seed(j) for j in tqdm(jobs, desc="events", unit="seed")]
    result = {"benchmark": "events", **machine_info(), "seeds": seeds, "chance": 0.1, "datasets": {},
              "goal": "within 1 point of the best ANN on event digits: >= 10x fewer synaptic operations than the "
                      "dense ANN and >= 4x fewer than the delta ANN"}
    for dataset in ("camera", "video"):
        result["datasets"][dataset] = summarise(dataset, [r for r in runs if r["dataset"] == dataset])
    result["seconds"] = time.perf_counter() - t0
    deploy_best(result, args.quick)
    result["deploy_seconds"] = time.perf_counter() - t0 - result["seconds"]
    plot(result, Path(args.out) / "events.png")
    return publish(args.out, "events", result, markdown(result))


if __name__ == "__main__":
    main()
