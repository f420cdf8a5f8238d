"""A dynamic vision sensor (DVS) model: events from a sequence of intensity frames.

Each pixel compares the log intensity ``L = ln(I + eps)`` with the level ``L_ref`` it last
reported. At frame ``k`` (time ``t_k``), while its refractory period has passed::

    L_k - L_ref >= C_on(x)    ->  an ON event at t_k,   L_ref += C_on(x)
    L_ref - L_k >= C_off(x)   ->  an OFF event at t_k,  L_ref -= C_off(x)

at most one event per pixel per frame: a change larger than one threshold is reported over the
following frames, one event each, which is how a refractory period limits a pixel's bandwidth
(frames must be no longer than the refractory period for this to hold; the sensor checks it).
The thresholds differ from pixel to pixel, ``C ~ N(C_nominal, sigma)`` (drawn once per sensor
from its seed, floored at 0.01), and every pixel also fires background events, Poisson at
``noise_hz``, each ON or OFF with probability 1/2.

This is the contrast-threshold model of ESIM (Rebecq, Gehrig & Scaramuzza, CoRL 2018) and v2e
(Hu, Liu & Delbruck, CVPR Workshops 2021), reduced: no photoreceptor low-pass filter, no leak
events, no intensity-dependent shot noise. Nominal thresholds 0.2 and mismatch 0.03 (log units)
are v2e's ``EventEmulator`` defaults; the 1 ms refractory period, 0.1 Hz background rate and
``eps`` are our choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import EventDataError
from engram_nm.events.files import EVENT_DTYPE


@dataclass(frozen=True)
class EventSensor:
    """The sensor's parameters (module docstring): thresholds in log-intensity units, times in s."""

    width: int = 32
    height: int = 32
    threshold_on: float = 0.2
    threshold_off: float = 0.2
    threshold_sigma: float = 0.03
    refractory_s: float = 1e-3
    noise_hz: float = 0.1
    eps: float = 1e-2
    seed: int = 0

    def __post_init__(self) -> None:
        if int(self.width) < 1 or int(self.height) < 1:
            raise EventDataError(f"the sensor needs width and height >= 1, got {self.width} x {self.height}")
        for name in ("threshold_on", "threshold_off", "refractory_s", "eps"):
            if not getattr(self, name) > 0:
                raise EventDataError(f"EventSensor.{name} must be > 0, got {getattr(self, name)}")
        for name in ("threshold_sigma", "noise_hz"):
            if not getattr(self, name) >= 0:
                raise EventDataError(f"EventSensor.{name} must be >= 0, got {getattr(self, name)}")

    def thresholds(self) -> tuple:
        """``(C_on, C_off)``, ``[height, width]`` each: this sensor's fixed per-pixel thresholds."""
        rng = np.random.default_rng([int(self.seed), 1])
        shape = (int(self.height), int(self.width))
        on = self.threshold_on + self.threshold_sigma * rng.standard_normal(shape)
        off = self.threshold_off + self.threshold_sigma * rng.standard_normal(shape)
        return np.maximum(on, 0.01), np.maximum(off, 0.01)

    def record(self, frames: np.ndarray, frame_s: float, noise_seed: int = 0) -> np.ndarray:
        """Events (:data:`~engram_nm.events.files.EVENT_DTYPE`, sorted by time) of ``frames``
        (``[T, height, width]``, intensities >= 0, frame ``k`` at ``k * frame_s`` seconds).
        The first frame sets every pixel's reference; ``noise_seed`` draws the background events."""
        frames = np.asarray(frames, dtype=np.float64)
        if frames.ndim != 3 or frames.shape[1:] != (int(self.height), int(self.width)):
            raise EventDataError(f"frames must be [T, {self.height}, {self.width}], got {frames.shape}")
        if not np.all(np.isfinite(frames)) or frames.min(initial=0.0) < 0:
            raise EventDataError("frame intensities must be finite and >= 0")
        if not 0 < frame_s <= self.refractory_s:
            raise EventDataError(f"frame_s must be in (0, refractory_s = {self.refractory_s}] s, got {frame_s}")
        c_on, c_off = self.thresholds()
        log = np.log(frames + self.eps)
        ref = log[0].copy()
        last = np.full(ref.shape, -np.inf)
        refractory_us = self.refractory_s * 1e6
        parts = []
        for k in range(1, len(log)):
            t_us = int(round(k * frame_s * 1e6))
            ready = t_us - last >= refractory_us - 1e-6
            on = ready & (log[k] - ref >= c_on)
            off = ready & (ref - log[k] >= c_off)
            ref[on] += c_on[on]
            ref[off] -= c_off[off]
            fired = on | off
            last[fired] = t_us
            y, x = np.nonzero(fired)
            part = np.empty(y.size, dtype=EVENT_DTYPE)
            part["t"], part["x"], part["y"], part["p"] = t_us, x, y, on[y, x]
            parts.append(part)
        signal = np.concatenate(parts) if parts else np.empty(0, dtype=EVENT_DTYPE)
        noise = self.background(len(log) * frame_s, noise_seed)
        events = np.concatenate([signal, noise])
        return events[np.argsort(events["t"], kind="stable")]

    def background(self, duration_s: float, seed: int = 0) -> np.ndarray:
        """Background events over ``duration_s``: per pixel Poisson at ``noise_hz``, polarity 1/2."""
        rng = np.random.default_rng([int(self.seed), int(seed), 2])
        n = rng.poisson(self.noise_hz * duration_s * self.width * self.height)
        out = np.empty(n, dtype=EVENT_DTYPE)
        out["t"] = np.sort(rng.integers(0, max(1, int(duration_s * 1e6)), n))
        out["x"], out["y"] = rng.integers(0, self.width, n), rng.integers(0, self.height, n)
        out["p"] = rng.integers(0, 2, n)
        return out
