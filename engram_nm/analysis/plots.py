"""Figures people would rather look at than read (matplotlib, headless, written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path) -> Path:
    """Write ``fig`` as PNG through a temporary file (never a half-written image), then close it."""
    from engram_nm.io_utils import atomic_target

    plt = _pyplot()
    with atomic_target(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def plot_weight_change(before: np.ndarray, after: np.ndarray, path, title: str = "",
                       input_shape: tuple | None = None):
    """Before / after / change heatmaps of a weight matrix ``[n_post, n_pre]``; with
    ``input_shape`` (e.g. ``(8, 8)``) a fourth panel shows the mean change per input as an image."""
    plt = _pyplot()
    before, after = np.asarray(before, float), np.asarray(after, float)
    delta = after - before
    panels = 4 if input_shape is not None else 3
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.6), layout="constrained")
    lim = float(np.max(np.abs(np.concatenate([before.ravel(), after.ravel()])))) or 1.0
    dlim = float(np.max(np.abs(delta))) or 1.0
    for ax, data, name, vmax, cmap in ((axes[0], before, "before", lim, "RdBu_r"),
                                       (axes[1], after, "after", lim, "RdBu_r"),
                                       (axes[2], delta, "change", dlim, "PuOr_r")):
        im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest")
        ax.set_title(f"weights {name}")
        ax.set_xlabel("pre neuron")
        fig.colorbar(im, ax=ax, fraction=0.046)
    axes[0].set_ylabel("post neuron")
    if input_shape is not None:
        per_input = delta.mean(axis=0).reshape(input_shape)
        m = float(np.max(np.abs(per_input))) or 1.0
        im = axes[3].imshow(per_input, cmap="PuOr_r", vmin=-m, vmax=m, interpolation="nearest")
        axes[3].set_title("mean change per input")
        axes[3].set_xticks([])
        axes[3].set_yticks([])
        fig.colorbar(im, ax=axes[3], fraction=0.046)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_raster(spikes: dict, path, title: str = "", dt: float | None = None):
    """Spike raster per layer (``{layer: bool [T, n]}``), layers stacked top to bottom."""
    plt = _pyplot()
    names = list(spikes)
    heights = [max(1, np.asarray(spikes[n]).shape[1]) for n in names]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 1.2 + 0.03 * sum(heights) + 0.8 * len(names)),
                             sharex=True, squeeze=False, layout="constrained",
                             gridspec_kw={"height_ratios": [max(h, 8) for h in heights]})
    for ax, name in zip(axes[:, 0], names):
        s = np.asarray(spikes[name])
        t, i = np.nonzero(s)
        ax.scatter(t if dt is None else t * dt * 1e3, i, s=4, marker="|", color="k")
        ax.set_ylabel(f"{name}\nneuron")
        ax.set_ylim(-0.5, s.shape[1] - 0.5)
    axes[-1, 0].set_xlabel("step" if dt is None else "time (ms)")
    if title:
        axes[0, 0].set_title(title)
    return save_figure(fig, path)


def plot_accuracy_matrix(accuracy: np.ndarray, path, title: str = ""):
    """``R[i, j]``: accuracy on task ``j`` (columns) after training task ``i`` (rows), with values."""
    plt = _pyplot()
    r = np.asarray(accuracy, float)
    fig, ax = plt.subplots(figsize=(1.2 + 0.7 * r.shape[1], 1.0 + 0.6 * r.shape[0]), layout="constrained")
    im = ax.imshow(r, vmin=0, vmax=1, cmap="viridis")
    for i in range(r.shape[0]):
        for j in range(i + 1):
            ax.text(j, i, f"{r[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if r[i, j] < 0.6 else "black")
    ax.set(xlabel="task evaluated", ylabel="after training task", title=title,
           xticks=range(r.shape[1]), yticks=range(r.shape[0]))
    fig.colorbar(im, ax=ax, fraction=0.046)
    return save_figure(fig, path)


def plot_recall_curves(curves: dict, path, xlabel: str = "fraction", ylabel: str = "recall rate", title: str = ""):
    """Several ``{label: (x, y)}`` curves on one axis (recall vs cue noise, ablation, load, ...)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
    for label, (x, y) in curves.items():
        ax.plot(x, y, "o-", label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, ylim=(-0.02, 1.02), title=title)
    ax.legend()
    return save_figure(fig, path)


