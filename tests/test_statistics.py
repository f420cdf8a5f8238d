"""The confidence intervals every experiment reports."""

import numpy as np
import pytest

from engram_nm.analysis.statistics import bootstrap_ci95, t_ci95
from engram_nm.errors import InputError


def test_t_interval_matches_the_textbook_value_and_covers_at_its_level():
    # n = 4, s = sd([1, 2, 3, 4]) = 1.29099, t_{0.975, 3} = 3.18245: 3.18245 * 1.29099 / 2
    assert t_ci95([1, 2, 3, 4]) == pytest.approx(2.05426, abs=1e-4)
    assert np.isnan(t_ci95([0.5]))
    rng = np.random.default_rng(0)
    covered = np.mean([abs(s.mean()) <= t_ci95(s) for s in rng.normal(0, 1, (2000, 10))])
    assert 0.93 < covered < 0.97  # a 95 % interval covers the true mean ~95 % of the time


def test_bootstrap_interval_stays_in_the_data_range_and_is_seeded():
    scores = [1.0, 1.0, 0.9, 1.0, 0.95, 1.0, 1.0, 0.85, 1.0, 1.0]
    low, high = bootstrap_ci95(scores)
    assert 0.85 <= low < np.mean(scores) < high <= 1.0  # the t interval would pass 1.0 here
    assert bootstrap_ci95(scores, seed=3) == bootstrap_ci95(scores, seed=3)
    assert np.mean(scores) + t_ci95(scores) > 1.0


def test_bad_input_is_refused():
    with pytest.raises(InputError):
        t_ci95([])
    with pytest.raises(InputError):
        bootstrap_ci95([1.0, np.nan])
    with pytest.raises(InputError):
        bootstrap_ci95([1.0, 2.0], n_resamples=10)
