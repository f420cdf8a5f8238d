"""Sensitivity maps (engram_nm/experiments/engram/sensitivity.py): one grid point end to end."""

import pytest

from engram_nm.errors import InputError
from engram_nm.experiments.engram.sensitivity import OUTCOMES, plot_sensitivity, sensitivity_map


@pytest.mark.slow
def test_a_grid_point_reports_every_outcome_and_the_map_is_drawn(tmp_path):
    result = sensitivity_map(w_ee=(0.15,), w_eo=(0.04,), tau_capture_h=(0.1,), seeds=(101,), progress=False)
    (point,) = result["points"]
    assert set(OUTCOMES) <= set(point) and point["w_ee_max"] == 0.15
    assert all(0.0 <= point[k] <= 1.0 for k in OUTCOMES)
    assert point["full A, saline"] > point["full A, PSI"]  # seed 101 keeps the memory, the inhibitor erases it
    assert plot_sensitivity(result, tmp_path / "map.png").stat().st_size > 5_000
    with pytest.raises(InputError):
        sensitivity_map(w_ee=(), seeds=(101,), progress=False)
