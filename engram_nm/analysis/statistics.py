"""Statistics of experiments over seeds: intervals of a mean, paired contrasts, multiple comparisons.

The one place where the experiments' numbers become claims. Every experiment runs one network per
seed; its arms share the seeds (the same network, input and noise draws), so two arms are compared
**seed by seed**, never by whether their intervals overlap.

Intervals of a mean over ``n`` seeds (values ``x_1 .. x_n``):

* :func:`t_ci95`: half-width ``t_{0.975, n-1} * s / sqrt(n)`` (``s``: the sample standard
  deviation, ``ddof = 1``), exact for normally distributed seed means;
* :func:`bca_ci95`: the bias-corrected and accelerated bootstrap (Efron, JASA 82:171, 1987;
  Efron & Tibshirani 1993, ch. 14): the percentiles ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))`` of
  the resampled means, ``z0`` = ``Phi^-1`` of the share of resampled means below the mean, ``a`` =
  the jackknife skewness ``sum(d^3) / (6 sum(d^2)^1.5)``. Second-order accurate where the
  percentile bootstrap is first-order only (its intervals are too narrow at n = 20);
* :func:`mean_ci95`: the interval every experiment reports: BCa, and for scores bounded in
  ``[low, high]`` whose every seed sits on one bound (no spread to resample: BCa and t give a zero
  width) the exact Clopper-Pearson interval of ``n`` successes (or failures) in ``n`` trials,
  rescaled to the bounds. A mean of bounded values has at most the variance of a Bernoulli
  variable with that mean, which makes the Bernoulli case the least favourable one;
* :func:`bootstrap_ci95`: the percentile bootstrap, kept for comparison (the coverage test in
  ``tests/test_statistics.py`` shows what it loses at small n).

Paired contrasts (:func:`paired_contrast`): the seed-matched differences ``d_i = a_i - b_i``, their
mean with a t interval, the effect size ``d_z = mean(d) / sd(d)`` (Cohen 1988, the standardised
mean difference of paired samples; with Hedges' small-sample factor ``1 - 3 / (4 (n - 1) - 1)``),
and the two-sided Wilcoxon signed-rank p-value (zero differences dropped, Wilcoxon's method; the
exact null distribution for n <= 50 without ties, the normal approximation otherwise), which
assumes no normality of bounded, skewed scores. :func:`holm` adjusts a family of p-values
(Holm, Scand. J. Stat. 6:65, 1979): the i-th smallest of m is multiplied by ``m - i + 1``, made
monotone, and capped at 1; it controls the family-wise error at any dependence between tests.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from engram_nm.errors import InputError


FRACTION = {"bounds": (0.0, 1.0)}
"""Dataclass field metadata of a score that is a fraction: summaries over seeds give it
:func:`mean_ci95` with these bounds (``field(metadata=FRACTION)``)."""


def _values(values) -> np.ndarray:
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.size == 0 or not np.all(np.isfinite(v)):
        raise InputError(f"need at least one finite value, got {values!r}")
    return v


def _resamples(n_resamples: int) -> int:
    if int(n_resamples) < 100:
        raise InputError(f"n_resamples must be >= 100, got {n_resamples}")
    return int(n_resamples)


def t_ci95(values) -> float:
    """Half-width of the 95 % confidence interval of the mean (Student's t, ``n - 1`` degrees of
    freedom); ``nan`` for one value (no spread to estimate)."""
    from scipy.stats import t

    v = _values(values)
    n = v.size
    return float(t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def bootstrap_ci95(values, n_resamples: int = 10_000, seed: int = 0) -> tuple:
    """``(low, high)``: percentile bootstrap 95 % interval of the mean (seeded, reproducible).
    Too narrow at small n (module docstring): experiments report :func:`mean_ci95`."""
    v = _values(values)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(_resamples(n_resamples), v.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def bca_ci95(values, n_resamples: int = 10_000, seed: int = 0) -> tuple:
    """``(low, high)``: the BCa bootstrap 95 % interval of the mean (module docstring); seeded.
    ``(x, x)`` when every value is ``x`` (nothing to resample)."""
    from scipy.stats import norm

    v = _values(values)
    mean = float(v.mean())
    if v.size == 1 or np.ptp(v) == 0:
        return mean, mean
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(_resamples(n_resamples), v.size))].mean(axis=1)
    # bias correction: where the observed mean falls among the resampled means (ties count half)
    below = (np.sum(means < mean) + 0.5 * np.sum(means == mean)) / means.size
    z0 = norm.ppf(np.clip(below, 1.0 / means.size, 1.0 - 1.0 / means.size))
    # acceleration from the jackknife means
    jack = (v.sum() - v) / (v.size - 1)
    d = jack.mean() - jack
    denominator = 6.0 * np.sum(d**2) ** 1.5
    a = float(np.sum(d**3) / denominator) if denominator > 0 else 0.0
    z = norm.ppf([0.025, 0.975])
    levels = norm.cdf(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
    low, high = np.quantile(means, levels)
    return float(low), float(high)


def mean_ci95(values, bounds=None, n_resamples: int = 10_000, seed: int = 0) -> tuple:
    """``(low, high)``: the 95 % interval of the mean that experiments report (module docstring):
    BCa; for scores within ``bounds = (low, high)`` (e.g. ``(0, 1)`` for a fraction) that all sit
    on one bound, the Clopper-Pearson interval of ``n`` out of ``n``, rescaled to the bounds."""
    from scipy.stats import beta

    v = _values(values)
    if bounds is not None:
        lo, hi = (float(b) for b in bounds)
        if not lo < hi:
            raise InputError(f"bounds must be (low, high) with low < high, got {bounds}")
        if np.any(v < lo) or np.any(v > hi):
            raise InputError(f"values outside their bounds {bounds}: {v.min()}..{v.max()}")
        n = v.size
        if np.all(v == hi):
            return lo + (hi - lo) * float(beta.ppf(0.025, n, 1)), hi
        if np.all(v == lo):
            return lo, lo + (hi - lo) * float(beta.ppf(0.975, 1, n))
    return bca_ci95(v, n_resamples, seed)


@dataclass(frozen=True)
class PairedContrast:
    """One seed-matched comparison ``a - b`` (:func:`paired_contrast`); ``p_holm`` is filled by
    :func:`holm_family` (``None`` before)."""

    mean_a: float
    mean_b: float
    difference: float
    difference_ci95: tuple
    effect_size_dz: float
    hedges_gz: float
    p_value: float
    n_pairs: int
    test: str = "Wilcoxon signed-rank, two-sided"
    p_holm: float | None = None

    def as_dict(self) -> dict:
        """Plain numbers for JSON (the interval as a list)."""
        out = asdict(self)
        out["difference_ci95"] = list(self.difference_ci95)
        return out


def paired_contrast(a, b) -> PairedContrast:
    """Compare two arms seed by seed: ``a[i]`` and ``b[i]`` come from seed ``i``. Pairs where either
    value is not finite (e.g. no cell left to score) are dropped; at least two must remain."""
    from scipy.stats import wilcoxon

    a, b = np.asarray(a, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)
    if a.shape != b.shape:
        raise InputError(f"a paired contrast needs one value per seed in both arms, got {a.size} and {b.size}")
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 2:
        raise InputError(f"a paired contrast needs at least two seeds with both values, got {int(keep.sum())}")
    a, b = a[keep], b[keep]
    d = a - b
    n = d.size
    sd = d.std(ddof=1)
    mean = float(d.mean())
    half = t_ci95(d)
    if sd > 0:
        dz = mean / sd
    else:  # every seed moved by the same amount: no spread, an infinite standardised effect unless none
        dz = 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
    hedges = dz * (1.0 - 3.0 / (4.0 * (n - 1) - 1.0)) if n > 2 else dz
    if np.all(d == 0):
        p = 1.0
    else:
        with warnings.catch_warnings():  # scipy notes that zero differences force its normal approximation
            warnings.simplefilter("ignore", UserWarning)
            p = float(wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)
    return PairedContrast(float(a.mean()), float(b.mean()), mean, (mean - half, mean + half), float(dz),
                          float(hedges), p, int(n))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values of one family (module docstring), in the order given."""
    p = np.asarray(p_values, dtype=float).reshape(-1)
    if p.size == 0:
        return p
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise InputError(f"p-values must be in [0, 1], got {p_values!r}")
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def holm_family(contrasts: dict) -> dict:
    """``{name: PairedContrast}`` of one family with ``p_holm`` set (:func:`holm` over the family)."""
    from dataclasses import replace

    names = list(contrasts)
    adjusted = holm([contrasts[k].p_value for k in names])
    return {k: replace(contrasts[k], p_holm=float(p)) for k, p in zip(names, adjusted)}
