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


def test_an_unrolled_convolution_is_the_convolution_and_costs_its_kernel():
    import torch

    from engram_nm.experiments.event_ann import unrolled_conv

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    matrix, bias, macs = unrolled_conv(conv, 6, 6)
    x = torch.rand(4, 2, 6, 6, dtype=torch.float64)
    expected = conv(x).reshape(4, -1).detach().numpy()
    np.testing.assert_allclose(x.reshape(4, -1).numpy() @ matrix.T + bias, expected, atol=1e-12)
    # 3 x 3 x 3 outputs; corner and edge outputs see fewer inputs through the padding
    inside = sum(len(range(max(0, 2 * i - 1), min(6, 2 * i + 2))) for i in range(3)) ** 2
    assert macs == 3 * 2 * inside == np.count_nonzero(matrix)


def test_the_cnn_baseline_learns_the_video_and_counts_its_convolution_dense():
    from engram_nm.experiments.event_ann import train_frame_cnn

    x, y = digit_video("train", limit=200)
    x = x.reshape(len(x), x.shape[1], -1)
    model = train_frame_cnn(x, y, channels=4, hidden=32, epochs=10, lr=5e-3)
    run = evaluate(model, x[:50], y[:50])
    assert run["accuracy"] > 0.3  # chance 0.10
    conv_macs, hidden, out = model.dense_macs
    assert run["dense_macs"] == conv_macs + hidden + out and conv_macs < model.weights[0].size
    assert run["effective_macs"] <= run["dense_macs"]
