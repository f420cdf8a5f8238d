"""Operation counts: a hand-computed network, and equal counts on equal-spike backends."""

import numpy as np
import pytest

from engram_nm import EngramSpec, LayerSpec, random_spec
from engram_nm.analysis.counting import count_run
from engram_nm.errors import InputError
from engram_nm.hardware.targets import run


def test_tiny_network_counted_by_hand():
    # 2 inputs -> 2 neurons (one zero weight) -> 1 neuron with a recurrent self-connection.
    spec = EngramSpec(2, [LayerSpec("a", weight=[[2.0, 0.0], [2.0, 2.0]], v_threshold=1.0),
                          LayerSpec("b", weight=[[2.0, 2.0]], recurrent_weight=[[0.5]], v_threshold=1.0)])
    x = np.array([[1, 1], [0, 1], [0, 0], [0, 0]])
    spikes = {"a": np.array([[0, 0], [1, 1], [0, 1], [0, 0]]), "b": np.array([[0], [0], [1], [1]])}
    c = count_run(spec, x, spikes)
    # layer a: input 0 spikes once (fan-out 2), input 1 spikes twice (fan-out 1): 2 + 2 = 4
    # layer b: a0 spikes once, a1 twice, each fan-out 1: 3; recurrent: b spikes twice, fan-out 1: 2
    assert [l.effective_acs for l in c.layers] == [4, 5]
    assert [l.dense_ops for l in c.layers] == [4 * 4, 4 * 2 + 4 * 1]
    assert [l.spikes for l in c.layers] == [3, 2] and [l.neuron_updates for l in c.layers] == [8, 4]
    assert c.activation_sparsity == pytest.approx(1 - 5 / 12)
    assert c.connection_sparsity == pytest.approx(1 / 7)
    assert c.dense_macs_ann == 4 + 2
    nb = c.as_neurobench()
    assert nb["Effective_ACs"] == 9 and nb["Dense"] == 28 and nb["Footprint"] == 4 * (4 + 3 + 5 * 3)
    assert "| total | 5 | 9 | 28 | 12 |" in c.table()


@pytest.mark.lava
def test_counts_equal_on_snntorch_and_lava_float():
    spec = random_spec(12, [20, 8], recurrent=[True, False], weight_scale=0.4, seed=3)
    x = (np.random.default_rng(0).random((80, 12)) < 0.25).astype(float)
    a = run(spec, x, "snntorch").counts(spec, x)
    b = run(spec, x, "cpu-float").counts(spec, x)
    assert a.as_neurobench() == b.as_neurobench() and a.spikes > 0
    assert a.effective_acs < a.dense  # events, not dense sweeps


def test_counts_refuse_spikes_from_another_run():
    spec = random_spec(4, [3])
    with pytest.raises(InputError, match="same run"):
        count_run(spec, np.zeros((5, 4)), {"layer0": np.zeros((6, 3))})


def test_learning_updates_count_the_engine_events():
    from engram_nm.plasticity import Hebbian, LayerPlasticity, PairSTDP

    w = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    x = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    post = np.array([[0, 1], [0, 1], [1, 0]])
    stdp = EngramSpec(3, [LayerSpec("a", weight=w, plasticity=LayerPlasticity(feedforward=PairSTDP()))])
    c = count_run(stdp, x, {"a": post}, learn=True)
    # t0: pre 0 (fan-out 2) + post 1 (fan-in 3) - synapse (1,0) counted twice = 4
    # t1: pre 2 (fan-out 2) + post 1 (fan-in 3) - synapse (1,2) = 4 ; t2: post 0 (fan-in 2) = 2
    assert c.learning_updates == 10
    assert count_run(stdp, x, {"a": post}).learning_updates == 0  # learning off
    hebb = EngramSpec(3, [LayerSpec("a", weight=w, plasticity=LayerPlasticity(feedforward=Hebbian()))])
    assert count_run(hebb, x, {"a": post}, learn=True).learning_updates == 5 * 3  # u-dependent: all, every step
