"""SDM and Willshaw capacity against theory; recall vs cue noise and vs ablation.

1. Willshaw capacity vs N in {256 ... 4096} at K = round(log2 N): patterns stored when one
   spurious unit per full-cue retrieval appears, next to the same criterion's theory and to
   M* = ln2 N^2 / K^2, with bits per synapse.
2. Willshaw information capacity (bits per synapse) vs K at N = 1024: where the optimum lies.
3. Kanerva Top-K SDM (M = 1000 locations, 256-bit addresses, 128-bit data): capacity at 1 % read
   bit error vs the number k of active locations, with 5 % cue noise, next to the optimal
   activation p* M = (2 M T)^(-1/3) M at the measured T.
4. At half the clean-cue capacity: recall rate (patterns read with <= 5 % bit errors) vs cue
   noise (0-40 %) and vs the fraction of hard locations ablated (0-50 %).

    python benchmarks/sdm_capacity.py [--quick]

Writes benchmarks/results/sdm_capacity.{json,md,png}.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, write_results  # noqa: E402


def willshaw_vs_n(sizes, seeds: int = 10):
    """Per N: the capacity of ``seeds`` memories (seeds ``N + 1000 s``), its mean with a t interval,
    and its ratio to the exact theory of the same criterion (mean and t interval of the per-seed
    ratios; the theory is one number per N)."""
    from engram_nm.analysis.statistics import t_ci95
    from engram_nm.sdm import willshaw_capacity, willshaw_optimal_patterns
    from engram_nm.sdm.theory import willshaw_bits_per_synapse

    rows = []
    for n in sizes:
        k = int(round(np.log2(n)))
        t0 = time.perf_counter()
        runs = [willshaw_capacity(n, k, seed=n + 1000 * s) for s in range(seeds)]
        measured = np.array([r.measured for r in runs], dtype=float)
        theory = float(runs[0].theory)
        ratio = measured / theory
        m_star = willshaw_optimal_patterns(n, k)

        def interval(v):
            half = t_ci95(v) if v.size > 1 else float("nan")
            return [float(v.mean() - half), float(v.mean() + half)]

        rows.append({"N": n, "K": k, "measured": float(measured.mean()), "measured_ci95": interval(measured),
                     "per_seed": measured.tolist(), "n_seeds": int(seeds), "theory_same_criterion": theory,
                     "measured_over_theory": float(ratio.mean()), "measured_over_theory_ci95": interval(ratio),
                     "M_star": m_star, "measured_over_M_star": float(measured.mean() / m_star),
                     "bits_per_synapse": willshaw_bits_per_synapse(float(measured.mean()), n, k),
                     "seconds": time.perf_counter() - t0})
        print(f"Willshaw N={n} K={k}: {measured.mean():.0f} patterns over {seeds} seeds "
              f"({ratio.mean():.3f} x the theory {theory:.0f}; M* {m_star:.0f})", flush=True)
    return rows


def exponents(rows) -> dict:
    """The exponent of capacity vs N / log2 N: measured (least squares over every seed, bootstrap CI,
    :func:`~engram_nm.sdm.capacity.scaling_exponent`), the exact theory's of the same criterion
    at these N, and M*'s (2); whether the measured CI holds the theory's."""
    from engram_nm.sdm.capacity import scaling_exponent

    n = np.concatenate([[r["N"]] * len(r["per_seed"]) for r in rows])
    cap = np.concatenate([r["per_seed"] for r in rows])
    seeds = np.concatenate([np.arange(len(r["per_seed"])) for r in rows])
    b, (low, high) = scaling_exponent(n, cap, seeds)
    sizes = np.array([r["N"] for r in rows], dtype=float)
    b_theory = float(np.polyfit(np.log(sizes / np.log2(sizes)), np.log([r["theory_same_criterion"] for r in rows]), 1)[0])
    return {"measured": b, "ci95": [low, high], "theory_same_criterion": b_theory, "M_star": 2.0,
            "ci_holds_theory": bool(low <= b_theory <= high), "ci_holds_2": bool(low <= 2.0 <= high)}


def willshaw_vs_k(n, ks):
    from engram_nm.sdm import willshaw_capacity
    from engram_nm.sdm.theory import willshaw_bits_per_synapse

    rows = []
    for k in ks:
        r = willshaw_capacity(n, k, seed=k)
        rows.append({"K": k, "measured": r.measured, "theory": r.theory,
                     "bits_per_synapse": willshaw_bits_per_synapse(r.measured, n, k)})
    return rows


def sdm_vs_k(ks, n_locations=1000, address_bits=256, data_bits=128, cue_noise=0.05, seeds=3):
    from engram_nm.sdm import kanerva_optimal_activation, sdm_capacity

    rows = []
    for k in ks:
        runs = [sdm_capacity(n_locations, address_bits, data_bits, k=k, cue_noise=cue_noise, chunk=3,
                             seed=100 * s + k).measured for s in range(seeds)]
        mean = float(np.nanmean(runs)) if np.any(np.isfinite(runs)) else float("nan")
        rows.append({"k": k, "activation": k / n_locations, "measured": mean, "per_seed": runs,
                     "p_star": kanerva_optimal_activation(n_locations, max(int(mean) if mean == mean else 1, 1))})
    return rows


def recall_curves(n_locations=1000, address_bits=256, data_bits=128, k=20, noises=(), ablations=()):
    from engram_nm.sdm import KanervaSDM, sdm_capacity
    from engram_nm.sdm.capacity import flip_bits

    capacity = sdm_capacity(n_locations, address_bits, data_bits, k=k, seed=1).measured
    stored = max(1, int(capacity / 2))
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, (stored, address_bits))
    d = rng.integers(0, 2, (stored, data_bits))

    def recall(sdm, cues):
        return float(np.mean(np.mean(sdm.read(cues) != d, axis=1) <= 0.05))

    sdm = KanervaSDM(n_locations, address_bits, data_bits, k=k, seed=1)
    sdm.write(a, d)
    by_noise = [{"cue_noise": f, "recall": recall(sdm, flip_bits(a, f, rng))} for f in noises]
    by_ablation = []
    for frac in ablations:
        lesioned = KanervaSDM(n_locations, address_bits, data_bits, k=k, seed=1)
        lesioned.write(a, d)
        lesioned.ablate(frac, seed=3)
        by_ablation.append({"ablated": frac, "recall": recall(lesioned, a)})
    return {"capacity": capacity, "stored": stored, "by_noise": by_noise, "by_ablation": by_ablation}


def plot(result, path):
    from engram_nm.analysis.plots import _pyplot, save_figure

    plt = _pyplot()
    fig, ax = plt.subplots(1, 4, figsize=(18, 4), layout="constrained")
    wn = result["willshaw_vs_n"]
    ns = [r["N"] for r in wn]
    ax[0].loglog(ns, [r["measured"] for r in wn], "o-", label="measured")
    ax[0].loglog(ns, [r["theory_same_criterion"] for r in wn], "x:", label="theory, same criterion")
    ax[0].loglog(ns, [r["M_star"] for r in wn], "k--", label="M* = ln2 N²/K²")
    ax[0].set_xticks(ns, [str(n) for n in ns])
    ax[0].minorticks_off()
    ax[0].set(xlabel="N (K = log2 N)", ylabel="patterns stored", title="Willshaw capacity")
    ax[0].legend()
    wk = result["willshaw_vs_k"]
    ax[1].plot([r["K"] for r in wk], [r["bits_per_synapse"] for r in wk], "o-")
    ax[1].axhline(np.log(2), color="k", ls="--", label="ln 2")
    ax[1].set(xlabel="K (active units)", ylabel="bits per synapse", title=f"Willshaw N={result['willshaw_n']}")
    ax[1].legend()
    sk = result["sdm_vs_k"]
    ax[2].plot([r["k"] for r in sk], [r["measured"] for r in sk], "o-", label="measured (5 % cue noise)")
    best = max(sk, key=lambda r: r["measured"] if np.isfinite(r["measured"]) else -1)
    ax[2].axvline(best["p_star"] * 1000, color="k", ls="--", label="p* M at the best T")
    ax[2].set(xscale="log", xlabel="k active locations (of 1000)", ylabel="patterns at 1 % bit error",
              title="Kanerva SDM (Top-K)")
    ax[2].legend()
    rc = result["recall"]
    ax[3].plot([r["cue_noise"] for r in rc["by_noise"]], [r["recall"] for r in rc["by_noise"]], "o-",
               label="vs cue noise")
    ax[3].plot([r["ablated"] for r in rc["by_ablation"]], [r["recall"] for r in rc["by_ablation"]], "s-",
               label="vs locations ablated")
    ax[3].set(xlabel="fraction", ylabel="recall rate", ylim=(-0.02, 1.02),
              title=f"{rc['stored']} patterns (half capacity)")
    ax[3].legend()
    return save_figure(fig, path)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (tests)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per N of the Willshaw capacity (default 10)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    sizes = [256, 512] if args.quick else [256, 512, 1024, 2048, 4096]
    n_k = 256 if args.quick else 1024
    ks = [2, 4, 8] if args.quick else [2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32]
    sdm_ks = [5, 20, 80] if args.quick else [3, 5, 10, 15, 20, 30, 40, 60, 80, 120, 160]
    result = {"benchmark": "sdm_capacity", **machine_info(),
              "willshaw_vs_n": willshaw_vs_n(sizes, 3 if args.quick else args.seeds), "willshaw_n": n_k, "willshaw_vs_k": willshaw_vs_k(n_k, ks),
              "sdm_vs_k": sdm_vs_k(sdm_ks),
              "recall": recall_curves(noises=[0.0, 0.05, 0.1, 0.2, 0.3, 0.4],
                                      ablations=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5])}
    result["seconds"] = time.perf_counter() - t0
    result["exponent"] = ex = exponents(result["willshaw_vs_n"])
    seeds = result["willshaw_vs_n"][0]["n_seeds"]
    md = ["# SDM and Willshaw capacity", "", f"Machine: {result['machine']}, {result['cpus']} CPUs.", "",
          "## Willshaw capacity vs N (K = round(log2 N), criterion: 1 spurious unit per retrieval)", "",
          f"{seeds} seeds per N; mean [95 % t CI] over seeds. The exact theory of the same criterion "
          "(engram_nm/sdm/theory.py) is one number per N; M* = ln2 N²/K² is its large-N limit.", "",
          "| N | K | measured | theory (same criterion) | measured / theory | M* = ln2 N²/K² | measured / M* "
          "| bits/synapse |", "|---|---|---|---|---|---|---|---|"]
    md += [f"| {r['N']} | {r['K']} | {r['measured']:.0f} [{r['measured_ci95'][0]:.0f}, {r['measured_ci95'][1]:.0f}] | "
           f"{r['theory_same_criterion']:.0f} | {r['measured_over_theory']:.3f} [{r['measured_over_theory_ci95'][0]:.3f}, "
           f"{r['measured_over_theory_ci95'][1]:.3f}] | {r['M_star']:.0f} | {r['measured_over_M_star']:.3f} | "
           f"{r['bits_per_synapse']:.3f} |" for r in result["willshaw_vs_n"]]
    md += ["", f"Exponent of capacity vs N / log2 N: measured {ex['measured']:.3f} [{ex['ci95'][0]:.3f}, "
           f"{ex['ci95'][1]:.3f}] (95 % bootstrap CI over seeds); the exact theory of the same criterion at these N: "
           f"{ex['theory_same_criterion']:.3f} ({'inside' if ex['ci_holds_theory'] else 'outside'} the CI); "
           f"M*: 2 ({'inside' if ex['ci_holds_2'] else 'outside'} the CI)."]
    md += ["", f"## Willshaw information capacity vs K (N = {n_k})", "", "| K | measured patterns | bits/synapse |",
           "|---|---|---|"]
    md += [f"| {r['K']} | {r['measured']:.0f} | {r['bits_per_synapse']:.3f} |" for r in result["willshaw_vs_k"]]
    md += ["", "## Kanerva Top-K SDM: capacity vs k (M = 1000, N = 256, D = 128, 5 % cue noise, 1 % bit error)", "",
           "| k | activation k/M | patterns (mean of 3 seeds) | p* = (2MT)^(-1/3) |", "|---|---|---|---|"]
    md += [f"| {r['k']} | {r['activation']:.3f} | {r['measured']:.1f} | {r['p_star']:.3f} |" for r in result["sdm_vs_k"]]
    rc = result["recall"]
    md += ["", f"## Recall at half capacity ({rc['stored']} of {rc['capacity']:.0f} patterns, k = 20)", "",
           "| cue noise | recall |", "|---|---|"] + [f"| {r['cue_noise']:.2f} | {r['recall']:.3f} |"
                                                     for r in rc["by_noise"]]
    md += ["", "| locations ablated | recall |", "|---|---|"] + [f"| {r['ablated']:.2f} | {r['recall']:.3f} |"
                                                               for r in rc["by_ablation"]]
    md += ["", f"Total {result['seconds']:.0f} s. Plot: sdm_capacity.png."]
    write_results(args.out, "sdm_capacity", result, md)
    plot(result, Path(args.out) / "sdm_capacity.png")
    print("\n".join(md))
    return result


if __name__ == "__main__":
    main()
