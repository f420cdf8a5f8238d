"""The accuracy-operations frontier on event data: spiking networks and the frame ANN on the same
recordings, seeds and pruning.

Two data sets (``engram_nm/events/``, docs/events.md), each as spikes ``[T, n, 2 * 32 * 32]``
(channel 0 OFF, 1 ON) for the spiking networks:

* ``"camera"``: the event-camera digits binned into :data:`STEPS` steps of :data:`STEP_US`;
  a pixel and polarity with one or more events in a step is **one input spike** (why: a spike
  carries no count; 15 % of active bins hold more than one event, and the ANN baseline keeps
  the counts, so the binarisation can only cost the spiking side);
* ``"video"``: the digit video sent as changes: each pixel is a sigma-delta encoder
  (:func:`~engram_nm.backends.sigma_delta.run_sigma_delta` on the frame differences,
  threshold ``video_threshold``, identity activation), and the sign of its graded spike is an
  ON or OFF input spike; the ANN baseline sees the frames themselves.

A spiking point is a :class:`~engram_nm.experiments.frontier.FrontierSetting` (hidden size,
readout, L1, pruning) trained and counted by :func:`~engram_nm.experiments.frontier.train_point`
on these spikes: effective ACs per recording (every input and hidden spike times its non-zero
fan-out; NeuroBench's ``Effective_ACs``) and neuron updates (every neuron, every step). The ANN
(:func:`ann_point`) is the frame MLP of :mod:`engram_nm.experiments.event_ann` on the binned counts
(camera) or frames (video), dense, with zero inputs skipped and as a delta network, optionally
pruned like the spiking points.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError

DATASETS = ("camera", "video")
STEPS, STEP_US = 30, 10_000   # camera: 30 steps of 10 ms cover the 300 ms of saccades
VIDEO_FRAMES = 20             # video: 20 frames of 10 ms (engram_nm/events/digits.py)
VIDEO_THRESHOLD = 0.1         # a change of 10 % of the ink's intensity is an input spike (our choice; seeds 0-1)
CHANCE = 0.1


def _check(dataset: str) -> None:
    if dataset not in DATASETS:
        raise InputError(f"dataset must be one of {DATASETS}, got {dataset!r}")


def ann_frames(dataset: str, split: str, seed: int, limit: int | None = None):
    """What the frame ANN sees: ``(x [n, T, features] float32, labels)``: binned event counts or
    video frames."""
    from engram_nm.events.digits import digit_video, load_event_digits
    from engram_nm.experiments.event_ann import event_frames

    _check(dataset)
    if dataset == "camera":
        events, offsets, labels = load_event_digits(split, seed, limit=limit)
        return event_frames(events, offsets, STEPS, STEP_US), labels
    video, labels = digit_video(split, seed, frames=VIDEO_FRAMES, limit=limit)
    return video.reshape(len(video), video.shape[1], -1), labels


def change_spikes(frames, threshold: float = VIDEO_THRESHOLD) -> np.ndarray:
    """ON/OFF spikes ``[n, T, 2 * features]`` of ``frames [n, T, features]`` sent by one
    sigma-delta encoder per pixel (module docstring): OFF where the graded spike is negative,
    ON where it is positive."""
    from engram_nm.backends.sigma_delta import SigmaDeltaParameters, run_sigma_delta

    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim != 3 or not threshold > 0:
        raise InputError("change_spikes needs frames [n, steps, features] and a threshold > 0")
    n, steps, features = frames.shape
    changes = np.diff(frames, axis=1, prepend=0.0).transpose(1, 0, 2).reshape(steps, n * features)
    payload = run_sigma_delta(changes, SigmaDeltaParameters(vth=threshold, relu=False)).reshape(steps, n, features)
    out = np.concatenate([payload < 0, payload > 0], axis=2).astype(np.float32)
    return out.transpose(1, 0, 2)


def spikes(dataset: str, split: str, seed: int, limit: int | None = None,
           video_threshold: float = VIDEO_THRESHOLD):
    """What the spiking networks see: ``(spikes [T, n, 2048] float32 of 0/1, labels)``."""
    x, labels = ann_frames(dataset, split, seed, limit)
    s = (x > 0).astype(np.float32) if dataset == "camera" else change_spikes(x, video_threshold)
    return np.ascontiguousarray(s.transpose(1, 0, 2)), labels


def input_meta(dataset: str, video_threshold: float = VIDEO_THRESHOLD) -> dict:
    """What a trained network's ``metadata["input"]`` says about its input."""
    _check(dataset)
    meta = {"kind": "events", "dataset": dataset, "sensor": [2, 32, 32], "channels": ["off", "on"]}
    if dataset == "camera":
        return {**meta, "steps": STEPS, "step_us": STEP_US}
    return {**meta, "steps": VIDEO_FRAMES, "step_us": STEP_US, "change_threshold": float(video_threshold)}


