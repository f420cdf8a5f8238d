"""A calcium indicator: the fluorescence response of one cell to its spikes.

Each spike adds a double-exponential calcium transient (in units of one spike's peak)::

    c(t) = sum_k h(t - t_k),   h(t) = (exp(-t / tau_decay) - exp(-t / tau_rise)) / h_peak,  t >= 0

(``h_peak`` makes ``max h = 1``; times in s). The indicator reports it with saturation (one binding
site, a model choice)::

    dF/F(t) = dff_max * c(t) / (c(t) + c_half),   c_half = dff_max / dff_per_spike

so an isolated spike peaks at ``dff_per_spike * c_half / (1 + c_half)`` (~``dff_per_spike`` while
``dff_max >> dff_per_spike``) and a burst can never exceed ``dff_max``.

Presets (:data:`GCAMP6F`, :data:`GCAMP6S`): ``tau_rise`` and ``tau_decay`` are fitted so that ``h``
has the **time to peak** and **half-decay** (from the peak) measured for one action potential in
layer 2/3 pyramidal cells of mouse V1 in vivo, cell-attached (Chen et al., Nature 499:295, 2013,
Supplementary Table 3; means): GCaMP6f 45 +- 4 ms to peak, 142 +- 11 ms half-decay; GCaMP6s
179 +- 23 ms, 550 +- 52 ms. ``dff_per_spike`` and ``dff_max`` are **not** from that table (we did
not read its amplitude column): they are the model's assumptions, marked as such in ``source``;
detection results are therefore reported against photon counts (signal-to-noise), not against a
claimed absolute amplitude (docs/calcium_imaging.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from engram_nm.errors import InputError


def kernel_peak(tau_rise: float, tau_decay: float) -> tuple:
    """``(t_peak, h_peak)`` of the unnormalised ``exp(-t/tau_decay) - exp(-t/tau_rise)``:
    ``t_peak = tau_rise * tau_decay / (tau_decay - tau_rise) * ln(tau_decay / tau_rise)`` (s)."""
    t_peak = tau_rise * tau_decay / (tau_decay - tau_rise) * np.log(tau_decay / tau_rise)
    return float(t_peak), float(np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tau_rise))


def kernel(t, tau_rise: float, tau_decay: float) -> np.ndarray:
    """``h(t)`` of the module docstring (peak 1; 0 for ``t < 0``)."""
    t = np.asarray(t, dtype=float)
    _, h_peak = kernel_peak(tau_rise, tau_decay)
    h = (np.exp(-np.clip(t, 0, None) / tau_decay) - np.exp(-np.clip(t, 0, None) / tau_rise)) / h_peak
    return np.where(t >= 0, h, 0.0)


def half_decay(tau_rise: float, tau_decay: float) -> float:
    """Time (s) from the peak of ``h`` until it has fallen to 0.5."""
    from scipy.optimize import brentq

    t_peak, _ = kernel_peak(tau_rise, tau_decay)
    return float(brentq(lambda t: kernel(t_peak + t, tau_rise, tau_decay) - 0.5, 1e-9, 50 * tau_decay))


def fit_time_constants(time_to_peak_s: float, half_decay_s: float) -> tuple:
    """``(tau_rise, tau_decay)`` (s) whose kernel has this time to peak and half-decay (both > 0)."""
    from scipy.optimize import least_squares

    if not (time_to_peak_s > 0 and half_decay_s > 0):
        raise InputError(f"time to peak and half-decay must be > 0 s, got {time_to_peak_s}, {half_decay_s}")

    def residual(log_taus):
        r, d = np.exp(log_taus)
        if d <= r * (1 + 1e-6):
            return [1e3, 1e3]
        return [kernel_peak(r, d)[0] / time_to_peak_s - 1, half_decay(r, d) / half_decay_s - 1]

    start = np.log([time_to_peak_s / 3, half_decay_s / np.log(2)])
    fit = least_squares(residual, start, xtol=1e-12, ftol=1e-12)
    tau_rise, tau_decay = np.exp(fit.x)
    if np.max(np.abs(residual(fit.x))) > 1e-4:
        raise InputError(f"no double-exponential kernel has time to peak {time_to_peak_s} s and "
                         f"half-decay {half_decay_s} s")
    return float(tau_rise), float(tau_decay)


@dataclass(frozen=True)
class Indicator:
    """One genetically encoded calcium indicator (module docstring).

    ``time_to_peak_s`` / ``half_decay_s``: one spike's fluorescence transient (s);
    ``dff_per_spike``: dF/F of one isolated spike in the linear range; ``dff_max``: saturation;
    ``source``: where each number comes from."""

    name: str
    time_to_peak_s: float
    half_decay_s: float
    dff_per_spike: float
    dff_max: float
    source: str

    def __post_init__(self):
        if not (self.time_to_peak_s > 0 and self.half_decay_s > 0):
            raise InputError(f"{self.name}: time to peak and half-decay must be > 0 s")
        if not 0 < self.dff_per_spike < self.dff_max:
            raise InputError(f"{self.name}: need 0 < dff_per_spike < dff_max, got {self.dff_per_spike}, {self.dff_max}")

    @property
    def time_constants(self) -> tuple:
        """``(tau_rise, tau_decay)`` in s (:func:`fit_time_constants`)."""
        return _time_constants(float(self.time_to_peak_s), float(self.half_decay_s))

    @property
    def c_half(self) -> float:
        """Calcium (in single-spike peaks) at which dF/F is half of ``dff_max``."""
        return self.dff_max / self.dff_per_spike

    def with_(self, **changes) -> "Indicator":
        """A copy with ``changes`` (e.g. another ``dff_per_spike``)."""
        return replace(self, **changes)


@lru_cache(maxsize=None)
def _time_constants(time_to_peak_s: float, half_decay_s: float) -> tuple:
    """:func:`fit_time_constants`, fitted once per pair (the presets are used in every imaging call)."""
    return fit_time_constants(time_to_peak_s, half_decay_s)


_KINETICS = ("Chen et al., Nature 499:295 (2013), Supplementary Table 3: one action potential, mouse V1 "
             "L2/3 in vivo, cell-attached (time to peak, half-decay; means)")
_ASSUMED = "dff_per_spike 0.2 and dff_max 5: model assumptions, not from that table"

GCAMP6F = Indicator("GCaMP6f", 0.045, 0.142, 0.2, 5.0, f"{_KINETICS}; {_ASSUMED}")
GCAMP6S = Indicator("GCaMP6s", 0.179, 0.550, 0.2, 5.0, f"{_KINETICS}; {_ASSUMED}")
INDICATORS = {i.name: i for i in (GCAMP6F, GCAMP6S)}


def indicator(name) -> Indicator:
    """An :class:`Indicator` by name (case-insensitive) or itself."""
    if isinstance(name, Indicator):
        return name
    found = {k.lower(): v for k, v in INDICATORS.items()}.get(str(name).lower())
    if found is None:
        raise InputError(f"unknown indicator {name!r}; choose one of {', '.join(INDICATORS)}")
    return found
