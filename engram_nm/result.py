"""The result of a run, one type for every target and backend (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

import numpy as np

from engram_nm.spec import EngramSpec


class LearningSite(Enum):
    """Where a plastic projection learns on a Lava target: on the learning engine (what Loihi 2
    has) or in the CPU-only ``PlasticDense`` process (the numpy rule inside Lava)."""

    ENGINE = "engine"
    CPU_ONLY = "cpu_only"

    @property
    def label(self) -> str:
        return {"engine": "learning engine", "cpu_only": "CPU-only PlasticDense"}[self.value]


class Records(NamedTuple):
    """What a run recorded, per population: ``spikes`` (bool, or a sigma-delta population's
    payloads), ``v`` and ``u`` (float units; empty unless recorded)."""

    spikes: dict
    v: dict
    u: dict


class Learned(NamedTuple):
    """What a run learned, in spec units: ``weights`` by matrix name (``[n_post, n_pre]``, a leading
    axis per sample or network), ``thresholds`` by population."""

    weights: dict
    thresholds: dict


class MemoryOutput(NamedTuple):
    """What the SDM stage gave: ``reads`` (``[(B,) steps, data_bits]``), the final ``counters`` and
    the count of ``saturated`` counter updates, where the backend keeps them (else None)."""

    reads: np.ndarray | None
    counters: np.ndarray | None
    saturated: np.ndarray | None


class RunReport(NamedTuple):
    """How the run went: target, steps, wall time, whether the network deploys (and why not),
    Lava processes, the quantisation table and where each plastic projection learned."""

    target: str
    steps: int
    wall_s: float
    deployable: bool
    not_deployable_because: dict
    process_count: int
    quantization: object
    learning: dict


@dataclass
class RunResult:
    """What a run produced, on every target and backend: per-layer ``[steps, size]`` spikes (bool;
    a sigma-delta population's payloads, and event counts where a neuron may fire several a step:
    ``max_events`` > 1, and every population on the Xylo targets) and, if recorded, voltages ``v`` and currents ``u`` (float units); ``[B, steps, size]`` for a
    batch, ``[K, ...]`` for several networks. After learning: ``learned_weights`` (plastic matrix ->
    ``[n_post, n_pre]``) and ``learned_thresholds`` (layer -> ``[size]``), in spec units; with a
    memory stage driven by an op stream: ``memory_reads`` (and, where the backend keeps them, the
    final ``memory_counters`` or the count of saturated counter updates ``memory_saturated``).
    """

    target: str
    steps: int
    spikes: dict
    v: dict = field(default_factory=dict)
    wall_s: float = 0.0
    deployable: bool = True
    not_deployable_because: dict = field(default_factory=dict)
    process_count: int = 0
    quantization: object = None
    learned_weights: dict = field(default_factory=dict)     # plastic matrix -> [n_post, n_pre]
    learned_thresholds: dict = field(default_factory=dict)  # layer -> [size]
    learning: dict = field(default_factory=dict)            # projection -> how it ran (Lava targets)
    memory_reads: np.ndarray | None = None                  # [(B,) steps, data_bits] from the SDM stage
    u: dict = field(default_factory=dict)
    memory_counters: np.ndarray | None = None               # the reference's final SDM counters
    memory_saturated: np.ndarray | None = None              # fixed-emu: saturating counter updates per sample

    # The four parts of a result, apart (the fields above stay as the flat form every backend fills).
    @property
    def records(self) -> Records:
        return Records(self.spikes, self.v, self.u)

    @property
    def learned(self) -> Learned:
        return Learned(self.learned_weights, self.learned_thresholds)

    @property
    def memory(self) -> MemoryOutput:
        return MemoryOutput(self.memory_reads, self.memory_counters, self.memory_saturated)

    @property
    def report(self) -> RunReport:
        return RunReport(self.target, self.steps, self.wall_s, self.deployable, self.not_deployable_because,
                         self.process_count, self.quantization, self.learning)

    def learned_spec(self, spec: EngramSpec) -> EngramSpec:
        """A copy of ``spec`` with the learned weights and thresholds in place (plasticity kept).
        A batch (or several networks) learned one set of weights per sample: pick one first."""
        from engram_nm.errors import InputError
        from engram_nm.plasticity.apply import with_learned

        for c in spec.connections():
            w = self.learned_weights.get(c.name)
            if w is not None and np.ndim(w) > np.ndim(c.weight):
                raise InputError(f"learned weights {c.name!r} have shape {np.shape(w)}: one set per sample of a "
                                 "batch (or per network); fold one sample's weights, e.g. run it alone")

        return with_learned(spec, self.learned_weights, self.learned_thresholds)

    def learning_table(self) -> str:
        """Markdown: per plastic projection, where it ran and how faithfully."""
        rows = ["| projection | runs on | exact | why not on the engine |", "|---|---|---|---|"]
        for name, info in self.learning.items():
            rows.append(f"| {name} | {info.where.label} | {'yes' if info.exact else 'no'} | {info.reason} |")
        return "\n".join(rows)

    def spike_counts(self) -> dict:
        return {k: int(np.sum(v)) for k, v in self.spikes.items()}

    def counts(self, spec: EngramSpec, input_spikes: np.ndarray):
        """Operation counts of this run (NeuroBench definitions; :mod:`engram_nm.analysis.counting`),
        learning-engine updates included when the run learned."""
        from engram_nm.analysis.counting import count_run

        return count_run(spec, input_spikes, self.spikes, learn=bool(self.learned_weights))

    def save(self, path, names: dict | None = None) -> None:
        """Write spikes (and voltages as ``v_<name>``) to an ``.npz`` atomically.

        ``names`` maps layer names to the keys to use (e.g. the NIR node names).
        """
        from engram_nm.io_utils import atomic_savez

        names = names or {}
        arrays = {names.get(k, k): v for k, v in self.spikes.items()}
        arrays.update({f"v_{names.get(k, k)}": v for k, v in self.v.items()})
        atomic_savez(path, **arrays)
