"""The define-once demo: train in snnTorch, export NIR, run on Lava float and fixed, compare.

``make demo`` / ``engram-nm demo`` run this on defaults (about a minute on 2 cores).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def run_demo(out_dir="out/demo", seed: int = 0, quiet: bool = False, epochs: int = 8, n_eval: int = 20,
             hidden: int = 64) -> dict:
    import torch

    torch.set_num_threads(1)  # LAVA_NOTES: torch's thread pool + Lava's fork can deadlock

    from engram_nm.data import load_digits_spikes
    from engram_nm.io_utils import atomic_write_text
    from engram_nm.nir_io import export_nir, import_nir
    from engram_nm.spec import EngramSpec, LayerSpec
    from engram_nm.torch_backend import build_torch
    from engram_nm.training import accuracy, train_classifier
    from engram_nm.verify import verify

    say = (lambda *a: None) if quiet else print
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    steps = 25
    x_tr, y_tr, x_te, y_te = load_digits_spikes(steps=steps, seed=seed)
    rng = np.random.default_rng(seed)
    spec = EngramSpec(
        n_in=64,
        layers=[
            LayerSpec("hidden", weight=rng.normal(0.0, 0.3, (hidden, 64)), tau_mem=20e-3, v_threshold=1.0),
            LayerSpec("readout", weight=rng.normal(0.0, 0.3, (10, hidden)), tau_mem=20e-3, v_threshold=1.0),
        ],
        dt=1e-3,
        name="digits_define_once",
    )
    say(f"1/4 define: {spec.summary()}")
    net = build_torch(spec, dtype=torch.float32)
    say(f"2/4 train in snnTorch (surrogate gradients), {epochs} epochs on {len(y_tr)} digits")
    hist = train_classifier(net, x_tr, y_tr, epochs=epochs, lr=1e-2, count_scale=0.3, seed=seed, quiet=quiet)
    acc_torch = accuracy(net, x_te, y_te)
    say(f"    train acc {hist.train_accuracy[-1]:.3f}, test acc (snnTorch, float32) {acc_torch:.3f}")
    path = export_nir(net, out / "model.nir")
    deployed = import_nir(path)
    say(f"3/4 exported {path} and re-imported it (exact: {deployed.equals(net.to_spec())})")
    say(f"4/4 run {n_eval} test digits on snntorch (float64), Lava cpu-float and cpu-fixed")
    correct = {"snntorch": 0, "cpu-float": 0, "cpu-fixed": 0}
    mismatches, fixed_agree = 0, []
    delay = len(spec.layers)  # input reaches the readout after one step per Dense
    for i in range(n_eval):
        sample = np.concatenate([x_te[:, i], np.zeros((delay, 64), np.float32)])  # let the last spikes arrive
        rep = verify(deployed, sample)
        mismatches += sum(la.float_vs_torch_mismatches for la in rep.layers)
        fixed_agree.append(rep.min_fixed_count_agreement)
        for target, res in rep.results.items():
            correct[target] += int(res.spikes["readout"].sum(axis=0).argmax() == y_te[i])
    accs = {k: v / n_eval for k, v in correct.items()}
    from engram_nm.compare import compare
    from engram_nm.hardware.fit import fit_report
    from engram_nm.hardware.targets import run as run_target
    from engram_nm.plots import plot_raster

    say("    counting operations and estimating energy per backend (one Lava graph for all digits)")
    samples = [np.concatenate([x_te[:, i], np.zeros((delay, 64), np.float32)]) for i in range(n_eval)]
    energy = compare(deployed, samples, labels=list(y_te[:n_eval]))
    energy.plot(out / "energy.png")
    raster = plot_raster(run_target(deployed, samples[0], "cpu-float").spikes, out / "raster.png",
                         title=f"Lava cpu-float, test digit {int(y_te[0])}", dt=spec.dt)
    fit = fit_report(deployed)
    lines = [
        f"# engram_nm define-once demo ({spec.name})",
        "",
        f"Network: 64 inputs -> {hidden} LIF -> 10 LIF, dt = {spec.dt} s, {steps} steps per digit.",
        f"Trained {epochs} epochs in snnTorch: test accuracy {acc_torch:.3f} (float32, {len(y_te)} digits).",
        "",
        f"| backend | accuracy on {n_eval} test digits |",
        "|---|---|",
        *[f"| {k} | {v:.3f} |" for k, v in accs.items()],
        "",
        f"snnTorch (float64) vs Lava cpu-float spike mismatches over {n_eval} digits: **{mismatches}**.",
        f"cpu-fixed vs cpu-float per-neuron spike-count agreement (min over digits and layers): "
        f"**{min(fixed_agree):.3f}**.",
        "",
        "## Operations and estimated energy per inference",
        "",
        energy.table(),
        "",
        f"![energy](energy.png) ![raster]({raster.name})",
        "",
        f"## Loihi 2 fit: {fit.cores} cores, fits: {'yes' if fit.fits else 'no'}",
        "",
        f"Elapsed: {time.perf_counter() - t0:.1f} s.",
    ]
    atomic_write_text(out / "report.md", "\n".join(lines) + "\n")
    say("")
    say("\n".join(lines[5:12]))
    best = {r.target: r for r in energy.rows}["cpu-float"]
    say(f"effective synaptic ops per digit {best.effective_acs:.0f} (a dense ANN of this shape: "
        f"{energy.ann_macs} MACs); Loihi 2: {fit.cores} cores")
    say(f"\nreport: {out / 'report.md'}   model: {path}   plots: energy.png, raster.png")
    return {"accuracy": accs, "torch_accuracy": acc_torch, "mismatches": mismatches,
            "fixed_count_agreement": min(fixed_agree), "report": out / "report.md",
            "effective_acs": best.effective_acs, "cores": fit.cores}
