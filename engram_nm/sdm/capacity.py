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
    stored = np.zeros((0, n), dtype=np.int8)
    ms, errs = [0], [0.0]
    while True:
        new = random_sparse_patterns(chunk, n, k, rng)
        mem.store(new)
        stored = np.concatenate([stored, new])
        sample = stored[rng.choice(len(stored), size=min(probes, len(stored)), replace=False)]
        out = mem.retrieve(sample)
        spurious = float(((out == 1) & (sample == 0)).sum(axis=1).mean())
        ms.append(len(stored))
        errs.append(spurious)
        if spurious > false_positives or len(stored) > 4 * target:
            break
    return CapacityResult(_crossing(ms, errs, false_positives), target, false_positives, ms, errs)


def willshaw_optimum(n: int, k: int) -> float:
    """``M*`` for the benchmark tables (re-exported beside the measurement)."""
    return willshaw_optimal_patterns(n, k)


def sdm_capacity(n_locations: int, address_bits: int, data_bits: int, k: int, bit_error: float = 0.01,
                 probes: int = 200, chunk: int = 10, max_patterns: int = 100_000, seed: int = 0) -> CapacityResult:
    """Patterns a Top-K Kanerva SDM holds before the mean read bit error (at the stored,
    uncorrupted addresses, random dense data) exceeds ``bit_error``. ``theory`` is NaN: the
    closed forms give the optimal activation, not this count."""
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
        err = float(np.mean(sdm.read(addrs[pick]) != datas[pick]))
        ms.append(len(addrs))
        errs.append(err)
        if err > bit_error:
            break
    return CapacityResult(_crossing(ms, errs, bit_error), float("nan"), bit_error, ms, errs)
