"""Familiarity from a Sparse Distributed Memory: has this pattern been stored? (one-shot recognition)

In an auto-associative SDM (:class:`~engram_nm.sdm.kanerva.KanervaSDM`, ``data_bits ==
address_bits``) a query ``q`` activates ``k`` locations; their counter sums ``s = sum_active C``
hold every pattern written there in bipolar form. A stored pattern wrote itself into the very
locations it activates, so ``s`` agrees with its own bits:

    familiarity(q) = mean_j (2 q_j - 1) s_j / k          (dimensionless)

is ~1 for a pattern stored once (each of its ``k`` locations holds it once) plus interference from
the other patterns in those locations (zero mean, standard deviation ~ sqrt(load k / M) per bit,
averaged over the bits), and ~0 for a novel pattern. Corrupting a stored pattern moves its address,
so it shares fewer locations with the original: familiarity falls with the bits flipped.

:func:`auc` is the area under the ROC curve of familiarity between two sets of queries (the
probability that a random member of the first scores above one of the second, ties counting half:
the Mann-Whitney U statistic divided by ``n1 n2``); chance is 0.5.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError
from engram_nm.sdm.kanerva import KanervaSDM


def familiarity(sdm: KanervaSDM, queries) -> np.ndarray:
    """``[B]`` familiarity of each query (module docstring); needs an auto-associative SDM with
    Top-K activation (the number of active locations is then ``k`` for every query)."""
    if sdm.data_bits != sdm.address_bits:
        raise InputError("familiarity needs an auto-associative SDM (data_bits == address_bits)")
    if sdm.activation != "topk":
        raise InputError("familiarity is defined for Top-K activation (k locations per query)")
    q = np.asarray(queries)
    q = q[None] if q.ndim == 1 else q
    sums = sdm.read_sums(q).astype(np.float64)
    return np.mean((2.0 * q - 1.0) * sums, axis=1) / float(sdm.k)


def auc(positive, negative) -> float:
    """Area under the ROC curve separating ``positive`` scores from ``negative`` ones (ties count half)."""
    pos, neg = np.asarray(positive, dtype=float).ravel(), np.asarray(negative, dtype=float).ravel()
    if pos.size == 0 or neg.size == 0:
        raise InputError("auc needs at least one positive and one negative score")
    ranks = _average_ranks(np.concatenate([pos, neg]))
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x``, tied values sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(x.size, dtype=float)
    sorted_x = x[order]
    starts = np.flatnonzero(np.r_[True, sorted_x[1:] != sorted_x[:-1]])
    ends = np.r_[starts[1:], x.size]
    for a, b in zip(starts, ends):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    return ranks
