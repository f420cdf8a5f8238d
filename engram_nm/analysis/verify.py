"""Cross-backend agreement: run one spec on several targets and compare spikes per layer (and,
with ``record_v``, membrane potentials: what a membrane readout is scored on)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.analysis.agreement import count_agreement, event_agreement, exact_mismatches
from engram_nm.hardware.targets import RunResult, run
from engram_nm.spec import EngramSpec


@dataclass
class LayerAgreement:
    layer: str
    counts: dict               # target -> spikes
    float_vs_torch_mismatches: int | None   # None when one of the two targets was not run
    fixed_count_agreement: float | None
    fixed_event_agreement: float | None     # exact step
    fixed_event_agreement_2: float | None   # within +-2 steps
    emulator_vs_fixed_mismatches: int | None = None  # fixed-emu vs cpu-fixed (None when not both run)
    float_vs_torch_max_dv: float | None = None       # max |v_cpu-float - v_snntorch| (record_v only)
    emulator_vs_fixed_max_dv: float | None = None    # max |v_fixed-emu - v_cpu-fixed| (record_v only)


@dataclass
class VerifyReport:
    results: dict   # target -> RunResult
    layers: list

    @property
    def float_identical(self) -> bool:
        return all(la.float_vs_torch_mismatches == 0 for la in self.layers)  # None (not compared) is not 0

    @property
    def emulator_identical(self) -> bool | None:
        """fixed-emu == cpu-fixed spike for spike in every layer (None when not both run)."""
        vals = [la.emulator_vs_fixed_mismatches for la in self.layers]
        return None if any(v is None for v in vals) else all(v == 0 for v in vals)

    @property
    def max_float_dv(self) -> float | None:
        """The largest snntorch vs cpu-float voltage difference over every layer (None: not recorded)."""
        vals = [la.float_vs_torch_max_dv for la in self.layers if la.float_vs_torch_max_dv is not None]
        return max(vals) if vals else None

    @property
    def max_emulator_dv(self) -> float | None:
        """The largest fixed-emu vs cpu-fixed voltage difference over every layer (None: not recorded)."""
        vals = [la.emulator_vs_fixed_max_dv for la in self.layers if la.emulator_vs_fixed_max_dv is not None]
        return max(vals) if vals else None

    @property
    def min_fixed_count_agreement(self) -> float | None:
        vals = [la.fixed_count_agreement for la in self.layers if la.fixed_count_agreement is not None]
        return min(vals) if vals else None

    def table(self) -> str:
        targets = list(self.results)
        head = "| layer | " + " | ".join(f"spikes {t}" for t in targets) + \
            " | snntorch vs cpu-float mismatches | fixed-emu vs cpu-fixed mismatches | fixed/float count agr. |" \
            " event agr. (exact / ±2 steps) |"
        rows = [head, "|" + "---|" * (len(targets) + 5)]
        for la in self.layers:
            cells = [str(la.counts[t]) for t in targets]
            fx = "n/a" if la.fixed_count_agreement is None else f"{la.fixed_count_agreement:.3f}"
            ev = ("n/a" if la.fixed_event_agreement is None
                  else f"{la.fixed_event_agreement:.3f} / {la.fixed_event_agreement_2:.3f}")
            mism = "n/a" if la.float_vs_torch_mismatches is None else la.float_vs_torch_mismatches
            emu = "n/a" if la.emulator_vs_fixed_mismatches is None else la.emulator_vs_fixed_mismatches
            rows.append(f"| {la.layer} | " + " | ".join(cells) + f" | {mism} | {emu} | {fx} | {ev} |")
        return "\n".join(rows)


def _samples(raster: np.ndarray) -> np.ndarray:
    """A record as ``[B, T, n]`` (one sample: ``B = 1``)."""
    return raster if raster.ndim == 3 else raster[None]


def _count_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Per-neuron counts summed over every sample of the batch."""
    return count_agreement(a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1]))


def _event_agreement(a: np.ndarray, b: np.ndarray, tolerance: int) -> float:
    """Events matched within each sample (never across two), pooled: ``2 matched / total``."""
    total = int(a.sum() + b.sum())
    if total == 0:
        return 1.0
    matched = sum(event_agreement(x, y, tolerance) * int(x.sum() + y.sum()) / 2 for x, y in zip(a, b))
    return 2.0 * matched / total


def _max_dv(results: dict, a: str, b: str, layer: str) -> float | None:
    if a not in results or b not in results or layer not in results[a].v or layer not in results[b].v:
        return None
    return float(np.max(np.abs(results[a].v[layer] - results[b].v[layer]), initial=0.0))


def verify(spec: EngramSpec, spikes: np.ndarray,
           targets=("snntorch", "cpu-float", "cpu-fixed", "fixed-emu"), record_v: bool = False) -> VerifyReport:
    """Run ``spec`` on each target and compare (see :mod:`engram_nm.analysis.agreement` for the metrics).

    ``spikes``: one sample ``[T, n_in]`` or a batch ``[B, T, n_in]`` (one Lava graph per target
    for the whole batch); counts and agreements then pool the samples. ``record_v`` also compares
    membrane potentials (float units): snntorch vs cpu-float and fixed-emu vs cpu-fixed, the
    largest absolute difference per layer.
    """
    results: dict[str, RunResult] = {t: run(spec, spikes, t, record_v=record_v) for t in targets}
    layers = []
    for layer in spec.layer_names:
        counts = {t: int(r.spikes[layer].sum()) for t, r in results.items()}
        mism = None
        if "snntorch" in results and "cpu-float" in results:
            mism = exact_mismatches(results["snntorch"].spikes[layer], results["cpu-float"].spikes[layer])
        ca = ea = ea2 = None
        if "cpu-fixed" in results and "cpu-float" in results:
            a, b = _samples(results["cpu-float"].spikes[layer]), _samples(results["cpu-fixed"].spikes[layer])
            ca, ea, ea2 = _count_agreement(a, b), _event_agreement(a, b, 0), _event_agreement(a, b, 2)
        emu = None
        if "fixed-emu" in results and "cpu-fixed" in results:
            emu = exact_mismatches(results["fixed-emu"].spikes[layer], results["cpu-fixed"].spikes[layer])
        layers.append(LayerAgreement(layer, counts, mism, ca, ea, ea2, emu,
                                     _max_dv(results, "cpu-float", "snntorch", layer),
                                     _max_dv(results, "cpu-fixed", "fixed-emu", layer)))
    return VerifyReport(results, layers)
