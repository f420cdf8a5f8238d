"""The flagship demo: the accuracy-operations frontier's spiking classifier trained in snnTorch and deployed on Lava,
and fear conditioning on the engram network with its controls, over seeds.

``make demo`` / ``engram-nm demo`` run this on defaults (about 2-3 minutes on 2 cores):

1. train the accuracy-operations frontier's best point within 1 point of the ANN
   (:data:`~engram_nm.experiments.frontier.FLAGSHIP`: delta-coded digits over 8 steps,
   64 -> 64 LIF -> 10 leaky integrators read out by their mean potential) with surrogate
   gradients in snnTorch, by the frontier's own code (:mod:`engram_nm.experiments.frontier`);
2. give the readout a finite threshold it never reaches (fixed point has no ``inf``), export
   ``model.nir``, import it back (exact), run test digits on snnTorch (float64), Lava cpu-float
   and cpu-fixed and fixed-emu with voltages recorded, and check spikes and voltages agree;
3. count operations per backend and estimate energy per chip profile; check
   the Loihi 2 fit; add an SDM stage addressed by the hidden layer's spikes,
   store training digits' labels in it and read test digits' labels from
   occluded views on Lava float and fixed (float checked against the reference);
4. fear conditioning on the engram network with a behavioural read-out
   (:mod:`engram_nm.experiments.engram.conditioning`: 400 E + 100 I, STDP on E->E and
   E->O, two-stage synapses with tag and capture, 24 h offline of spontaneous activity):
   ten reported seeds as one fixed-emu cohort, with the plasticity-off control and a
   protein-synthesis inhibitor; freezing to the conditioned and the neutral context, paired
   by seed;
5. one seed's shortened day on Lava cpu-float against the numpy reference, spike for spike
   in every phase; rasters of its trials and the conditioned network as NIR;
6. write ``out/demo/`` (report.md, plots, model files) and print a summary.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np

ENGRAM_SEEDS = 10  # the first of conditioning_suite.REPORTED_SEEDS


def _train_classifier(out: Path, setting, seed: int, say):
    """The flagship classifier: the frontier's best point within 1 point of the ANN
    (:data:`~engram_nm.experiments.frontier.FLAGSHIP`), trained by the frontier's own code, its
    readout threshold made finite for fixed point, exported to NIR and read back."""
    from engram_nm.data import load_digits
    from engram_nm.experiments.frontier import deployable, train_point
    from engram_nm.nir_io import export_nir, import_nir

    x_tr, y_tr, x_te, y_te = load_digits(seed, setting.input_code)
    say(f"1/6 define and train the frontier's best point within 1 point of the ANN ({setting.label()}; "
        f"docs/energy_frontier.md): 64 -> {setting.hidden} LIF -> 10 leaky integrators, surrogate gradients "
        f"in snnTorch, {setting.epochs} epochs on {len(y_tr)} digits")
    trained, point = train_point(setting, seed)
    say(f"    test accuracy (snnTorch, float64, all {len(y_te)} test digits) {point.accuracy:.3f}")
    spec = deployable(trained, x_tr)
    say(f"2/6 readout threshold set to {spec.layers[-1].v_threshold[0]:g} (2x the largest readout potential on the "
        "training digits: never reached there, and fixed point can hold it)")
    path = export_nir(spec, out / "model.nir")
    deployed = import_nir(path)
    say(f"    exported {path} and re-imported it (exact: {deployed.equals(spec)})")
    return deployed, x_tr, y_tr, x_te, y_te, point.accuracy, path


def _verify_classifier(deployed, x_te, y_te, n_eval: int, say):
    """Accuracy per backend (mean readout potential, as trained), spike mismatches snnTorch vs
    cpu-float and fixed-emu vs cpu-fixed, and the largest voltage difference of each pair."""
    from engram_nm.analysis.verify import verify
    from engram_nm.experiments.frontier import FLAGSHIP, readout_scores

    from engram_nm.hardware.targets import run as run_target

    say(f"3/6 run {n_eval} test digits on snntorch (float64), Lava cpu-float and cpu-fixed, and fixed-emu, "
        f"voltages recorded; all {len(y_te)} test digits on fixed-emu (one batched call)")
    every = np.transpose(x_te, (1, 0, 2))  # [digits, T, 64]: the window the readout was trained on
    samples = list(every[:n_eval])
    rep = verify(deployed, every[:n_eval], record_v=True)  # one batch per target: one Lava graph each
    accs = {target: float(np.mean(readout_scores(res.spikes["readout"], res.v["readout"], FLAGSHIP.readout)
                                  .argmax(axis=1) == y_te[:n_eval])) for target, res in rep.results.items()}
    full = run_target(deployed, every, "fixed-emu", record_v=True)
    accs[f"fixed-emu, all {len(y_te)}"] = float(np.mean(
        readout_scores(full.spikes["readout"], full.v["readout"], FLAGSHIP.readout).argmax(axis=1) == y_te))
    readout_spikes = int(full.spikes["readout"].sum()) + sum(int(r.spikes["readout"].sum())
                                                              for r in rep.results.values())
    return accs, rep, readout_spikes, samples


def _with_memory_stage(deployed, x_tr, seed: int, n_locations: int = 1000, k: int = 10, code_bits: int = 32):
    """``deployed`` plus an SDM stage addressed by the hidden layer's spikes, its hard locations
    placed at hidden spike vectors of training digits (random steps, among those in which some
    hidden cell fires, of random digits; random locations leave a sparse spike vector near none
    of them, and a silent step addresses nothing)."""
    from engram_nm.backends.reference import simulate
    from engram_nm.sdm.memory_spec import MemorySpec

    n, steps = 300, x_tr.shape[0]
    hidden = simulate(deployed, np.concatenate([x_tr[:, i] for i in range(n)])).spikes["hidden"]
    active = hidden.reshape(n * steps, -1)
    active = active[active.any(axis=1)]
    rng = np.random.default_rng(seed + 5)
    picks = active[rng.integers(len(active), size=n_locations)]
    spec = deployed.copy()
    spec.memory = MemorySpec(n_locations, code_bits, k=k, seed=seed, addresses=picks.astype(np.int8),
                             address_layer="hidden")
    return spec.validate()


def _memory_stage_recall(spec, x_tr, y_tr, x_te, y_te, seed: int, per_class: int, n_test: int):
    """Write ``per_class`` training digits per class (label as a random 32-bit code) into the SDM
    stage, then read test digits with 0, 2 and 4 rows occluded, in one run per backend.
    Returns ``{target: {rows: (sdm accuracy, readout accuracy)}}`` and whether cpu-float's reads
    equal the reference's."""
    from engram_nm.experiments.engram.digits import occlude
    from engram_nm.experiments.frontier import FLAGSHIP, readout_scores
    from engram_nm.hardware.targets import run as run_target
    from engram_nm.backends.reference import simulate

    steps, gap = x_tr.shape[0], 5
    codes = np.random.default_rng(seed + 9).integers(0, 2, (10, spec.memory.data_bits))
    stored = np.concatenate([np.flatnonzero(y_tr == c)[:per_class] for c in range(10)])
    chunks, ops, data, reads_at = [], [], [], []
    for i in stored:
        chunks.append(x_tr[:, i])
        ops += [1] * steps + [0] * gap
        data += [codes[y_tr[i]]] * (steps + gap)
    levels = (0, 2, 4)
    for rows in levels:
        for j in range(n_test):
            reads_at.append((rows, j, len(ops)))
            chunks.append(occlude(x_te[:, j], rows))
            ops += [2] * steps + [0] * gap
            data += [np.zeros(spec.memory.data_bits, int)] * (steps + gap)
    x = np.concatenate([np.concatenate([c, np.zeros((gap, 64))]) for c in chunks])
    ops, data = np.array(ops), np.array(data)
    runs = {"reference": simulate(spec, x, memory_ops=ops, memory_data=data)}
    for target in ("cpu-float", "cpu-fixed"):
        runs[target] = run_target(spec, x, target, memory_ops=ops, memory_data=data)
    # The trained readout answers each occluded view from rest, as it was trained (its neurons'
    # biases keep the network active between digits, so a stream never returns to that state):
    # the same views as a batch, state reset between them, voltages recorded.
    classifier = spec.copy()
    classifier.memory = None
    views = np.stack([occlude(x_te[:, j], rows) for rows, j, _ in reads_at])
    out = {}
    for target, res in runs.items():
        plain = run_target(classifier, views, target, record_v=True)
        answers = readout_scores(plain.spikes["readout"], plain.v["readout"], FLAGSHIP.readout).argmax(axis=1)
        acc = {rows: [0, 0] for rows in levels}
        for (rows, j, start), answer in zip(reads_at, answers):
            votes = res.memory_reads[start:start + steps].mean(axis=0) - 0.5
            acc[rows][0] += int(((2 * codes - 1) @ votes).argmax() == y_te[j])
            acc[rows][1] += int(answer == y_te[j])
        out[target] = {rows: (a / n_test, b / n_test) for rows, (a, b) in acc.items()}
    same = bool(np.array_equal(runs["cpu-float"].memory_reads, runs["reference"].memory_reads))
    return out, same


