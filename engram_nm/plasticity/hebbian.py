"""Rate-based Hebbian, anti-Hebbian and SPaSS (Hebbian + synaptic scaling) rules.

Rates are read from spike traces whose impulse is ``1 / tau``, so that a trace
is a running estimate of its neuron's rate in Hz (a neuron firing at ``r`` Hz
holds ``x ~ r``; eq. (1) of :mod:`engram_nm.plasticity.base`). The continuous
rules are Euler-stepped with the run's ``dt`` (s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from engram_nm.plasticity.base import SynapticRule, Term, Trace, check_positive, register


@register
@dataclass(frozen=True)
class Hebbian(SynapticRule):
    """Hebbian rule ``dw_ij/dt = mu * u_j * v_i`` (anti-Hebbian: ``-mu * u_j * v_i``).

    ``u_j`` (pre) and ``v_i`` (post) are rates in Hz, read from traces with time
    constants ``tau_pre`` and ``tau_post`` (s). ``mu`` has units of
    weight / (s * Hz^2). Per step: ``dw = +-mu * dt * x1 * y1`` (dependency ``u``).
    """

    name: ClassVar[str] = "hebbian"
    mu: float = 1e-4
    tau_pre: float = 20e-3
    tau_post: float = 20e-3
    anti: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("Hebbian mu", self.mu)

    @property
    def sign(self) -> float:
        return -1.0 if self.anti else 1.0

    def rate_dw(self, w, u, v):
        """``dw/dt`` for rates ``u [n_pre]`` and ``v [n_post]`` (Hz)."""
        return self.sign * self.mu * np.outer(v, u)

    def traces(self) -> dict:
        return {"x1": Trace(self.tau_pre, 1.0 / self.tau_pre), "y1": Trace(self.tau_post, 1.0 / self.tau_post)}

    def dw(self, w, x0, y0, tr, dt):
        return self.sign * self.mu * dt * tr["x1"] * tr["y1"]

    def terms(self, dt):
        return [Term(self.sign * self.mu * dt, "u", ("x1", "y1"))]


def AntiHebbian(**kwargs) -> Hebbian:  # noqa: N802 - reads as a rule name
    """The sign-flipped Hebbian rule ``dw/dt = -mu * u * v``."""
    return Hebbian(anti=True, **kwargs)


@register
@dataclass(frozen=True)
class SPaSS(SynapticRule):
    """Hebbian plasticity with synaptic scaling:  ``dw/dt = mu * u * v + gamma * (v_T - v) * w**2``.

    ``u`` pre rate, ``v`` post rate (Hz, from traces as in :class:`Hebbian`),
    ``v_T`` the target post rate (Hz). The scaling term pulls the post rate to
    ``v_T`` and, being quadratic in ``w``, bounds the weight without clipping.
    For a linear neuron ``v = u * w`` and ``kappa = mu / gamma`` the non-zero
    fixed point is ``w* = v_T / (2u) + sqrt(v_T**2 / (4u**2) + kappa * u)``
    (:meth:`fixed_point`), and ``w = 0`` is unstable for ``u > 0``.

    Per step: ``dw = dt * (mu*x1*y1 + gamma*v_T*w*w - gamma*y1*w*w)``, all with
    dependency ``u``: three products the engine can hold, ``w**2`` included
    (the middle one reads no trace, so ``gamma * v_T * dt`` itself must be a
    representable engine scale for the engine to be exact).

    Source: Tetzlaff, Kolodziejski, Timme, Woergoetter, "Synaptic scaling in
    combination with many generic plasticity mechanisms stabilizes circuit
    connectivity", Front. Comput. Neurosci. 5:47 (2011), eq. (3).
    """

    name: ClassVar[str] = "spass"
    mu: float = 1e-4
    gamma: float = 1e-4
    v_target: float = 10.0
    tau_pre: float = 20e-3
    tau_post: float = 20e-3

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("SPaSS mu", self.mu)
        check_positive("SPaSS gamma", self.gamma)
        check_positive("SPaSS v_target", self.v_target, allow_zero=True)

    @property
    def kappa(self) -> float:
        return self.mu / self.gamma

    def rate_dw(self, w, u, v):
        """``dw/dt`` for rates ``u [n_pre]``, ``v [n_post]`` (Hz) and weights ``w [n_post, n_pre]``."""
        u, v = np.asarray(u, float), np.asarray(v, float)
        return self.mu * np.outer(v, u) + self.gamma * (self.v_target - v)[:, None] * w ** 2

    def fixed_point(self, u: float) -> float:
        """Analytic stable weight of a linear neuron ``v = u * w`` driven at rate ``u > 0``."""
        a = self.v_target / (2.0 * u)
        return a + np.sqrt(a * a + self.kappa * u)

    def traces(self) -> dict:
        return {"x1": Trace(self.tau_pre, 1.0 / self.tau_pre), "y1": Trace(self.tau_post, 1.0 / self.tau_post)}

    def dw(self, w, x0, y0, tr, dt):
        return dt * (self.mu * tr["x1"] * tr["y1"] + self.gamma * (self.v_target - tr["y1"]) * w * w)

    def terms(self, dt):
        return [
            Term(self.mu * dt, "u", ("x1", "y1")),
            Term(self.gamma * self.v_target * dt, "u", ("w", "w")),
            Term(-self.gamma * dt, "u", ("y1", "w", "w")),
        ]


@register
@dataclass(frozen=True)
class Outstar(SynapticRule):
    """Presynaptically gated Hebbian rule (Grossberg's outstar law):
    ``dw/dt = u * (mu * v - gamma * w)``.

    ``u`` pre rate, ``v`` post rate (Hz, from traces as in :class:`Hebbian`); ``mu`` in
    weight / (s Hz^2), ``gamma`` in 1 / (s Hz). While the pre cell fires, its weight relaxes to
    ``(mu / gamma) * v``: it learns the post activity that goes with it. A silent pre cell keeps
    its weights whatever the post does, so a cell learned for one association is not erased when
    its post learns another with other cells (unlike :class:`SPaSS`, whose decay follows the post).

    Per step: ``dw = dt * (mu * x1 * y1 - gamma * x1 * w)``, both with dependency ``u``.

    Source: S. Grossberg, "Classical and instrumental learning by neural networks", Progress in
    Theoretical Biology 3:51-141 (1974) (the outstar learning equation).
    """

    name: ClassVar[str] = "outstar"
    mu: float = 1e-4
    gamma: float = 1e-3
    tau_pre: float = 20e-3
    tau_post: float = 20e-3

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("Outstar mu", self.mu)
        check_positive("Outstar gamma", self.gamma)

    def rate_dw(self, w, u, v):
        """``dw/dt`` for rates ``u [n_pre]``, ``v [n_post]`` (Hz) and weights ``w [n_post, n_pre]``."""
        u, v = np.asarray(u, float), np.asarray(v, float)
        return u[None, :] * (self.mu * v[:, None] - self.gamma * w)

    def traces(self) -> dict:
        return {"x1": Trace(self.tau_pre, 1.0 / self.tau_pre), "y1": Trace(self.tau_post, 1.0 / self.tau_post)}

    def dw(self, w, x0, y0, tr, dt):
        return dt * tr["x1"] * (self.mu * tr["y1"] - self.gamma * w)

    def terms(self, dt):
        return [Term(self.mu * dt, "u", ("x1", "y1")), Term(-self.gamma * dt, "u", ("x1", "w"))]
