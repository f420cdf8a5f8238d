"""Imaging sessions on the conditioning network: the engram's maturation is visible in dF/F and
goes away when consolidation is blocked; detection from dF/F beats chance and its sham does not."""

import numpy as np
import pytest

from engram_nm.experiments.engram.cohort import run_cohort
from engram_nm.experiments.engram.conditioning import conditioning_config, summarise
from engram_nm.experiments.engram.imaging_sessions import detect_engram, imaging_day, score_day
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.imaging.microscope import Microscope

SEEDS = (0, 1, 2, 3)


@pytest.fixture(scope="module")
def days():
    exs = [EngramExperiment(config=conditioning_config(s), target="fixed-emu", seed=s) for s in SEEDS]
    return run_cohort(exs, lambda ex: imaging_day(ex, chunks=(1500, 1500), baseline_steps=1000, cue_steps=600,
                                                  after_steps=300))


def test_sessions_are_whole_and_the_engram_is_active(days):
    for day in days:
        assert set(day.sessions) == {"encoding", "normal 0", "normal 1500", "normal 3000", "blocked 0",
                                     "blocked 1500", "blocked 3000"}
        enc = day.sessions["encoding"]
        assert enc.spikes.shape == (1000 + 500 + 200, 400) and enc.stimulus == (1000, 1500)
        assert day.tagged.sum() >= 10 and (day.unreached & day.tagged).sum() >= 2


def test_maturation_seen_in_dff_follows_the_spikes_and_needs_consolidation(days):
    s = summarise([score_day(d, seed=k) for k, d in enumerate(days)])
    m = {c: {f: v["mean"] for f, v in fields.items()} for c, fields in s.items()}
    # imaging: engram cells the cue does not reach respond more after consolidation, not when blocked
    assert m["normal 3000"]["recruited_dff"] > m["normal 0"]["recruited_dff"] + 0.15
    assert m["normal 3000"]["recruited_dff"] > m["blocked 3000"]["recruited_dff"] + 0.15
    assert abs(m["blocked 3000"]["recruited_dff"] - m["blocked 0"]["recruited_dff"]) < 0.15
    # the spikes say the same, and other cells stay at chance in both
    assert m["normal 3000"]["recruited_rate_hz"] > m["blocked 3000"]["recruited_rate_hz"] + 5
    for c in m:
        assert m[c]["chance_dff"] < 0.05 and m[c]["chance_rate_hz"] < 1.0
    assert m["normal 0"]["precision"] > 3 * m["normal 0"]["chance_precision"]


def test_engram_detection_beats_chance_and_its_sham_does_not(days):
    scope = Microscope(frame_rate_hz=30, photons_per_frame=100)
    for method in ("threshold", "nmf"):
        real = [detect_engram(d, method, "GCaMP6f", scope, seed=k) for k, d in enumerate(days)]
        sham = [detect_engram(d, method, "GCaMP6f", scope, seed=k, sham=True) for k, d in enumerate(days)]
        chance = np.mean([r.chance_precision for r in real])
        assert np.mean([r.precision for r in real]) > 3 * chance
        assert np.mean([r.auc for r in real]) > 0.95
        assert abs(np.mean([r.auc for r in sham]) - 0.5) < 0.15
        assert np.nanmean([r.precision for r in sham]) < 0.3
