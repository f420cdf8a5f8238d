"""Operation counts from a run, with NeuroBench's metric names and definitions.

Counted from what a run recorded (its spikes) and the spec's weights, so every
backend is counted the same way and equal spikes give equal counts. Per sample:

* ``spikes`` per layer;
* ``Effective_ACs``: accumulates actually done — for every spike of a source
  neuron, one per non-zero synapse it drives (feed-forward and recurrent),
  summed over time; NeuroBench's ``SynapticOperations`` with binary inputs
  (``neurobench/metrics/workload/synaptic_operations.py``: effective ops =
  binary inputs x binary weights; bias excluded);
* ``Dense``: the same connections' operations if every input were active at
  every step (NeuroBench's ``Dense``: all-ones inputs and weights), i.e. what
  an equivalent dense ANN layer stepped in time would do; ``dense_macs_ann``
  counts one dense pass per sample (the static ANN of the same shape);
* ``graded_macs``: the same count for spikes of sigma-delta sources, which carry a payload
  (NeuroBench's ``Effective_MACs``: a non-binary input times a non-zero weight);
* ``neuron_updates``: state updates, one per neuron per step (the hardware
  updates every neuron every step); ``active_updates``: only neurons that receive at least
  one spike or payload that step, or carry a bias (what an event-driven neuron update would
  charge; each chip profile in :mod:`engram_nm.analysis.energy` says which it charges);
* ``learning_updates`` (with ``learn=True``, plastic projections only): synapse
  updates the learning engine performs — every synapse every step when a
  product of the rule depends on ``u``; otherwise the synapses of neurons that
  spiked that step (pre spike: its fan-out; post spike: its fan-in), the
  events that gate ``x0``/``y0`` products;
* ANN side (:func:`ann_macs`): per sample, ``dense`` MACs (every weight once) and
  ``effective`` MACs (NeuroBench's ``Effective_MACs``: a non-zero input times a non-zero weight,
  so zero pixels and zero ReLU outputs cost nothing), from a ReLU MLP's forward pass;
* ``activation_sparsity``: ``1 - spikes / (neurons x steps)`` over all layers
  (NeuroBench ``ActivationSparsity``);
* ``connection_sparsity``: zero weights / all weights (NeuroBench
  ``ConnectionSparsity``); ``footprint_bytes``: float32 parameters and state
  (NeuroBench ``Footprint`` counts parameters and buffers in bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import InputError
from engram_nm.spec import EngramSpec


@dataclass
class LayerCounts:
    name: str
    spikes: int
    effective_acs: int
    dense_ops: int
    neuron_updates: int
    learning_updates: int = 0
    graded_macs: int = 0
    active_updates: int = 0


@dataclass
class RunCounts:
    """Counts of one sample (``steps`` long) per layer, and the NeuroBench totals."""

    steps: int
    layers: list = field(default_factory=list)
    activation_sparsity: float = 0.0
    connection_sparsity: float = 0.0
    footprint_bytes: int = 0
    dense_macs_ann: int = 0

    @property
    def effective_acs(self) -> int:
        return sum(layer.effective_acs for layer in self.layers)

    @property
    def dense(self) -> int:
        return sum(layer.dense_ops for layer in self.layers)

    @property
    def spikes(self) -> int:
        return sum(layer.spikes for layer in self.layers)

    @property
    def neuron_updates(self) -> int:
        return sum(layer.neuron_updates for layer in self.layers)

    @property
    def graded_macs(self) -> int:
        return sum(layer.graded_macs for layer in self.layers)

    @property
    def synaptic_ops(self) -> int:
        """Every synaptic operation: effective ACs of spikes and MACs of graded spikes."""
        return self.effective_acs + self.graded_macs

    @property
    def active_updates(self) -> int:
        return sum(layer.active_updates for layer in self.layers)

    @property
    def learning_updates(self) -> int:
        return sum(layer.learning_updates for layer in self.layers)

    def as_neurobench(self) -> dict:
        """NeuroBench's names: ``Effective_ACs``, ``Effective_MACs`` (graded spikes' operations), ``Dense``,
        ``ActivationSparsity``, ``ConnectionSparsity``, ``Footprint``."""
        return {"Effective_ACs": self.effective_acs, "Effective_MACs": self.graded_macs, "Dense": self.dense,
                "ActivationSparsity": self.activation_sparsity, "ConnectionSparsity": self.connection_sparsity,
                "Footprint": self.footprint_bytes}

    def table(self) -> str:
        rows = ["| layer | spikes | effective ACs | dense ops | neuron updates |", "|---|---|---|---|---|"]
        rows += [f"| {c.name} | {c.spikes} | {c.effective_acs} | {c.dense_ops} | {c.neuron_updates} |"
                 for c in self.layers]
        rows.append(f"| total | {self.spikes} | {self.effective_acs} | {self.dense} | {self.neuron_updates} |")
        return "\n".join(rows)


def connection_sparsity(spec: EngramSpec) -> float:
    mats = [c.weight for c in spec.connections()]
    zeros = sum(int(np.sum(m == 0)) for m in mats)
    return zeros / sum(m.size for m in mats)


def footprint_bytes(spec: EngramSpec) -> int:
    """float32 bytes of weights, per-neuron parameters (tau, threshold, bias) and state (u, v), and
    the pending inputs a delayed projection holds (``delay - 1`` steps of its target's input)."""
    count = sum(c.weight.size + (c.delay - 1) * c.weight.shape[0] for c in spec.connections())
    for layer in spec.layers:
        count += 5 * layer.size  # tau_mem (or decay), threshold, bias, u, v
        count += 0 if layer.tau_syn is None else layer.size
    return 4 * count


def _learning_updates(rule, weight: np.ndarray, pre: np.ndarray, post: np.ndarray) -> int:
    nz = weight != 0
    if any(term.dependency == "u" for term in rule.terms(1e-3)):
        return int(nz.sum()) * pre.shape[0]
    fan_out, fan_in = nz.sum(axis=0), nz.sum(axis=1)
    both = (post.astype(np.int64) @ nz.astype(np.int64) * pre).sum()  # synapses with pre and post active
    return int((pre @ fan_out).sum() + (post @ fan_in).sum() - both)


def count_run(spec: EngramSpec, input_spikes: np.ndarray, spikes: dict, learn: bool = False) -> RunCounts:
    """Counts of one sample: ``input_spikes [T, n_in]`` and the run's ``spikes[layer] [T, size]``;
    ``learn`` adds the learning engine's synapse updates of plastic projections."""
    x = np.asarray(input_spikes) != 0
    steps = x.shape[0]
    if x.ndim != 2 or x.shape[1] != spec.n_in:
        raise InputError(f"input spikes must be [T, n_in={spec.n_in}], got {x.shape}")
    out = RunCounts(steps=steps, connection_sparsity=connection_sparsity(spec),
                    footprint_bytes=footprint_bytes(spec))
    total_spikes, total_slots = 0, 0
    recorded = {}
    for layer in spec.layers:
        # events per neuron and step: 0/1, or counts where a neuron may fire several (max_events);
        # payloads (sigma-delta) count once each
        s = None if layer.name not in spikes else np.asarray(spikes.get(layer.name))
        if s is not None and not layer.counts_events:
            s = s != 0
        if s is None or s.shape != (steps, layer.size):
            raise InputError(f"spikes[{layer.name!r}] must be [T={steps}, {layer.size}] from the same run")
        recorded[layer.name] = s
    rules = {m.name: m.rule for m in spec.compile().plastic if m.rule is not None}
    connections = spec.connections()
    graded = {layer.name for layer in spec.layers if layer.graded}
    for layer in spec.layers:
        s = recorded[layer.name]
        acs = macs = dense = learning = 0
        reached = np.zeros((steps, layer.size), dtype=bool)  # neurons some spike or payload reaches
        for c in (c for c in connections if c.target == layer.name):  # every matrix into the layer
            pre = x if c.source is None else recorded[c.source]
            ops = int((pre.sum(axis=0) * (c.weight != 0).sum(axis=0)).sum())  # fan-out per source neuron
            if c.source in graded:
                macs += ops
            else:
                acs += ops
            d = c.delay  # a spike of step t reaches the target at t + delay
            reached[d:] |= ((pre[:steps - d] != 0).astype(np.int64) @ (c.weight != 0).T.astype(np.int64)) > 0
            dense += steps * c.weight.size
            if learn and c.name in rules:
                learning += _learning_updates(rules[c.name], c.weight, pre.astype(int), s.astype(int))
        active = int((reached | (layer.bias != 0)).sum())
        out.layers.append(LayerCounts(layer.name, int(s.sum()), acs, dense, steps * layer.size, learning, macs, active))
        out.dense_macs_ann += 0 if layer.weight is None else layer.weight.size  # the chain an ANN would have
        total_spikes += int(np.count_nonzero(s))  # sparsity: active neuron-steps, whatever their count
        total_slots += s.size
    out.activation_sparsity = 1.0 - total_spikes / total_slots
    return out


@dataclass(frozen=True)
class AnnMacs:
    """MACs per sample of a ReLU MLP (module docstring): ``dense`` and ``effective``."""

    dense: float
    effective: float


def ann_macs(weights, biases, x) -> AnnMacs:
    """Per-sample MACs of the MLP ``h_{k+1} = relu(W_k h_k + b_k)`` (no ReLU after the last layer)
    on inputs ``x [n, features]``: for each layer, ``sum_j [h_j != 0] * nnz(W[:, j])`` averaged
    over samples (effective) and ``W.size`` (dense). Biases are not counted (NeuroBench neither)."""
    h = np.asarray(x, dtype=np.float64)
    if h.ndim != 2 or not weights or len(weights) != len(biases):
        raise InputError("ann_macs needs x [n, features] and one bias per weight matrix")
    dense = effective = 0.0
    for k, (w, b) in enumerate(zip(weights, biases)):
        w = np.asarray(w, dtype=np.float64)
        if w.shape[1] != h.shape[1]:
            raise InputError(f"layer {k}: weight {w.shape} does not take {h.shape[1]} inputs")
        dense += w.size
        effective += float(((h != 0).astype(np.float64) @ (w != 0).sum(axis=0)).mean())
        h = h @ w.T + np.asarray(b, dtype=np.float64)
        if k < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return AnnMacs(dense, effective)
