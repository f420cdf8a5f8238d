"""Render the measured tables in README.md and docs/ from the benchmarks' JSON, so no measured
number is typed by hand.

A rendered block in a markdown file sits between two comments::

    <!-- rendered: NAME -->
    ...                      (written by this script)
    <!-- end rendered -->

and NAME is one of :data:`BLOCKS` (each reads one ``benchmarks/results/*.json``), or
``table-BENCH-K``: the K-th table (from 1) of ``benchmarks/results/BENCH.md``, which the benchmark
writes from the same result as its JSON in the same run (``benchmarks/_common.py``), copied as it is.

    python tools/render_results.py           # rewrite every block in README.md and docs/*.md
    python tools/render_results.py --check   # exit 1 and name the blocks that disagree with their JSON

``tests/test_rendered_results.py`` runs the check, so a table that disagrees with its JSON fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BLOCK = re.compile(r"(<!-- rendered: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end rendered -->)", re.S)


def _load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def _ci(stat: dict, digits: int = 3) -> str:
    lo, hi = stat["ci95"]
    return f"{stat['mean']:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _ratio(stat: dict) -> str:
    lo, hi = stat["ci95"]
    return f"{stat['mean']:.1f} [{lo:.1f}, {hi:.1f}]"


def _point(d: dict, label: str) -> dict:
    return next(p for p in d["points"] if p["label"] == label)


def events_camera(_: str = "") -> list:
    """docs/events.md: the event-digits results, baselines and the spiking points that tell the story."""
    d = _load("events")["datasets"]["camera"]
    mlp, pruned, cnn = d["ann"]["by_threshold"], d["ann"]["pruned"]["by_threshold"], d["ann"]["cnn"]["by_threshold"]
    best = d["best_within_1_point"]
    th = f"{best['delta_threshold']:g}"
    rows = ["| event digits | accuracy | operations per recording | dense MLP / ops | delta MLP / ops | "
            "pruned delta MLP / ops |", "|---|---|---|---|---|---|",
            f"| frame MLP, dense / effective / delta (threshold {th}) | {mlp['0']['accuracy']['mean']:.3f} | "
            f"{mlp['0']['dense_macs']['mean']:,.0f} / {mlp['0']['effective_macs']['mean']:,.0f} / "
            f"{mlp[th]['delta_macs']['mean']:,.0f} MACs | 1 | | |",
            f"| frame MLP pruned 90 %, delta (threshold {th}) | {pruned[th]['accuracy']['mean']:.3f} | "
            f"{pruned[th]['delta_macs']['mean']:,.0f} MACs | | | |",
            f"| CNN, effective / delta (threshold {th}) | {cnn['0']['accuracy']['mean']:.3f} / "
            f"{cnn[th]['accuracy']['mean']:.3f} | {cnn['0']['effective_macs']['mean']:,.0f} / "
            f"{cnn[th]['delta_macs']['mean']:,.0f} MACs | | | |"]
    for p in d["points"]:
        r = p["ratios"]
        graded = f" ({p['graded_macs']:,.0f} graded MACs)" if p["graded_macs"] else " ACs"
        name = p["label"] + (" **(best within 1 point)**" if p["label"] == best["label"] else "")
        rows.append(f"| {name} | {_ci(p['accuracy'])} | {p['synaptic_ops']:,.0f}{graded} | {_ratio(r['dense'])} | "
                    f"{_ratio(r['delta'])} | {_ratio(r['pruned_delta'])} |")
    return rows


def events_headline(_: str = "") -> list:
    """README: the event-digits headline, the best point against the frame MLP."""
    d = _load("events")["datasets"]["camera"]
    mlp, best = d["ann"]["by_threshold"], d["best_within_1_point"]
    th = f"{best['delta_threshold']:g}"
    return ["| event digits (chance 0.10) | accuracy | ops per recording | vs dense MLP | vs delta MLP | "
            "vs pruned delta MLP |", "|---|---|---|---|---|---|",
            f"| frame MLP (dense / delta) | {mlp['0']['accuracy']['mean']:.3f} | "
            f"{mlp['0']['dense_macs']['mean'] / 1e6:.2f} M / {mlp[th]['delta_macs']['mean'] / 1e6:.2f} M MACs | 1x | | |",
            f"| {best['label']} | {_ci(best['accuracy'])} | {best['synaptic_ops']:,.0f} ops | "
            f"**{best['dense_over_acs']['mean']:.0f}x** | **{best['delta_over_acs']['mean']:.0f}x** | "
            f"{best['pruned_delta_over_acs']['mean']:.1f}x |"]


def sanafe(_: str = "") -> list:
    """docs/events.md: our Loihi estimate against SANA-FE on the same networks and spikes."""
    rows = ["| network | ours (uJ) | SANA-FE (uJ) | gap | synaptic events, ours / SANA-FE |", "|---|---|---|---|---|"]
    for r in _load("sanafe_check")["rows"]:
        rows.append(f"| {r['network']} | {r['ours']['energy_j'] * 1e6:.1f} | {r['sanafe']['energy_j']['total'] * 1e6:.1f} | "
                    f"{r['gap']:+.0%} | {r['synaptic_event_ratio']:.2f} |")
    return rows


def benchmark_index(_: str = "") -> list:
    """docs/benchmarks.md: every script in benchmarks/, what it measures (its docstring's first paragraph)
    and its results file with the measured numbers."""
    import ast

    rows = ["| benchmark | what it measures | results |", "|---|---|---|"]
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        if script.name.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(script.read_text())) or ""
        first = " ".join(doc.split("\n\n")[0].split()).rstrip(".") if doc else ""  # its first paragraph
        md = RESULTS / f"{script.stem}.md"
        link = f"[{md.name}](../benchmarks/results/{md.name})" if md.exists() else "(not run yet)"
        rows.append(f"| `{script.name}` | {first.replace('|', '/')} | {link} |")
    return rows


def imaging_maturation(_: str = "") -> list:
    """docs/calcium_imaging.md: the engram's maturation in dF/F (GCaMP6f, 30 Hz, 200 photons)."""
    sessions = _load("imaging")["sessions"]["GCaMP6f"]
    rows = ["| session | engram cells the cue does not reach: dF/F | spikes (Hz) | other such cells: dF/F |",
            "|---|---|---|---|"]
    for name in ("normal 0", "normal 1000", "normal 2000", "normal 3000", "blocked 3000"):
        arm, ms = name.split()
        label = f"{arm} {int(ms) // 1000} s" if int(ms) else f"{arm} 0"
        f = sessions[name]
        rows.append(f"| {label} | {_ci(f['recruited_dff'], 2)} | {f['recruited_rate_hz']['mean']:.1f} | "
                    f"{f['chance_dff']['mean']:.2f} |")
    return rows


def imaging_detection(_: str = "") -> list:
    """docs/calcium_imaging.md: engram detection against the tag at five recording settings."""
    det = _load("imaging")["detection"]
    settings = ("2 Hz 5 ph", "2 Hz 100 ph", "30 Hz 5 ph", "30 Hz 100 ph", "30 Hz 500 ph")

    def pr(name):
        d = det.get(name)
        return "-" if d is None or d["precision"]["mean"] is None else f"{d['precision']['mean']:.2f}"

    rows = ["| detector (GCaMP6f) | " + " | ".join(x.replace(" Hz ", " Hz, ") for x in settings) + " |",
            "|---|" + "---|" * len(settings)]
    for method in ("threshold", "nmf"):
        cells = [f"{det[f'{method} GCaMP6f {x}']['precision']['mean']:.2f} / "
                 f"{det[f'{method} GCaMP6f {x}']['recall']['mean']:.2f}" for x in settings]
        rows.append(f"| {'NMF' if method == 'nmf' else method}: precision / recall | " + " | ".join(cells) + " |")
    rows.append("| sham threshold / NMF: precision | " + " | ".join(
        f"{pr(f'sham threshold GCaMP6f {x}')} / {pr(f'sham nmf GCaMP6f {x}')}" for x in settings) + " |")
    return rows


# docs/energy_frontier.md's levers: (lever, point before, point after, what is compared), points by
# the labels of benchmarks/results/energy.json; "updates" compares neuron updates instead of ACs.
_R, _D = "rate 25 steps, membrane readout", "delta 8 steps (threshold 0.25), membrane readout"
_LAT = "latency 10 steps (threshold 0.1), membrane readout"
LEVERS = (
    ("input code: rate 25 steps -> latency 10 steps (each pixel at most one spike)", _R, _LAT, "acs"),
    ("input code: rate -> delta 8 steps (onset events, contrast 0.25)", _R, _D, "acs"),
    ("readout: counted spikes -> a leaky integrator that never spikes (rate 25)", "rate 25 steps, spikes readout", _R,
     "acs"),
    ("magnitude pruning 90 % of the first layer, fine-tuned (delta 8)", _D, _D + ", prune 90%/0%", "acs"),
    ("+ 60 % of the readout", _D + ", prune 90%/0%", _D + ", prune 90%/60%", "acs"),
    ("+ L1 on spikes (0.05), contrast 0.34", _D + ", prune 90%/60%",
     "delta 8 steps (threshold 0.34), membrane readout, L1 0.05, prune 90%/60%", "acs"),
    ("iterative pruning (3 rounds) instead of one", _D + ", prune 90%/60%", _D + ", prune 90%/60% in 3 rounds", "acs"),
    ("pruning during training (cubic schedule, Zhu & Gupta 2017) instead of after", _D + ", prune 90%/60%",
     _D + ", prune 90%/60% during training", "acs"),
    ("+ L1 0.05, pruned 93 %/70 % during training", _D + ", prune 90%/60% during training",
     _D + ", L1 0.05, prune 93%/70% during training", "acs"),
    ("delta 8 pruned 85 %/50 % during training", _D, _D + ", prune 85%/50% during training", "acs"),
    ("latency 10 pruned 90 %/60 %: after training -> during training", _LAT + ", prune 90%/60%",
     _LAT + ", prune 90%/60% during training", "acs"),
    ("early exit at a 3-spike lead (rate 25, spike readout)", "rate 25 steps, spikes readout",
     "rate 25 steps, spikes readout, exit 3", "both"),
    ("fewer steps: delta 8 -> 4", _D, "delta 4 steps (threshold 0.25), membrane readout", "updates"),
)


ENERGY_POINTS = (("rate 25 steps, spikes readout", "rate 25 steps, spike readout (the earlier demo's code)"),
                 (_D, "delta 8 steps, membrane readout (best accuracy)"),
                 (_LAT, "latency 10 steps, membrane readout"),
                 (_LAT + ", prune 90%/60% during training", "latency 10, pruned 90 %/60 % during training"),
                 (_D + ", L1 0.05, prune 93%/70% during training", "delta 8, pruned 93 %/70 % during training, L1 0.05"))


def energy_points(_: str = "") -> list:
    """docs/energy.md: five points of the frontier against the ANN of the same shape."""
    d = _load("energy")
    points = {p["label"]: p for p in d["points"]}
    rows = [f"| point (ANN: {d['ann_accuracy']['mean']:.3f}, {d['ann_dense_macs']:,.0f} dense / "
            f"{d['ann_effective_macs']:,.0f} effective MACs) | accuracy | effective ACs | dense / ACs | effective / ACs "
            "| Loihi nJ (unverified) |", "|---|---|---|---|---|---|"]
    for label, shown in ENERGY_POINTS:
        p = points[label]
        rows.append(f"| {shown} | {p['accuracy']['mean']:.3f} | {p['effective_acs']:,.0f} | "
                    f"{p['dense_macs_over_acs']:.1f} | {p['effective_macs_over_acs']:.1f} | {p['energy_nj']['loihi']:.0f} |")
    return rows


def energy_levers(_: str = "") -> list:
    """docs/energy_frontier.md: each lever of the frontier as the two points it moves between."""
    points = {p["label"]: p for p in _load("energy")["points"]}
    rows = ["| lever | before -> after | accuracy, before -> after |", "|---|---|---|"]
    for lever, a, b, what in LEVERS:
        pa, pb = points[a], points[b]
        acs = f"{pa['effective_acs']:,.0f} -> {pb['effective_acs']:,.0f} ACs"
        updates = f"{pa['neuron_updates']:,.0f} -> {pb['neuron_updates']:,.0f} neuron updates"
        moved = {"acs": acs, "updates": updates, "both": f"{acs}, {updates}"}[what]
        rows.append(f"| {lever} | {moved} | {pa['accuracy']['mean']:.3f} -> {_ci(pb['accuracy'])} |")
    return rows


def phenomena_linking(_: str = "") -> list:
    """docs/engram_phenomena.md: memory linking over the interval (shared cells, freezing to A)."""
    arms = _load("phenomena")["arms"]["memory linking (Cai 2016)"]
    hours = ("0.5 h", "2 h", "5 h", "12 h", "24 h")

    def cell(arm, condition, field):
        got = arms.get(arm)
        return "" if got is None else f"{got['conditions'][condition][field]['mean']:.2f}"

    rows = ["| interval | " + " | ".join(hours) + " | 5 h, no trace |", "|---|" + "---|" * (len(hours) + 1)]
    no_trace = "5 h, no excitability trace"
    rows.append("| shared cells, plasticity on in the interval | " + " | ".join(
        cell(h, "shared cells", "recruited") for h in hours) + f" | {cell(no_trace, 'shared cells', 'recruited')} |")
    rows.append("| freezing to A | " + " | ".join(cell(h, "half of A", "freezing") for h in hours)
                + f" | {cell(no_trace, 'half of A', 'freezing')} |")
    for label, suffix in (("plasticity off in the interval", ", plasticity off in the interval"),
                          ("two-stage synapses", ", two-stage synapses")):
        rows.append(f"| shared cells, {label} | " + " | ".join(cell(h + suffix, "shared cells", "recruited")
                                                             for h in hours) + " | |")
    return rows


BLOCKS = {"events-camera": events_camera, "events-headline": events_headline, "sanafe": sanafe,
          "benchmark-index": benchmark_index, "imaging-maturation": imaging_maturation,
          "imaging-detection": imaging_detection, "energy-levers": energy_levers,
          "phenomena-linking": phenomena_linking, "energy-points": energy_points}


def benchmark_table(name: str) -> list:
    """``table-BENCH-K``: the K-th markdown table of ``benchmarks/results/BENCH.md`` (module docstring)."""
    match = re.fullmatch(r"table-(?P<bench>\w+)-(?P<k>\d+)", name)
    path = RESULTS / f"{match.group('bench')}.md" if match else None
    if path is None or not path.exists():
        raise SystemExit(f"render_results: no benchmark table {name!r} (benchmarks/results/<bench>.md)")
    tables, current = [], []
    for line in path.read_text().splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    k = int(match.group("k"))
    if not 1 <= k <= len(tables):
        raise SystemExit(f"render_results: {path.name} has {len(tables)} tables, not {k}")
    return tables[k - 1]


def block(name: str):
    """The function that renders block ``name``."""
    if name in BLOCKS:
        return BLOCKS[name]
    if name.startswith("table-"):
        return lambda: benchmark_table(name)
    raise SystemExit(f"render_results: unknown block {name!r}; known: {', '.join(BLOCKS)}, table-BENCH-K")


def files() -> list:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def render(text: str) -> tuple[str, list]:
    """``text`` with every block rendered, and the names of the blocks that changed."""
    changed = []

    def fill(match):
        name = match.group("name")
        body = "\n".join(block(name)()) + "\n"  # SystemExit names a block that cannot be rendered
        if body != match.group("body"):
            changed.append(name)
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(fill, text), changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a block disagrees")
    args = parser.parse_args(argv)
    stale, failed = [], []
    for path in files():
        text = path.read_text()
        try:
            new, changed = render(text)
        except SystemExit as problem:  # a block that cannot be rendered: say so, render the other files
            failed.append(f"{path.relative_to(ROOT)}: {problem}")
            continue
        stale += [f"{path.relative_to(ROOT)}: {name}" for name in changed]
        if changed and not args.check:
            path.write_text(new)
    if args.check and stale:
        print("render_results: blocks that disagree with their JSON (run python tools/render_results.py): "
              + "; ".join(stale), file=sys.stderr)
        return 1
    if not args.check:
        print(f"render_results: {len(stale)} blocks rewritten" + (f" ({'; '.join(stale)})" if stale else ""))
    for problem in failed:
        print(problem, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
