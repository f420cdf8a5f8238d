"""Detectors on synthetic recordings with a known responsive set, and their scoring."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.imaging.detection import nmf_members, nmf_scores, response_z, score_detection
from engram_nm.imaging.dff import dff_from_baseline
from engram_nm.imaging.microscope import Microscope, image


def _session(responders: bool, seed: int = 0):
    """200 cells at 1 Hz; 20 of them fire at 40 Hz in steps 2000-3000 when ``responders``."""
    rng = np.random.default_rng(seed)
    spikes = rng.random((4000, 200)) < 1e-3
    truth = np.zeros(200, dtype=bool)
    truth[rng.choice(200, 20, replace=False)] = True
    if responders:
        spikes[2000:3000, truth] |= rng.random((1000, 20)) < 0.04
    rec = image(spikes, 1e-3, "GCaMP6f", Microscope(frame_rate_hz=10, photons_per_frame=100), seed=seed)
    base, resp = rec.frames_of(0, 2000), rec.frames_of(2000, 3500)
    return dff_from_baseline(rec.fluorescence, base), base, resp, truth


def test_threshold_and_nmf_find_the_responders_and_not_without_a_stimulus():
    dff, base, resp, truth = _session(True)
    z = response_z(dff, base, resp)
    thr = score_detection(z > 3, z, truth)
    assert thr.precision > 0.8 and thr.recall > 0.9 and thr.auc > 0.95
    s = nmf_scores(dff, resp, seed=0)
    nmf = score_detection(nmf_members(s), s, truth)
    assert nmf.precision > 0.8 and nmf.recall > 0.7 and nmf.auc > 0.95
    dff, base, resp, truth = _session(False, seed=1)  # the control: nobody responds
    z = response_z(dff, base, resp)
    sham = score_detection(z > 3, z, truth)
    # spontaneous 1 Hz spikes make a few cells "respond" by chance; none of them for a reason
    assert sham.detected_fraction < 0.06 and abs(sham.auc - 0.5) < 0.2


def test_score_detection_by_hand_and_its_errors():
    truth = np.array([1, 1, 0, 0, 0], dtype=bool)
    score = score_detection(np.array([1, 0, 1, 0, 0], dtype=bool), np.array([0.9, 0.2, 0.5, 0.1, 0.0]), truth)
    assert (score.precision, score.recall, score.detected_fraction, score.chance_precision) == (0.5, 0.5, 0.4, 0.4)
    assert score.auc == pytest.approx(5 / 6)
    assert np.isnan(score_detection(np.zeros(5, bool), np.zeros(5), truth).precision)
    with pytest.raises(InputError, match="one length"):
        score_detection(np.zeros(4, bool), np.zeros(5), truth)
    with pytest.raises(InputError, match="some frames"):
        nmf_scores(np.ones((10, 3)), np.arange(10))
    with pytest.raises(InputError, match="baseline"):
        response_z(np.ones((10, 3)), [], [1, 2])
