"""Deploying one task of an engram-gated network: the gates folded into the weights.

A deterministic engram gate multiplies its population's summed synaptic input by a 0/1 mask per
task, ``a = m_task * sum_c W_c s_c`` (docs/architecture.md; ``engram_nm.backends.engine``). For a
network that will only ever run one task, that is the same as zeroing the rows of every matrix
into the population where ``m_task = 0``: ``(m * W) s = m * (W s)``. The folded network needs no
gate, runs the same spikes on every backend, and its gated-off synapses are zeros, so they cost
no operation on an event-driven chip and :func:`~engram_nm.analysis.counting.count_run` does not
count them (a gated network is charged for every non-zero synapse, gated or not).

Stochastic gates (``mode != "deterministic"``) draw a new mask over time and cannot be folded.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError


def fold_gates(spec, task: int):
    """A copy of ``spec`` for ``task`` alone: every gate folded into the rows of the matrices
    into its population (module docstring), gates removed."""
    out = spec.copy()
    for layer in out.layers:
        gate = layer.gate
        if gate is None:
            continue
        if gate.mode != "deterministic":
            raise InputError(f"layer {layer.name!r}: a {gate.mode} gate draws masks over time and cannot be "
                             "folded into the weights; only deterministic gates can")
        keep = gate.masks([task])[0].astype(np.float64)[:, None]  # the gate's own rule for its mask
        for c in out.connections():  # every matrix whose rows are this population's inputs
            if c.target == layer.name:
                out.set_weight(c.name, c.weight * keep)
        layer.gate = None
    out.validate()
    return out