def plot_frontier(result: dict, path, title: str = "accuracy vs synaptic operations per digit"):
    """benchmarks/energy.py's frontier (points numbered as in its table): accuracy (95 % CI over seeds) against effective ACs and
    against estimated Loihi energy per inference, one colour per input code, with the ANN's dense
    and effective MACs (and fp32 energies) and the goal region."""
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    ann = result["ann_accuracy"]["mean"]
    colors = {"rate": "#2b8cbe", "regular": "#756bb1", "latency": "#d95f0e", "delta": "#31a354"}
    for ax, key in ((a, "acs"), (b, "energy")):
        for k, p in enumerate(result["points"], start=1):
            x = p["effective_acs"] if key == "acs" else p["energy_nj"].get("loihi")
            if x is None:
                continue
            acc = p["accuracy"]
            err = np.abs(np.array([[acc["ci95"][0]], [acc["ci95"][1]]]) - acc["mean"])
            marker = "s" if p["setting"]["readout"] == "spikes" else "o"
            ax.errorbar([x], [acc["mean"]], yerr=np.nan_to_num(err), fmt=marker, color=colors.get(p["coding"], "k"),
                        capsize=3, ms=6)
            ax.annotate(str(k), (x, acc["mean"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.axhspan(ann - 0.01, 1.0, color="0.9", zorder=0, label="within 1 point of the ANN")
        ax.axhline(ann, color="k", lw=1, label=f"ANN accuracy {ann:.3f}")
        ax.set_xscale("log")
        ax.set_ylabel("test accuracy (chance 0.10)")
    dense, eff = result["ann_dense_macs"], result["ann_effective_macs"]
    a.axvline(dense, color="k", ls="--", label=f"ANN dense MACs {dense:.0f}")
    a.axvline(eff, color="k", ls=":", label=f"ANN effective MACs {eff:.0f}")
    for q in result.get("ann_pruned", []):  # the baseline with the spiking points' pruning
        acc = q["accuracy"]
        err = np.abs(np.array([[acc["ci95"][0]], [acc["ci95"][1]]]) - acc["mean"])
        a.errorbar([q["effective_macs"]], [acc["mean"]], yerr=np.nan_to_num(err), fmt="x", color="k", capsize=3)
    if result.get("ann_pruned"):
        a.plot([], [], "x", color="k", label="ANN pruned as the spiking points (effective MACs)")
    a.fill_between([1, min(dense / 10, eff / 4)], ann - 0.01, 1.0, color="#a1d99b", alpha=0.7, zorder=0,
                   label="goal: within 1 point, ACs <= dense/10 and <= effective/4")
    a.set(xlabel="effective synaptic operations (ACs) per digit", title="a  operations")
    e = result["ann_energy_nj_fp32"]
    b.axvline(e["dense"], color="k", ls="--", label=f"ANN fp32 dense {e['dense']:.1f} nJ (arithmetic only)")
    b.axvline(e["effective"], color="k", ls=":", label=f"ANN fp32 effective {e['effective']:.1f} nJ")
    b.set(xlabel="estimated energy per digit on Loihi (nJ; unverified figures, incl. neuron updates)",
          title="b  energy")
    for code, c in colors.items():
        a.plot([], [], "o", color=c, label=f"{code} code")
    a.plot([], [], "s", color="0.5", label="spiking readout (squares)")
    a.legend(fontsize=7, loc="lower right")
    b.legend(fontsize=7, loc="lower right")
    a.set_xlim(left=100)
    fig.suptitle(title)
    return save_figure(fig, path)
