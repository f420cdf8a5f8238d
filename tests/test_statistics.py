"""The statistics every experiment reports: intervals of a mean, paired contrasts, Holm."""

import numpy as np
import pytest
from scipy.stats import wilcoxon

from engram_nm.analysis.statistics import (bca_ci95, bootstrap_ci95, holm, holm_family, mean_ci95,
                                           paired_contrast, t_ci95)
from engram_nm.errors import InputError


def test_t_interval_matches_the_textbook_value_and_covers_at_its_level():
    # n = 4, s = sd([1, 2, 3, 4]) = 1.29099, t_{0.975, 3} = 3.18245: 3.18245 * 1.29099 / 2
    assert t_ci95([1, 2, 3, 4]) == pytest.approx(2.05426, abs=1e-4)
    assert np.isnan(t_ci95([0.5]))
    rng = np.random.default_rng(0)
    covered = np.mean([abs(s.mean()) <= t_ci95(s) for s in rng.normal(0, 1, (2000, 10))])
    assert 0.93 < covered < 0.97  # a 95 % interval covers the true mean ~95 % of the time


def _coverage(method, n, repeats=1000, a=0.4, b=4.0):
    """Share of intervals that hold the true mean of Beta(a, b) samples of size n (skewed, in [0, 1])."""
    rng = np.random.default_rng(1)
    mu = a / (a + b)
    hits = 0
    for r in range(repeats):
        low, high = method(rng.beta(a, b, n), 2000, seed=r)
        hits += low <= mu <= high
    return hits / repeats


def test_bca_covers_skewed_bounded_scores_better_than_the_percentile_bootstrap():
    # the reason the experiments moved off the percentile bootstrap: at small n on skewed scores
    # it undercovers; BCa's bias and skew corrections recover part of the gap (measured at n = 10:
    # 0.88 vs 0.85; neither reaches 0.95 on data this skewed, and neither does t)
    bca, percentile = _coverage(bca_ci95, 10), _coverage(bootstrap_ci95, 10)
    assert bca > percentile + 0.015
    assert 0.85 < bca < 0.97


def test_bca_is_symmetric_on_symmetric_data_and_seeded():
    v = np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 4)
    low, high = bca_ci95(v)
    assert low == pytest.approx(-high, abs=0.05)
    assert bca_ci95(v, seed=3) == bca_ci95(v, seed=3)
    assert bca_ci95([0.7] * 5) == (0.7, 0.7)


def test_a_unanimous_bounded_score_gets_a_clopper_pearson_interval_not_a_point():
    # all 20 seeds at 1.0: the percentile bootstrap says [1.00, 1.00]; the exact interval of 20
    # successes in 20 is [0.025 ** (1 / 20), 1] = [0.8316, 1]
    assert bootstrap_ci95([1.0] * 20) == (1.0, 1.0)
    low, high = mean_ci95([1.0] * 20, bounds=(0, 1))
    assert low == pytest.approx(0.025 ** (1 / 20), abs=1e-9) and high == 1.0
    low, high = mean_ci95([0.0] * 20, bounds=(0, 1))
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-9)
    low, high = mean_ci95([10.0] * 4, bounds=(0, 10))  # rescaled to the bounds
    assert low == pytest.approx(10 * 0.025 ** (1 / 4))
    # spread data: BCa, inside the data's range
    v = [1.0, 0.9, 1.0, 0.8, 1.0, 1.0, 0.95, 1.0]
    low, high = mean_ci95(v, bounds=(0, 1))
    assert (low, high) == bca_ci95(v) and 0.8 <= low < np.mean(v) < high <= 1.0


def test_a_paired_contrast_finds_a_seed_matched_effect_that_overlapping_intervals_hide():
    rng = np.random.default_rng(0)
    network = rng.normal(0.5, 0.2, 20)          # between-seed spread, shared by both arms
    a, b = network + 0.05 + rng.normal(0, 0.01, 20), network
    la, ha = mean_ci95(a)
    lb, hb = mean_ci95(b)
    assert la < hb  # the intervals overlap ...
    c = paired_contrast(a, b)
    assert c.p_value < 1e-4  # ... the seed-matched test is unambiguous
    assert c.difference == pytest.approx(0.05, abs=0.01)
    assert c.difference_ci95[0] > 0 and c.effect_size_dz > 2
    assert abs(c.hedges_gz) < abs(c.effect_size_dz)
    assert c.p_value == pytest.approx(wilcoxon(a - b).pvalue)
    assert c.n_pairs == 20 and c.as_dict()["difference_ci95"] == list(c.difference_ci95)


def test_a_paired_contrast_drops_undefined_pairs_and_handles_no_difference():
    c = paired_contrast([1.0, np.nan, 0.5, 0.2, 0.9], [0.5, 0.1, 0.5, 0.1, 0.3])
    assert c.n_pairs == 4
    same = paired_contrast([0.3, 0.4, 0.5], [0.3, 0.4, 0.5])
    assert same.p_value == 1.0 and same.difference == 0.0 and same.effect_size_dz == 0.0
    shift = paired_contrast([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])
    assert shift.effect_size_dz == np.inf


def test_holm_matches_a_hand_computed_family():
    # p = (0.01, 0.04, 0.03, 0.005), m = 4: sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06,
    # 0.04*1 = 0.04 -> monotone 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])
    family = holm_family({"x": paired_contrast([1, 2, 3, 4, 5.5], [0, 0, 0, 0, 0]),
                          "y": paired_contrast([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])})
    assert family["y"].p_holm == 1.0 and family["x"].p_holm == pytest.approx(2 * family["x"].p_value)


def test_bad_input_is_refused():
    with pytest.raises(InputError):
        t_ci95([])
    with pytest.raises(InputError):
        bootstrap_ci95([1.0, np.nan])
    with pytest.raises(InputError):
        bootstrap_ci95([1.0, 2.0], n_resamples=10)
    with pytest.raises(InputError):
        mean_ci95([1.5], bounds=(0, 1))
    with pytest.raises(InputError):
        mean_ci95([0.5], bounds=(1, 0))
    with pytest.raises(InputError):
        paired_contrast([1.0, 2.0], [1.0])
    with pytest.raises(InputError):
        paired_contrast([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(InputError):
        holm([0.5, 1.5])
