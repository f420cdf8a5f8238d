"""Engram phenomena on the fear-conditioning network (issue 17, part): pattern separation,
interference, memory linking, synapse and cell loss, overgeneralisation; each arm one fixed-emu
cohort of seeds.

    python benchmarks/phenomena.py [--seeds 20]

Writes benchmarks/results/phenomena.{json,md,png} (the JSON's ``headline``: one number per
experiment with mean, ci95, n_seeds and what it is compared with; the SDM experiments' numbers are
taken from sdm_recognition.json in the same folder when benchmarks/sdm_recognition.py has written
it, the calcium-imaging ones from imaging.json when benchmarks/imaging.py has) and docs/engram_phenomena.png. ``--from-json`` re-renders an existing phenomena.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"

# (key, protocol, arm, condition, field, what, compared with: (arm, condition, field) or None)
HEADLINES = (
    ("pattern_separation", "pattern separation", "inhibition x1", "overlap 0.6", "engram_overlap",
     "engram overlap of two contexts whose channels overlap by Jaccard 0.43", ("inhibition x1", "overlap 0.6", "input_overlap")),
    ("interference", "interference", "conditioned", "B stored, overlap 0.4: A", "freezing",
     "freezing to half of A after storing a context B sharing 40 % of A's channels", ("conditioned", "before: A", "freezing")),
    ("generalisation_to_similar", "interference", "conditioned", "B stored, overlap 0.4: B", "freezing",
     "freezing to half of that B (never paired with the shock)", ("conditioned", "B stored, overlap 0.1: B", "freezing")),
    ("memory_linking", "memory linking (Cai 2016)", "5 h", "shared cells", "recruited",
     "Jaccard overlap of the A and B engrams encoded 5 h apart", ("5 h, no excitability trace", "shared cells", "recruited")),
    ("linked_fear", "memory linking (Cai 2016)", "5 h", "half of A", "freezing",
     "freezing to A (never shocked) after B was shocked 5 h later", ("5 h, no excitability trace", "half of A", "freezing")),
    ("synapse_loss_access", "synapse loss", "uniform (E->E and E->O)", "40% synapses lost: natural cue", "freezing",
     "freezing to the natural cue with 40 % of the E cells' synapses (onto E and onto O) lost",
     ("uniform (E->E and E->O)", "40% synapses lost: light", "freezing")),
    ("cell_loss", "cell loss", "conditioned", "40% cells lost: natural cue", "freezing",
     "freezing to the natural cue with 40 % of E cells lost", ("conditioned", "healthy: natural cue", "freezing")),
    ("overgeneralisation", "overgeneralisation", "conditioned", "inhibition x0.4: B", "freezing",
     "freezing in the neutral context with inhibition onto E at 40 %", ("conditioned", "inhibition x1: B", "freezing")),
)


def headline(protocols: dict) -> dict:
    out = {}
    for key, protocol, arm, condition, field, what, versus in HEADLINES:
        if protocol not in protocols:
            continue
        s = protocols[protocol][arm]["conditions"][condition][field]
        entry = {"what": what, "mean": s["mean"], "ci95": s["ci95"], "n_seeds": s["n_seeds"]}
        if versus:
            v = protocols[protocol][versus[0]]["conditions"][versus[1]][versus[2]]
            entry["versus"] = {"what": f"{versus[0]}: {versus[1]} ({versus[2]})", "mean": v["mean"], "ci95": v["ci95"]}
        out[key] = entry
    return out


def sdm_headline(folder: Path) -> dict:
    """The SDM recognition and chain numbers of ``folder/sdm_recognition.json`` (empty if absent)."""
    import json

    path = Path(folder) / "sdm_recognition.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    out = {}
    rec = data["recognition"].get("2000")
    if rec:
        out["sdm_recognition"] = {"what": "SDM familiarity, stored patterns with 10 % of bits flipped vs novel, "
                                          "2,000 stored in 2,000 locations (ROC AUC)",
                                  **{k: rec["auc noisy 10 % vs novel"][k] for k in ("mean", "ci95", "n_seeds")},
                                  "versus": {"what": "chance", "mean": 0.5, "ci95": [0.5, 0.5]}}
    chain = data["chains"].get("20")
    if chain:
        out["sdm_chains"] = {"what": "SDM chains (20 chains of 10): bit accuracy of the last element recalled "
                                     "from the first", **{k: chain["bit accuracy"][-1][k] for k in ("mean", "ci95", "n_seeds")},
                             "versus": {"what": "chance", "mean": 0.5, "ci95": [0.5, 0.5]}}
    return out


def imaging_headline(folder: Path) -> dict:
    """The calcium-imaging entries of ``folder/imaging.json`` (benchmarks/imaging.py; empty if absent)."""
    import json

    path = Path(folder) / "imaging.json"
    return json.loads(path.read_text())["headline"] if path.exists() else {}


def main(argv=None) -> dict:
    from engram_nm.experiments.engram.conditioning_suite import (REPORTED_SEEDS, TUNING_SEEDS, contrast_table,
                                                                 generic_table, primary_contrasts, run_suite)
    from engram_nm.experiments.engram.phenomena import PHENOMENA, PHENOMENA_CONTRASTS
    from engram_nm.experiments.engram.plots import plot_phenomena

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(REPORTED_SEEDS),
                        help="how many of the reported seeds (conditioning_suite.REPORTED_SEEDS) to run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--figure", type=lambda v: Path(v) if v else None, default=DOCS / "engram_phenomena.png")
    parser.add_argument("--protocols", nargs="*", default=None, help="a subset (names as in the tables)")
    parser.add_argument("--from-json", type=Path, default=None, help="re-render an existing phenomena.json")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.from_json:
        import json

        result = json.loads(Path(args.from_json).read_text())
        protocols, seeds = result["arms"], result["seeds"]
    else:
        seeds = [REPORTED_SEEDS[0] + k for k in range(args.seeds)]
        t0 = time.perf_counter()
        protocols = run_suite(seeds, suite=PHENOMENA, protocols=args.protocols)
        result = {"benchmark": "phenomena", **machine_info(), "seeds": seeds, "tuning_seeds": list(TUNING_SEEDS),
                  "arms": protocols, "seconds": time.perf_counter() - t0}
    result["contrasts"] = primary_contrasts(protocols, PHENOMENA_CONTRASTS)
    result["headline"] = {**headline(protocols), **sdm_headline(out), **imaging_headline(out)}
    info = result
    md = ["# Engram phenomena on the fear-conditioning network", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; {len(seeds)} seeds per arm (SDM rows: "
          "benchmarks/results/sdm_recognition.md; imaging rows: benchmarks/results/imaging.md), each arm one fixed-emu "
          f"cohort; seeds {seeds[0]}-{seeds[-1]} (parameters were chosen on seeds "
          f"{', '.join(map(str, result.get('tuning_seeds', [])))}, never reported); {result['seconds']:.0f} s. "
          "Mean [95 % BCa CI] over seeds (Clopper-Pearson where every seed gives the same fraction). Protocols: "
          "engram_nm/experiments/engram/phenomena.py; measures as in benchmarks/results/protocols.md.", "",
          "## Primary contrasts", "",
          "Named before the run (engram_nm/experiments/engram/phenomena.py, PHENOMENA_CONTRASTS); paired by "
          "seed; two-sided Wilcoxon signed-rank p, Holm-corrected within each phenomenon; Hedges g_z "
          "(standardised mean of the paired differences).", ""]
    md += contrast_table(result["contrasts"])
    md += ["",
          "## Headline", "", "| experiment | mean [95 % CI] | compared with |", "|---|---|---|"]
    for entry in result["headline"].values():
        v = entry.get("versus")
        md.append(f"| {entry['what']} | {entry['mean']:.2f} [{entry['ci95'][0]:.2f}, {entry['ci95'][1]:.2f}] | "
                  + (f"{v['what']}: {v['mean']:.2f} [{v['ci95'][0]:.2f}, {v['ci95'][1]:.2f}]" if v else "") + " |")
    md += ["", "# Every condition"] + generic_table(protocols)
    if set(protocols) == set(PHENOMENA):  # a panel for each
        plot_phenomena(protocols, out / "phenomena.png")
        if args.figure:
            plot_phenomena(protocols, args.figure)
    return publish(out, "phenomena", result, md)


if __name__ == "__main__":
    main()
