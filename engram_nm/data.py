"""The one digit loader (no downloads: scikit-learn's bundled 8x8 digits).

:func:`load_digits` splits the 1,797 images once per seed (a permutation; the first quarter is
the test split) and returns them as images in [0, 1], or encoded as spikes by an input code
(:class:`~engram_nm.encoding.InputCode`: rate, regular, latency, delta). Every experiment that
uses the digits (frontier, continual learning, the event data) takes its split from here.
"""

from __future__ import annotations

import numpy as np


def pool_digits(x: np.ndarray, factor: int) -> np.ndarray:
    """8x8 images ``[n, 64]`` averaged over ``factor`` x ``factor`` blocks: ``[n, (8 / factor)**2]``
    (``factor`` 2: 4x4 = 16 channels, the input width of a Xylo chip)."""
    from engram_nm.errors import InputError

    if factor not in (1, 2, 4, 8):
        raise InputError(f"pool factor must divide 8 (1, 2, 4 or 8), got {factor!r}")
    side = 8 // factor
    blocks = np.asarray(x, dtype=np.float64).reshape(-1, side, factor, side, factor)
    return blocks.mean(axis=(2, 4)).reshape(-1, side * side)


def load_digits(seed: int = 0, code=None, test_fraction: float = 0.25, pool: int = 1):
    """``(x_train, y_train, x_test, y_test)``: images ``[n, 64]`` in [0, 1], or, with ``code`` (an
    :class:`~engram_nm.encoding.InputCode`), spikes ``[T, n, 64]`` (the training images encoded with
    ``seed``, the test images with ``seed + 1``, so the two draw different rate-code spikes).
    ``pool`` > 1: the images averaged over ``pool`` x ``pool`` blocks first (:func:`pool_digits`)."""
    from sklearn.datasets import load_digits as bundled

    digits = bundled()
    x = pool_digits(digits.data.astype(np.float64) / 16.0, pool)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    if code is None:
        return x[train], y[train], x[test], y[test]
    return code.encode(x[train], seed=seed), y[train], code.encode(x[test], seed=seed + 1), y[test]
