"""Confidence intervals of a mean over seeds: Student's t and the percentile bootstrap.

Experiments here report a mean over independent seeds with a 95 % interval:

* :func:`t_ci95`: half-width ``t_{0.975, n-1} * s / sqrt(n)`` (``s``: the sample standard
  deviation, ``ddof = 1``), exact for normally distributed seed means;
* :func:`bootstrap_ci95`: the 2.5th and 97.5th percentiles of the means of ``n_resamples``
  resamples drawn with replacement (Efron & Tibshirani 1993, ch. 13), for bounded or skewed
  scores (recall fractions near 0 or 1) where the t interval would leave [0, 1].
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError


def _values(values) -> np.ndarray:
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise InputError(f"need at least one finite value, got {values!r}")
    return v


def t_ci95(values) -> float:
    """Half-width of the 95 % confidence interval of the mean (Student's t, ``n - 1`` degrees of
    freedom); ``nan`` for one value (no spread to estimate)."""
    from scipy.stats import t

    v = _values(values)
    n = v.size
    return float(t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def bootstrap_ci95(values, n_resamples: int = 10_000, seed: int = 0) -> tuple:
    """``(low, high)``: percentile bootstrap 95 % interval of the mean (seeded, reproducible)."""
    if int(n_resamples) < 100:
        raise InputError(f"n_resamples must be >= 100, got {n_resamples}")
    v = _values(values)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(int(n_resamples), v.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)
