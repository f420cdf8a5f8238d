"""Two chip families side by side: the static-digits classifiers on Loihi (fixed-emu, bit-exact to
Lava cpu-fixed) and on SynSense Xylo (xylo-emu, event-exact to Rockpool's XyloSim).

    python benchmarks/chips.py [--seeds 10] [--quick]

Per reported seed (the digits split and the training seed; seeds 100-109, never used to choose a
setting: both settings are fixed beforehand):

* **the flagship** (engram_nm.experiments.frontier.FLAGSHIP: delta-coded 8x8 digits over 8 steps,
  64 -> 64 LIF -> 10 leaky integrators read out by their mean potential): float (numpy reference)
  and Loihi (fixed-emu) on the whole test split; on Xylo it is refused (``fit_xylo``: its reasons
  are listed, the same for every seed);
* **the Xylo shape** of the same classifier (the same code, epochs and optimiser; the digits
  averaged to 4x4 = 16 channels, current-based neurons with subtractive reset, time constants
  2 and 16 ms, no biases), trained with hidden neurons that fire up to 31 events a step as a
  Xylo hidden neuron does: float, Xylo (xylo-emu; xylo-sim on the same digits, checked event for
  event) and Loihi (fixed-emu: the same weights, one spike a step, as Loihi's neurons fire);
* **the control**: the same Xylo shape trained with one spike a step (the mechanism off), on the
  same three. The chip fires up to 31 events whatever the training: the contrast of the two on
  Xylo is what training with the chip's events does.

Measures: accuracy on the test split (chance 0.10), decisions equal to the float model's, events
and synaptic operations per digit (each chip's own count: engram_nm.analysis.counting and
engram_nm.xylo.counting), energy per digit where a profile has sourced costs (Loihi: Davies et
al. 2018 as quoted, unverified; Loihi 2 and Xylo: unknown, none estimated), and the wall time of
xylo-emu against xylo-sim on the same digits (a ratio measured in the same run). Contrasts of
accuracy are paired by seed (Wilcoxon), Holm-corrected over the family.
Writes benchmarks/results/chips.{json,md}.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish, stat_over_seeds  # noqa: E402

REPORTED_SEEDS = tuple(range(100, 110))
CHANCE = 0.10
XYLO_31 = "Xylo shape, trained with up to 31 events a step"
XYLO_1 = "Xylo shape, trained with one spike a step (control)"


def _accuracy(result, y, name="readout") -> tuple:
    """(accuracy, decisions) of a membrane read-out."""
    from engram_nm.experiments.frontier import readout_scores

    decisions = readout_scores(result.spikes[name], result.v[name], "membrane").argmax(axis=1)
    return float(np.mean(decisions == y)), decisions


def _loihi_operations(spec, x, result) -> dict:
    """Mean per digit of effective ACs, neuron updates and spikes (engram_nm.analysis.counting)."""
    from engram_nm.analysis.counting import count_run

    counts = [count_run(spec, x[i], {k: v[i] for k, v in result.spikes.items()}) for i in range(x.shape[0])]
    return {"synaptic_op": float(np.mean([c.effective_acs for c in counts])),
            "neuron_update": float(np.mean([c.neuron_updates for c in counts])),
            "spike": float(np.mean([c.spikes for c in counts]))}


def _energy(operations: dict) -> dict:
    from engram_nm.analysis.energy import PROFILES, estimate_operations

    out = {}
    for name in ("loihi", "loihi2", "xylo"):
        e = estimate_operations(operations, PROFILES[name])
        out[name] = None if e.picojoules is None else e.picojoules / 1e3  # nJ per digit
    return out


def _xylo_shape(setting, seed: int, label: str, rows: dict) -> tuple:
    """Train the Xylo shape of ``setting`` on ``seed``; its float, Xylo and Loihi rows under
    ``label``; returns ``(notes, timings)``."""
    from engram_nm.data import load_digits
    from engram_nm.experiments.frontier import deployable, train_point
    from engram_nm.hardware.targets import run
    from engram_nm.xylo import fit_xylo
    from engram_nm.xylo.counting import hidden_events, xylo_operations

    data = load_digits(seed, setting.input_code, pool=2)
    spec, _ = train_point(setting, seed, data=data, input_meta={**setting.input_code.to_metadata(), "pool": 2})
    spec = deployable(spec, data[0])
    x, y = np.transpose(data[2], (1, 0, 2)), data[3]  # [digits, T, 16]
    float_run = run(spec, x, "reference", record_v=True)
    acc_float, dec_float = _accuracy(float_run, y)
    rows[f"{label} / float"] = {"accuracy": acc_float, "agreement": 1.0, **_loihi_operations(spec, x, float_run)}
    mapping = fit_xylo(spec, "xylo-audio3")
    if not mapping.fits:
        raise SystemExit(f"seed {seed}: the Xylo shape does not fit: {mapping.problems}")
    t0 = time.perf_counter()
    emu = run(spec, x, "xylo-emu", record_v=True)
    t_emu = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = run(spec, x, "xylo-sim", record_v=True)
    t_sim = time.perf_counter() - t0
    identical = all(np.array_equal(emu.spikes[k], sim.spikes[k]) for k in emu.spikes) and \
        all(np.array_equal(emu.v[k], sim.v[k]) for k in emu.v)
    acc, dec = _accuracy(emu, y)
    rows[f"{label} / Xylo (xylo-emu = xylo-sim)"] = {"accuracy": acc, "agreement": float(np.mean(dec == dec_float)),
                                                    **xylo_operations(mapping.config, x, emu.spikes)}
    one_spike = spec.copy()  # Loihi's neurons send one spike a step: the same weights, as Loihi runs them
    for layer in one_spike.layers:
        layer.max_events = 1
    loihi = run(one_spike, x, "fixed-emu", record_v=True)
    acc, dec = _accuracy(loihi, y)
    rows[f"{label} / Loihi (fixed-emu, one spike a step)"] = {
        "accuracy": acc, "agreement": float(np.mean(dec == dec_float)), **_loihi_operations(one_spike, x, loihi)}
    events = hidden_events(mapping.config, emu.spikes)
    notes = {"identical": identical, "several": float((events > 1).sum() / max(1, (events > 0).sum())),
             "chip": mapping.chip.name, "digits": int(len(y))}
    return notes, (t_emu, t_sim)


def one_seed(seed: int, quick: bool) -> dict:
    from engram_nm.data import load_digits
    from engram_nm.experiments.frontier import FLAGSHIP, deployable, train_point
    from engram_nm.hardware.targets import run
    from engram_nm.xylo import fit_xylo
    from engram_nm.xylo.chips import MAX_HIDDEN_EVENTS

    flagship = dataclasses.replace(FLAGSHIP, epochs=2, finetune_epochs=1) if quick else FLAGSHIP
    rows = {}
    data = load_digits(seed, flagship.input_code)
    spec, _ = train_point(flagship, seed)  # as the demo trains it (the same split and encoding as `data`)
    spec = deployable(spec, data[0])
    x, y = np.transpose(data[2], (1, 0, 2)), data[3]  # [digits, T, 64]
    float_run = run(spec, x, "reference", record_v=True)
    acc_float, dec_float = _accuracy(float_run, y)
    rows["flagship / float"] = {"accuracy": acc_float, "agreement": 1.0, **_loihi_operations(spec, x, float_run)}
    loihi = run(spec, x, "fixed-emu", record_v=True)
    acc, dec = _accuracy(loihi, y)
    rows["flagship / Loihi (fixed-emu)"] = {"accuracy": acc, "agreement": float(np.mean(dec == dec_float)),
                                            **_loihi_operations(spec, x, loihi)}
    refused = fit_xylo(spec, "xylo-audio3").problems
    trained_as_chip, times = _xylo_shape(dataclasses.replace(flagship, neuron="cuba", max_events=MAX_HIDDEN_EVENTS),
                                         seed, XYLO_31, rows)
    control, control_times = _xylo_shape(dataclasses.replace(flagship, neuron="cuba"), seed, XYLO_1, rows)
    return {"rows": rows, "notes": {"flagship_on_xylo": refused, "identical": trained_as_chip["identical"]
                                    and control["identical"], "several": trained_as_chip["several"],
                                    "several_control": control["several"], "xylo_chip": trained_as_chip["chip"],
                                    "digits": trained_as_chip["digits"], "xylo_emu_s": times[0] + control_times[0],
                                    "xylo_sim_s": times[1] + control_times[1]}}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(REPORTED_SEEDS))
    parser.add_argument("--quick", action="store_true", help="2 epochs: for the tests, not for reading")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from engram_nm.analysis.statistics import holm_family, paired_contrast

    seeds = REPORTED_SEEDS[:args.seeds]
    t0 = time.perf_counter()
    per_seed = []
    for k, seed in enumerate(seeds):
        per_seed.append(one_seed(seed, args.quick))
        print(f"seed {seed} done ({k + 1}/{len(seeds)}, {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    names = list(per_seed[0]["rows"])
    rows = []
    for name in names:
        vals = {m: [s["rows"][name][m] for s in per_seed] for m in per_seed[0]["rows"][name]}
        ops = {m: float(np.mean(vals[m])) for m in ("synaptic_op", "neuron_update", "spike")}
        rows.append({"setting": name, "accuracy": stat_over_seeds(vals["accuracy"]),
                     "agreement_with_float": stat_over_seeds(vals["agreement"]), **ops,
                     "energy_nJ": _energy(ops)})
    acc = {name: [s["rows"][name]["accuracy"] for s in per_seed] for name in names}
    on_xylo = acc[f"{XYLO_31} / Xylo (xylo-emu = xylo-sim)"]
    contrasts = holm_family({
        "on Xylo: trained with the chip's 31 events - trained with one spike": paired_contrast(
            on_xylo, acc[f"{XYLO_1} / Xylo (xylo-emu = xylo-sim)"]),
        "trained with 31 events: Xylo - float": paired_contrast(on_xylo, acc[f"{XYLO_31} / float"]),
        "best on each chip: Xylo shape on Xylo - flagship on Loihi": paired_contrast(
            on_xylo, acc["flagship / Loihi (fixed-emu)"]),
    })
    emu_s = [s["notes"]["xylo_emu_s"] for s in per_seed]
    sim_s = [s["notes"]["xylo_sim_s"] for s in per_seed]
    first = per_seed[0]["notes"]
    result = {"benchmark": "chips", **machine_info(), "seeds": list(seeds), "quick": args.quick, "chance": CHANCE,
              "digits": first["digits"], "rows": rows,
              "contrasts": {k: c.as_dict() for k, c in contrasts.items()},
              "xylo_sim_identical_every_seed": all(s["notes"]["identical"] for s in per_seed),
              "flagship_on_xylo_refused_because": first["flagship_on_xylo"],
              "xylo_chip": first["xylo_chip"],
              "several_events_share": stat_over_seeds([s["notes"]["several"] for s in per_seed]),
              "several_events_share_control": stat_over_seeds([s["notes"]["several_control"] for s in per_seed]),
              "xylo_sim_over_xylo_emu_wall": float(np.sum(sim_s) / np.sum(emu_s)),
              "xylo_emu_s_total": float(np.sum(emu_s)), "xylo_sim_s_total": float(np.sum(sim_s)),
              "wall_s": time.perf_counter() - t0}
    return publish(args.out, "chips", result, _markdown(result))


def _fmt_energy(e) -> str:
    return "unknown" if e is None else f"{e:.0f}"


def _markdown(r: dict) -> list:
    md = [f"# Two chip families: Loihi and Xylo on the static digits ({'QUICK, not for reading; ' if r['quick'] else ''}"
          f"seeds {r['seeds'][0]}-{r['seeds'][-1]}, {r['digits']} test digits each)", "",
          "Written by `benchmarks/chips.py`; accuracy: mean [95 % t-interval] over seeds, chance "
          f"{r['chance']:.2f}; agreement: test digits decided as the float model decides; operations and energy: "
          "means per digit. Energy (nJ): Loihi as Davies et al. 2018 is quoted (unverified); Loihi 2 and Xylo have "
          "no sourced per-operation cost here (unknown: not estimated).", "",
          "| model / where it runs | accuracy | agreement with float | synaptic ops | neuron updates | spikes "
          "| energy Loihi (nJ) | Loihi 2 | Xylo |", "|---|---|---|---|---|---|---|---|---|"]
    for row in r["rows"]:
        a, g = row["accuracy"], row["agreement_with_float"]
        e = row["energy_nJ"]
        md.append(f"| {row['setting']} | {a['mean']:.3f} [{a['ci95'][0]:.3f}, {a['ci95'][1]:.3f}] | "
                  f"{g['mean']:.3f} | {row['synaptic_op']:.0f} | {row['neuron_update']:.0f} | {row['spike']:.1f} | "
                  f"{_fmt_energy(e['loihi'])} | {_fmt_energy(e['loihi2'])} | {_fmt_energy(e['xylo'])} |")
    md += ["", "Paired by seed (Wilcoxon signed-rank), Holm-corrected over the three contrasts:", "",
           "| contrast (accuracy) | difference [95 % CI] | p | p (Holm) |", "|---|---|---|---|"]
    for name, c in r["contrasts"].items():
        lo, hi = c["difference_ci95"]
        md.append(f"| {name} | {c['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}] | {c['p_value']:.3g} | "
                  f"{c['p_holm']:.3g} |")
    share, control = r["several_events_share"], r["several_events_share_control"]
    md += ["", f"* xylo-sim (Rockpool's XyloSim) gave the same events and voltages as xylo-emu on every digit of "
           f"every seed: {'yes' if r['xylo_sim_identical_every_seed'] else 'NO'}; chip: {r['xylo_chip']} "
           "(the first Xylo that holds 10 outputs).",
           f"* xylo-emu ran the test digits {r['xylo_sim_over_xylo_emu_wall']:.1f}x faster than xylo-sim "
           f"({r['xylo_emu_s_total']:.2f} s against {r['xylo_sim_s_total']:.2f} s over all seeds, this machine).",
           f"* A hidden Xylo neuron fires up to 31 events a step: {share['mean']:.1%} of the active neuron-steps "
           f"carried several in the network trained so ({control['mean']:.1%} in the control, trained with one "
           "spike a step, which the chip then runs with up to 31). Loihi fires one spike a step: its rows run "
           "the same weights that way.",
           "* The flagship does not fit a Xylo chip: " + "; ".join(r["flagship_on_xylo_refused_because"]) + "."]
    return md


if __name__ == "__main__":
    main()
