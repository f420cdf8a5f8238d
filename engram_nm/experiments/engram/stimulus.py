"""Sensory stimuli of the engram experiments: memories as sets of input channels, Poisson spike trains.

A memory is a random set of ``per_memory`` of the ``n_channels`` sensory
channels. Presenting it (or a cue: a fraction of its channels) makes those
channels fire Poisson spike trains at ``rate_hz`` while every channel keeps a
background rate; per step a channel spikes with probability ``rate * dt``.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError


def memory_channels(n_memories: int, n_channels: int, per_memory: int, seed: int = 0) -> list:
    """``n_memories`` sorted channel sets (int arrays), drawn without overlap while channels last."""
    if per_memory < 1 or per_memory > n_channels:
        raise InputError(f"per_memory must be in 1..n_channels={n_channels}, got {per_memory}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_channels)
    out = []
    for m in range(n_memories):
        start = (m * per_memory) % n_channels
        chosen = order[start:start + per_memory]
        if chosen.size < per_memory:  # reuse channels once all are taken
            chosen = rng.choice(n_channels, per_memory, replace=False)
        out.append(np.sort(chosen))
    return out


def cue_channels(channels: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """The first ``round(fraction * len)`` channels of a memory in a seeded random order (the partial cue)."""
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"cue fraction must be in [0, 1], got {fraction}")
    rng = np.random.default_rng(seed)
    k = int(round(fraction * len(channels)))
    return np.sort(rng.permutation(np.asarray(channels))[:k])


def poisson_input(steps: int, n_channels: int, active=(), rate_hz=80.0, background_hz: float = 2.0,
                  dt: float = 1e-3, seed: int = 0) -> np.ndarray:
    """Bool spikes ``[steps, n_channels]``: ``active`` channels at ``rate_hz`` (one rate, or one per
    active channel), all others at ``background_hz``."""
    if steps < 0:
        raise InputError(f"steps must be >= 0, got {steps}")
    for name, rate in (("rate_hz", rate_hz), ("background_hz", background_hz)):
        p = np.asarray(rate, dtype=float) * dt
        if not np.all((p >= 0.0) & (p <= 1.0)):
            raise InputError(f"{name} = {rate} Hz gives a spike probability per step outside [0, 1]")
    p = np.full(n_channels, background_hz * dt)
    p[np.asarray(active, dtype=int)] = rate_hz * dt
    return np.random.default_rng(seed).random((steps, n_channels)) < p
