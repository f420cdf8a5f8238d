"""A two-photon microscope looking at a simulated population: spikes in, photon counts per frame out.

For cell ``i`` and frame ``n`` (frame period ``T = 1 / frame_rate_hz``)::

    expected_i[n] = photons_per_frame * b_i * (1 + drift_i[n]) * exp(-t_n / bleach_timescale_s)
                    * (1 + dFF_i[n])
    F_i[n] = Poisson(expected_i[n]) + Normal(0, read_noise)                              (photons)

* ``dFF_i[n]``: the indicator's noiseless dF/F (:mod:`~engram_nm.imaging.indicator`) averaged over
  the frame (the frame integrates its whole period);
* ``b_i``: resting brightness of the cell (expression level), lognormal with median 1 and
  ``brightness_spread`` as its sigma;
* ``drift_i``: slow baseline drift (tissue motion in z, neuropil, laser power), an
  Ornstein-Uhlenbeck process with standard deviation ``drift_fraction`` and time constant
  ``drift_timescale_s``, independent per cell;
* bleaching with time constant ``bleach_timescale_s`` from the start of the experiment;
* shot noise (Poisson photon counts) and detector read noise (Gaussian, photons rms).

Every number here is a setting of the simulated instrument, not a measurement: the defaults are
chosen to be plausible (a few hundred photons per cell per frame), and results are reported as a
function of ``photons_per_frame`` and ``frame_rate_hz`` (docs/calcium_imaging.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import InputError
from engram_nm.imaging.indicator import Indicator, indicator as _indicator


@dataclass(frozen=True)
class Microscope:
    """Settings of the simulated instrument (module docstring); all rates in Hz, times in s."""

    frame_rate_hz: float = 30.0
    photons_per_frame: float = 200.0
    read_noise: float = 2.0
    brightness_spread: float = 0.3
    drift_fraction: float = 0.02
    drift_timescale_s: float = 20.0
    bleach_timescale_s: float = 600.0

    def __post_init__(self):
        positive = {k: getattr(self, k) for k in ("frame_rate_hz", "photons_per_frame", "drift_timescale_s",
                                                   "bleach_timescale_s")}
        bad = {k: v for k, v in positive.items() if not (np.isfinite(v) and v > 0)}
        bad.update({k: getattr(self, k) for k in ("read_noise", "brightness_spread", "drift_fraction")
                    if not (np.isfinite(getattr(self, k)) and getattr(self, k) >= 0)})
        if bad:
            raise InputError(f"microscope settings out of range: {bad} (rates, photons and times > 0; noise >= 0)")


@dataclass
class Recording:
    """What the microscope gives: ``fluorescence`` (frames x cells, photons), the frame times (s,
    frame centres), the noiseless ``true_dff`` behind it, the frame rate actually used (a whole
    number of simulation steps per frame) and the indicator."""

    fluorescence: np.ndarray
    frame_times_s: np.ndarray
    true_dff: np.ndarray
    frame_rate_hz: float
    indicator: Indicator
    steps_per_frame: int = field(default=1)

    def frames_of(self, start_step: int, stop_step: int) -> np.ndarray:
        """Indices of the frames lying wholly inside simulation steps ``[start_step, stop_step)``."""
        n = np.arange(self.fluorescence.shape[0])
        a, b = n * self.steps_per_frame, (n + 1) * self.steps_per_frame
        return n[(a >= start_step) & (b <= stop_step)]


def calcium(spikes: np.ndarray, dt: float, tau_rise: float, tau_decay: float) -> np.ndarray:
    """``c`` of :mod:`~engram_nm.imaging.indicator` sampled every ``dt`` (steps x cells): the
    double exponential as two first-order filters, ``a[n] = exp(-dt/tau) a[n-1] + s[n]``, exact at
    the sample times (a spike at step ``n`` contributes ``h(k dt)`` at step ``n + k``)."""
    from scipy.signal import lfilter

    from engram_nm.imaging.indicator import kernel_peak

    s = np.asarray(spikes, dtype=float)
    slow = lfilter([1.0], [1.0, -np.exp(-dt / tau_decay)], s, axis=0)
    fast = lfilter([1.0], [1.0, -np.exp(-dt / tau_rise)], s, axis=0)
    return (slow - fast) / kernel_peak(tau_rise, tau_decay)[1]


def saturating_dff(c: np.ndarray, ind: Indicator) -> np.ndarray:
    """``dff_max * c / (c + c_half)`` (:mod:`~engram_nm.imaging.indicator`)."""
    c = np.clip(np.asarray(c, dtype=float), 0, None)
    return ind.dff_max * c / (c + ind.c_half)


def image(spikes, dt: float, indicator="GCaMP6f", microscope: Microscope | None = None, seed: int = 0,
          start_s: float = 0.0) -> Recording:
    """Image ``spikes`` (steps x cells, bool; one step = ``dt`` s) through ``indicator`` (a name or
    an :class:`~engram_nm.imaging.indicator.Indicator`) with ``microscope`` (module docstring);
    ``start_s``: time of the first step since the experiment began (for bleaching). Steps after
    the last whole frame are dropped."""
    ind = _indicator(indicator)
    scope = microscope or Microscope()
    s = np.asarray(spikes)
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] == 0:
        raise InputError(f"spikes must be a non-empty (steps, cells) array, got shape {s.shape}")
    if not (dt > 0):
        raise InputError(f"dt must be > 0 s, got {dt}")
    per_frame = int(round(1.0 / (scope.frame_rate_hz * dt)))
    if per_frame < 1:
        raise InputError(f"frame rate {scope.frame_rate_hz} Hz is faster than the simulation (1/dt = {1 / dt:g} Hz)")
    frames = s.shape[0] // per_frame
    if frames < 1:
        raise InputError(f"{s.shape[0]} steps of {dt} s make no whole frame at {scope.frame_rate_hz} Hz")
    dff_steps = saturating_dff(calcium(s[: frames * per_frame], dt, *ind.time_constants), ind)
    true_dff = dff_steps.reshape(frames, per_frame, -1).mean(axis=1)
    period = per_frame * dt
    times = start_s + (np.arange(frames) + 0.5) * period
    rng = np.random.default_rng(seed)
    cells = s.shape[1]
    brightness = np.exp(scope.brightness_spread * rng.standard_normal(cells))
    keep = np.exp(-period / scope.drift_timescale_s)
    drift = np.empty((frames, cells))
    drift[0] = scope.drift_fraction * rng.standard_normal(cells)
    kicks = scope.drift_fraction * np.sqrt(1 - keep ** 2) * rng.standard_normal((frames, cells))
    for n in range(1, frames):
        drift[n] = keep * drift[n - 1] + kicks[n]
    bleach = np.exp(-times / scope.bleach_timescale_s)[:, None]
    expected = scope.photons_per_frame * brightness * np.clip(1 + drift, 0, None) * bleach * (1 + true_dff)
    photons = rng.poisson(expected) + scope.read_noise * rng.standard_normal(expected.shape)
    return Recording(photons, times, true_dff, 1.0 / period, ind, per_frame)
