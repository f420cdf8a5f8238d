"""Which cells respond, read from dF/F, and how well that matches the ground truth (the tag).

Two detectors, as in imaging studies of engrams:

* **threshold** (:func:`response_z`): a cell's response is the mean dF/F over the response frames
  minus the mean over the baseline frames, in units of its standard error,
  ``z = (mean_r - mean_b) / (sigma * sqrt(1/n_r + 1/n_b))`` with ``sigma`` the trace's noise
  (:func:`~engram_nm.imaging.dff.noise_sd`); responsive: ``z > threshold``;
* **NMF** (:func:`nmf_scores`): non-negative matrix factorisation of the rectified dF/F
  (frames x cells ~ H W, ``n_components``); the component whose time course correlates best with
  the stimulus is the assembly, a cell's score its loading on it times the component's peak
  (dF/F units); members: loadings above ``mean + 2 sd`` of all loadings (the rule of assembly
  detection from factorised activity, Lopes-dos-Santos et al., J Neurosci Methods 220:149, 2013).

:func:`score_detection` compares the detected set with the true one: precision (chance = the true
set's share of all cells), recall, and the threshold-free ROC AUC of the continuous score
(chance 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.analysis.statistics import FRACTION
from engram_nm.errors import InputError
from engram_nm.imaging.dff import noise_sd


def response_z(dff, baseline_frames, response_frames) -> np.ndarray:
    """Per-cell response z-score (module docstring)."""
    d = np.asarray(dff, dtype=float)
    b, r = d[baseline_frames], d[response_frames]
    if b.shape[0] == 0 or r.shape[0] == 0:
        raise InputError("response_z needs at least one baseline and one response frame")
    sigma = np.maximum(noise_sd(d), 1e-12)
    return (r.mean(axis=0) - b.mean(axis=0)) / (sigma * np.sqrt(1.0 / r.shape[0] + 1.0 / b.shape[0]))


def nmf_scores(dff, stimulus_frames, n_components: int = 4, seed: int = 0) -> np.ndarray:
    """Per-cell loading on the stimulus-locked NMF component (module docstring; dF/F units)."""
    from sklearn.decomposition import NMF

    d = np.nan_to_num(np.clip(np.asarray(dff, dtype=float), 0, None))
    if d.ndim != 2:
        raise InputError(f"dff must be (frames, cells), got shape {d.shape}")
    k = int(min(n_components, *d.shape))
    if k < 1:
        raise InputError(f"n_components must be >= 1, got {n_components}")
    box = np.zeros(d.shape[0])
    box[stimulus_frames] = 1.0
    if box.min() == box.max():
        raise InputError("stimulus_frames must mark some frames but not all")
    if not d.any():
        return np.zeros(d.shape[1])
    import warnings

    with warnings.catch_warnings():  # short sessions converge slowly; the scores are used as they are
        warnings.simplefilter("ignore")
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
        time_courses = model.fit_transform(d)
    loadings = model.components_
    corr = [np.corrcoef(tc, box)[0, 1] if tc.std() > 0 else -np.inf for tc in time_courses.T]
    best = int(np.nanargmax(corr))
    return loadings[best] * time_courses[:, best].max()


def nmf_members(scores) -> np.ndarray:
    """Cells whose NMF score exceeds ``mean + 2 sd`` of all scores (module docstring)."""
    s = np.asarray(scores, dtype=float)
    return s > s.mean() + 2 * s.std() if s.std() > 0 else np.zeros(s.shape, dtype=bool)


@dataclass(frozen=True)
class DetectionScore:
    """Detected cells against the true ones (module docstring); ``detected_fraction``: of all cells."""

    precision: float = field(metadata=FRACTION)
    recall: float = field(metadata=FRACTION)
    auc: float = field(metadata=FRACTION)
    detected_fraction: float = field(metadata=FRACTION)
    chance_precision: float = field(metadata=FRACTION)


def score_detection(detected, scores, truth) -> DetectionScore:
    """Compare ``detected`` (bool per cell) and the continuous ``scores`` with ``truth`` (bool)."""
    from engram_nm.sdm.recognition import auc

    detected, truth = np.asarray(detected, dtype=bool), np.asarray(truth, dtype=bool)
    scores = np.nan_to_num(np.asarray(scores, dtype=float), nan=-np.inf)
    if not (detected.shape == truth.shape == scores.shape) or truth.ndim != 1:
        raise InputError(f"detected, scores and truth must be 1-D of one length, got {detected.shape}, "
                         f"{scores.shape}, {truth.shape}")
    nan = float("nan")
    hits = int((detected & truth).sum())
    return DetectionScore(hits / detected.sum() if detected.any() else nan,
                          hits / truth.sum() if truth.any() else nan,
                          auc(scores[truth], scores[~truth]) if truth.any() and (~truth).any() else nan,
                          float(detected.mean()), float(truth.mean()))
