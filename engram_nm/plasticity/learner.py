"""One plastic projection stepped in time: the numpy reference's state machine.

Used by the spike-train reference (:func:`run_on_spike_trains`), the network
reference (:func:`engram_nm.reference.simulate` with ``learn=True``) and the
CPU-only Lava process ``PlasticDense``, so all three share one implementation
of the rule's timing (:mod:`engram_nm.plasticity.base`).

Transmission lag: Lava's Dense computes the activation it will send at step
``t + 1`` from the pre spikes of step ``t`` *before* learning at step ``t``,
so the weights that carry spikes into step ``t`` are those after learning at
step ``t - 2``. :attr:`SynapseLearner.transmit_weight` is that matrix.
"""

from __future__ import annotations

import numpy as np

from engram_nm.plasticity.base import PRE_TRACES, SynapticRule
from engram_nm.plasticity.structural import StructuralPlasticity


class SynapseLearner:
    """Weights ``[n_post, n_pre]`` of one projection under a synaptic and/or structural rule."""

    def __init__(self, weight: np.ndarray, dt: float, rule: SynapticRule | None = None,
                 structural: StructuralPlasticity | None = None):
        self.rule, self.structural, self.dt = rule, structural, dt
        self.weight = np.array(weight, dtype=np.float64)
        self.transmit_weight = self.weight.copy()
        n_post, n_pre = self.weight.shape
        spec = rule.traces() if rule is not None else {}
        self._trace_spec = spec
        self._decay = {name: tr.decay(dt) for name, tr in spec.items()}
        self.traces = {name: np.zeros((1, n_pre) if name in PRE_TRACES else (n_post, 1)) for name in spec}
        self.mask = self.weight != 0 if structural is not None else None
        self._rng = structural.rng() if structural is not None else None
        self.pruned = self.grown = 0

    def step(self, pre: np.ndarray, post: np.ndarray, t: int) -> None:
        """Learn from the 0/1 spikes ``pre [n_pre]`` and ``post [n_post]`` of step ``t`` (0-based)."""
        before = self.weight
        w = self.weight
        if self.rule is not None:
            x0, y0 = np.asarray(pre, np.float64)[None, :], np.asarray(post, np.float64)[:, None]
            for name, tr in self._trace_spec.items():
                s = x0 if name in PRE_TRACES else y0
                self.traces[name] = self.traces[name] * self._decay[name] + tr.impulse * s
            w = self.rule.apply_bounds(w + self.rule.dw(w, x0, y0, self.traces, self.dt))
        if self.structural is not None:
            if self.rule is not None:
                w = np.where(self.mask, w, 0.0)  # absent synapses do not learn
            if (t + 1) % int(self.structural.interval) == 0:
                state = self.structural.check(w, self.mask, self._rng)
                w, self.mask = state.weight, state.mask
                self.pruned += state.pruned
                self.grown += state.grown
        self.transmit_weight, self.weight = before, w
