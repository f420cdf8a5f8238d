"""The flagship demo: the accuracy-operations frontier's spiking classifier trained in snnTorch and deployed on Lava,
and digits stored as engrams with on-chip learning, recalled from occluded views.

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
4. store four digits as engrams of the E/I engram network on Lava cpu-float and on
   fixed-emu (Loihi fixed point, learning engine emulated; Lava cpu-fixed is run on the first
   digit's phases and must give the same spikes), with STDP and inhibitory STDP on the learning
   engine (a sparse
   Top-K code of each image drives the network; SDM counters at the engram
   cells hold the image: :mod:`engram_nm.experiments.engram.digits`);
5. recall them from occluded views (0-4 of 8 rows hidden): engram recall,
   identification and the image read out, per backend; cpu-float is checked
   against the numpy reference spike for spike;
6. write ``out/demo/`` (report.md, plots, model files) and print a summary.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np

DEMO_DIGITS = (0, 2, 5, 8)
OCCLUDED_ROWS = (0, 1, 2, 3, 4)


def _train_classifier(out: Path, setting, seed: int, say):
    """The flagship classifier: the frontier's best point within 1 point of the ANN
    (:data:`~engram_nm.experiments.frontier.FLAGSHIP`), trained by the frontier's own code, its
    readout threshold made finite for fixed point, exported to NIR and read back."""
    from engram_nm.experiments.frontier import deployable, digits, train_point
    from engram_nm.nir_io import export_nir, import_nir

    x_tr, y_tr, x_te, y_te = digits(setting.input_code, seed)
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


def _digit_engrams(target: str, images: dict, seed: int, encode_steps: int, consolidate_steps: int,
                   recall_steps: int):
    """Store ``images`` as engrams on ``target`` and recall every one at every occlusion."""
    from engram_nm.experiments.engram.digits import DigitEngramStore, occlude
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    store = DigitEngramStore(EngramExperiment(target=target, seed=seed))
    w_before = store.ex.spec.layers[0].recurrent_weight.copy()
    store.store(images, encode_steps=encode_steps)
    store.ex.consolidate(consolidate_steps, replay=list(images))
    requests = [(name, occlude(img, rows)) for rows in OCCLUDED_ROWS for name, img in images.items()]
    # one Lava graph for every recall, in this order
    done = iter(store.recall_many(requests, steps=recall_steps))
    recalls = {rows: [next(done) for _ in images] for rows in OCCLUDED_ROWS}
    return store, w_before, recalls


def _fixed_point_engrams_equal_lava(store, images: dict, seed: int, encode_steps: int) -> bool:
    """Whether Lava cpu-fixed gives fixed-emu's spikes in the first digit's encode and rest phases
    (the rest phase runs on the weights learned while encoding)."""
    from engram_nm.experiments.engram.digits import DigitEngramStore
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    first = next(iter(images))
    lava = DigitEngramStore(EngramExperiment(target="cpu-fixed", seed=seed))
    lava.fit(images)
    lava.store({first: images[first]}, encode_steps=encode_steps)
    return all(np.array_equal(a.spikes[n], b.spikes[n]) for a, b in zip(lava.ex.records, store.ex.records)
               for n in ("E", "I"))


def run_demo(out_dir="out/demo", seed: int = 0, quiet: bool = False, epochs: int | None = None, n_eval: int = 20,
             encode_steps: int = 300, consolidate_steps: int = 1000, recall_steps: int = 200,
             store_per_class: int = 10, n_memory_test: int = 30) -> dict:
    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock

    from engram_nm.analysis.compare import compare
    from engram_nm.experiments.engram.digits import occlude
    from engram_nm.experiments.engram.plots import plot_digit_recall
    from engram_nm.analysis.fit import fit_report
    from engram_nm.hardware.targets import run as run_target
    from engram_nm.io_utils import atomic_write_text
    from engram_nm.nir_io import export_nir
    from engram_nm.analysis.plots import plot_raster, plot_recall_curves, plot_weight_change

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

    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = (digits.data / 16.0 > 0.5).astype(np.int8)
    images = {f"digit {c}": pixels[int(np.flatnonzero(digits.target == c)[0])] for c in DEMO_DIGITS}
    say(f"5/6 store {len(images)} digits as engrams with on-chip STDP + iSTDP, recall from occluded views")
    engram_runs = {}
    for target in ("reference", "cpu-float", "fixed-emu"):
        say({"reference": "    numpy reference (to check Lava cpu-float against) ...",
             "fixed-emu": "    fixed-emu (Loihi fixed point with the learning engine, no Lava) ..."}.get(
            target, f"    {target} ..."))
        engram_runs[target] = _digit_engrams(target, images, seed, encode_steps, consolidate_steps,
                                              recall_steps)
    ref_store, float_store = engram_runs["reference"][0], engram_runs["cpu-float"][0]
    same_spikes = all(np.array_equal(a.spikes["E"], b.spikes["E"]) and np.array_equal(a.spikes["I"], b.spikes["I"])
                      for a, b in zip(ref_store.ex.records, float_store.ex.records))
    say("    Lava cpu-fixed on the first digit (to check fixed-emu against) ...")
    fixed_equals_lava = _fixed_point_engrams_equal_lava(engram_runs["fixed-emu"][0], images, seed, encode_steps)
    summary = {}
    for target in ("cpu-float", "fixed-emu"):
        recalls = engram_runs[target][2]
        summary[target] = {rows: (float(np.mean([r.identified == r.memory for r in rs])),
                                  float(np.mean([r.recall for r in rs])),
                                  float(np.mean([r.pixels_right for r in rs])),
                                  float(np.mean([r.cue_overlap for r in rs]))) for rows, rs in recalls.items()}
    fractions = [r / 8 for r in OCCLUDED_ROWS]
    curves = {"cue overlap (cells the occluded view drives)": (fractions, [summary["cpu-float"][r][3]
                                                                           for r in OCCLUDED_ROWS])}
    curves.update({f"engram recall, {t}": (fractions, [summary[t][r][1] for r in OCCLUDED_ROWS]) for t in summary})
    plot_recall_curves(curves,
                       out / "recall_vs_occlusion.png", xlabel="fraction of the image occluded (rows)",
                       ylabel="fraction of the engram", title="digits recalled from occluded views")
    store, w_before, recalls = engram_runs["cpu-float"]
    order = np.concatenate([store.ex.memories[n].cells for n in images]
                           + [np.setdiff1d(np.arange(store.ex.original_size),
                                           np.concatenate([store.ex.memories[n].cells for n in images]))])
    w_after = store.ex.spec.layers[0].recurrent_weight
    plot_weight_change(w_before[np.ix_(order, order)], w_after[np.ix_(order, order)], out / "weights.png",
                       title="E->E weights before / after on-chip learning (cells grouped by engram)")
    rows = 3
    plot_digit_recall([(n, images[n], occlude(images[n], rows), r.image)
                       for n, r in zip(images, recalls[rows])], out / "digits.png",
                      title=f"cpu-float: {rows} of 8 rows occluded")
    recall_record = next(r for r in reversed(store.ex.records) if r.kind == "recall")
    plot_raster({k: recall_record.spikes[k] for k in ("E", "I")}, out / "engram_raster.png",
                title="Lava cpu-float: E/I engram network recalling from an occluded digit", dt=store.ex.spec.dt)

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
        "## 2. Digits stored as engrams with on-chip learning, recalled from occluded views",
        "",
        f"E/I engram network (200 E, 50 I; STDP on E->E, iSTDP on I->E on the learning engine); "
        f"digits {', '.join(str(d) for d in DEMO_DIGITS)} stored ({encode_steps} steps each), "
        f"{consolidate_steps} steps of consolidation with replay, each view recalled for {recall_steps} "
        f"steps. Lava cpu-float spikes equal the numpy reference in every phase: **{same_spikes}**. "
        "Fixed point runs on fixed-emu (the learning engine emulated bit for bit); Lava cpu-fixed gives "
        f"its spikes in the first digit's encode and rest phases: **{fixed_equals_lava}**.",
        "",
        "| rows occluded | backend | identified | engram recall | cue overlap | pixels right |",
        "|---|---|---|---|---|---|",
        *[f"| {rows} | {t} | {v[0]:.2f} | {v[1]:.2f} | {v[3]:.2f} | {v[2]:.3f} |"
          for rows in OCCLUDED_ROWS for t, s in summary.items() for v in [s[rows]]],
        "",
        "![digits](digits.png) ![recall](recall_vs_occlusion.png)",
        "",
        "![weights](weights.png)",
        "",
        "![engram raster](engram_raster.png)",
        "",
        f"Elapsed: {elapsed:.1f} s. Model files: `{model_path.name}` (classifier), `model_with_memory.nir` "
        "(classifier + SDM stage), `engram.nir` (engram network after learning).",
    ]
    export_nir(store.ex.spec, out / "engram.nir")
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
    for rows in (0, 2, 3):
        say(f"| engram recall, {rows}/8 rows occluded (fixed point: fixed-emu) | — | "
            f"{summary['cpu-float'][rows][1]:.2f} | {summary['fixed-emu'][rows][1]:.2f} |")
        say(f"| digits identified, {rows}/8 rows occluded (fixed point: fixed-emu) | — | "
            f"{summary['cpu-float'][rows][0]:.2f} | {summary['fixed-emu'][rows][0]:.2f} |")
    say(f"spike mismatches snnTorch vs cpu-float: {mismatches}; engram cpu-float == reference: {same_spikes}; "
        f"engram fixed-emu == cpu-fixed (first digit): {fixed_equals_lava}; "
        f"effective synaptic ops per digit {best.effective_acs:.0f}; Loihi 2: {fit.cores} cores")
    say(f"\nreport: {out / 'report.md'} ({elapsed:.0f} s)")
    return {"accuracy": accs, "torch_accuracy": acc_torch, "mismatches": mismatches,
            "emulator_mismatches": emulator_mismatches, "readout_spikes": readout_spikes,
            "max_float_dv": rep.max_float_dv, "max_emulator_dv": rep.max_emulator_dv,
            "fixed_count_agreement": rep.min_fixed_count_agreement, "report": out / "report.md",
            "effective_acs": best.effective_acs, "cores": fit.cores, "engram": summary,
            "engram_float_equals_reference": same_spikes, "engram_fixed_emu_equals_lava": fixed_equals_lava,
            "memory_stage": memory_acc,
            "memory_float_equals_reference": memory_same}
