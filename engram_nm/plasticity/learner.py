"""One plastic projection stepped in time: the numpy reference's state machine.

Used by the spike-train reference (:func:`run_on_spike_trains`), the network
reference (:func:`engram_nm.backends.reference.simulate` with ``learn=True``) and the
CPU-only Lava process ``PlasticDense``, so all three share one implementation
of the rule's timing (:mod:`engram_nm.plasticity.base`).

Transmission lag: Lava's Dense computes the activation it will send at step
``t + 1`` from the pre spikes of step ``t`` *before* learning at step ``t``,
so the weights that carry spikes into step ``t`` are those after learning at
step ``t - 2``. :attr:`SynapseLearner.transmit_weight` is that matrix.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engram_nm.plasticity.base import PRE_TRACES, SynapticRule
from engram_nm.plasticity.structural import StructuralPlasticity
from engram_nm.spec import connections_of


class SynapseLearner:
    """Weights ``[n_post, n_pre]`` of one projection under a synaptic and/or structural rule.

    Works on numpy arrays (the reference, PlasticDense) and on torch tensors
    (training-time plasticity), chosen by the type of ``weight``; the rule's
    ``dw`` is plain arithmetic, so both run the same update. Structural checks
    run in numpy on the same seeded generator either way. torch is never
    imported here (this runs inside Lava workers).
    """

    def __init__(self, weight, dt: float, rule: SynapticRule | None = None,
                 structural: StructuralPlasticity | None = None):
        self.rule, self.structural, self.dt = rule, structural, dt
        self._torch = hasattr(weight, "detach")
        self.weight = weight.detach().clone() if self._torch else np.array(weight, dtype=np.float64)
        self.transmit_weight = self.weight
        n_post, n_pre = self.weight.shape
        spec = rule.traces() if rule is not None else {}
        self._trace_spec = spec
        self._decay = {name: tr.decay(dt) for name, tr in spec.items()}
        self.traces = {name: self._zeros((1, n_pre) if name in PRE_TRACES else (n_post, 1)) for name in spec}
        self.mask = self._numpy(self.weight) != 0 if structural is not None else None
        self._rng = structural.rng() if structural is not None else None
        self.pruned = self.grown = 0

    # -- the few places numpy and torch differ --------------------------------------------------
    def _zeros(self, shape):
        w = self.weight
        return w.new_zeros(shape) if self._torch else np.zeros(shape)

    def _numpy(self, a) -> np.ndarray:
        return a.detach().cpu().numpy() if self._torch else a

    def _like_weight(self, a):
        w = self.weight
        return w.new_tensor(np.asarray(a, dtype=np.float64)) if self._torch else np.asarray(a, dtype=np.float64)

    def _column(self, spikes, as_row: bool):
        if self._torch:
            s = spikes.to(self.weight.dtype)
            return s.reshape(1, -1) if as_row else s.reshape(-1, 1)
        s = np.asarray(spikes, np.float64)
        return s[None, :] if as_row else s[:, None]

    # -- the update -----------------------------------------------------------------------------
    def step(self, pre, post, t: int) -> None:
        """Learn from the 0/1 spikes ``pre [n_pre]`` and ``post [n_post]`` of step ``t`` (0-based)."""
        before = w = self.weight
        if self.rule is not None:
            x0, y0 = self._column(pre, as_row=True), self._column(post, as_row=False)
            for name, tr in self._trace_spec.items():
                s = x0 if name in PRE_TRACES else y0
                self.traces[name] = self.traces[name] * self._decay[name] + tr.impulse * s
            w = self.rule.apply_bounds(w + self.rule.dw(w, x0, y0, self.traces, self.dt))
        if self.structural is not None:
            if self.rule is not None:
                w = w * self._like_weight(self.mask)  # absent synapses do not learn
            if (t + 1) % int(self.structural.interval) == 0:
                state = self.structural.check(self._numpy(w), self.mask, self._rng)
                w, self.mask = self._like_weight(state.weight), state.mask
                self.pruned += state.pruned
                self.grown += state.grown
        self.transmit_weight, self.weight = before, w


class PlasticWeights(NamedTuple):
    """A learning weight matrix and the populations at its ends (indices into the layers;
    ``pre = None``: the network input)."""

    learner: SynapseLearner
    pre: int | None
    post: int


class PlasticMatrix(NamedTuple):
    """A plastic weight matrix of a network: its name, the populations at its ends (``pre = None``:
    the network input), its weights and its rules."""

    name: str
    pre: int | None
    post: int
    weight: object
    rule: SynapticRule | None
    structural: StructuralPlasticity | None


def plastic_matrices(layers, projections=()) -> list:
    """Every plastic matrix of the network's connections (:func:`engram_nm.spec.connections_of`),
    in one order for every backend (the learning engines' seeds follow it: matrix ``j`` of a run
    seeded ``s`` gets ``s + j``): the layers' own matrices in layer order, then the plastic extra
    projections in the spec's order. ``layers``: spec layers, or the torch backend's (anything with
    ``name``, ``plasticity``, ``weight`` and ``recurrent_weight``); ``projections``: anything with
    ``name``, ``source``, ``target``, ``weight``, ``plasticity``."""
    index = {layer.name: i for i, layer in enumerate(layers)}
    position = {p.name: k for k, p in enumerate(projections)}
    connections = connections_of(layers, list(projections))
    own = [c for c in connections if c.kind != "projection"]
    extra = sorted((c for c in connections if c.kind == "projection"), key=lambda c: position[c.name])
    return [PlasticMatrix(c.name, None if c.source is None else index[c.source], index[c.target], c.weight,
                          c.rule, c.structural)
            for c in own + extra if c.rule is not None or c.structural is not None]


def make_learners(plastic: list, dt: float) -> dict:
    """``{weight name: PlasticWeights}`` for every ``plastic`` matrix (a compiled network's
    :attr:`~engram_nm.compiled.CompiledNetwork.plastic`, in seed order)."""
    return {m.name: PlasticWeights(SynapseLearner(m.weight, dt, m.rule, m.structural), m.pre, m.post)
            for m in plastic}


def step_learners(learners: dict, x_t, spikes: list, t: int) -> None:
    """Learn at step ``t`` from input ``x_t`` and every layer's ``spikes`` of that step."""
    for slot in learners.values():
        slot.learner.step(x_t if slot.pre is None else spikes[slot.pre], spikes[slot.post], t)