def snn_point(dataset: str, setting, seed: int, limit=(None, None), video_threshold: float = VIDEO_THRESHOLD):
    """Train and count one spiking point on ``dataset`` (module docstring): ``(spec, FrontierPoint)``."""
    from engram_nm.experiments.frontier import train_point

    (x_tr, y_tr), (x_te, y_te) = [spikes(dataset, split, seed, n, video_threshold)
                                  for split, n in zip(("train", "test"), limit)]
    return train_point(setting, seed, data=(x_tr, y_tr, x_te, y_te), input_meta=input_meta(dataset, video_threshold))


def ann_point(dataset: str, seed: int, thresholds=(0.0,), hidden: int = 64, epochs: int = 30, prune: float = 0.0,
              limit=(None, None), cnn: bool = False) -> list:
    """The frame MLP (``cnn``: the small CNN, :func:`~engram_nm.experiments.event_ann.train_frame_cnn`)
    on ``dataset`` (module docstring): one dict per delta threshold with the accuracy and dense,
    effective and delta MACs per recording (every frame)."""
    from engram_nm.experiments.event_ann import evaluate, train_frame_cnn, train_frame_mlp

    (x_tr, y_tr), (x_te, y_te) = [ann_frames(dataset, split, seed, n) for split, n in zip(("train", "test"), limit)]
    if cnn:
        if prune:
            raise InputError("the CNN baseline is not pruned (the MLP carries the pruning comparison)")
        model = train_frame_cnn(x_tr, y_tr, hidden=hidden, epochs=epochs, seed=seed)
    else:
        model = train_frame_mlp(x_tr, y_tr, hidden=hidden, epochs=epochs, seed=seed, prune=prune)
    frames = x_te.shape[1]
    rows = []
    for threshold in thresholds:
        r = evaluate(model, x_te, y_te, threshold=threshold)
        rows.append({"seed": int(seed), "threshold": float(threshold), "prune": float(prune), "accuracy": r["accuracy"],
                     **{k: r[k] * frames for k in ("dense_macs", "effective_macs", "delta_macs")}})
    return rows


def deploy(spec, x_train, x_test, y_test, lava_samples: int = 3, readout: str = "membrane") -> dict:
    """Take a trained point to fixed point: the spec made deployable
    (:func:`~engram_nm.experiments.frontier.deployable`: a finite readout threshold above every
    training potential), its accuracy on ``fixed-emu`` over ``x_test [T, n, 2048]`` beside the float
    accuracy, Lava ``cpu-fixed`` on the first ``lava_samples`` recordings compared spike for spike (and
    payload for payload) with ``fixed-emu``, and whether Loihi 2 holds it
    (:func:`~engram_nm.analysis.fit.fit_report`)."""
    from engram_nm.analysis.fit import fit_report
    from engram_nm.backends.fixed_emulator import emulate
    from engram_nm.backends.torch_backend import run_torch
    from engram_nm.experiments.frontier import deployable, readout_scores
    from engram_nm.hardware.targets import run_many

    x_test = np.asarray(x_test)
    target = deployable(spec, x_train) if readout == "membrane" else spec
    name = spec.layers[-1].name
    batch = np.ascontiguousarray(x_test.transpose(1, 0, 2))  # [n, T, n_in]
    emu = emulate(target, batch, record_v=readout == "membrane")
    fixed_scores = readout_scores(emu.spikes[name], emu.v.get(name), readout)
    spikes, volts = run_torch(spec, batch, record_v=readout == "membrane")
    float_scores = readout_scores(spikes[name], volts.get(name), readout)
    lava = run_many(target, [batch[i] for i in range(int(lava_samples))], target="cpu-fixed")
    equal = all(np.array_equal(lava[i].spikes[layer.name], emu.spikes[layer.name][i])
                for i in range(int(lava_samples)) for layer in target.layers)
    fit = fit_report(target)
    return {"float_accuracy": float(np.mean(float_scores.argmax(-1) == y_test)),
            "fixed_emu_accuracy": float(np.mean(fixed_scores.argmax(-1) == y_test)),
            "decisions_kept": float(np.mean(fixed_scores.argmax(-1) == float_scores.argmax(-1))),
            "lava_cpu_fixed_samples": int(lava_samples), "lava_equals_fixed_emu": bool(equal),
            "fits_loihi2": bool(fit.fits), "loihi2_cores": int(fit.cores), "fit_problems": list(fit.problems)}
