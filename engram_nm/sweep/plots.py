"""Each metric of a sweep against each swept parameter: mean and 95 % t-interval over seeds
(and over the other swept parameters' values, which get a line each when there are few)."""

from __future__ import annotations

import numpy as np

from engram_nm.sweep.store import ROW_FIELDS, TAIL_FIELDS

MAX_LINES = 6


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)


def metric_names(rows: list, swept) -> list:
    skip = set(ROW_FIELDS) | set(TAIL_FIELDS) | {"seed"} | set(swept)
    params = {k for r in rows for k in r} - skip
    ok = [r for r in rows if r.get("status") == "ok"]
    return [m for m in sorted(params) if ok and all(_is_number(r.get(m)) for r in ok)
            and len({r.get(m) for r in ok}) > 1 and m != "pid"]


def summarise(rows: list, metric: str, param: str, others=()) -> dict:
    """``{other values: (x values, means, ci95 half-widths, n)}`` over ``ok`` rows."""
    from engram_nm.analysis.statistics import t_ci95

    groups: dict = {}
    for r in rows:
        if r.get("status") != "ok" or not _is_number(r.get(metric)):
            continue
        groups.setdefault(tuple(r.get(o) for o in others), {}).setdefault(r.get(param), []).append(r[metric])
    out = {}
    for line, by_x in groups.items():
        xs = sorted(by_x, key=lambda v: (not _is_number(v), v if _is_number(v) else str(v)))
        vals = [np.asarray(by_x[x], dtype=float) for x in xs]
        out[line] = (xs, [float(v.mean()) for v in vals],
                     [float(t_ci95(v)) if v.size > 1 else 0.0 for v in vals], [int(v.size) for v in vals])
    return out


def plot_sweep(rows: list, swept, folder) -> list:
    """One PNG per (metric, swept parameter) in ``folder``; returns their paths."""
    from pathlib import Path

    from matplotlib.ticker import NullFormatter

    from engram_nm.analysis.plots import _pyplot, save_figure

    swept = list(swept)
    folder = Path(folder)
    made = []
    for metric in metric_names(rows, swept):
        for param in swept:
            others = [o for o in swept if o != param]
            lines = summarise(rows, metric, param, others)
            if len(lines) > MAX_LINES:  # too many combinations to draw apart: pool them
                lines = summarise(rows, metric, param)
                others = []
            plt = _pyplot()
            fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
            numeric = all(_is_number(x) for xs, *_ in lines.values() for x in xs)
            for line, (xs, means, halves, ns) in lines.items():
                pos = xs if numeric else [str(x) for x in xs]
                label = ", ".join(f"{o}={v}" for o, v in zip(others, line)) or None
                ax.errorbar(pos, means, yerr=halves, fmt="o-", capsize=3, label=label)
            if numeric and all(x > 0 for xs, *_ in lines.values() for x in xs) and \
                    max(x for xs, *_ in lines.values() for x in xs) / min(x for xs, *_ in lines.values() for x in xs) > 20:
                ax.set_xscale("log")
                ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels of a log axis overlap
                means = [m for _, ms, *_ in lines.values() for m in ms]
                if min(means) > 0 and max(means) / min(means) > 50:
                    ax.set_yscale("log")
            ticks = sorted({x for xs, *_ in lines.values() for x in xs}) if numeric else []
            if 1 < len(ticks) <= 10:  # label the swept values themselves
                ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
            n = max((max(ns) for *_, ns in lines.values()), default=0)
            ax.set(xlabel=param, ylabel=metric, title=f"{metric} vs {param} (mean, 95 % CI over up to {n} seeds)")
            if any(label for label in lines) and others:
                ax.legend(fontsize=7)
            made.append(save_figure(fig, folder / f"{metric}_vs_{param}.png"))
    return made
