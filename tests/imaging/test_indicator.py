"""The indicator model: presets reproduce their sourced kinetics; the recursive calcium equals the
kernel's convolution; saturation bounds dF/F."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.imaging.indicator import (GCAMP6F, GCAMP6S, INDICATORS, Indicator, half_decay, indicator, kernel,
                                         kernel_peak)
from engram_nm.imaging.microscope import calcium, saturating_dff


@pytest.mark.parametrize("preset", list(INDICATORS.values()), ids=list(INDICATORS))
def test_preset_kernel_has_the_papers_time_to_peak_and_half_decay(preset):
    tau_rise, tau_decay = preset.time_constants
    assert kernel_peak(tau_rise, tau_decay)[0] == pytest.approx(preset.time_to_peak_s, abs=1e-5)
    assert half_decay(tau_rise, tau_decay) == pytest.approx(preset.half_decay_s, abs=1e-5)
    assert "Chen et al., Nature 499:295 (2013), Supplementary Table 3" in preset.source
    assert "model assumptions" in preset.source  # the amplitude is not claimed from the paper
    t = np.linspace(0, 3, 30001)
    h = kernel(t, tau_rise, tau_decay)
    assert h.max() == pytest.approx(1.0, abs=1e-6) and t[np.argmax(h)] == pytest.approx(preset.time_to_peak_s, abs=2e-4)


def test_gcamp6s_is_slower_than_gcamp6f_in_rise_and_decay():
    (r_f, d_f), (r_s, d_s) = GCAMP6F.time_constants, GCAMP6S.time_constants
    assert r_s > 2 * r_f and d_s > 2 * d_f


def test_recursive_calcium_equals_the_convolution_with_the_kernel():
    rng = np.random.default_rng(0)
    dt, steps = 1e-3, 1500
    spikes = rng.random((steps, 3)) < 0.01
    tau_rise, tau_decay = GCAMP6F.time_constants
    h = kernel(np.arange(steps) * dt, tau_rise, tau_decay)
    direct = np.stack([np.convolve(spikes[:, i].astype(float), h)[:steps] for i in range(3)], axis=1)
    assert spikes.sum() > 20
    np.testing.assert_allclose(calcium(spikes, dt, tau_rise, tau_decay), direct, atol=1e-9)


def test_saturation_bounds_dff_and_keeps_the_single_spike_slope():
    c = np.array([0.0, 1e-6, 1.0, 10.0, 1e6])
    dff = saturating_dff(c, GCAMP6F)
    assert np.all(np.diff(dff) > 0) and dff[-1] < GCAMP6F.dff_max
    assert dff[1] / 1e-6 == pytest.approx(GCAMP6F.dff_per_spike, rel=1e-4)
    assert dff[2] == pytest.approx(GCAMP6F.dff_per_spike * GCAMP6F.c_half / (1 + GCAMP6F.c_half))


def test_bad_indicators_are_refused():
    with pytest.raises(InputError, match="dff_per_spike"):
        Indicator("x", 0.05, 0.2, 2.0, 1.0, "")
    with pytest.raises(InputError, match="> 0"):
        Indicator("x", 0.0, 0.2, 0.1, 1.0, "")
    with pytest.raises(InputError, match="unknown indicator"):
        indicator("GCaMP9z")
    assert indicator("gcamp6s") is GCAMP6S