def _fear_cohorts(n_seeds: int, hours: float, say) -> dict:
    """The conditioning day (:func:`~engram_nm.experiments.engram.conditioning.condition`) on
    ``n_seeds`` reported seeds, one fixed-emu cohort per arm: conditioned, plasticity off while
    conditioning (the control), protein-synthesis inhibitor; tests: the full contexts A and B and
    no cue. Returns ``{arm: [ {test: TestScore} per seed ]}`` and the seeds."""
    from functools import partial

    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.conditioning_suite import REPORTED_SEEDS
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    def day(ex, **arm):
        f = fear.condition(ex, consolidation_hours=hours, **arm)
        return {"A": fear.trial(ex, f.conditioned), "B": fear.trial(ex, f.neutral), "no cue": fear.trial(ex, [])}

    seeds = [REPORTED_SEEDS[0] + k for k in range(n_seeds)]
    arms = {"conditioned": {}, "plasticity off while conditioning (control)": {"learn": False},
            "protein-synthesis inhibitor": {"consolidation": "blocked"}}
    out = {}
    for arm, kwargs in arms.items():
        say(f"    {arm}: {n_seeds} seeds, one fixed-emu cohort ...")
        exs = [EngramExperiment(config=fear.conditioning_config(s), target="fixed-emu", seed=s) for s in seeds]
        out[arm] = run_cohort(exs, partial(day, **kwargs))
    return out, seeds


