"""Figures of engram experiments: memory load, pruning, engram history, trial rasters, the
conditioning and phenomena benchmarks."""

from __future__ import annotations

import numpy as np

from engram_nm.analysis.plots import _pyplot, save_figure


def plot_refinement(protocols: dict, path, title: str = "pruning after conditioning"):
    """:func:`~engram_nm.experiments.engram.refinement.refinement_suite` run over seeds: per arm,
    over hours since conditioning, the E cells responding to the whole context, half-cue recruitment
    of the engram, and the fraction of the engram's internal synapses left (mean, 95 % CI)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    group = next(iter(protocols.values()))
    panels = (("responding_cells", "E cells responding to A"), ("recruited", "engram recruited, half of A"),
              ("connected", "engram synapses left"))
    for ax, (fld, label) in zip(axes, panels):
        for arm, data in group.items():
            hours = [float(c.split()[0]) for c in data["conditions"]]
            _errorbar(ax, hours, [s[fld] for s in data["conditions"].values()], arm)
        ax.set(xlabel="hours since conditioning", ylabel=label)
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    return save_figure(fig, path)


def plot_engram_history(history, path, title: str = "engrams over time"):
    """Per memory (``EngramSnapshot`` list): size, mean internal weight and largest overlap with another."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.3), layout="constrained")
    names = sorted({s.memory for s in history})
    for name in names:
        snaps = [s for s in history if s.memory == name]
        t = [s.time_s for s in snaps]
        axes[0].plot(t, [s.size for s in snaps], "o-", label=name)
        axes[1].plot(t, [s.mean_internal_weight for s in snaps], "o-", label=name)
        axes[2].plot(t, [max(s.overlaps.values(), default=0.0) for s in snaps], "o-", label=name)
    from matplotlib.ticker import MaxNLocator

    axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set(xlabel="time (s)", ylabel="engram cells")
    axes[1].set(xlabel="time (s)", ylabel="mean internal E->E weight")
    axes[2].set(xlabel="time (s)", ylabel="largest overlap (Jaccard)", ylim=(-0.02, 1.02))
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, path)


