"""Spike-train agreement metrics used to compare backends.

* ``exact_mismatches``: number of (step, neuron) entries that differ.
* ``event_agreement``: fraction of spike events matched one-to-one between two
  rasters, per neuron, where a match may be shifted by up to ``tolerance``
  steps; ``2 * matched / (n_a + n_b)`` (a Dice coefficient on events; 1.0 for
  identical rasters, 1.0 for two empty ones).
* ``count_agreement``: ``1 - sum|c_a - c_b| / max(sum c_a, sum c_b)`` on per-neuron
  spike counts (timing ignored).
"""

from __future__ import annotations

import numpy as np


def exact_mismatches(a: np.ndarray, b: np.ndarray) -> int:
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape:
        raise ValueError(f"rasters differ in shape: {a.shape} vs {b.shape}")
    return int(np.sum(a != b))


def _match_times(ta: np.ndarray, tb: np.ndarray, tolerance: int) -> int:
    """Greedy one-to-one matching of two sorted spike-time lists within ``tolerance``."""
    i = j = matched = 0
    while i < len(ta) and j < len(tb):
        d = ta[i] - tb[j]
        if abs(d) <= tolerance:
            matched += 1
            i += 1
            j += 1
        elif d < 0:
            i += 1
        else:
            j += 1
    return matched


def event_agreement(a: np.ndarray, b: np.ndarray, tolerance: int = 0) -> float:
    """Dice coefficient of spike events, matched per neuron within ``tolerance`` steps."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape:
        raise ValueError(f"rasters differ in shape: {a.shape} vs {b.shape}")
    total = int(a.sum() + b.sum())
    if total == 0:
        return 1.0
    if tolerance == 0:
        return 2.0 * float(np.sum(a & b)) / total
    matched = 0
    for n in range(a.shape[1]):
        matched += _match_times(np.flatnonzero(a[:, n]), np.flatnonzero(b[:, n]), tolerance)
    return 2.0 * matched / total


def count_agreement(a: np.ndarray, b: np.ndarray) -> float:
    ca, cb = np.asarray(a, bool).sum(axis=0), np.asarray(b, bool).sum(axis=0)
    denom = max(int(ca.sum()), int(cb.sum()))
    if denom == 0:
        return 1.0
    return 1.0 - float(np.abs(ca - cb).sum()) / denom
