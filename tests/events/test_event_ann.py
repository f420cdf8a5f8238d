"""The frame ANN baseline (engram_nm/experiments/event_ann.py) on the generated sets."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.events.digits import digit_video, event_digits
from engram_nm.experiments.event_ann import evaluate, event_frames, train_frame_mlp


def test_a_frame_mlp_learns_the_video_and_its_delta_run_answers_the_same_for_fewer_macs():
    x_tr, y_tr = digit_video("train", limit=300)
    x_te, y_te = digit_video("test", limit=100)
    flat = lambda v: v.reshape(v.shape[0], v.shape[1], -1)  # noqa: E731
    model = train_frame_mlp(flat(x_tr), y_tr, hidden=32, epochs=15)
    exact = evaluate(model, flat(x_te), y_te)
    assert exact["accuracy"] > 0.6  # chance 0.10
    assert exact["delta_macs"] < exact["effective_macs"] <= exact["dense_macs"]
    coarse = evaluate(model, flat(x_te), y_te, threshold=0.05)
    assert coarse["delta_macs"] < 0.5 * exact["delta_macs"] and coarse["accuracy"] > exact["accuracy"] - 0.1


def test_event_frames_bin_every_recording_and_keep_its_events():
    events, offsets, _ = event_digits("test", limit=2)
    frames = event_frames(events, offsets, steps=31, step_us=10_000)
    assert frames.shape == (2, 31, 2 * 32 * 32)
    assert frames.sum(axis=(1, 2)).tolist() == np.diff(offsets).tolist()


def test_bad_training_input_is_refused():
    with pytest.raises(InputError):
        train_frame_mlp(np.zeros((4, 10)), np.zeros(4))
    with pytest.raises(InputError):
        train_frame_mlp(np.zeros((4, 2, 10)), np.zeros(3))
