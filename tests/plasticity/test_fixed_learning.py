"""The Lava-free fixed-point learning engine (engram_nm.loihi.learning) against Lava's.

Lava's ``LearningDense`` ``fixed_pt`` model (bit-approximate to Loihi) and the emulator are fed the
same pre/post spike trains; the weights must be equal at every step, integer for integer. Every
rule of tests/plasticity/test_engine_equivalence.py with seed 7 is held there; here: other
seeds, every step, fractional trace impulses (the stochastic impulse rounding), mixed signs, and
the batch axes (members learn alone).
"""

import dataclasses

import numpy as np
import pytest

from engram_nm.loihi.learning import EngineRandoms, FixedLearningEngine, emulate_engine_on_spike_trains
from engram_nm.loihi.arithmetic import clip_weights, truncate_weights
from engram_nm.errors import PlasticityError
from engram_nm.loihi.learning_rules import fixed_engine_start
from engram_nm.plasticity import SPaSS, Outstar, Hebbian, InhibitorySTDP, PairSTDP

DT = 1e-3
STEPS = 150
RULES = {
    "stdp": (PairSTDP(a_plus=0.01, a_minus=0.012, tau_plus=5e-3, tau_minus=8e-3), 1),
    "stdp_soft_bounds": (PairSTDP(a_plus=2 ** -4, a_minus=2 ** -5, tau_plus=4e-3, tau_minus=4e-3, soft_bounds=True,
                                  w_min=0.0, w_max=2.0), 1),
    "inhibitory_stdp": (InhibitorySTDP(eta=2 ** -6, rho0=12.5, tau=20e-3), -1),
    "hebbian": (Hebbian(mu=1e-4, tau_pre=10e-3, tau_post=10e-3), 1),
    "spass": (SPaSS(mu=2 ** -12, gamma=0.5, v_target=15.625, tau_pre=10e-3, tau_post=10e-3), 1),
    "outstar": (Outstar(mu=2 ** -11, gamma=2 ** -4, tau_pre=10e-3, tau_post=10e-3), 1),
}


def _trains(seed, rate=0.15, n_pre=7, n_post=5):
    rng = np.random.default_rng(seed)
    return rng, (rng.random((STEPS, n_pre)) < rate).astype(float), (rng.random((STEPS, n_post)) < rate).astype(float)


def _emulated_integers(engine_rule, weights, pre, post, seed):
    engine = FixedLearningEngine(engine_rule, weights, seed)
    return np.array([engine.step(pre[t] > 0, post[t] > 0).copy() for t in range(pre.shape[0])])


@pytest.mark.lava
@pytest.mark.slow  # the default tier: tests/equivalence/test_lava_matrix.py (every rule, bit for bit)
@pytest.mark.parametrize("seed", [0, 123])
@pytest.mark.parametrize("name", sorted(RULES))
def test_emulator_equals_lava_fixed_engine_every_step(name, seed):
    from engram_nm.processes.learning_run import run_engine_rule

    rule, sign = RULES[name]
    rng, pre, post = _trains(seed)
    w0 = sign * rng.uniform(0.2, 1.0, (post.shape[1], pre.shape[1]))
    engine_rule, _, weights = fixed_engine_start(rule, w0, DT)
    lava_w = run_engine_rule(engine_rule, weights, pre, post, np.arange(1, STEPS + 1), tag="fixed_pt", seed=seed)
    ours = _emulated_integers(engine_rule, weights, pre, post, seed)
    assert np.abs(ours[-1] - truncate_weights(weights, engine_rule.sign_mode)).max() >= 10, \
        "the rule must move some weight by >= 10 LSB for the comparison to mean something"
    np.testing.assert_array_equal(ours, lava_w)


@pytest.mark.lava
def test_fractional_impulses_round_like_lava():
    """Impulses with a fraction (here 10.5 and 6.25) use the impulse random stream."""
    from engram_nm.processes.learning_run import run_engine_rule

    rule, _ = RULES["hebbian"]
    rng, pre, post = _trains(5, rate=0.3)
    w0 = rng.uniform(-1.0, 1.0, (post.shape[1], pre.shape[1]))
    engine_rule, _, weights = fixed_engine_start(rule, w0, DT)
    engine_rule = dataclasses.replace(engine_rule, impulses={"x1": 10.5, "y1": 6.25})
    lava_w = run_engine_rule(engine_rule, weights, pre, post, np.arange(1, STEPS + 1), tag="fixed_pt", seed=11)
    ours = _emulated_integers(engine_rule, weights, pre, post, 11)
    assert engine_rule.sign_mode is None and (ours[-1] < 0).any() and (ours[-1] > 0).any()
    assert np.abs(ours[-1] - truncate_weights(weights, None)).max() >= 10
    np.testing.assert_array_equal(ours, lava_w)
    # the fractions matter: whole impulses give other weights
    whole = dataclasses.replace(engine_rule, impulses={"x1": 10.0, "y1": 6.0})
    assert not np.array_equal(_emulated_integers(whole, weights, pre, post, 11), ours)


