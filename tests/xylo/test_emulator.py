"""xylo-emu against xylo-sim (Rockpool's XyloSim, the xylosim C++ core): the same integers, event
for event, on random networks within the chip's limits, saturation and multi-event steps included."""

import numpy as np
import pytest

from engram_nm.xylo.config import STATE_MAX, STATE_MIN
from engram_nm.xylo.emulator import bitshift_decay, deliver, emulate_xylo, neuron_step
from engram_nm.xylo.rockpool_sim import simulate_xylo
from tests.xylo.networks import random_config


@pytest.mark.parametrize("seed", range(4))
def test_the_emulator_equals_xylosim_on_random_networks(seed):
    config = random_config(seed, thresholds=(20, 400) if seed % 2 else (50, 800))
    x = np.random.default_rng(100 + seed).poisson(0.8 if seed == 3 else 0.3, (3, 120, 16))
    sim, emu = simulate_xylo(config, x), emulate_xylo(config, x)
    for name, a, b in zip(sim._fields, sim, emu):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert sim.hidden_events.sum() > 1000 and sim.output_events.sum() > 100, "a silent network proves little"
    assert sim.hidden_events.max() > 1, "no step with several events: the multi-event path went untested"
    assert sim.v.max() == STATE_MAX or sim.v.min() == STATE_MIN or np.abs(sim.current).max() > 30000


def test_a_quiet_sparse_network_matches_too_and_one_sample_keeps_no_batch_axis():
    config = random_config(7, n_hidden=30, thresholds=(300, 900))
    x = (np.random.default_rng(1).random((200, 16)) < 0.1).astype(int)
    sim, emu = simulate_xylo(config, x), emulate_xylo(config, x)
    assert emu.hidden_events.shape == (200, 30)
    for name, a, b in zip(sim._fields, sim, emu):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert 0 < sim.hidden_events.sum()


def test_bitshift_decay_floors_with_a_minimum_step_toward_zero():
    x = np.array([1, -1, 7, -7, 100, -100, 0])
    np.testing.assert_array_equal(bitshift_decay(x, np.full(7, 3)), [1, -1, 1, -1, 12, -13, 0])
    np.testing.assert_array_equal(bitshift_decay(x, np.zeros(7, int)), x)  # dash 0: the whole value decays


def test_each_event_saturates_on_its_own_in_source_order():
    current = np.array([[32000]])
    weights = np.array([[100], [-100]])  # source 0 pushes up, source 1 down
    events = np.array([[10, 10]])
    # up to 32767 (clipped at the 8th event), then down by 1000: not 32000 + 1000 - 1000
    np.testing.assert_array_equal(deliver(current, events, weights), [[31767]])
    np.testing.assert_array_equal(deliver(np.array([[0]]), events, weights), [[0]])  # far from the bounds


def test_a_neuron_fires_several_events_a_step_and_keeps_the_rest():
    current, v, events = neuron_step(np.array([[1000]]), np.array([[0]]), np.array([1]), np.array([4]),
                                     np.array([100]), max_events=31)
    assert current[0, 0] == 500 and events[0, 0] == 5 and v[0, 0] == 0  # 500 in: five thresholds of 100
    _, v, events = neuron_step(np.array([[1000]]), np.array([[0]]), np.array([1]), np.array([4]),
                               np.array([100]), max_events=1)
    assert events[0, 0] == 1 and v[0, 0] == 400  # the read-out fires once and keeps the remainder
