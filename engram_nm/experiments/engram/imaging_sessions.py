"""Calcium imaging across an engram's life: the conditioning day and recall sessions during
consolidation, imaged as a two-photon experiment would image them (:mod:`engram_nm.imaging`).

:func:`imaging_day` (a protocol of one experiment, so a cohort of seeds runs it as one batch)
records the E population's spikes in sessions, each a **baseline** (home cage, background input
only), a **stimulus** and an **after** period, run back to back and imaged as one movie:

* ``encoding``: context A paired with the shock (:func:`~engram_nm.experiments.engram.conditioning.condition`,
  no consolidation yet) after ``baseline_steps`` of home cage; the tag (c-fos) is set from the
  spikes of the conditioning, as in every other protocol here;
* ``<arm> <steps>``: half of A as the cue for ``cue_steps``, after ``steps`` of consolidation so far,
  in the ``normal`` arm (plasticity on) and the ``blocked`` arm (a copy of the same conditioned
  network, plasticity off).

What this protocol's consolidation is, plainly: a **schedule**. Its offline phases reactivate A by
driving half of A's channels in bursts (``EngramExperiment.consolidate(replay=["A"])``, experimenter-
driven rehearsal), on single-stage synapses, and "blocked" switches plasticity off. The maturation
it images is the effect of those extra training bursts, not of a consolidation mechanism; it is
kept as a test bed for the imaging pipeline (what imaging can and cannot see of a change the spikes
carry). Consolidation as a network mechanism (spontaneous activity, two-stage synapses, a
protein-synthesis inhibitor that blocks capture) is :func:`~engram_nm.experiments.engram.conditioning.consolidation_course`.

:func:`score_session` reads a session the way an experimenter does (dF/F against the session's own
baseline, responsive cells by :func:`~engram_nm.imaging.detection.response_z` > 3) and puts the spikes'
answer beside it: what imaging sees of the engram's maturation (the cue recruiting engram cells
it does not reach directly, :attr:`ImagingScore.recruited_imaging`) against what the spikes did
(:attr:`ImagingScore.recruited_spikes`), each with its chance level (the same for non-engram cells
the cue does not reach). :func:`detection_sweep` detects the engram from the encoding session by
threshold and by NMF against the tag, over indicators, frame rates and photon counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from engram_nm.errors import InputError
from engram_nm.analysis.statistics import FRACTION
from engram_nm.experiments.engram.conditioning import condition
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.experiments.engram.network import EXC
from engram_nm.experiments.engram.stimulus import cue_channels
from engram_nm.imaging.detection import DetectionScore, nmf_members, nmf_scores, response_z, score_detection
from engram_nm.imaging.dff import dff_from_baseline
from engram_nm.imaging.microscope import Microscope, Recording, image

RESPONSE_Z = 3.0


@dataclass
class Session:
    """One imaged session: E spikes (steps x cells, original numbering), when it started (s since
    the experiment began), and its windows in steps: ``baseline``, ``stimulus`` and ``response``
    (the stimulus and the after period, where the calcium still carries it)."""

    spikes: np.ndarray
    start_s: float
    baseline: tuple
    stimulus: tuple
    response: tuple


@dataclass
class ImagingDay:
    """Every session of one animal (:func:`imaging_day`), the tag and the cells the cue does not reach."""

    sessions: dict
    tagged: np.ndarray
    unreached: np.ndarray
    dt: float
    active_threshold_hz: float


def _session(records, stimulus_steps: int, after_steps: int) -> Session:
    """Concatenate baseline, stimulus and after records into one session."""
    spikes = np.concatenate([r.spikes[EXC] for r in records])
    base = records[0].steps
    return Session(spikes, records[0].start_s, (0, base), (base, base + stimulus_steps),
                   (base, base + stimulus_steps + after_steps))


def imaging_day(ex: EngramExperiment, chunks=(1000, 1000, 1000), baseline_steps: int = 1500, cue_steps: int = 1000,
                after_steps: int = 500, cue_fraction: float = 0.5, **day) -> ImagingDay:
    """The sessions of the module docstring. ``chunks``: consolidation (steps) before each later
    recall session; ``day``: keyword arguments of
    :func:`~engram_nm.experiments.engram.conditioning.condition`."""
    if min(baseline_steps, cue_steps) < 1 or after_steps < 0:
        raise InputError("baseline_steps and cue_steps must be >= 1 and after_steps >= 0")
    pre = ex.rest(baseline_steps, learn=False)
    fear = condition(ex, "none", synapses=None, **day)
    encode, rest = ex.records[-1], ex.rest(200)
    sessions = {"encoding": _session([pre, encode, rest], encode.steps, rest.steps)}
    cue = cue_channels(fear.conditioned, cue_fraction, seed=ex.seed)

    def recall(twin: EngramExperiment) -> Session:
        records = [twin.rest(baseline_steps, learn=False), twin.present(cue, cue_steps, kind="test", memory="A")]
        if after_steps:
            records.append(twin.rest(after_steps, learn=False))
        return _session(records, cue_steps, after_steps)

    for arm, twin in (("normal", ex), ("blocked", ex.copy())):
        done = 0
        sessions[f"{arm} 0"] = recall(twin)
        for steps in chunks:
            twin.consolidate(steps, background_hz=twin.background_hz, learn=arm == "normal", replay=["A"])
            done += steps
            sessions[f"{arm} {done}"] = recall(twin)
    return ImagingDay(sessions, ex.memories["A"].tagged.copy(), ex.unreached_cells(cue), ex.spec.dt,
                      ex.active_threshold_hz)


@dataclass(frozen=True)
class ImagingScore:
    """One session read from imaging and from spikes (module docstring).

    ``responsive_fraction``: E cells with response z > 3; ``precision``: tagged among them
    (``chance_precision``: the tagged share of all E cells). The engram's maturation, on the
    engram cells the cue does not reach (``recruited_*``) against non-engram cells it does not
    reach (``chance_*``): mean dF/F over the response frames above baseline (``*_dff``), share
    responsive (``*_imaging``) and, from the spikes, mean rate in the stimulus window
    (``*_rate_hz``). ``engram_dff`` / ``other_dff``: mean dF/F of all engram / other cells."""

    responsive_fraction: float = field(metadata=FRACTION)
    precision: float = field(metadata=FRACTION)
    chance_precision: float = field(metadata=FRACTION)
    recruited_dff: float
    chance_dff: float
    recruited_imaging: float = field(metadata=FRACTION)
    chance_imaging: float = field(metadata=FRACTION)
    recruited_rate_hz: float
    chance_rate_hz: float
    engram_dff: float
    other_dff: float


class Movie(NamedTuple):
    """A session imaged: dF/F (frames x cells, against the mean of the baseline frames), the
    recording, and the frames of the session's baseline and response windows."""

    dff: np.ndarray
    recording: Recording
    baseline: np.ndarray
    response: np.ndarray

    @property
    def lift(self) -> np.ndarray:
        """Per cell, mean dF/F over the response frames minus over the baseline frames."""
        return self.dff[self.response].mean(axis=0) - self.dff[self.baseline].mean(axis=0)


