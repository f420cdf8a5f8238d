"""Conversions between continuous-time parameters and per-step decays.

One module, one concept: the discrete update every backend runs is the stock
Lava LIF / CUBA-LIF step with an explicit step ``dt`` (seconds)::

    u[t] = u[t-1] * (1 - du) + a_in[t]          du = dt / tau_syn   (1 for LIF)
    v[t] = v[t-1] * (1 - dv) + u[t] + bias      dv = dt / tau_mem

snnTorch writes the same decays as ``alpha = 1 - du`` and ``beta = 1 - dv``.
Every conversion below is tested in both directions (tests/test_units.py).
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SpecError


def decay_from_tau(tau: np.ndarray | float, dt: float) -> np.ndarray:
    """Per-step decay ``d = dt / tau`` (dimensionless) from ``tau`` (s).

    ``tau = inf`` (no leak, an IF neuron) gives ``d = 0``. ``tau < dt`` would
    give a decay above 1 (the state would flip sign every step) and is refused.
    """
    tau = np.asarray(tau, dtype=np.float64)
    if np.any(~(tau > 0)):
        raise SpecError(f"time constants must be > 0 s (got min {np.min(tau)!r}); pass tau in seconds")
    if np.any(tau < dt):
        raise SpecError(
            f"a time constant ({np.min(tau)!r} s) is shorter than dt ({dt!r} s): the Euler step "
            "would be unstable. Use a smaller dt or a longer tau."
        )
    return dt / tau


def tau_from_decay(decay: np.ndarray | float, dt: float) -> np.ndarray:
    """Inverse of :func:`decay_from_tau`: ``tau = dt / d`` (s); ``d = 0`` gives inf."""
    decay = np.asarray(decay, dtype=np.float64)
    if np.any((decay < 0) | (decay > 1)):
        raise SpecError(f"decays must lie in [0, 1] (got {decay!r})")
    with np.errstate(divide="ignore"):
        return np.where(decay == 0, np.inf, dt / np.where(decay == 0, 1.0, decay))


def beta_from_tau(tau: np.ndarray | float, dt: float) -> np.ndarray:
    """snnTorch's membrane factor ``beta = 1 - dt / tau_mem``."""
    return 1.0 - decay_from_tau(tau, dt)


def tau_from_beta(beta: np.ndarray | float, dt: float) -> np.ndarray:
    """``tau = dt / (1 - beta)`` (s), as snnTorch's NIR exporter writes it."""
    return tau_from_decay(1.0 - np.asarray(beta, dtype=np.float64), dt)


def snap_to_one(x: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """Scale factors that are 1 up to float rounding (``(tau/dt)*dt/tau``) become exactly 1.

    NIR stores ``r`` and ``w_in`` so that ``r*dt/tau == 1`` for snnTorch and
    engram_nm exports; snapping keeps a round trip bit-exact.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.where(np.isclose(x, 1.0, rtol=rtol, atol=0.0), 1.0, x)