def plot_memory_load(protocols: dict, path, title: str = "memory load on the fear-conditioning network"):
    """:func:`~engram_nm.experiments.engram.memory_load.load_suite` run over seeds (``run_suite``'s
    result): per number of contexts, freezing to half of A and to half of a never-shown context, and
    the mean offline E rate, each mean with its 95 % CI, for the stored arm and its control."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    counts = [int(name.split()[0]) for name in protocols]
    arms = list(next(iter(protocols.values())))
    panels = (("half of A", "freezing", "freezing, half of A"),
              ("half of a new context", "freezing", "freezing, half of a new context"),
              ("offline", "e_rate_hz", "mean E rate offline (Hz)"))
    for ax, (condition, fld, label) in zip(axes, panels):
        for arm in arms:
            _errorbar(ax, counts, [protocols[p][arm]["conditions"][condition][fld] for p in protocols], arm)
        ax.set(xlabel="contexts stored", ylabel=label)
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    return save_figure(fig, path)


def _errorbar(ax, xs, stats, label, fmt="o-", **kw):
    """Means with their 95 % CI as error bars (``stats``: ``{"mean", "ci95"}`` per x; None skipped)."""
    pts = [(x, s["mean"], s["ci95"]) for x, s in zip(xs, stats) if s["mean"] is not None]
    if not pts:
        return
    x, m, ci = zip(*pts)
    m = np.asarray(m)
    err = np.abs(np.array([[lo, hi] for lo, hi in ci]).T - m)
    ax.errorbar(x, m, yerr=err, fmt=fmt, capsize=3, label=label, **kw)


def plot_conditioning(protocols: dict, path, title: str = "engram experiments on the fear-conditioning network"):
    """The benchmark's protocols (``benchmarks/protocols.py``: ``{protocol: {arm: {"conditions":
    {condition: {field: {"mean", "ci95"}}}}}}``) as eight panels of freezing (mean, 95 % CI)."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(17, 7.5), layout="constrained")
    ax = iter(axes.ravel())

    def cond(protocol, arm):
        return protocols[protocol][arm]["conditions"]

    def numbered(conditions, prefix):
        keys = [k for k in conditions if k.startswith(prefix)]
        return [float(k.rsplit(" ", 1)[1]) for k in keys], [conditions[k]["freezing"] for k in keys]

    a = next(ax)
    c = cond("fear memory", "conditioned")
    for ctx, label in (("A ", "conditioned context A"), ("B ", "neutral context B")):
        _errorbar(a, *numbered(c, ctx), label)
    for arm, fmt in (("no learning (plasticity off while conditioning)", "x--"), ("unpaired (no shock)", "s:")):
        _errorbar(a, *numbered(cond("fear memory", arm), "A "), f"A, {arm.split(' (')[0]}", fmt)
    a.set(xlabel="cue: fraction of the context's channels", ylabel="freezing", title="fear memory")
    a = next(ax)
    c = cond("artificial recall (Liu 2012)", "conditioned")
    _errorbar(a, *numbered(c, "light engram "), "light on engram cells")
    _errorbar(a, *numbered(c, "light non-engram "), "light on as many other cells", "s--")
    _errorbar(a, *numbered(cond("artificial recall (Liu 2012)", "unpaired (no shock)"), "light engram "),
              "engram, unpaired", "x:")
    a.set(xlabel="opsin expression probability (tagged cells)", ylabel="freezing", title="artificial recall, no cue")
    a = next(ax)
    c = cond("silencing (Denny 2014)", "conditioned")
    for prefix, label, fmt in (("silence engram ", "engram silenced", "o-"),
                               ("silence non-engram ", "as many other cells", "s--")):
        x, s = numbered(c, prefix)
        _errorbar(a, [0.0] + x, [c["cue alone"]["freezing"]] + s, label, fmt)
    a.set(xlabel="silencing current (threshold units / step)", ylabel="freezing", title="silencing during the cue")
    a.set_xscale("symlog", linthresh=0.02)
    a = next(ax)
    labels, stats = [], []
    for arm in ("saline", "protein-synthesis inhibitor"):
        for test in ("full context", "natural cue", "light on engram"):
            labels.append(f"{'PSI' if arm != 'saline' else 'saline'}\n{test.replace('natural cue', 'half cue')}")
            stats.append(cond("silent engram (Ryan 2015)", arm)[test]["freezing"])
    _bars(a, labels, stats)
    a.set(ylabel="freezing", title="silent engram: consolidation blocked")
    a = next(ax)
    labels, stats = [], []
    for arm in protocols["oLTP rescue (Roy 2016)"]:
        for when in ("before", "after"):
            short = {"light on engram": "engram", "light on engram, paired with the cue": "engram + cue"}
            labels.append(f"{short.get(arm, 'other cells')}\n{when}")
            stats.append(cond("oLTP rescue (Roy 2016)", arm)[f"natural cue {when} oLTP"]["freezing"])
    _bars(a, labels, stats)
    a.set(ylabel="freezing (natural cue)", title="optogenetic LTP on a silent engram")
    a = next(ax)
    c = cond("ablation (Han 2007)", "conditioned")
    for prefix, label, fmt in (("lesion engram ", "engram cells killed", "o-"),
                               ("lesion non-engram ", "as many other cells", "s--")):
        x, s = numbered(c, prefix)
        _errorbar(a, [0.0] + x, [c["intact"]["freezing"]] + s, label, fmt)
    a.set(xlabel="fraction of the engram's size killed", ylabel="freezing", title="ablation")
    a = next(ax)
    arms = protocols["allocation (Yiu 2014)"]
    currents = [float(k.split()[-1]) for k in arms]
    _errorbar(a, currents, [arms[k]["conditions"]["allocation"]["recruited"] for k in arms], "P(tagged | excitable)")
    _errorbar(a, currents, [arms[k]["conditions"]["allocation"]["chance"] for k in arms], "P(tagged | other)", "s--")
    _errorbar(a, currents, [arms[k]["conditions"]["lesion excitable cells"]["freezing"] for k in arms],
              "freezing, excitable cells killed", "v-.")
    _errorbar(a, currents, [arms[k]["conditions"]["lesion other cells"]["freezing"] for k in arms],
              "freezing, as many other cells killed", "^:")
    a.set(xlabel="excitability current during conditioning", ylabel="probability / freezing", title="allocation")
    a = next(ax)
    from engram_nm.experiments.engram.conditioning import MICE_DISCRIMINATION

    course = protocols["time since conditioning"]
    for (arm, data), fmt in zip(course.items(), ("o-", "s--", "v-.", "^:")):
        c = data["conditions"]
        keys = [k for k in c if k.endswith(" h: A")]
        _errorbar(a, [float(k.split()[0]) for k in keys], [c[k]["freezing"] for k in keys],
                  f"freezing to A: {arm.split(' (')[0]}", fmt)
    normal = course.get("normal", {}).get("conditions", {})
    keys = [k for k in normal if k.endswith(" h: discrimination")]
    if keys:
        _errorbar(a, [float(k.split()[0]) for k in keys], [normal[k]["index"] for k in keys],
                  "discrimination index, normal", "D-")
    hours = sorted(MICE_DISCRIMINATION)
    a.plot(hours, [MICE_DISCRIMINATION[h] for h in hours], "k*--", label="mice: discrimination (Tomé 2024)")
    a.set(xlabel="hours after conditioning (1 h offline = 0.1 s of network time)", ylabel="freezing / discrimination",
          title="recall vs time since conditioning")
    for a in axes.ravel():
        a.set_ylim(-0.05, 1.05)
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize=7)
    fig.suptitle(title)
    return save_figure(fig, path)


