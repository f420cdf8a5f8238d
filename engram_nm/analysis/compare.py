"""Compare backends on the same network and inputs: operations counted from each run, energy
estimated per chip profile (:mod:`engram_nm.analysis.energy`), accuracy where labels are given.

Per backend the counts are those of its own run (a fixed-point run may spike differently);
per profile the estimate says which costs are unverified or unknown instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import InputError


@dataclass
class ComparisonRow:
    target: str
    spikes: float
    effective_acs: float
    dense_ops: float
    neuron_updates: float
    accuracy: float | None
    energy_pj: dict = field(default_factory=dict)   # profile -> pJ per inference (None: unknown)


@dataclass
class ComparisonReport:
    rows: list
    ann_macs: int
    ann_energy_pj: dict
    profiles: dict
    samples: int
    ann_effective_macs: float | None = None   # a trained ANN's MACs with zero inputs skipped (NeuroBench)
    ann_effective_energy_pj: dict = field(default_factory=dict)

    def table(self) -> str:
        names = list(self.profiles)
        head = ["| backend | spikes | effective ACs | dense ops | accuracy | " + " | ".join(
            f"energy {n} (nJ)" for n in names) + " |", "|" + "---|" * (5 + len(names))]
        fmt = lambda pj: "unknown" if pj is None else f"{pj / 1e3:.3g}"  # noqa: E731
        for r in self.rows:
            acc = "" if r.accuracy is None else f"{r.accuracy:.3f}"
            head.append(f"| {r.target} | {r.spikes:.0f} | {r.effective_acs:.0f} | {r.dense_ops:.0f} | {acc} | "
                        + " | ".join(fmt(r.energy_pj.get(n)) for n in names) + " |")
        head.append(f"| dense ANN of the same shape | | {self.ann_macs} MACs | | | "
                    + " | ".join(fmt(self.ann_energy_pj.get(n)) for n in names) + " |")
        if self.ann_effective_macs is not None:
            head.append(f"| the same ANN, effective MACs (zero inputs skipped) | | {self.ann_effective_macs:.0f} MACs "
                        "| | | " + " | ".join(fmt(self.ann_effective_energy_pj.get(n)) for n in names) + " |")
        notes = [f"* {p.name}: " + "; ".join(p.sources()) + (f" ({p.note})" if p.note else "")
                 for p in self.profiles.values()]
        return "\n".join(head + ["", f"Per inference, mean over {self.samples} samples. Sources:"] + notes)

    def plot(self, path):
        from engram_nm.analysis.plots import _pyplot, save_figure

        plt = _pyplot()
        names = [n for n in self.profiles if any(r.energy_pj.get(n) is not None for r in self.rows)]
        fig, ax = plt.subplots(figsize=(2 + 1.6 * len(self.rows), 3.8), layout="constrained")
        width = 0.8 / max(len(names), 1)
        for i, n in enumerate(names):
            vals = [r.energy_pj.get(n) or 0.0 for r in self.rows] + [self.ann_energy_pj.get(n) or 0.0]
            ax.bar(np.arange(len(vals)) + i * width, np.array(vals) / 1e3, width, label=n)
        ax.set_xticks(np.arange(len(self.rows) + 1) + width * (len(names) - 1) / 2,
                      [r.target for r in self.rows] + ["dense ANN"])
        ax.set(yscale="log", ylabel="estimated energy per inference (nJ)",
               title="operations counted from each run x per-operation energy")
        ax.legend(fontsize=8)
        return save_figure(fig, path)


def compare(spec, samples, targets=("snntorch", "cpu-float", "cpu-fixed"), profiles=None, labels=None,
            readout: str | None = None, ann_effective_macs: float | None = None) -> ComparisonReport:
    """Run every sample ``[T, n_in]`` on every target; count, estimate energy, score accuracy.

    ``labels`` (one per sample) are scored against the readout layer's spike-count argmax.
    ``ann_effective_macs``: a trained ANN's effective MACs per inference
    (:func:`~engram_nm.analysis.counting.ann_macs`), shown beside its dense MACs.
    """
    from engram_nm.analysis.counting import count_run
    from engram_nm.analysis.energy import PROFILES, estimate
    from engram_nm.hardware.targets import run, run_many

    samples = [np.asarray(s) for s in (samples if isinstance(samples, (list, tuple)) else [samples])]
    if labels is not None and len(labels) != len(samples):
        raise InputError(f"{len(labels)} labels for {len(samples)} samples")
    profiles = profiles or {k: v for k, v in PROFILES.items()}
    readout = readout or spec.layer_names[-1]
    rows, ann_macs = [], None
    for target in targets:
        sums, correct, energies = np.zeros(4), 0, {n: [] for n in profiles}
        try:  # one Lava graph for all samples, state reset between them
            all_spikes = [r.spikes for r in run_many(spec, samples, target)]
        except InputError:  # state that cannot be reset between samples: one run each
            all_spikes = [run(spec, x, target).spikes for x in samples]
        for i, x in enumerate(samples):
            spikes = all_spikes[i]
            c = count_run(spec, x, spikes)
            ann_macs = c.dense_macs_ann
            sums += [c.spikes, c.effective_acs, c.dense, c.neuron_updates]
            for n, p in profiles.items():
                energies[n].append(estimate(c, p).picojoules)
            if labels is not None:
                correct += int(np.argmax(spikes[readout].sum(axis=0)) == labels[i])
        mean = sums / len(samples)
        energy = {n: (None if any(e is None for e in v) else float(np.mean(v))) for n, v in energies.items()}
        rows.append(ComparisonRow(target, *mean, None if labels is None else correct / len(samples), energy))
    def ann_energy(macs):
        return {n: estimate(None, p, ann_macs=macs).picojoules if not p.event_driven else None
                for n, p in profiles.items()}

    effective = {} if ann_effective_macs is None else ann_energy(ann_effective_macs)
    return ComparisonReport(rows, int(ann_macs), ann_energy(ann_macs), profiles, len(samples),
                            None if ann_effective_macs is None else float(ann_effective_macs), effective)