def image_session(session: Session, dt: float, indicator="GCaMP6f", microscope: Microscope | None = None,
                  seed: int = 0) -> Movie:
    """``session`` through ``indicator`` and ``microscope`` (:class:`Movie`)."""
    rec = image(session.spikes, dt, indicator, microscope, seed=seed, start_s=session.start_s)
    baseline = rec.frames_of(*session.baseline)
    if baseline.size == 0:
        raise InputError("the session's baseline is shorter than one frame")
    return Movie(dff_from_baseline(rec.fluorescence, baseline), rec, baseline, rec.frames_of(*session.response))


def score_session(day: ImagingDay, name: str, indicator="GCaMP6f", microscope: Microscope | None = None,
                  seed: int = 0) -> ImagingScore:
    """Read session ``name`` of ``day`` (module docstring)."""
    session = day.sessions[name]
    movie = image_session(session, day.dt, indicator, microscope, seed)
    responsive = response_z(movie.dff, movie.baseline, movie.response) > RESPONSE_Z
    a, b = session.stimulus
    rates = session.spikes[a:b].sum(axis=0) / ((b - a) * day.dt)
    engram, mine, others = day.tagged, day.unreached & day.tagged, day.unreached & ~day.tagged
    lift = movie.lift
    nan = float("nan")

    def mean(values, group):
        return float(np.mean(values[group])) if group.any() else nan

    return ImagingScore(float(responsive.mean()), mean(engram, responsive), float(engram.mean()),
                        mean(lift, mine), mean(lift, others), mean(responsive, mine), mean(responsive, others),
                        mean(rates, mine), mean(rates, others), mean(lift, engram), mean(lift, ~engram))