def _bars(ax, labels, stats):
    m = np.array([s["mean"] for s in stats], dtype=float)
    err = np.abs(np.array([s["ci95"] for s in stats], dtype=float).T - m)
    ax.bar(range(len(m)), m, yerr=err, capsize=3, color=["#2b8cbe", "#74a9cf"] * (len(m) // 2 + 1))
    ax.set_xticks(range(len(m)), labels, fontsize=7, rotation=25, ha="right")


def plot_trial_rasters(records: dict, tagged: np.ndarray, path, readout: str | None = "O", title: str = ""):
    """Rasters of trials (``{label: PhaseRecord}``): E cells with the engram on top (red) and, when
    the network has one, the behavioural read-out population below (blue), so freezing is seen next
    to the cells behind it."""
    plt = _pyplot()
    order = np.concatenate([np.flatnonzero(tagged), np.flatnonzero(~tagged)])
    fig, axes = plt.subplots(1, len(records), figsize=(3.3 * len(records), 3.8), sharey=True, squeeze=False,
                             layout="constrained")
    shows_readout = False
    for ax, (label, record) in zip(axes[0], records.items()):
        e = record.spikes["E"][:, order]
        t, i = np.nonzero(e)
        in_engram = i < tagged.sum()
        ax.scatter(t[~in_engram], i[~in_engram], s=1.5, marker="|", color="0.5")
        ax.scatter(t[in_engram], i[in_engram], s=2, marker="|", color="#cb181d")
        if readout is not None and readout in record.spikes:
            shows_readout = True
            t_o, i_o = np.nonzero(record.spikes[readout])
            ax.scatter(t_o, e.shape[1] + 10 + 3 * i_o, s=3, marker="|", color="#2171b5")
        ax.axhline(tagged.sum() - 0.5, color="#cb181d", lw=0.5, ls=":")
        ax.set_title(label, fontsize=8)
        ax.set_xlabel("step (1 ms)")
    axes[0, 0].set_ylabel("E cells (engram first, red)" + ("; read-out O below (blue)" if shows_readout else ""))
    axes[0, 0].invert_yaxis()
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def plot_phenomena(protocols: dict, path, title: str = "engram phenomena on the fear-conditioning network"):
    """The phenomena benchmark (``benchmarks/phenomena.py``) as six panels, means with 95 % CIs."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), layout="constrained")
    (sep, inter, link), (syn, cells, gen) = axes

    for arm, data in protocols["pattern separation"].items():
        c = data["conditions"]
        x = [c[k]["input_overlap"]["mean"] for k in c]
        _errorbar(sep, x, [c[k]["engram_overlap"] for k in c], f"{arm} (active {c[next(iter(c))]['active_fraction_a']['mean']:.0%})")
    sep.plot([0, 1], [0, 1], "k:", lw=1, label="identity")
    sep.set(xlabel="input overlap (Jaccard of channels)", ylabel="engram overlap (Jaccard of active E cells)",
            title="pattern separation (naive network)")

    c = protocols["interference"]["conditioned"]["conditions"]
    overlaps = sorted({float(k.split("overlap ")[1].split(":")[0]) for k in c if k.startswith("B stored")})
    for ctx, fmt in (("A", "o-"), ("B", "s--")):
        _errorbar(inter, overlaps, [c[f"B stored, overlap {o:g}: {ctx}"]["freezing"] for o in overlaps],
                  f"freezing to half of {ctx}", fmt)
    _errorbar(inter, [0.0], [c["before: A"]["freezing"]], "A before B was stored", "kD")
    inter.set(xlabel="overlap of B with A", ylabel="freezing", title="storing a similar context B (no shock)")

    arms = protocols["memory linking (Cai 2016)"]
    for suffix, label, fmt in (("", "plasticity on", "-"), (", plasticity off in the interval", "plasticity off", ":"),
                               (", two-stage synapses", "two-stage synapses", "-.")):
        hours = [a for a in arms if a.endswith(" h" + suffix) and a.split()[1].rstrip(",") == "h"]
        xs = [float(a.split()[0]) for a in hours]
        if not hours:
            continue
        _errorbar(link, xs, [arms[a]["conditions"]["shared cells"]["recruited"] for a in hours],
                  f"shared cells (Jaccard of tags), {label}", "o" + fmt)
        _errorbar(link, xs, [arms[a]["conditions"]["half of A"]["freezing"] for a in hours],
                  f"freezing to A (linked fear), {label}", "s" + fmt)
    control = arms["5 h, no excitability trace"]["conditions"]
    _errorbar(link, [5.0], [control["half of A"]["freezing"]], "freezing to A, no trace", "kx")
    _errorbar(link, [5.0], [control["shared cells"]["recruited"]], "shared cells, no trace", "k+")
    link.set(xlabel="hours between A and B (B paired with the shock; 1 h = 0.1 s of network time)",
             ylabel="Jaccard / freezing", title="memory linking", xscale="log")

    for ax, name, unit in ((syn, "synapse loss", "synapses lost"), (cells, "cell loss", "cells lost")):
        for arm, data in protocols[name].items():
            c = data["conditions"]
            tag = "" if len(protocols[name]) == 1 else f", {arm.split(' (')[0]}"
            fr = sorted({int(k.split("%")[0]) for k in c if "%" in k})
            for test, fmt in (("natural cue", "o-"), ("light", "s--")):
                keys = [f"{f}% {unit}: {test}" for f in fr]
                base = c["healthy: natural cue"] if test == "natural cue" else c.get("healthy: light", c["healthy: natural cue"])
                style = fmt if not tag or "uniform" in tag else fmt.replace("-", ":").replace("::", ":")
                _errorbar(ax, [0] + fr, [base["freezing"]] + [c[k]["freezing"] for k in keys], test + tag, style)
        ax.set(xlabel=f"% {unit}", ylabel="freezing", title=f"{name}: natural cue vs light on the engram")

    c = protocols["overgeneralisation"]["conditioned"]["conditions"]
    gains = sorted({float(k.split("x")[1].split(":")[0]) for k in c}, reverse=True)
    for ctx, fmt in (("A", "o-"), ("B", "s--")):
        _errorbar(gen, gains, [c[f"inhibition x{g:g}: {ctx}"]["freezing"] for g in gains], f"context {ctx}", fmt)
    gen.invert_xaxis()
    gen.set(xlabel="inhibition onto E (x original)", ylabel="freezing", title="weakened inhibition: generalisation")
    for ax in axes.ravel():
        if ax is not sep:
            ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return save_figure(fig, path)
