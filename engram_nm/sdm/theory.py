"""Closed-form capacity results used as the reference curves.

Willshaw (Willshaw et al. 1969; Palm 1980, Biol. Cybern. 36:19): after ``M``
random patterns with ``K`` of ``N`` units on, a synapse is set with probability

    p1 = 1 - (1 - K**2 / N**2) ** M

and a silent unit fires spuriously for a full cue with probability ``p1**K``.
(For a given off-diagonal synapse the exact chance per pattern is
``K(K-1) / (N(N-1))``; :func:`willshaw_capacity_at` uses it, since the
``K**2/N**2`` form overstates it by ``N/(N-1) * K/(K-1)``, a factor 2 at K = 2.)
Information per synapse is largest at ``p1 = 1/2``, i.e. at

    M* = ln 2 * N**2 / K**2          (M* ~ (N / log N)**2 for K ~ log2 N)

Kanerva SDM (Kanerva 1988; Bricken & Pehlevan, NeurIPS 2021, eq. for the
optimal read/write activation): with ``M`` hard locations and ``T`` stored
patterns the activation probability that maximises the signal-to-noise of a
read is ``p* = (2 M T) ** (-1/3)``.
"""

from __future__ import annotations

import numpy as np


def willshaw_load(m_patterns, n: int, k: int):
    """``p1`` after ``m_patterns`` stores of ``k``-of-``n`` patterns."""
    return 1.0 - (1.0 - (k / n) ** 2) ** np.asarray(m_patterns, dtype=float)


def willshaw_optimal_patterns(n: int, k: int) -> float:
    """``M* = ln2 * N^2 / K^2``: the number of patterns at which half the synapses are set."""
    return float(np.log(2.0) * n * n / (k * k))


def willshaw_false_positives(p1, n: int, k: int):
    """Expected spurious units per retrieval with a full cue: ``(N - K) * p1**K``."""
    return (n - k) * np.asarray(p1, dtype=float) ** k


def willshaw_capacity_at(n: int, k: int, false_positives: float = 1.0) -> float:
    """Patterns stored when the expected spurious units per auto-associative retrieval reach
    ``false_positives`` (exact per-pattern pair probability ``K(K-1)/(N(N-1))``)."""
    p1 = (false_positives / (n - k)) ** (1.0 / k)
    return float(np.log1p(-p1) / np.log1p(-k * (k - 1) / (n * (n - 1))))


def willshaw_bits_per_synapse(m_patterns: float, n: int, k: int) -> float:
    """Stored information (``M * log2 C(N, K)`` bits, errors ignored) per synapse ``N^2``."""
    from math import lgamma, log

    log2_choose = (lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)) / log(2.0)
    return float(m_patterns * log2_choose / (n * n))


def kanerva_optimal_activation(n_locations: int, n_patterns: int) -> float:
    """``p* = (2 M T)^(-1/3)``: the best fraction of hard locations to activate."""
    return float((2.0 * n_locations * n_patterns) ** (-1.0 / 3.0))


def kanerva_topk_bit_error(n_locations: int, k: int, n_patterns: int) -> float:
    """Read bit error at a stored address of a Top-K SDM holding ``n_patterns`` random patterns.

    The pattern's own ``k`` locations give a signal ``k`` per bit; each other
    pattern shares ``o`` locations (hypergeometric, mean ``k^2/M``) and adds
    ``+-o``, so ``SNR = 1 / sqrt((T - 1) (1/M + k^2/M^2))`` and the error is
    ``Phi(-SNR)`` (a Gaussian approximation; checked against measurement in
    tests/sdm/test_reference.py).
    """
    from math import erf, sqrt

    if n_patterns <= 1:
        return 0.0
    snr = 1.0 / sqrt((n_patterns - 1) * (1.0 / n_locations + (k / n_locations) ** 2))
    return 0.5 * (1.0 - erf(snr / sqrt(2.0)))
