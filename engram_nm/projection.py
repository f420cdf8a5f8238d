"""ProjectionSpec: a named connection ``source -> target`` outside the spec's chain.

A spec's layers form a chain (each fed by the one before it, optionally
recurrent: the chain is the convenience constructor of the common case). A
projection adds any other connection — feedback, lateral, inhibitory onto
excitatory, or from the network input (``source="input"``) straight to any
population — with the same timing as every Dense (one step of delay)::

    a_in_target[t] += W @ s_source[t-1]          W: [target size, source size]

where ``s_input[t]`` is the input spike train ``x[t]``.

so an excitatory/inhibitory network is the chain ``input -> E -> I`` (E
recurrent) plus the projection ``I -> E`` (negative weights). The weights are
dimensionless like a layer's: one source spike adds ``W`` to the target's
synaptic current ``u``. A projection may carry one synaptic rule
(:mod:`engram_nm.plasticity`), learned like a layer's recurrent weights:
pre = the source's spikes, post = the target's spikes of the same step.
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
    """

    name: str
    source: str
    target: str
    weight: Any
    plasticity: Any = None
    metadata: dict = field(default_factory=dict)

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

    def _check_plasticity(self) -> None:
        from engram_nm.plasticity.base import SynapticRule, rule_from_dict

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
                and self.plasticity == other.plasticity and np.array_equal(self.weight, other.weight))

    def to_dict(self) -> dict:
        """Everything but the weight (which NIR stores as a Linear node)."""
        out = {"source": self.source, "target": self.target, "metadata": dict(self.metadata)}
        if self.plasticity is not None:
            out["plasticity"] = self.plasticity.to_dict()
        return out
