"""Intrinsic plasticity: each neuron's threshold adapts until it fires at a target rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from engram_nm.plasticity.base import check_positive, register


def threshold_step(theta, spikes, eta, target_per_step, theta_min):
    """``max(theta_min, theta + eta * (s - target_per_step))`` for numpy arrays and torch tensors
    (``spikes`` as numbers; ``target_per_step = target_rate * dt``, spikes per step): the one float
    form of :class:`IntrinsicPlasticity`, also the GeneralLIF ``floating_pt`` model's (the integer
    form is :func:`engram_nm.loihi.arithmetic.intrinsic_step`)."""
    return (theta + eta * (spikes - target_per_step)).clip(min=theta_min)


@register
@dataclass(frozen=True)
class IntrinsicPlasticity:
    """Homeostatic threshold adaptation, applied after the spike decision of each step::

        theta[t] = max(theta_min, theta[t-1] + eta * (s[t] - target_rate * dt))

    ``theta`` in membrane units, ``eta`` in membrane units per spike,
    ``target_rate`` in Hz, ``dt`` in s. A neuron above the target rate raises its
    threshold, one below lowers it, so the mean rate settles at ``target_rate``
    (as in Triesch 2005 / Desai et al. 1999, reduced to a threshold). The
    engine's learning rules change synapses only, so on Lava this runs in the
    CPU-only GeneralLIF process.
    """

    name: ClassVar[str] = "intrinsic"
    eta: float = 0.01
    target_rate: float = 10.0
    theta_min: float = 1e-3

    def __post_init__(self) -> None:
        check_positive("intrinsic eta", self.eta)
        check_positive("intrinsic target_rate", self.target_rate, allow_zero=True)
        check_positive("intrinsic theta_min", self.theta_min)

    def step(self, theta, spikes, dt: float):
        """The update for numpy arrays and torch tensors alike (``spikes`` as 0/1 or bool)."""
        s = spikes.to(theta.dtype) if hasattr(spikes, "detach") else np.asarray(spikes, float)
        return threshold_step(theta, s, self.eta, self.target_rate * dt, self.theta_min)

    def to_dict(self) -> dict:
        return {"rule": self.name, "eta": self.eta, "target_rate": self.target_rate, "theta_min": self.theta_min}
