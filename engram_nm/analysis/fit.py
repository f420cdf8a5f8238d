"""Does a network fit a Loihi 2 chip? Neurons, synapses and synaptic memory per core, cores
needed, and what quantisation clips or rounds.

Mapping model (simple and stated): each layer gets its own cores; a core holds
at most ``neurons_per_core`` neurons and ``synaptic_memory_bytes`` of incoming
synapses for them (``bytes_per_synapse`` each, dense storage of the non-zero
weights); a layer's neurons are split evenly over the cores it needs. A neuron
whose fan-in alone exceeds a core's synaptic memory cannot be placed at all.

The per-core figures are the commonly quoted Loihi 2 numbers; they could not be
checked against Intel's documentation from this machine and carry status
``"unverified"`` — pass your own :class:`CoreLimits` for a checked budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.spec import EngramSpec


@dataclass(frozen=True)
class CoreLimits:
    name: str
    neurons_per_core: int
    synaptic_memory_bytes: int
    cores_per_chip: int
    bytes_per_synapse: float
    source: str
    status: str = "unverified"


LOIHI2 = CoreLimits(
    "loihi2", neurons_per_core=8192, synaptic_memory_bytes=192 * 1024, cores_per_chip=128, bytes_per_synapse=1.0,
    source="Intel Loihi 2 technology brief (2021) as commonly quoted: 128 neuro cores, up to 8192 neurons and "
           "192 KB synaptic memory per core; 8-bit weights (1 byte per synapse, dense, no index overhead)")


@dataclass
class LayerFit:
    name: str
    neurons: int
    synapses: int
    synaptic_bytes: float
    cores: int
    max_fan_in_bytes: float
    problems: list = field(default_factory=list)


@dataclass
class FitReport:
    limits: CoreLimits
    layers: list
    quantization: object
    vanished: dict = field(default_factory=dict)  # layer -> non-zero weights that round to 0 in fixed point

    @property
    def cores(self) -> int:
        return sum(layer.cores for layer in self.layers)

    @property
    def problems(self) -> list:
        out = [f"{layer.name}: {p}" for layer in self.layers for p in layer.problems]
        if self.cores > self.limits.cores_per_chip:
            out.append(f"needs {self.cores} cores, a chip has {self.limits.cores_per_chip}")
        q = self.quantization
        if q is not None:
            out += [f"{e.layer}.{e.quantity}: {e.clipped} of {e.count} values clip in fixed point"
                    for e in q.entries if e.clipped]
        return out

    @property
    def warnings(self) -> list:
        """Precision losses that do not stop a deployment (problems do)."""
        return [f"{name}: {n} non-zero weights round to 0 in 8-bit fixed point" for name, n in self.vanished.items()
                if n]

    @property
    def fits(self) -> bool:
        return not self.problems

    def table(self) -> str:
        rows = [f"Fit on {self.limits.name} ({self.limits.status}: {self.limits.source})", "",
                "| layer | neurons | synapses | synaptic memory (KB) | cores |", "|---|---|---|---|---|"]
        rows += [f"| {l.name} | {l.neurons} | {l.synapses} | {l.synaptic_bytes / 1024:.1f} | {l.cores} |"
                 for l in self.layers]
        rows.append(f"| total | {sum(l.neurons for l in self.layers)} | {sum(l.synapses for l in self.layers)} | "
                    f"{sum(l.synaptic_bytes for l in self.layers) / 1024:.1f} | {self.cores} |")
        rows += ["", "fits: " + ("yes" if self.fits else "NO")] + [f"* {p}" for p in self.problems]
        rows += [f"* warning: {w}" for w in self.warnings]
        if self.quantization is not None:
            rows += ["", "Quantisation (largest error relative to the largest |value|):", self.quantization.table()]
        return "\n".join(rows)


def fit_report(spec: EngramSpec, limits: CoreLimits = LOIHI2, quantize_weights: bool = True) -> FitReport:
    """Cores and memory per layer on ``limits``, plus the fixed-point quantisation report."""
    layers = []
    connections = spec.connections()
    for layer in spec.layers:
        mats = [c.weight for c in connections if c.target == layer.name]  # every matrix into the layer
        nnz_per_neuron = sum((m != 0).sum(axis=1) for m in mats)
        synapses = int(nnz_per_neuron.sum())
        mem = synapses * limits.bytes_per_synapse
        fan_in = float(nnz_per_neuron.max()) * limits.bytes_per_synapse
        problems = []
        if fan_in > limits.synaptic_memory_bytes:
            problems.append(f"a neuron's fan-in needs {fan_in / 1024:.1f} KB of synaptic memory, more than one "
                            f"core's {limits.synaptic_memory_bytes / 1024:.0f} KB")
        cores = max(int(np.ceil(layer.size / limits.neurons_per_core)),
                    int(np.ceil(mem / limits.synaptic_memory_bytes)), 1)
        layers.append(LayerFit(layer.name, layer.size, synapses, mem, cores, fan_in, problems))
    quant, vanished = None, {}
    if quantize_weights:
        from engram_nm.loihi.quantize import quantize

        q = quantize(spec)
        quant = q.report
        for layer, ql in zip(spec.layers, q.layers):
            pairs = [(c.weight, ql.matrix(c.name)) for c in connections if c.target == layer.name]
            vanished[layer.name] = int(sum(np.sum((w != 0) & (wq == 0)) for w, wq in pairs))
    return FitReport(limits, layers, quant, vanished)