def test_batch_members_learn_alone():
    """Weights [networks, samples, n_post, n_pre]: each member equals its own single run."""
    rule, _ = RULES["stdp"]
    trains = [_trains(s)[1:] for s in range(6)]
    rng = np.random.default_rng(0)
    w0 = rng.uniform(0.2, 1.0, (2, 3, 5, 7))
    engine_rule, scale, _ = fixed_engine_start(rule, w0[0, 0], DT, weight_scale=64)
    weights = np.round(w0 * scale).astype(np.int64)
    pre = np.stack([t[0] for t in trains]).reshape(2, 3, STEPS, 7)
    post = np.stack([t[1] for t in trains]).reshape(2, 3, STEPS, 5)
    batch = FixedLearningEngine(engine_rule, np.asfortranarray(weights), 3)  # any memory layout
    for t in range(STEPS):
        batch.step(pre[:, :, t] > 0, post[:, :, t] > 0)
    for k in range(2):
        for b in range(3):
            alone = _emulated_integers(engine_rule, weights[k, b], pre[k, b], post[k, b], 3)[-1]
            np.testing.assert_array_equal(batch.weights[k, b], alone)
    assert len({batch.weights[k, b].tobytes() for k in range(2) for b in range(3)}) == 6


def test_random_streams_are_lavas():
    """Block draws equal Lava's one-by-one draws: step k uses draw 2k of each trace stream
    (one at construction, two per step) and draw k of the rounding stream (seed 2, every seed)."""
    randoms = EngineRandoms(seeds=[40, 7], fractional_impulses=True)
    steps = [randoms.step() for _ in range(EngineRandoms.BLOCK + 3)]  # across a refill
    for j, seed in enumerate((40, 7)):
        decay_x = np.random.default_rng(seed).random(2 * len(steps) + 1)
        decay_y = np.random.default_rng(seed + 2).random(2 * len(steps) + 1)
        rng_ix = np.random.default_rng(seed + 1)
        ix = [rng_ix.integers(0, 128, size=1, dtype=int)[0] for _ in range(2 * len(steps) + 1)]
        rounding = np.random.default_rng(2).random(len(steps) + 1)
        for k, (xd, xi, yd, yi, r) in enumerate(steps, start=1):
            assert xd[j] == decay_x[2 * k] and yd[j] == decay_y[2 * k] and r == rounding[k]
            assert xi[j] == ix[2 * k]


def test_weight_bounds_and_truncation():
    w = np.array([-300, -256, -3, 0, 3, 254, 255, 300])
    assert clip_weights(w, None).tolist() == [-256, -256, -3, 0, 3, 254, 255, 255]
    assert clip_weights(w, "excitatory").min() == 0 and clip_weights(w, "inhibitory").max() == 0
    assert clip_weights(w, "inhibitory").min() == -255
    assert truncate_weights([-3, 3, 5], None).tolist() == [-4, 2, 4]       # mixed: one LSB dropped (floor)
    assert truncate_weights([-3, -5], "inhibitory").tolist() == [-3, -5]    # 8 bits of magnitude kept
    assert truncate_weights([3, 5], "excitatory", num_weight_bits=7).tolist() == [2, 4]


def test_emulated_spike_trains_learn_like_the_reference():
    """No Lava: the emulated weights move the way the float rule moves them."""
    from engram_nm.plasticity import run_on_spike_trains

    rule, _ = RULES["stdp"]
    rng, pre, post = _trains(2)
    w0 = rng.uniform(0.2, 1.0, (5, 7))
    ref = run_on_spike_trains(rule, w0, pre, post, DT)
    ours = emulate_engine_on_spike_trains(rule, w0, pre, post, DT, seed=4)
    assert ours.weights.shape == ref.weights.shape
    change, learned = ref.final - w0, ours.final - w0
    assert np.corrcoef(change.ravel(), learned.ravel())[0, 1] >= 0.85


def test_refuses_rules_it_cannot_run():
    rule, _ = RULES["stdp"]
    engine_rule, _, weights = fixed_engine_start(rule, np.full((2, 2), 0.5), DT)
    with pytest.raises(PlasticityError, match="fixed_pt"):
        FixedLearningEngine(dataclasses.replace(engine_rule, tag="floating_pt"), weights, 0)
