"""The delta-network baseline (engram_nm/analysis/delta.py): exact at threshold 0, counted right."""

import numpy as np
import pytest

from engram_nm.analysis.counting import ann_macs
from engram_nm.analysis.delta import delta_mlp
from engram_nm.errors import InputError


def _mlp(seed=0, sizes=(12, 8, 3)):
    rng = np.random.default_rng(seed)
    ws = [rng.normal(0, 0.5, (b, a)) for a, b in zip(sizes[:-1], sizes[1:])]
    ws[0][:, 0] = 0.0  # one input that reaches nothing: it must cost nothing
    return ws, [rng.normal(0, 0.1, w.shape[0]) for w in ws]


def test_at_threshold_zero_every_step_equals_the_frame_based_mlp_and_effective_macs_are_neurobench_s():
    ws, bs = _mlp()
    x = np.random.default_rng(1).random((5, 7, 12)) * (np.random.default_rng(2).random((5, 7, 12)) > 0.5)
    run = delta_mlp(ws, bs, x)
    frames = x.reshape(-1, 12)
    h = np.maximum(frames @ ws[0].T + bs[0], 0) @ ws[1].T + bs[1]
    assert np.allclose(run.outputs.reshape(-1, 3), h, atol=1e-12)
    counts = ann_macs(ws, bs, frames)  # the frame-based count, tested against NeuroBench elsewhere
    assert run.dense == counts.dense and run.effective == pytest.approx(counts.effective)


def test_a_frozen_input_costs_only_its_first_step_and_a_changed_pixel_only_its_fan_out():
    ws, bs = _mlp()
    x = np.zeros((1, 4, 12))
    x[0, :, 1:4] = 1.0      # three inputs on from step 0, never changing
    x[0, 3, 5] = 1.0        # one more at the last step
    run = delta_mlp(ws, bs, x)
    fan0, fan1 = (ws[0] != 0).sum(axis=0), (ws[1] != 0).sum(axis=0)
    h0 = np.maximum(x[0, 0] @ ws[0].T + bs[0], 0)
    first = fan0[1:4].sum() + (h0 != 0) @ fan1              # step 0: everything is a change
    h3 = np.maximum(x[0, 3] @ ws[0].T + bs[0], 0)
    last = fan0[5] + ((h3 - h0) != 0) @ fan1                # step 3: one input and the hidden units it moved
    assert run.delta * 4 == pytest.approx(first + last)
    assert run.delta < run.effective < run.dense


def test_a_threshold_trades_operations_for_a_bounded_error_on_a_redundant_video():
    from engram_nm.events.digits import digit_video

    video, _ = digit_video("test", limit=3)
    x = video.reshape(3, video.shape[1], -1)
    rng = np.random.default_rng(0)
    ws = [rng.normal(0, 0.05, (32, x.shape[2])), rng.normal(0, 0.3, (10, 32))]
    bs = [np.zeros(32), np.zeros(10)]
    exact, coarse = delta_mlp(ws, bs, x), delta_mlp(ws, bs, x, threshold=0.02)
    # measured: the background never changes, the jittering digit does a little every frame, so
    # the exact delta network costs 0.51 of the effective MACs; threshold 0.02 keeps 0.35 of that
    # at a largest output error of 7 % of the output range
    assert exact.delta < 0.6 * exact.effective
    assert coarse.delta < 0.5 * exact.delta
    scale = np.abs(exact.outputs).max()
    assert 0 < np.abs(coarse.outputs - exact.outputs).max() < 0.2 * scale


def test_bad_input_is_refused():
    ws, bs = _mlp()
    with pytest.raises(InputError):
        delta_mlp(ws, bs, np.zeros((4, 12)))
    with pytest.raises(InputError):
        delta_mlp(ws, bs, np.zeros((1, 2, 11)))
    with pytest.raises(InputError):
        delta_mlp(ws, bs, np.zeros((1, 2, 12)), threshold=-1.0)
    with pytest.raises(InputError):
        delta_mlp(ws, bs[:1], np.zeros((1, 2, 12)))
