"""Two-stage synapses: labile early changes, stabilised by tag and capture (synaptic consolidation).

Every weight change a plasticity rule makes enters a synapse's **early** (labile) component; the
weight is ``w = late + early``. The early component decays back to zero, like early LTP without
protein synthesis (E-LTP returns to baseline within 2-3 h: Frey & Morris, Nature 385:533, 1997,
Fig. 2). A synapse whose early change is large is **tagged** (``|early| > tag_threshold``); a
neuron whose tagged synapses together changed a lot (``sum |early| over tagged synapses >
trigger_threshold``) **synthesises plasticity-related proteins**, and its tagged synapses then
**capture** them: their early change moves into the stable **late** component. This is the
tag-trigger-consolidation model of Clopath, Ziegler, Vasilaki, Büsing & Gerstner, PLoS Comput.
Biol. 4:e1000248 (2008), after Frey & Morris' synaptic tagging and capture, reduced to two
linear variables per synapse. A protein-synthesis inhibitor (anisomycin, as in Ryan et al.,
Science 348:1007, 2015) blocks the synthesis: no capture, and the early changes fade.

Per synapse, with the gate ``g = tag * trigger(post)`` held over a phase (0 or 1), in hours::

    d early / dt = - early / tau_early - g * early / tau_capture
    d late  / dt = + g * early / tau_capture

whose exact solution over a phase of ``T`` hours (``k = 1 / tau_early + g / tau_capture``)::

    early(T) = early(0) * exp(-k T)
    late(T)  = late(0) + early(0) * (g / tau_capture) / k * (1 - exp(-k T))

:meth:`TwoStageSynapses.after_phase` first adds the phase's learned change (the rule's, measured
as ``w_after - w_before`` on the run's target), then evaluates tags and triggers, then applies
the solution: the plasticity rule runs on the target step by step inside a phase, the slow
variables between phases (operator splitting at phase granularity, exact for the linear part).
Not on chip: the slow variables live in the experiment, in float64 (Loihi 2's learning engine
has a per-synapse tag variable that could hold ``early``; not used here).

The default constants: ``tau_early = 2 h`` (within Frey & Morris' 2-3 h); ``tau_capture = 0.1 h``,
``tag_threshold`` and ``trigger_threshold`` (weight units) are model choices made on the tuning
seeds (engram_nm/experiments/engram/conditioning_suite.py, ``TUNING_SEEDS``): a tagged synapse of a
triggered neuron keeps ``tau_early / (tau_early + tau_capture)`` = 95 % of its early change. With
``tau_capture`` = 0.25 h (89 %) or 1 h (67 %) the conditioned memory was lost in 24 h even with
protein synthesis (half-cue freezing 0.10 and 0.00 on the tuning seeds, fixed-emu): the read-out's
threshold makes recall fall steeply with the E->O weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError


@dataclass(frozen=True)
class TwoStageSynapses:
    """The parameters of the two-stage synapse (module docstring); times in hours, thresholds in
    weight units (dimensionless, as the weights)."""

    tau_early_h: float = 2.0
    tau_capture_h: float = 0.1
    tag_threshold: float = 0.005
    trigger_threshold: float = 0.05

    def __post_init__(self) -> None:
        for name in ("tau_early_h", "tau_capture_h"):
            if not getattr(self, name) > 0:
                raise InputError(f"TwoStageSynapses.{name} must be > 0, got {getattr(self, name)}")
        for name in ("tag_threshold", "trigger_threshold"):
            if not getattr(self, name) >= 0:
                raise InputError(f"TwoStageSynapses.{name} must be >= 0, got {getattr(self, name)}")

    def gates(self, early: np.ndarray) -> np.ndarray:
        """``g`` (bool, the shape of ``early`` ``[post, pre]``): tagged synapses of triggered posts."""
        tagged = np.abs(early) > self.tag_threshold
        triggered = np.sum(np.abs(early) * tagged, axis=1) > self.trigger_threshold
        return tagged & triggered[:, None]

    def evolve(self, late: np.ndarray, early: np.ndarray, hours: float, protein_synthesis: bool = True):
        """``(late, early)`` after ``hours`` with the gates of ``early`` held (module docstring's
        exact solution); ``protein_synthesis=False``: no capture (``g = 0``), early decays only."""
        if hours < 0:
            raise InputError(f"a phase lasts >= 0 hours, got {hours}")
        g = self.gates(early) if protein_synthesis else np.zeros(early.shape, dtype=bool)
        rate = 1.0 / self.tau_early_h + g / self.tau_capture_h
        kept = np.exp(-rate * hours)
        captured = early * (g / self.tau_capture_h) / rate * (1.0 - kept)
        return late + captured, early * kept


class SynapseState:
    """The late and early components of the plastic matrices of one network (by projection name).

    :meth:`after_phase` folds one phase into them; :meth:`weights` is what the network transmits
    with (``late + early``). Weights edited outside learning (a lesion, synapse loss, scaling) are
    taken over by :meth:`follow`: both components are scaled by ``w_new / w_old`` (a lost synapse
    loses both)."""

    def __init__(self, model: TwoStageSynapses, weights: dict):
        self.model = model
        self.late = {k: np.array(w, dtype=float) for k, w in weights.items()}
        self.early = {k: np.zeros_like(self.late[k]) for k in weights}

    def weights(self) -> dict:
        return {k: self.late[k] + self.early[k] for k in self.late}

    def follow(self, weights: dict) -> None:
        """Take over edits made to the weights outside learning (class docstring)."""
        for k, w in weights.items():
            w = np.asarray(w, dtype=float)
            total = self.late[k] + self.early[k]
            if w.shape != total.shape:
                raise InputError(f"two-stage synapses of {k!r} have shape {total.shape}, the network's {w.shape}: "
                                 "an edit that changes a population's size (Ablation) cannot be followed; use Lesion")
            if np.array_equal(w, total):
                continue
            ratio = np.divide(w, total, out=np.zeros_like(w), where=total != 0)
            self.late[k], self.early[k] = self.late[k] * ratio, self.early[k] * ratio
            fresh = (total == 0) & (w != 0)  # a synapse created by an edit counts as stable
            self.late[k][fresh] = w[fresh]

    def after_phase(self, before: dict, after: dict, hours: float, protein_synthesis: bool = True) -> dict:
        """Fold one phase in: its learned change ``after - before`` enters ``early``, then the phase's
        ``hours`` pass (:meth:`TwoStageSynapses.evolve`). Returns the weights to continue with."""
        self.follow(before)
        for k in self.late:
            self.early[k] = self.early[k] + (np.asarray(after[k], dtype=float) - np.asarray(before[k], dtype=float))
            self.late[k], self.early[k] = self.model.evolve(self.late[k], self.early[k], hours, protein_synthesis)
        return self.weights()

    def copy(self) -> "SynapseState":
        twin = SynapseState(self.model, {})
        twin.late = {k: v.copy() for k, v in self.late.items()}
        twin.early = {k: v.copy() for k, v in self.early.items()}
        return twin
