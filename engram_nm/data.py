"""Offline data sets as spike trains (no downloads: scikit-learn's bundled digits)."""

from __future__ import annotations

import numpy as np


def rate_encode(x: np.ndarray, steps: int, max_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli rate code: ``x [n, features]`` in [0, 1] -> spikes ``[steps, n, features]`` (float32).

    Each step a feature spikes with probability ``x * max_rate`` (per step, dimensionless).
    """
    p = np.clip(x, 0.0, 1.0) * max_rate
    return (rng.random((steps,) + x.shape) < p).astype(np.float32)


def regular_encode(x: np.ndarray, steps: int, max_rate: float) -> np.ndarray:
    """Deterministic (regular) rate code: ``x [..., features]`` in [0, 1] -> spikes
    ``[..., steps, features]`` (float32), the integrate-and-fire encoder of a constant rate.

    A feature of rate ``p = x * max_rate`` (spikes per step) has emitted ``round(t * p)`` spikes
    after ``t`` steps: ``s[t] = round((t + 1) * p) - round(t * p)`` (rounding half up). The count
    over ``T`` steps is ``round(T * p)`` with no sampling noise, unlike :func:`rate_encode`.
    """
    p = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0) * max_rate
    counts = np.floor(np.arange(steps + 1)[:, None] * p[..., None, :] + 0.5)  # [..., steps + 1, features]
    return np.diff(counts, axis=-2).astype(np.float32)


def load_digits_spikes(steps: int = 25, max_rate: float = 0.5, test_fraction: float = 0.25, seed: int = 0):
    """scikit-learn's 8x8 digits (1797 images, bundled) as rate-coded spikes.

    Returns ``(x_train [T, n, 64], y_train, x_test [T, m, 64], y_test)``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return (rate_encode(x[train], steps, max_rate, rng), y[train],
            rate_encode(x[test], steps, max_rate, rng), y[test])


def load_digits_images(test_fraction: float = 0.25, seed: int = 0):
    """The digits as images in [0, 1]: ``(x_train [n, 64], y_train, x_test [m, 64], y_test)``,
    split with the same permutation as :func:`load_digits_spikes`."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
