"""The microscope: frames, photon statistics, drift and bleaching, and dF/F back from photons."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.imaging.dff import dff_from_baseline, dff_running_percentile, noise_sd
from engram_nm.imaging.microscope import Microscope, image


def _spikes(steps=3000, cells=20, seed=0, rate_hz=5.0):
    return np.random.default_rng(seed).random((steps, cells)) < rate_hz * 1e-3


def test_bright_noiseless_recording_gives_back_the_true_dff():
    scope = Microscope(frame_rate_hz=20, photons_per_frame=1e9, read_noise=0, drift_fraction=0,
                       bleach_timescale_s=1e9)
    spikes = _spikes()
    spikes[:500] = False  # a silent baseline
    rec = image(spikes, 1e-3, "GCaMP6f", scope, seed=1)
    assert rec.fluorescence.shape == (60, 20) and rec.frame_rate_hz == 20 and rec.true_dff.max() > 0.2
    dff = dff_from_baseline(rec.fluorescence, rec.frames_of(0, 500))
    np.testing.assert_allclose(dff, rec.true_dff, atol=1e-3)


def test_shot_noise_of_a_silent_cell_is_one_over_root_photons():
    silent = np.zeros((20000, 50), dtype=bool)
    for photons in (25.0, 400.0):
        scope = Microscope(frame_rate_hz=50, photons_per_frame=photons, read_noise=0, drift_fraction=0,
                           brightness_spread=0, bleach_timescale_s=1e9)
        f = image(silent, 1e-3, "GCaMP6s", scope, seed=2).fluorescence
        assert (f / photons).std(axis=0).mean() == pytest.approx(1 / np.sqrt(photons), rel=0.1)
        assert noise_sd(f / photons - 1).mean() == pytest.approx(1 / np.sqrt(photons), rel=0.1)


def test_bleaching_dims_and_a_running_percentile_baseline_removes_it_and_the_drift():
    silent = np.zeros((60000, 10), dtype=bool)
    scope = Microscope(frame_rate_hz=10, photons_per_frame=1e6, read_noise=0, drift_fraction=0.05,
                       drift_timescale_s=5.0, bleach_timescale_s=30.0)
    f = image(silent, 1e-3, "GCaMP6f", scope, seed=3).fluorescence
    assert f[-10:].mean() < 0.2 * f[:10].mean()  # exp(-60/30) = 0.14
    fixed = dff_from_baseline(f, slice(0, 10))
    running = dff_running_percentile(f, window_frames=20, percentile=50)
    assert np.abs(fixed).mean() > 0.5 and np.abs(running).mean() < 0.05


def test_frames_follow_the_frame_rate_and_bad_settings_are_refused():
    spikes = _spikes(steps=1000)
    rec = image(spikes, 1e-3, "GCaMP6f", Microscope(frame_rate_hz=3))
    assert rec.steps_per_frame == 333 and rec.fluorescence.shape[0] == 3
    assert list(rec.frames_of(0, 666)) == [0, 1]
    with pytest.raises(InputError, match="faster than the simulation"):
        image(spikes, 1e-3, "GCaMP6f", Microscope(frame_rate_hz=5000))
    with pytest.raises(InputError, match="out of range"):
        Microscope(photons_per_frame=0)
    with pytest.raises(InputError, match="out of range"):
        Microscope(read_noise=-1)
    with pytest.raises(InputError, match="no whole frame"):
        image(spikes[:10], 1e-3, "GCaMP6f", Microscope(frame_rate_hz=2))
    with pytest.raises(InputError, match="shape"):
        image(np.zeros(10, dtype=bool), 1e-3)
