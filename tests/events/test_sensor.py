"""The DVS model (engram_nm/events/sensor.py): thresholds, refractory period, mismatch, background."""

import numpy as np
import pytest

from engram_nm.errors import EventDataError
from engram_nm.events.sensor import EventSensor


def _pixel(intensities):
    """Frames of a 1x1 sensor following ``intensities``."""
    return np.asarray(intensities, dtype=float).reshape(-1, 1, 1)


def test_a_step_of_k_thresholds_gives_k_events_one_per_refractory_period_and_back():
    sensor = EventSensor(width=1, height=1, threshold_sigma=0.0, noise_hz=0.0, refractory_s=2e-3, eps=1e-9)
    c = sensor.threshold_on
    bright = np.exp(3.5 * c)  # ln(bright / 1) = 3.5 thresholds
    frames = _pixel([1.0] + [bright] * 12 + [1.0] * 12)
    ev = sensor.record(frames, 1e-3)
    on, off = ev[ev["p"] == 1], ev[ev["p"] == 0]
    assert on.size == 3 and off.size == 3  # whole thresholds only: 0.5 of one stays unreported
    assert np.all(np.diff(on["t"]) == 2000) and on["t"][0] == 1000  # one per 2 ms refractory period
    assert off["t"][0] >= 13000
    below = sensor.record(_pixel([1.0, np.exp(0.9 * c), np.exp(0.9 * c)]), 1e-3)
    assert below.size == 0


def test_thresholds_differ_per_pixel_by_the_stated_mismatch_and_are_fixed_by_the_seed():
    sensor = EventSensor(width=64, height=64, threshold_sigma=0.03, seed=4)
    on, off = sensor.thresholds()
    assert on.std() == pytest.approx(0.03, rel=0.1) and on.mean() == pytest.approx(0.2, abs=0.005)
    assert np.array_equal(on, EventSensor(width=64, height=64, seed=4).thresholds()[0])
    assert not np.array_equal(on, off)


def test_a_static_scene_gives_background_events_at_the_stated_rate_half_on():
    sensor = EventSensor(width=32, height=32, noise_hz=10.0)
    ev = sensor.record(np.ones((1001, 32, 32)), 1e-3)
    expected = 10.0 * 1.001 * 32 * 32
    assert abs(ev.size - expected) < 4 * np.sqrt(expected)
    assert 0.45 < ev["p"].mean() < 0.55 and np.all(np.diff(ev["t"]) >= 0)
    assert EventSensor(width=32, height=32, noise_hz=0.0).record(np.ones((50, 32, 32)), 1e-3).size == 0


def test_bad_frames_and_parameters_are_refused():
    sensor = EventSensor(width=2, height=2)
    with pytest.raises(EventDataError, match="frames must be"):
        sensor.record(np.ones((5, 3, 2)), 1e-3)
    with pytest.raises(EventDataError, match=">= 0"):
        sensor.record(-np.ones((5, 2, 2)), 1e-3)
    with pytest.raises(EventDataError, match="refractory"):
        sensor.record(np.ones((5, 2, 2)), 5e-3)  # frames longer than the refractory period
    with pytest.raises(EventDataError):
        EventSensor(threshold_on=0.0)
    with pytest.raises(EventDataError):
        EventSensor(noise_hz=-1.0)
