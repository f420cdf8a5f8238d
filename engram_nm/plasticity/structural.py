"""Structural plasticity: prune weak synapses, grow new ones, keep a connection mask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from engram_nm.errors import PlasticityError
from engram_nm.plasticity.base import check_positive, register


class StructuralState(NamedTuple):
    weight: np.ndarray   # [n_post, n_pre]; 0 where the mask is off
    mask: np.ndarray     # [n_post, n_pre] bool: the synapse exists
    pruned: int          # synapses removed at this check
    grown: int           # synapses created at this check


@register
@dataclass(frozen=True)
class StructuralPlasticity:
    """Every ``interval`` steps: prune, then grow.

    * prune: an existing synapse with ``|w| < prune_below`` is removed (mask off, w = 0);
    * grow: each absent synapse appears with probability ``grow_probability``
      and starts at ``w_init`` (draws: one ``rng.random((n_post, n_pre))`` per
      check from ``numpy.random.default_rng(seed)``, so every backend that uses
      the same generator makes the same choices).

    A synapse pruned at a check cannot regrow at that same check.
    """

    name: ClassVar[str] = "structural"
    prune_below: float = 0.01
    grow_probability: float = 0.001
    w_init: float = 0.05
    interval: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        check_positive("structural prune_below", self.prune_below, allow_zero=True)
        if not 0.0 <= self.grow_probability <= 1.0:
            raise PlasticityError(f"grow_probability must be in [0, 1], got {self.grow_probability}")
        if not np.isfinite(self.w_init):
            raise PlasticityError(f"w_init must be finite, got {self.w_init}")
        if int(self.interval) != self.interval or self.interval < 1:
            raise PlasticityError(f"interval must be a whole number of steps >= 1, got {self.interval}")

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def check(self, weight: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> StructuralState:
        """One prune-and-grow check (call it every ``interval`` steps)."""
        weight, mask = np.array(weight, dtype=float), np.array(mask, dtype=bool)
        prune = mask & (np.abs(weight) < self.prune_below)
        mask &= ~prune
        draws = rng.random(mask.shape)
        grow = ~mask & ~prune & (draws < self.grow_probability)
        mask |= grow
        weight = np.where(grow, self.w_init, np.where(mask, weight, 0.0))
        return StructuralState(weight, mask, int(prune.sum()), int(grow.sum()))

    def to_dict(self) -> dict:
        return {"rule": self.name, "prune_below": self.prune_below, "grow_probability": self.grow_probability,
                "w_init": self.w_init, "interval": int(self.interval), "seed": int(self.seed)}
