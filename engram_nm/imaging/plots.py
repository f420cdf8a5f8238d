"""Figures of calcium imaging on the engram network (benchmarks/imaging.py): dF/F traces, a
heatmap and a cell map of one animal, the engram's maturation over consolidation and the
detection of the engram against frame rate and photon count."""

from __future__ import annotations

import numpy as np

from engram_nm.analysis.plots import _pyplot, save_figure


def _steps_of(sessions: dict, arm: str) -> list:
    return sorted(int(k.split()[1]) for k in sessions if k.startswith(f"{arm} "))


def plot_imaging(day, sessions: dict, detection: dict, path, indicator: str = "GCaMP6f", microscope=None,
                 seed: int = 0, title: str = ""):
    """``day``: one animal's :class:`~engram_nm.experiments.engram.imaging_sessions.ImagingDay`;
    ``sessions`` / ``detection``: the summaries over seeds (``{condition: {field: {"mean", "ci95"}}}``)
    of :func:`~engram_nm.experiments.engram.imaging_sessions.score_day` and
    :func:`~engram_nm.experiments.engram.imaging_sessions.detection_sweep`."""
    from engram_nm.experiments.engram.imaging_sessions import image_session
    from engram_nm.experiments.engram.plots import _errorbar

    plt = _pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(17, 7.6), layout="constrained")
    enc = day.sessions["encoding"]
    movie = image_session(enc, day.dt, indicator, microscope, seed)
    dff, rec = movie.dff, movie.recording
    t = rec.frame_times_s - enc.start_s
    stim = np.array(enc.stimulus) * day.dt
    engram = np.flatnonzero(day.tagged)
    others = np.flatnonzero(~day.tagged)
    rng = np.random.default_rng(seed)
    shown = list(rng.choice(engram, min(5, engram.size), replace=False)) + list(rng.choice(others, 5, replace=False))
    ax = axes[0, 0]
    for k, cell in enumerate(shown):
        ax.plot(t, dff[:, cell] + 1.2 * k, color="#d95f0e" if day.tagged[cell] else "0.4", lw=0.8)
    ax.axvspan(*stim, color="#fdd0a2", alpha=0.5, lw=0)
    ax.set(xlabel="time in session (s)", ylabel="dF/F (offset 1.2 per cell)",
           title=f"a  conditioning, {indicator}: engram (orange) and other cells")
    ax = axes[0, 1]
    lift = movie.lift
    order = np.r_[engram[np.argsort(-lift[engram])], others[np.argsort(-lift[others])]]
    im = ax.imshow(dff[:, order].T, aspect="auto", cmap="magma", vmin=0, vmax=np.nanpercentile(dff, 99.5),
                   extent=(t[0], t[-1], len(order), 0), interpolation="nearest")
    ax.axhline(engram.size, color="w", lw=0.8)
    ax.axvline(stim[0], color="w", ls=":", lw=0.8)
    ax.set(xlabel="time in session (s)", ylabel="cell (engram above the line)", title="b  dF/F of every E cell")
    fig.colorbar(im, ax=ax, label="dF/F")
    ax = axes[0, 2]
    last = f"normal {_steps_of(day.sessions, 'normal')[-1]}"
    recall = day.sessions[last]
    rlift = image_session(recall, day.dt, indicator, microscope, seed + 1).lift
    side = int(np.ceil(np.sqrt(rlift.size)))
    grid = np.full(side * side, np.nan)
    grid[: rlift.size] = rlift
    im = ax.imshow(grid.reshape(side, side), cmap="viridis", vmin=0, vmax=np.nanpercentile(rlift, 99))
    ys, xs = np.divmod(engram, side)
    ax.scatter(xs, ys, s=26, facecolors="none", edgecolors="#d95f0e", lw=1.0, label="tagged (c-fos)")
    unreached = np.flatnonzero(day.unreached & day.tagged)
    ys, xs = np.divmod(unreached, side)
    ax.scatter(xs, ys, s=60, marker="s", facecolors="none", edgecolors="w", lw=1.0, label="tagged, not reached by cue")
    ax.set(xticks=[], yticks=[], title=f"c  cell map: response to half of A ({last} steps consolidated)")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.8)
    fig.colorbar(im, ax=ax, label="dF/F above baseline")
    for ax, field, chance, label, letter in ((axes[0, 3], "recruited_dff", "chance_dff", "dF/F above baseline", "d"),
                                            (axes[1, 0], "recruited_rate_hz", "chance_rate_hz", "spike rate (Hz)", "e")):
        for arm, color in (("normal", "#2b8cbe"), ("blocked", "#d95f0e")):
            steps = _steps_of(sessions, arm)
            _errorbar(ax, steps, [sessions[f"{arm} {s}"][field] for s in steps], f"{arm}: engram cells", color=color)
            _errorbar(ax, steps, [sessions[f"{arm} {s}"][chance] for s in steps], f"{arm}: other cells (chance)",
                      fmt="s:", color=color, alpha=0.6)
        ax.set(xlabel="consolidation so far (steps of 1 ms)", ylabel=label,
               title=f"{letter}  cells the cue does not reach: {'imaging' if letter == 'd' else 'spikes'}")
        ax.legend(fontsize=7)
    keys = [k for k in detection if not k.startswith("sham ")]
    for ax, method, letter in ((axes[1, 1], "threshold", "f"), (axes[1, 2], "nmf", "g")):
        rates = sorted({float(k.split()[2]) for k in keys if k.startswith(method)})
        for rate, color in zip(rates, plt.cm.viridis(np.linspace(0, 0.9, len(rates)))):
            mine = [k for k in keys if k.startswith(f"{method} {indicator} {rate:g} Hz")]
            photons = [float(k.split()[4]) for k in mine]
            _errorbar(ax, photons, [detection[k]["precision"] for k in mine], f"{rate:g} Hz precision", color=color)
            _errorbar(ax, photons, [detection[k]["recall"] for k in mine], f"{rate:g} Hz recall", fmt="s--",
                      color=color, alpha=0.7)
        chance = detection[keys[0]]["chance_precision"]["mean"]
        ax.axhline(chance, color="k", ls=":", lw=1, label=f"chance precision {chance:.2f}")
        ax.set(xscale="log", ylim=(0, 1.05), xlabel="photons per cell per frame",
               title=f"{letter}  engram detection by {method} ({indicator}) vs the tag")
        ax.legend(fontsize=6, ncol=2)
    ax = axes[1, 3]
    for method, color in (("threshold", "#2b8cbe"), ("nmf", "#31a354")):
        for prefix, fmt, what in (("", "o-", ""), ("sham ", "s:", "sham, no stimulus")):
            mine = [k for k in detection if k.startswith(f"{prefix}{method} {indicator} 30 Hz")]
            photons = [float(k.split()[-2]) for k in mine]
            _errorbar(ax, photons, [detection[k]["auc"] for k in mine], f"{method} {what}".strip(), fmt=fmt, color=color)
    ax.axhline(0.5, color="k", ls=":", lw=1, label="chance 0.5")
    ax.set(xscale="log", ylim=(0, 1.05), xlabel="photons per cell per frame", ylabel="ROC AUC of the score vs the tag",
           title=f"h  threshold-free: AUC at 30 Hz ({indicator})")
    ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)
