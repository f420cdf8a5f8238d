"""Calcium imaging of the fear-conditioning network (issue 17, item 1): the engram's maturation
seen through GCaMP, and engram detection from dF/F against the tag, over frame rate and photons.

    python benchmarks/imaging.py [--seeds 20]

One fixed-emu cohort runs :func:`~engram_nm.experiments.engram.imaging_sessions.imaging_day` (the
conditioning day, then recall sessions after 0-3 s of consolidation, normal vs blocked); each
animal is then imaged with GCaMP6f and GCaMP6s (default microscope: 30 Hz, 200 photons per cell
per frame) and its engram detected by threshold and NMF over a grid of frame rates and photon
counts, each point with its no-stimulus (sham) control. Writes
benchmarks/results/imaging.{json,md,png} and docs/calcium_imaging.png; ``--from-json`` re-renders
an existing imaging.json (panels a-c re-run seed 0).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
RATES = (2.0, 5.0, 10.0, 30.0)
PHOTONS = (5.0, 20.0, 100.0, 500.0)


def run_days(seeds, progress: bool = True):
    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.conditioning import conditioning_config
    from engram_nm.experiments.engram.imaging_sessions import imaging_day
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    exs = [EngramExperiment(config=conditioning_config(s), target="fixed-emu", seed=s) for s in seeds]
    return run_cohort(exs, imaging_day, progress=progress)


def _stat(summary: dict, condition: str, field: str) -> dict:
    s = summary[condition][field]
    return {"mean": s["mean"], "ci95": s["ci95"], "n_seeds": s["n_seeds"]}


def headline(result: dict) -> dict:
    """The imaging entries of benchmarks/results/phenomena.json's headline."""
    sessions, detection = result["sessions"]["GCaMP6f"], result["detection"]
    last = max(int(k.split()[1]) for k in sessions if k.startswith("normal "))
    point = "GCaMP6f 30 Hz 100 ph"
    out = {"imaging_maturation": {
        "what": f"GCaMP6f dF/F of engram cells the cue does not reach, after {last} ms of consolidation",
        **_stat(sessions, f"normal {last}", "recruited_dff"),
        "versus": {"what": "consolidation blocked", **_stat(sessions, f"blocked {last}", "recruited_dff")}}}
    for method in ("nmf", "threshold"):
        out[f"imaging_detection_{method}"] = {
            "what": f"engram detection by {method} from dF/F ({point}): precision against the tag",
            **_stat(detection, f"{method} {point}", "precision"),
            "versus": {"what": "chance (tagged share of E cells)", **_stat(detection, f"{method} {point}", "chance_precision")},
            "recall": _stat(detection, f"{method} {point}", "recall")}
    return out


def _row(name: str, fields: dict, keys) -> str:
    def shown(s):
        return "n/a" if s["mean"] is None else f"{s['mean']:.2f} [{s['ci95'][0]:.2f}, {s['ci95'][1]:.2f}]"

    return f"| {name} | " + " | ".join(shown(fields[k]) for k in keys) + " |"


def markdown(result: dict) -> list:
    from engram_nm.imaging.indicator import INDICATORS

    md = ["# Calcium imaging of the fear-conditioning network", "",
          f"Machine: {result['machine']}, {result['cpus']} CPUs; {len(result['seeds'])} seeds (animals), one fixed-emu "
          f"cohort; {result['seconds']:.0f} s. Mean [95 % BCa CI] over seeds (Clopper-Pearson where every seed gives the same fraction). Code: engram_nm/imaging/, "
          "engram_nm/experiments/engram/imaging_sessions.py; model and choices: docs/calcium_imaging.md.", "",
          "## Indicators", "", "| indicator | time to peak (s) | half-decay (s) | tau_rise, tau_decay (s) | source |",
          "|---|---|---|---|---|"]
    for ind in INDICATORS.values():
        r, d = ind.time_constants
        md.append(f"| {ind.name} | {ind.time_to_peak_s} | {ind.half_decay_s} | {r:.4f}, {d:.4f} | {ind.source} |")
    keys = ("recruited_dff", "chance_dff", "recruited_rate_hz", "chance_rate_hz", "recruited_imaging",
            "responsive_fraction", "precision", "chance_precision")
    for name, summary in result["sessions"].items():
        md += ["", f"## Sessions, {name} (30 Hz, 200 photons per cell per frame)", "",
               "Engram cells the cue does not reach (recruited) vs other cells it does not reach (chance): dF/F above "
               "baseline, spike rate (Hz), share responsive (z > 3); responsive share of all E cells and its precision "
               "against the tag.", "",
               "| session | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        md += [_row(k, v, keys) for k, v in summary.items()]
    keys = ("precision", "recall", "auc", "detected_fraction", "chance_precision")
    md += ["", "## Engram detection from the conditioning session vs the tag", "",
           "Each point also as a sham (no stimulus: home-cage frames only).", "",
           "| detector, indicator, frame rate, photons | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    md += [_row(k, v, keys) for k, v in result["detection"].items()]
    md += ["", "## Headline", ""]
    for entry in result["headline"].values():
        v = entry["versus"]
        md.append(f"- {entry['what']}: {entry['mean']:.2f} [{entry['ci95'][0]:.2f}, {entry['ci95'][1]:.2f}] "
                  f"vs {v['what']} {v['mean']:.2f} [{v['ci95'][0]:.2f}, {v['ci95'][1]:.2f}]"
                  + (f"; recall {entry['recall']['mean']:.2f}" if "recall" in entry else ""))
    return md


def main(argv=None) -> dict:
    from tqdm.auto import tqdm

    from engram_nm.experiments.engram.conditioning import summarise
    from engram_nm.experiments.engram.imaging_sessions import detection_sweep, score_day
    from engram_nm.imaging.plots import plot_imaging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "calcium_imaging.png")
    parser.add_argument("--rates", type=float, nargs="*", default=list(RATES))
    parser.add_argument("--photons", type=float, nargs="*", default=list(PHOTONS))
    parser.add_argument("--from-json", type=Path, default=None, help="re-render an existing imaging.json")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.from_json:
        import json

        result = json.loads(Path(args.from_json).read_text())
        example = run_days([result["seeds"][0]], progress=False)[0]
    else:
        seeds = list(range(args.seeds))
        t0 = time.perf_counter()
        days = run_days(seeds)
        sessions = {ind: summarise([score_day(d, ind, seed=s) for s, d in zip(seeds, days)])
                    for ind in ("GCaMP6f", "GCaMP6s")}
        detection = summarise([detection_sweep(d, frame_rates=args.rates, photons=args.photons, seed=s)
                               for s, d in tqdm(list(zip(seeds, days)), desc="detection sweep", unit="animal")])
        result = {"benchmark": "imaging", **machine_info(), "seeds": seeds, "sessions": sessions,
                  "detection": detection, "seconds": time.perf_counter() - t0}
        example = days[0]
    result["headline"] = headline(result)
    md = markdown(result)
    title = f"calcium imaging of the engram network ({len(result['seeds'])} seeds; panels a-c: seed {result['seeds'][0]})"
    plot_imaging(example, result["sessions"]["GCaMP6f"], result["detection"], out / "imaging.png", title=title)
    if args.figure:
        plot_imaging(example, result["sessions"]["GCaMP6f"], result["detection"], args.figure, title=title)
    return publish(out, "imaging", result, md)


if __name__ == "__main__":
    main()
