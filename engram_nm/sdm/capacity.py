"""Measured capacity: how many patterns a memory holds at a given recall error.

Both measurements store random patterns in chunks, probe a sample of the
stored ones after each chunk, and report the number of patterns at which the
error criterion is crossed (linear interpolation between chunks), next to the
theory of :mod:`engram_nm.sdm.theory`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.sdm.kanerva import KanervaSDM
from engram_nm.sdm.theory import willshaw_capacity_at, willshaw_optimal_patterns
from engram_nm.sdm.willshaw import WillshawMemory


def random_sparse_patterns(m: int, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` random 0/1 patterns of ``n`` units with exactly ``k`` on."""
    out = np.zeros((m, n), dtype=np.int8)
    idx = np.argpartition(rng.random((m, n)), k - 1, axis=1)[:, :k]
    np.put_along_axis(out, idx, 1, axis=1)
    return out


@dataclass
class CapacityResult:
    """``curve_patterns[i]`` stored -> ``curve_error[i]``; ``measured`` is the crossing."""

    measured: float
    theory: float
    criterion: float
    curve_patterns: list = field(default_factory=list)
    curve_error: list = field(default_factory=list)

    @property
    def relative_error(self) -> float:
        return abs(self.measured - self.theory) / self.theory


def _crossing(ms: list, errs: list, criterion: float) -> float:
    for i in range(1, len(ms)):
        if errs[i] > criterion >= errs[i - 1]:
            frac = (criterion - errs[i - 1]) / (errs[i] - errs[i - 1])
            return float(ms[i - 1] + frac * (ms[i] - ms[i - 1]))
    return float("nan")


def willshaw_capacity(n: int, k: int, false_positives: float = 1.0, probes: int = 300, resolution: int = 60,
                      seed: int = 0) -> CapacityResult:
    """Patterns stored when spurious units per full-cue retrieval reach ``false_positives``.

    ``theory`` is :func:`willshaw_capacity_at` (the same criterion); compare with
    :func:`~engram_nm.sdm.theory.willshaw_optimal_patterns` for ``M*``.
    """
    rng = np.random.default_rng(seed)
    target = willshaw_capacity_at(n, k, false_positives)
    chunk = max(1, int(round(target / resolution * 2)))
    mem = WillshawMemory(n)
    ms, errs = [0], [0.0]
    while True:
        new = random_sparse_patterns(chunk, n, k, rng)
        mem.store(new)
        # Every stored pattern has the same odds of spurious units (storing is an OR), so probing
        # the newest chunk is unbiased and keeps memory flat at large N.
        sample = new[rng.choice(len(new), size=min(probes, len(new)), replace=False)]
        out = mem.retrieve(sample)
        spurious = float(((out == 1) & (sample == 0)).sum(axis=1).mean())
        ms.append(mem.stored)
        errs.append(spurious)
        if spurious > false_positives or mem.stored > 4 * target:
            break
    return CapacityResult(_crossing(ms, errs, false_positives), target, false_positives, ms, errs)


def willshaw_optimum(n: int, k: int) -> float:
    """``M*`` for the benchmark tables (re-exported beside the measurement)."""
    return willshaw_optimal_patterns(n, k)


def sdm_capacity(n_locations: int, address_bits: int, data_bits: int, k: int, bit_error: float = 0.01,
                 probes: int = 200, chunk: int = 10, max_patterns: int = 100_000, cue_noise: float = 0.0,
                 seed: int = 0) -> CapacityResult:
    """Patterns a Top-K Kanerva SDM holds before the mean read bit error (random dense data,
    read at the stored addresses with a fraction ``cue_noise`` of their bits flipped) exceeds
    ``bit_error``. ``theory`` is :func:`~engram_nm.sdm.theory.kanerva_topk_bit_error`'s
    crossing for clean cues, NaN for noisy ones."""
    rng = np.random.default_rng(seed)
    sdm = KanervaSDM(n_locations, address_bits, data_bits, activation="topk", k=k, seed=seed)
    addrs = np.zeros((0, address_bits), dtype=np.int8)
    datas = np.zeros((0, data_bits), dtype=np.int8)
    ms, errs = [0], [0.0]
    while len(addrs) < max_patterns:
        a = rng.integers(0, 2, size=(chunk, address_bits), dtype=np.int8)
        d = rng.integers(0, 2, size=(chunk, data_bits), dtype=np.int8)
        sdm.write(a, d)
        addrs, datas = np.concatenate([addrs, a]), np.concatenate([datas, d])
        pick = rng.choice(len(addrs), size=min(probes, len(addrs)), replace=False)
        cues = flip_bits(addrs[pick], cue_noise, rng)
        err = float(np.mean(sdm.read(cues) != datas[pick]))
        ms.append(len(addrs))
        errs.append(err)
        if err > bit_error:
            break
    theory = _topk_theory(n_locations, k, bit_error) if cue_noise == 0 else float("nan")
    return CapacityResult(_crossing(ms, errs, bit_error), theory, bit_error, ms, errs)


def flip_bits(bits: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``bits`` with each bit flipped with probability ``fraction`` (a noisy cue)."""
    out = np.array(bits, copy=True)
    if fraction > 0:
        flips = rng.random(out.shape) < fraction
        out[flips] = 1 - out[flips]
    return out


def _topk_theory(n_locations: int, k: int, bit_error: float) -> float:
    from engram_nm.sdm.theory import kanerva_topk_bit_error

    lo, hi = 1, 2
    while kanerva_topk_bit_error(n_locations, k, hi) < bit_error:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if kanerva_topk_bit_error(n_locations, k, mid) < bit_error else (lo, mid)
    return float(hi)


def scaling_exponent(n, capacity, seeds, n_resamples: int = 2000, seed: int = 0) -> tuple:
    """The exponent ``b`` of ``M = a (N / log2 N)^b`` by least squares on ``log M`` vs
    ``log(N / log2 N)`` over every measurement (``n[i], capacity[i]`` of seed ``seeds[i]``), with a
    95 % bootstrap interval: the seeds measured at each ``N`` resampled with replacement, the fit
    repeated. Willshaw's ``M* = ln2 N^2 / K^2`` at ``K = log2 N`` predicts ``b = 2`` (Willshaw et al.
    1969; Palm 1980). Returns ``(b, (low, high))``."""
    n, m = np.asarray(n, dtype=float), np.asarray(capacity, dtype=float)
    seeds = np.asarray(seeds)
    if not (n.shape == m.shape == seeds.shape) or n.size < 3 or len(np.unique(n)) < 2:
        raise ValueError("scaling_exponent needs matching n, capacity and seeds at two or more sizes")
    if np.any(m <= 0) or np.any(~np.isfinite(m)):
        raise ValueError("every capacity must be a positive finite number of patterns")
    x, y = np.log(n / np.log2(n)), np.log(m)
    slope = float(np.polyfit(x, y, 1)[0])
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(n == size) for size in np.unique(n)]
    draws = []
    for _ in range(n_resamples):
        pick = np.concatenate([rng.choice(g, size=g.size, replace=True) for g in groups])
        draws.append(np.polyfit(x[pick], y[pick], 1)[0])
    low, high = np.percentile(draws, [2.5, 97.5])
    return slope, (float(low), float(high))

