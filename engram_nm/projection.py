"""ProjectionSpec: a named connection ``source -> target`` outside the spec's chain.

A spec's layers form a chain (each fed by the one before it, optionally
recurrent: the chain is the convenience constructor of the common case). A
projection adds any other connection — feedback, lateral, inhibitory onto
excitatory, or from the network input (``source="input"``) straight to any
population — with the timing of every Dense (one step of delay), or ``delay`` steps::

    a_in_target[t] += W @ s_source[t - delay]    W: [target size, source size], delay >= 1 (steps)

where ``s_input[t]`` is the input spike train ``x[t]`` (and no spike reaches before step ``delay``).
A delay above one step is an axonal delay on the chip: Lava's ``DelayDense`` with
``delays = delay - 1`` (its delay 0 is the Dense's own step), at most :data:`MAX_DELAY` steps
(Loihi 2 keeps 6 bits of synaptic delay: 0-63 extra steps, Lava 0.10's ``PyDelayDenseModelBitAcc``).

so an excitatory/inhibitory network is the chain ``input -> E -> I`` (E
recurrent) plus the projection ``I -> E`` (negative weights). The weights are
dimensionless like a layer's: one source spike adds ``W`` to the target's
synaptic current ``u``. A projection may carry one synaptic rule
(:mod:`engram_nm.plasticity`), learned like a layer's recurrent weights:
pre = the source's spikes, post = the target's spikes of the same step, and one structural rule
(``structural``: prune and grow under a connection mask). A delayed projection carries neither
(Lava's ``LearningDense`` has no delay line) and no graded payloads (``DelayDense`` carries
binary spikes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engram_nm.errors import PlasticityError, SpecError

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INPUT = "input"
"""The ``source`` of a projection from the network input (also the NIR input node's name)."""
MAX_DELAY = 64
"""Longest projection delay in steps: one Dense step plus Loihi 2's 6-bit synaptic delay (0-63)."""


def delay_node_name(name: str) -> str:
    """The NIR ``Delay`` node that holds a delayed projection's extra steps (its name is reserved)."""
    return f"{name}_delay"


@dataclass
class ProjectionSpec:
    """One extra projection ``source -> target`` (module docstring).

    Attributes:
        name: identifier; also its Lava process and NIR node name.
        source: name of the presynaptic layer, or ``"input"`` (:data:`INPUT`) for the network input.
        target: name of the postsynaptic layer.
        weight: ``[target size, source size]`` (negative entries inhibit).
        plasticity: a :class:`~engram_nm.plasticity.SynapticRule`, its dict (as in
            NIR metadata), or None for fixed weights.
        metadata: free-form, carried through NIR.
        delay: steps from a source spike to the target's input (1 = every Dense's step, up to
            :data:`MAX_DELAY`).
        structural: a :class:`~engram_nm.plasticity.StructuralPlasticity` (prune and grow under a
            connection mask), its dict, or None.
    """

    name: str
    source: str
    target: str
    weight: Any
    plasticity: Any = None
    metadata: dict = field(default_factory=dict)
    delay: int = 1
    structural: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise SpecError(f"projection name {self.name!r} is not an identifier (letters, digits, '_')")
        for end in ("source", "target"):
            if not isinstance(getattr(self, end), str):
                raise SpecError(f"projection {self.name!r}: {end} must be a layer name, got {getattr(self, end)!r}")
        try:
            w = np.array(self.weight, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise SpecError(f"projection {self.name!r}: weight must be a numeric matrix") from exc
        if w.ndim != 2 or 0 in w.shape:
            raise SpecError(f"projection {self.name!r}: weight must be a non-empty 2-D matrix "
                            f"[target size, source size], got shape {w.shape}")
        if not np.all(np.isfinite(w)):
            raise SpecError(f"projection {self.name!r}: weight contains NaN or inf")
        self.weight = w
        if not isinstance(self.metadata, dict):
            raise SpecError(f"projection {self.name!r}: metadata must be a dict")
        self._check_plasticity()
        self._check_delay()

    def _check_delay(self) -> None:
        d = self.delay
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 1 <= d <= MAX_DELAY:
            raise SpecError(f"projection {self.name!r}: delay must be a whole number of steps from 1 to {MAX_DELAY}"
                            f" (Loihi 2's synaptic delay), got {d!r}")
        self.delay = int(d)
        if self.delay > 1 and (self.plasticity is not None or self.structural is not None):
            raise SpecError(f"projection {self.name!r}: a delayed projection (delay={self.delay}) cannot learn: "
                            "Lava's LearningDense has no delay line; use delay=1 or fixed weights")

    def _check_plasticity(self) -> None:
        from engram_nm.plasticity.base import SynapticRule, rule_from_dict
        from engram_nm.plasticity.structural import StructuralPlasticity

        if isinstance(self.structural, dict):
            try:
                self.structural = rule_from_dict(dict(self.structural))
            except PlasticityError as exc:
                raise SpecError(f"projection {self.name!r}: {exc}") from exc
        if self.structural is not None and not isinstance(self.structural, StructuralPlasticity):
            raise SpecError(f"projection {self.name!r}: structural must be a StructuralPlasticity (or its dict), "
                            f"got {type(self.structural).__name__}")
        if self.plasticity is None:
            return
        if isinstance(self.plasticity, dict):
            try:
                self.plasticity = rule_from_dict(dict(self.plasticity))
            except PlasticityError as exc:
                raise SpecError(f"projection {self.name!r}: {exc}") from exc
        if not isinstance(self.plasticity, SynapticRule):
            raise SpecError(f"projection {self.name!r}: plasticity must be a SynapticRule (or its dict), "
                            f"got {type(self.plasticity).__name__}")

    @property
    def from_input(self) -> bool:
        """True when the projection carries the network input (``source == "input"``)."""
        return self.source == INPUT

    def check_against(self, sizes: dict, n_in: int) -> None:
        """Check that source and target exist in ``sizes`` (layer -> size; the source may also be
        ``"input"``, of ``n_in`` channels) and that the weight fits them."""
        sources = {**sizes, INPUT: n_in}
        for end, known in (("source", sources), ("target", sizes)):
            if getattr(self, end) not in known:
                raise SpecError(f"projection {self.name!r}: {end} {getattr(self, end)!r} is not a layer"
                                f"{' or the input' if end == 'source' else ''}; layers are {sorted(sizes)}")
        shape = (sizes[self.target], sources[self.source])
        if self.weight.shape != shape:
            raise SpecError(f"projection {self.name!r}: weight has shape {self.weight.shape}, expected {shape} "
                            f"(rows = {self.target!r} neurons, columns = {self.source!r} neurons)")

    def equals(self, other: "ProjectionSpec") -> bool:
        return (self.name == other.name and self.source == other.source and self.target == other.target
                and self.plasticity == other.plasticity and self.structural == other.structural
                and self.delay == other.delay and np.array_equal(self.weight, other.weight))

    def to_dict(self) -> dict:
        """Everything but the weight and the delay (which NIR stores as a Linear and a Delay node)."""
        out = {"source": self.source, "target": self.target, "metadata": dict(self.metadata)}
        if self.plasticity is not None:
            out["plasticity"] = self.plasticity.to_dict()
        if self.structural is not None:
            out["structural"] = self.structural.to_dict()
        return out  # the delay is in the graph (a NIR Delay node)
