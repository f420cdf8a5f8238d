"""SDM familiarity (one-shot recognition) and heteroassociative chains, over seeds (issue 17, item 5).

Recognition: an auto-associative Top-K SDM (M = 2,000 hard locations, N = 256 bits, k = 20) stores
``load`` random patterns once each; familiarity (engram_nm.sdm.recognition) of 200 stored patterns,
200 novel ones and the stored ones with 10 % / 20 % of their bits flipped; ROC AUC of each against
the novel (chance 0.5), per load. Chains: ``n`` random chains of 10 patterns written as successor
pairs into a heteroassociative SDM of the same size; recalled from each chain's first element;
bit accuracy (chance 0.5) and exact recall per position.

    python benchmarks/sdm_recognition.py [--seeds 10]

Writes benchmarks/results/sdm_recognition.{json,md,png}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

LOCATIONS, BITS, K, PROBES, LENGTH = 2000, 256, 20, 200, 10


def recognition(seed: int, load: int) -> dict:
    from engram_nm.sdm.capacity import flip_bits
    from engram_nm.sdm.kanerva import KanervaSDM
    from engram_nm.sdm.recognition import auc, familiarity

    rng = np.random.default_rng([seed, load])
    sdm = KanervaSDM(LOCATIONS, BITS, BITS, k=K, seed=seed)
    stored = rng.integers(0, 2, (load, BITS), dtype=np.int8)
    sdm.write(stored, stored)
    probe = stored[: min(PROBES, load)]
    novel = familiarity(sdm, rng.integers(0, 2, (PROBES, BITS), dtype=np.int8))
    f = {"stored": familiarity(sdm, probe), "noisy 10 %": familiarity(sdm, flip_bits(probe, 0.1, rng)),
         "noisy 20 %": familiarity(sdm, flip_bits(probe, 0.2, rng))}
    out = {f"auc {name} vs novel": auc(v, novel) for name, v in f.items()}
    out.update({f"familiarity {name}": float(v.mean()) for name, v in f.items()})
    out["familiarity novel"] = float(novel.mean())
    return out


def chains(seed: int, n_chains: int) -> dict:
    from engram_nm.sdm.kanerva import KanervaSDM
    from engram_nm.sdm.sequences import chain_accuracy, store_chains

    rng = np.random.default_rng([seed, n_chains, 1])
    sdm = KanervaSDM(LOCATIONS, BITS, BITS, k=K, seed=seed)
    patterns = rng.integers(0, 2, (n_chains, LENGTH, BITS), dtype=np.int8)
    store_chains(sdm, patterns)
    bit, exact = chain_accuracy(sdm, patterns)
    return {"bit accuracy": bit.tolist(), "exact": exact.tolist()}


def _ci(values, fraction: bool = True) -> dict:
    """Mean and 95 % interval over seeds (``fraction``: a score in [0, 1], an AUC or an accuracy)."""
    from engram_nm.analysis.statistics import mean_ci95

    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "ci95": list(mean_ci95(v, (0, 1) if fraction else None)), "n_seeds": int(v.size)}


def plot(result: dict, path: Path) -> None:
    from engram_nm.analysis.plots import _pyplot, save_figure

    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    loads = [int(x) for x in result["recognition"]]
    for name, fmt in (("stored", "o-"), ("noisy 10 %", "s--"), ("noisy 20 %", "^:")):
        s = [result["recognition"][str(m)][f"auc {name} vs novel"] for m in loads]
        m = np.array([x["mean"] for x in s])
        err = np.abs(np.array([x["ci95"] for x in s]).T - m)
        a.errorbar(loads, m, yerr=err, fmt=fmt, capsize=3, label=f"{name} vs novel")
    a.axhline(0.5, color="k", ls=":", lw=1, label="chance")
    a.set(xscale="log", xlabel="patterns stored (once each)", ylabel="ROC AUC of familiarity",
          title=f"SDM recognition (M = {LOCATIONS}, N = {BITS}, k = {K})")
    a.legend(fontsize=8)
    for n, data in result["chains"].items():
        m = np.array([x["mean"] for x in data["bit accuracy"]])
        err = np.abs(np.array([x["ci95"] for x in data["bit accuracy"]]).T - m)
        b.errorbar(range(LENGTH), m, yerr=err, capsize=2, label=f"{n} chains")
    b.axhline(0.5, color="k", ls=":", lw=1, label="chance")
    b.set(xlabel="position in the chain (0: the cue)", ylabel="bit accuracy", title="chains recalled from their first element")
    b.legend(fontsize=8)
    save_figure(fig, path)


def main(argv=None) -> dict:
    from tqdm.auto import tqdm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--loads", type=int, nargs="*", default=[250, 500, 1000, 2000, 4000, 8000])
    parser.add_argument("--chains", type=int, nargs="*", default=[5, 10, 20, 50])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    rec = {}
    for load in tqdm(args.loads, desc="recognition loads"):
        runs = [recognition(s, load) for s in seeds]
        rec[str(load)] = {key: _ci([r[key] for r in runs], "auc" in key.lower()) for key in runs[0]}
    ch = {}
    for n in tqdm(args.chains, desc="chains"):
        runs = [chains(s, n) for s in seeds]
        ch[str(n)] = {key: [_ci([r[key][p] for r in runs]) for p in range(LENGTH)] for key in ("bit accuracy", "exact")}
    info = machine_info()
    result = {"benchmark": "sdm_recognition", **info, "seeds": seeds, "locations": LOCATIONS, "bits": BITS, "k": K,
              "recognition": rec, "chains": ch, "seconds": time.perf_counter() - t0}

    def shown(d):
        return f"{d['mean']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}]"

    md = ["# SDM familiarity and chains", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs; {len(seeds)} seeds; {result['seconds']:.0f} s. Top-K SDM, "
          f"M = {LOCATIONS} hard locations, N = {BITS} bits, k = {K}. Mean [95 % BCa CI] over seeds; chance AUC "
          "0.5, chance bit accuracy 0.5.", "",
          "| patterns stored | AUC stored vs novel | AUC 10 % noisy vs novel | AUC 20 % noisy vs novel | familiarity "
          "stored / novel |", "|---|---|---|---|---|"]
    for load, r in rec.items():
        md.append(f"| {load} | {shown(r['auc stored vs novel'])} | {shown(r['auc noisy 10 % vs novel'])} | "
                  f"{shown(r['auc noisy 20 % vs novel'])} | {r['familiarity stored']['mean']:.2f} / "
                  f"{r['familiarity novel']['mean']:.2f} |")
    md += ["", f"Chains of {LENGTH} (bit accuracy at positions 1, 2, 5 and 9; exact recall of position 1):", "",
           "| chains | position 1 | position 2 | position 5 | position 9 | exact, position 1 |", "|---|---|---|---|---|---|"]
    for n, r in ch.items():
        b = r["bit accuracy"]
        md.append(f"| {n} | {shown(b[1])} | {shown(b[2])} | {shown(b[5])} | {shown(b[9])} | {shown(r['exact'][1])} |")
    out = Path(args.out)
    plot(result, out / "sdm_recognition.png")
    return publish(out, "sdm_recognition", result, md)


if __name__ == "__main__":
    main()