def score_day(day: ImagingDay, indicator="GCaMP6f", microscope: Microscope | None = None, seed: int = 0) -> dict:
    """:func:`score_session` for every session: ``{session: ImagingScore}``."""
    return {name: score_session(day, name, indicator, microscope, seed * 1009 + k)
            for k, name in enumerate(day.sessions)}


def detect_engram(day: ImagingDay, method: str, indicator="GCaMP6f", microscope: Microscope | None = None,
                  seed: int = 0, sham: bool = False) -> DetectionScore:
    """Detect the engram from the encoding session's dF/F (``method``: ``"threshold"`` or ``"nmf"``,
    :mod:`~engram_nm.imaging.detection`) and score it against the tag. ``sham=True``: the control
    without the stimulus: the home-cage baseline alone, its first half as baseline and its second
    half as the "response" (the same detector on frames no stimulus touched)."""
    session = day.sessions["encoding"]
    dff, rec, baseline, response = image_session(session, day.dt, indicator, microscope, seed)
    if sham:  # only the home-cage frames, so nothing of the stimulus reaches either detector
        stop = session.baseline[1]
        baseline, response = rec.frames_of(0, stop // 2), rec.frames_of(stop // 2, stop)
        dff = dff[: response[-1] + 1]
    if method == "threshold":
        scores = response_z(dff, baseline, response)
        detected = scores > RESPONSE_Z
    elif method == "nmf":
        scores = nmf_scores(dff, response, seed=seed)
        detected = nmf_members(scores)
    else:
        raise InputError(f"method must be 'threshold' or 'nmf', got {method!r}")
    return score_detection(detected, scores, day.tagged)


def detection_sweep(day: ImagingDay, indicators=("GCaMP6f", "GCaMP6s"), frame_rates=(2.0, 5.0, 10.0, 30.0),
                    photons=(5.0, 20.0, 100.0, 500.0), methods=("threshold", "nmf"), seed: int = 0,
                    sham: bool = True) -> dict:
    """:func:`detect_engram` over a grid: ``{"<method> <indicator> <rate> Hz <photons> ph": DetectionScore}``
    (one microscope per point: the other settings at their defaults); ``sham``: each point's
    no-stimulus control too (``"sham <method> ..."``)."""
    out = {}
    grid = [(m, i, r, p) for m in methods for i in indicators for r in frame_rates for p in photons]
    for k, (method, ind, rate, ph) in enumerate(grid):
        scope = Microscope(frame_rate_hz=rate, photons_per_frame=ph)
        key = f"{method} {ind} {rate:g} Hz {ph:g} ph"
        out[key] = detect_engram(day, method, ind, scope, seed * 7919 + k)
        if sham:
            out[f"sham {key}"] = detect_engram(day, method, ind, scope, seed * 7919 + k, sham=True)
    return out
