"""dF/F from recorded fluorescence, as an experimenter computes it, and its noise level.

* :func:`dff_from_baseline`: ``(F - F0) / F0`` with ``F0`` the mean of each cell's pre-stimulus
  frames (evoked responses, trial designs);
* :func:`dff_running_percentile`: ``F0`` a running low percentile over a window (long sessions
  with drift and bleaching, no designated baseline);
* :func:`noise_sd`: per-cell noise of a dF/F trace from its frame-to-frame differences,
  ``1.4826 * median(|dF/F[n+1] - dF/F[n]|) / sqrt(2)`` (robust to the sparse transients).
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError


def _frames(fluorescence) -> np.ndarray:
    f = np.asarray(fluorescence, dtype=float)
    if f.ndim != 2 or f.shape[0] < 2:
        raise InputError(f"fluorescence must be (frames >= 2, cells), got shape {f.shape}")
    return f


def dff_from_baseline(fluorescence, baseline_frames) -> np.ndarray:
    """``(F - F0) / F0`` per cell, ``F0`` the mean over ``baseline_frames`` (indices or a slice)."""
    f = _frames(fluorescence)
    if np.size(f[baseline_frames]) == 0:
        raise InputError("dff_from_baseline needs at least one baseline frame")
    f0 = f[baseline_frames].mean(axis=0)
    return (f - f0) / np.where(f0 > 0, f0, np.nan)


def dff_running_percentile(fluorescence, window_frames: int, percentile: float = 10.0) -> np.ndarray:
    """``(F - F0) / F0`` per cell, ``F0`` the ``percentile`` of the surrounding ``window_frames``."""
    from scipy.ndimage import percentile_filter

    f = _frames(fluorescence)
    if int(window_frames) < 1 or not 0 <= percentile <= 100:
        raise InputError(f"need window_frames >= 1 and 0 <= percentile <= 100, got {window_frames}, {percentile}")
    f0 = percentile_filter(f, percentile, size=(int(window_frames), 1), mode="nearest")
    return (f - f0) / np.where(f0 > 0, f0, np.nan)


def noise_sd(dff) -> np.ndarray:
    """Per-cell noise standard deviation of a dF/F trace (module docstring)."""
    d = _frames(dff)
    return 1.4826 * np.median(np.abs(np.diff(d, axis=0)), axis=0) / np.sqrt(2.0)
