"""Engram gating: numpy reference, and the Lava EngramGate process against it (once per tag)."""

import numpy as np
import pytest

from engram_nm.errors import InputError, SpecError
from engram_nm.gating import GateSpec, logits_from_masks, xdg_masks


def test_xdg_masks_keep_a_fixed_fraction_per_task():
    masks = xdg_masks(5, 100, keep_fraction=0.2, seed=1)
    assert masks.shape == (5, 100) and np.all(masks.sum(axis=1) == 20)
    assert not np.array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks, xdg_masks(5, 100, keep_fraction=0.2, seed=1))
    gate = GateSpec(logits_from_masks(masks))
    np.testing.assert_array_equal(gate.masks([3] * 4), np.tile(masks[3], (4, 1)))


def test_stochastic_masks_follow_the_probabilities_and_period():
    logits = np.log(np.array([[0.1, 0.5, 0.9]]) / (1 - np.array([[0.1, 0.5, 0.9]])))
    gate = GateSpec(logits, mode="stochastic", period=1, seed=3)
    m = gate.masks([0] * 20000)
    np.testing.assert_allclose(m.mean(axis=0), [0.1, 0.5, 0.9], atol=0.01)
    slow = GateSpec(logits, mode="stochastic", period=5, seed=3).masks([0] * 20)
    assert all(np.array_equal(slow[t], slow[t - t % 5]) for t in range(20))


@pytest.mark.parametrize("make, err, match", [
    (lambda: GateSpec(np.ones(3)), SpecError, "n_tasks, n"),
    (lambda: GateSpec(np.ones((2, 3)), mode="random"), SpecError, "mode"),
    (lambda: GateSpec(np.ones((2, 3)), period=0), SpecError, "period"),
    (lambda: GateSpec(np.ones((2, 3))).masks([2]), InputError, "task"),
    (lambda: xdg_masks(2, 10, keep_fraction=0.0), SpecError, "keep_fraction"),
])
def test_bad_gate_input(make, err, match):
    with pytest.raises(err, match=match):
        make()


def _run_gate(gate: GateSpec, currents: np.ndarray, tasks: np.ndarray, tag: str) -> np.ndarray:
    """Feed ``currents [T, n]`` through a Lava EngramGate, switching task between runs where
    ``tasks`` changes (no rebuild); returns what the gate sent ``[T, n]``."""
    from engram_nm.lava_compat import lava
    from engram_nm.processes.engram_gate.process import EngramGate
    from engram_nm.processes.runtime import lava_session

    kind = float if tag == "floating_pt" else np.int32
    src = lava.SourceRingBuffer(data=currents.T.astype(kind))
    proc = EngramGate(logits=gate.logits, task=int(tasks[0]), mode=gate.mode, period=gate.period, seed=gate.seed)
    sink = lava.SinkRingBuffer(shape=(gate.size,), buffer=len(tasks))
    src.s_out.connect(proc.a_in)
    proc.a_out.connect(sink.a_in)
    edges = [0] + [t for t in range(1, len(tasks)) if tasks[t] != tasks[t - 1]] + [len(tasks)]
    with lava_session(proc, lava.Loihi2SimCfg(select_tag=tag)) as session:
        for start, stop in zip(edges, edges[1:]):
            if start:  # the first task is the process' init; Var.set needs a started runtime
                proc.task.set(np.array([int(tasks[start])]))
            session.run(stop - start)
        return sink.data.get().T


@pytest.mark.lava
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_lava_gate_matches_reference_draw_for_draw_across_a_task_switch(tag, mode):
    rng = np.random.default_rng(0)
    gate = GateSpec(rng.normal(0, 2, (3, 12)), mode=mode, period=2, seed=7)
    currents = rng.integers(1, 50, (40, 12)).astype(float)
    tasks = np.array([0] * 15 + [2] * 15 + [1] * 10)
    sent = _run_gate(gate, currents, tasks, tag)
    expected = currents * gate.masks(tasks)
    np.testing.assert_array_equal(sent, expected)
    assert 0 < (sent > 0).mean() < 1