def _fear_day_on_lava(seed: int, say):
    """One seed's shortened day (conditioning 400 ms, 2 h offline, a half-cue and a light trial) on
    Lava cpu-float and on the numpy reference; whether every phase's spikes (E, I, O) are equal."""
    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.lifecycle import EngramExperiment
    from engram_nm.experiments.engram.manipulations import OptogeneticActivation
    from engram_nm.experiments.engram.stimulus import cue_channels

    runs, trials = {}, {}
    for target in ("reference", "cpu-float"):
        say(f"    seed {seed}, shortened day on {target} ...")
        ex = EngramExperiment(config=fear.conditioning_config(seed), target=target, seed=seed)
        day = fear.condition(ex, encode_steps=400, us_steps=300, consolidation_hours=2)
        engram = tuple(int(c) for c in ex.memories["A"].cells)
        trials[target] = {"half of context A": ex.present(cue_channels(day.conditioned, 0.5, seed=seed), 300,
                                                          kind="test"),
                          "neutral context B": ex.present(day.neutral, 300, kind="test"),
                          "light on the engram, no cue": ex.present([], 300, [OptogeneticActivation(cells=engram)],
                                                                    kind="test")}
        runs[target] = ex
    ref, lava = runs["reference"], runs["cpu-float"]
    same = len(ref.records) == len(lava.records) and all(
        np.array_equal(a.spikes[n], b.spikes[n]) for a, b in zip(ref.records, lava.records) for n in a.spikes)
    spikes = sum(int(r.spikes[n].sum()) for r in lava.records for n in r.spikes)
    return lava, trials["cpu-float"], same, spikes


def run_demo(out_dir="out/demo", seed: int = 0, quiet: bool = False, epochs: int | None = None, n_eval: int = 20,
             engram_seeds: int = ENGRAM_SEEDS, offline_hours: float = 24.0,
             store_per_class: int = 10, n_memory_test: int = 30) -> dict:
    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock

    from engram_nm.analysis.compare import compare
    from engram_nm.analysis.fit import fit_report
    from engram_nm.hardware.targets import run as run_target
    from engram_nm.io_utils import atomic_write_text
    from engram_nm.nir_io import export_nir
    from engram_nm.analysis.plots import plot_raster, plot_recall_curves

    from engram_nm.errors import InputError

    say = (lambda *a: None) if quiet else print
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder for the report, plots and models")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    from engram_nm.experiments.frontier import FLAGSHIP, train_ann

    setting = FLAGSHIP if epochs is None else dataclasses.replace(FLAGSHIP, epochs=epochs)
    deployed, x_tr, y_tr, x_te, y_te, acc_torch, model_path = _train_classifier(out, setting, seed, say)
    accs, rep, readout_spikes, samples = _verify_classifier(deployed, x_te, y_te, n_eval, say)
    mismatches = sum(la.float_vs_torch_mismatches for la in rep.layers)
    emulator_mismatches = sum(la.emulator_vs_fixed_mismatches for la in rep.layers)
    hidden = FLAGSHIP.hidden
    say("4/6 count operations and estimate energy per backend (one Lava graph for all digits); the ReLU ANN "
        "of the same shape trained on the same images for its counts")
    ann_accuracy, ann_counts = train_ann(hidden, seed)
    energy = compare(deployed, samples, ann_effective_macs=ann_counts.effective)
    energy.plot(out / "energy.png")
    first = run_target(deployed, samples[0], "cpu-float")
    plot_raster(first.spikes, out / "raster.png", title=f"Lava cpu-float, test digit {int(y_te[0])}",
                dt=deployed.dt)
    fit = fit_report(deployed)

    with_memory = _with_memory_stage(deployed, x_tr, seed)
    export_nir(with_memory, out / "model_with_memory.nir")
    say(f"    SDM stage on the hidden layer's spikes: write {store_per_class} training digits per class, "
        f"read {n_memory_test} occluded test digits (reference, cpu-float, cpu-fixed)")
    memory_acc, memory_same = _memory_stage_recall(with_memory, x_tr, y_tr, x_te, y_te, seed, store_per_class,
                                                   n_memory_test)
    plot_recall_curves({f"{what}, {t}": ([r / 8 for r in (0, 2, 4)], [memory_acc[t][r][k] for r in (0, 2, 4)])
                        for t in ("cpu-float", "cpu-fixed") for k, what in ((0, "SDM stage"), (1, "readout"))},
                       out / "labels_vs_occlusion.png", xlabel="fraction of the digit occluded (rows)",
                       ylabel="label accuracy", title="test digits: SDM stage vs trained readout")

    from engram_nm.analysis.statistics import holm_family, mean_ci95, paired_contrast
    from engram_nm.experiments.engram.plots import plot_trial_rasters

    say(f"5/6 fear conditioning on the engram network ({offline_hours:g} h offline on two-stage synapses), "
        "with its controls, over seeds")
    cohorts, engram_seed_list = _fear_cohorts(engram_seeds, offline_hours, say)

    def freezing(arm, test):
        return np.array([r[test].freezing for r in cohorts[arm]])

    fear_table = {arm: {test: (float(freezing(arm, test).mean()), mean_ci95(freezing(arm, test), (0, 1)))
                        for test in ("A", "B", "no cue")} for arm in cohorts}
    contrasts = {}
    if engram_seeds > 1:
        contrasts = holm_family({
            "A vs B, conditioned": paired_contrast(freezing("conditioned", "A"), freezing("conditioned", "B")),
            "A: conditioned vs plasticity off": paired_contrast(
                freezing("conditioned", "A"), freezing("plasticity off while conditioning (control)", "A")),
            "A: conditioned vs inhibitor": paired_contrast(freezing("conditioned", "A"),
                                                           freezing("protein-synthesis inhibitor", "A"))})
    lava_ex, trials, same_spikes, lava_spikes = _fear_day_on_lava(engram_seed_list[0], say)
    plot_trial_rasters(trials, lava_ex.memories["A"].tagged, out / "engram_raster.png",
                       title=f"Lava cpu-float, seed {engram_seed_list[0]}: E cells (engram on top) and the freezing read-out")

    elapsed = time.perf_counter() - t0
    lines = [
        f"# engram_nm demo ({deployed.name})",
        "",
        "## 1. The frontier's classifier, trained in snnTorch, deployed on Lava",
        "",
        f"The accuracy-operations frontier's best point within 1 point of the ANN (`FLAGSHIP` in "
        f"`engram_nm/experiments/frontier.py`; docs/energy_frontier.md): {setting.label()}, 64 inputs -> "
        f"{hidden} LIF -> 10 leaky integrators whose mean potential over the {setting.steps} steps is the "
        f"answer; dt = {deployed.dt} s; {setting.epochs} epochs of surrogate-gradient training. "
        f"snnTorch test accuracy {acc_torch:.3f} (float64, all {len(y_te)} digits; chance 0.10). The readout's "
        f"threshold is {deployed.layers[-1].v_threshold[0]:g} (2x the largest readout potential on the training "
        f"digits, so fixed point can hold it): readout spikes over every run below: **{readout_spikes}**.",
        "",
        f"| backend | accuracy on {n_eval} test digits (last row: the whole test split) |",
        "|---|---|",
        *[f"| {k} | {v:.3f} |" for k, v in accs.items()],
        "",
        f"snnTorch (float64) vs Lava cpu-float spike mismatches over {n_eval} digits: **{mismatches}** "
        f"(largest voltage difference {rep.max_float_dv:.1e}). "
        f"fixed-emu (batched, no Lava) vs Lava cpu-fixed spike mismatches over the same digits: "
        f"**{emulator_mismatches}** (largest voltage difference {rep.max_emulator_dv:.1e}). "
        f"cpu-fixed vs cpu-float per-neuron spike-count agreement (counts over the {n_eval} digits, lowest "
        f"layer): **{rep.min_fixed_count_agreement:.3f}**.",
        "",
        "Operations per digit. The reference: the ReLU ANN 64-"
        f"{hidden}-10 trained on the same images, test accuracy {ann_accuracy:.3f}; its dense and effective MACs "
        "(zero pixels and zero ReLU outputs skipped, NeuroBench's count). The frontier of how few operations "
        "reach which accuracy: docs/energy_frontier.md.",
        "",
        energy.table(),
        "",
        f"Loihi 2 fit: {fit.cores} cores, fits: {'yes' if fit.fits else 'no'}.",
        "",
        "![raster](raster.png) ![energy](energy.png)",
        "",
        "### The SDM stage: labels of occluded digits",
        "",
        f"A Kanerva SDM (1000 hard locations placed at hidden spike vectors of training digits, top-10) "
        f"addressed step by step by the hidden layer's spikes (`model_with_memory.nir`): {store_per_class} "
        f"training digits per class written with their label code, {n_memory_test} test digits read "
        "(majority over the steps), top rows occluded; the trained readout answers the same views, each from "
        "rest. Lava cpu-float reads equal the numpy reference: "
        f"**{memory_same}**.",
        "",
        "| rows occluded | backend | SDM stage | trained readout |",
        "|---|---|---|---|",
        *[f"| {rows} | {t} | {memory_acc[t][rows][0]:.2f} | {memory_acc[t][rows][1]:.2f} |"
          for rows in (0, 2, 4) for t in ("cpu-float", "cpu-fixed")],
        "",
        "![labels](labels_vs_occlusion.png)",
        "",
        "## 2. Fear conditioning on the engram network, with its controls",
        "",
        "400 E + 100 I LIF cells, STDP on E->E and on E->O (the read-out population whose rate is the fear "
        "response), two-stage synapses with tag and capture (`engram_nm/plasticity/consolidation.py`), a "
        f"500 ms conditioning (shock in the last 150 ms), then {offline_hours:g} h offline of spontaneous activity "
        "(1 h = 0.1 s of network time). Tests with plasticity off: the full conditioned context A, the "
        f"neutral context B, no cue. Seeds {engram_seed_list[0]}-{engram_seed_list[-1]} (never used to choose a "
        "parameter), each arm one fixed-emu cohort; freezing, mean [95 % CI]; chance: the no-cue row.",
        "",
        "| arm | A (conditioned) | B (neutral) | no cue |",
        "|---|---|---|---|",
        *[f"| {arm} | " + " | ".join(f"{m:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]" for m, ci in row.values()) + " |"
          for arm, row in fear_table.items()],
        "",
        "Paired by seed (Wilcoxon signed-rank, Holm over the three):",
        "",
        "| contrast | difference | p (Holm) |",
        "|---|---|---|",
        *[f"| {name} | {c.difference:+.2f} | {c.p_holm:.2g} |" for name, c in contrasts.items()],
        "",
        f"One seed's shortened day (conditioning 400 ms, 2 h offline, three trials) on Lava cpu-float: spikes "
        f"equal the numpy reference in every phase (E, I and the read-out, {lava_spikes} spikes): **{same_spikes}**.",
        "",
        "![engram raster](engram_raster.png)",
        "",
        f"Elapsed: {elapsed:.1f} s. Model files: `{model_path.name}` (classifier), `model_with_memory.nir` "
        "(classifier + SDM stage), `engram.nir` (the conditioned engram network, Lava seed).",
    ]
    export_nir(lava_ex.spec, out / "engram.nir")
    atomic_write_text(out / "report.md", "\n".join(lines) + "\n")
    best = {r.target: r for r in energy.rows}["cpu-float"]
    say("")
    say("6/6 summary")
    say("| | snntorch | cpu-float | cpu-fixed |\n|---|---|---|---|")
    say(f"| digit accuracy ({n_eval}) | {accs['snntorch']:.2f} | {accs['cpu-float']:.2f} | {accs['cpu-fixed']:.2f} |")
    say(f"| digit accuracy, all {len(y_te)} test digits (fixed-emu) | — | — | "
        f"{accs[f'fixed-emu, all {len(y_te)}']:.2f} |")
    for rows in (0, 2):
        say(f"| SDM-stage label accuracy, {rows}/8 rows occluded | — | {memory_acc['cpu-float'][rows][0]:.2f} | "
            f"{memory_acc['cpu-fixed'][rows][0]:.2f} |")
    for arm, row in fear_table.items():
        say(f"| freezing to A / B, {arm} ({engram_seeds} seeds, fixed-emu) | — | — | "
            f"{row['A'][0]:.2f} / {row['B'][0]:.2f} |")
    say(f"spike mismatches snnTorch vs cpu-float: {mismatches}; conditioning day cpu-float == reference: {same_spikes}; "
        f"effective synaptic ops per digit {best.effective_acs:.0f}; Loihi 2: {fit.cores} cores")
    say(f"\nreport: {out / 'report.md'} ({elapsed:.0f} s)")
    return {"accuracy": accs, "torch_accuracy": acc_torch, "mismatches": mismatches,
            "emulator_mismatches": emulator_mismatches, "readout_spikes": readout_spikes,
            "max_float_dv": rep.max_float_dv, "max_emulator_dv": rep.max_emulator_dv,
            "fixed_count_agreement": rep.min_fixed_count_agreement, "report": out / "report.md",
            "effective_acs": best.effective_acs, "cores": fit.cores,
            "fear": {arm: {t: {"mean": m, "ci95": list(ci)} for t, (m, ci) in row.items()} for arm, row in fear_table.items()},
            "fear_contrasts": {k: c.as_dict() for k, c in contrasts.items()},
            "engram_float_equals_reference": same_spikes,
            "memory_stage": memory_acc,
            "memory_float_equals_reference": memory_same}
