"""The numpy reference rules against their equations (no Lava)."""

import numpy as np
import pytest

from engram_nm.errors import EngramError, InputError, PlasticityError
from engram_nm.plasticity import (
    RULES, SPaSS, AntiHebbian, Hebbian, InhibitorySTDP, IntrinsicPlasticity, PairSTDP, StructuralPlasticity,
    rule_from_dict, run_on_spike_trains,
)

DT = 1e-3


def _pair(n_steps, t_pre, t_post):
    pre, post = np.zeros((n_steps, 1)), np.zeros((n_steps, 1))
    pre[t_pre, 0] = 1
    post[t_post, 0] = 1
    return pre, post


@pytest.mark.parametrize("lag", [1, 3, 10])
def test_stdp_single_pair_follows_the_exponential_window(lag):
    rule = PairSTDP(a_plus=0.01, a_minus=0.012, tau_plus=20e-3, tau_minus=30e-3)
    causal = run_on_spike_trains(rule, [[0.5]], *_pair(40, 5, 5 + lag), DT).final[0, 0] - 0.5
    acausal = run_on_spike_trains(rule, [[0.5]], *_pair(40, 5 + lag, 5), DT).final[0, 0] - 0.5
    assert causal == pytest.approx(0.01 * np.exp(-lag * DT / 20e-3), rel=1e-12)
    assert acausal == pytest.approx(-0.012 * np.exp(-lag * DT / 30e-3), rel=1e-12)


def test_simultaneous_spikes_count_both_ways():
    """Engine convention: traces take this step's spikes before the rule reads them."""
    rule = PairSTDP(a_plus=0.01, a_minus=0.012)
    dw = run_on_spike_trains(rule, [[0.5]], *_pair(10, 4, 4), DT).final[0, 0] - 0.5
    assert dw == pytest.approx(0.01 - 0.012)


def test_anti_hebbian_stdp_flips_the_window():
    heb = PairSTDP(a_plus=0.01, a_minus=0.012)
    anti = PairSTDP(a_plus=0.01, a_minus=0.012, anti=True)
    pre, post = _pair(30, 5, 8)
    assert run_on_spike_trains(heb, [[0.5]], pre, post, DT).final[0, 0] > 0.5
    assert run_on_spike_trains(anti, [[0.5]], pre, post, DT).final[0, 0] < 0.5


def test_hard_and_soft_bounds():
    rng = np.random.default_rng(0)
    pre = (rng.random((400, 3)) < 0.3).astype(float)
    post = np.roll(pre, 1, axis=0)[:, :2]  # post follows pre: steady potentiation
    hard = PairSTDP(a_plus=0.05, a_minus=0.0, w_min=0.0, w_max=1.0)
    soft = PairSTDP(a_plus=0.05, a_minus=0.0, w_min=0.0, w_max=1.0, soft_bounds=True)
    w_hard = run_on_spike_trains(hard, np.full((2, 3), 0.5), pre, post, DT).weights
    w_soft = run_on_spike_trains(soft, np.full((2, 3), 0.5), pre, post, DT).weights
    assert w_hard.max() == 1.0  # clipped exactly at the bound
    assert np.all(w_soft < 1.0) and w_soft[-1].min() > 0.9  # approaches, never reaches
    assert np.all(np.diff(w_soft[:, 0, 0]) >= 0)


def test_hebbian_tracks_rates_and_anti_hebbian_is_its_negative():
    rng = np.random.default_rng(1)
    pre = (rng.random((3000, 2)) < [0.02, 0.05]).astype(float)     # 20 Hz, 50 Hz
    post = (rng.random((3000, 1)) < 0.04).astype(float)            # 40 Hz
    heb = Hebbian(mu=1e-5, tau_pre=50e-3, tau_post=50e-3)
    w = run_on_spike_trains(heb, [[0.0, 0.0]], pre, post, DT).final
    expected = 1e-5 * 3.0 * np.array([20.0 * 40.0, 50.0 * 40.0])   # mu * T * u * v
    np.testing.assert_allclose(w[0], expected, rtol=0.2)
    anti = run_on_spike_trains(AntiHebbian(mu=1e-5, tau_pre=50e-3, tau_post=50e-3), [[0.0, 0.0]], pre, post, DT)
    np.testing.assert_allclose(anti.final, -w, rtol=1e-12)


def _spass_linear_neuron(rule, u, w0, t_end=200.0, dt=1e-3):
    """Euler integration of dw/dt for a linear neuron v = u * w."""
    w = np.array([[w0]])
    for _ in range(int(t_end / dt)):
        v = u * w[0]
        w = w + dt * rule.rate_dw(w, [u], v)
    return float(w[0, 0])


@pytest.mark.parametrize("u", [0.5, 1.0, 2.0, 4.0])
def test_spass_converges_to_the_analytic_fixed_point(u):
    rule = SPaSS(mu=0.05, gamma=0.05, v_target=1.0)
    w_star = rule.fixed_point(u)
    assert w_star == pytest.approx(1.0 / (2 * u) + np.sqrt(1.0 / (4 * u * u) + u))
    for w0 in (0.1, 3.0 * w_star):
        assert _spass_linear_neuron(rule, u, w0) == pytest.approx(w_star, rel=0.01)


def test_spass_zero_weight_is_unstable_and_growth_is_bounded():
    rule = SPaSS(mu=0.05, gamma=0.05, v_target=1.0)
    # Near 0, dw/dt ~ mu * u**2 * w: a tiny weight grows exponentially away from it.
    assert _spass_linear_neuron(rule, 1.0, 1e-6, t_end=20.0) / 1e-6 == pytest.approx(np.exp(0.05 * 20.0), rel=0.01)
    assert _spass_linear_neuron(rule, 1.0, 0.0, t_end=5.0) == 0.0     # 0 itself is a fixed point
    # The output v* = u * w* rises with the drive u, and w* stays finite (no clipping anywhere).
    us = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    v_star = us * np.array([rule.fixed_point(u) for u in us])
    assert np.all(np.diff(v_star) > 0) and np.all(np.isfinite(v_star))
    # With a small target the weight itself grows with u: w* -> sqrt(kappa * u).
    low = SPaSS(mu=0.05, gamma=0.05, v_target=0.01)
    assert np.all(np.diff([low.fixed_point(u) for u in us]) > 0)


def test_inhibitory_stdp_potentiates_when_post_is_above_target():
    rule = InhibitorySTDP(eta=1e-3, rho0=5.0, tau=20e-3, weight_sign=1)
    rng = np.random.default_rng(2)
    pre = (rng.random((5000, 1)) < 0.01).astype(float)
    busy = (rng.random((5000, 1)) < 0.03).astype(float)    # 30 Hz > rho0
    quiet = (rng.random((5000, 1)) < 0.001).astype(float)  # 1 Hz < rho0
    assert run_on_spike_trains(rule, [[0.5]], pre, busy, DT).final[0, 0] > 0.5
    assert run_on_spike_trains(rule, [[0.5]], pre, quiet, DT).final[0, 0] < 0.5
    assert rule.alpha == pytest.approx(2 * 5.0 * 20e-3)


def test_inhibitory_stdp_keeps_negative_weights_negative():
    rule = InhibitorySTDP(eta=0.05, rho0=50.0)  # Lava convention: inhibitory weights < 0
    pre = np.ones((100, 1))
    post = np.zeros((100, 1))                   # silent post: inhibition is lowered to zero, not past it
    w = run_on_spike_trains(rule, [[-0.2]], pre, post, DT).weights
    assert w.max() == 0.0 and w[0, 0, 0] > -0.2


def test_intrinsic_plasticity_reaches_the_target_rate():
    ip = IntrinsicPlasticity(eta=0.01, target_rate=20.0, theta_min=0.01)
    rng = np.random.default_rng(3)
    theta, spikes = np.ones(50), []
    for _ in range(20000):
        drive = rng.random(50) * 1.5
        s = drive > theta
        spikes.append(s)
        theta = ip.step(theta, s, DT)
    rate = np.mean(spikes[-5000:]) / DT
    assert rate == pytest.approx(20.0, rel=0.1)


def test_structural_plasticity_prunes_and_grows_reproducibly():
    rule = StructuralPlasticity(prune_below=0.1, grow_probability=0.2, w_init=0.3, interval=10, seed=4)
    w = np.array([[0.05, 0.5, 0.0], [0.2, 0.01, 0.0]])
    mask = np.array([[True, True, False], [True, True, False]])
    a = rule.check(w, mask, rule.rng())
    b = rule.check(w, mask, rule.rng())
    assert a.pruned == 2 and not a.mask[0, 0] and not a.mask[1, 1]
    assert a.weight[0, 0] == 0.0 and a.weight[0, 1] == 0.5
    np.testing.assert_array_equal(a.mask, b.mask)          # same seed, same draws
    assert np.all(a.weight[a.mask & ~mask] == 0.3)          # grown synapses start at w_init
    assert not (a.mask[0, 0] or a.mask[1, 1])               # no regrowth where just pruned


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_round_trips_through_a_dict(name):
    rule = RULES[name]()
    back = rule_from_dict(rule.to_dict())
    assert back == rule


@pytest.mark.parametrize("make, match", [
    (lambda: PairSTDP(a_plus=-0.1), "a_plus"),
    (lambda: PairSTDP(tau_plus=0.0), "tau"),
    (lambda: PairSTDP(soft_bounds=True, w_max=1.0), "soft bounds"),
    (lambda: PairSTDP(w_min=1.0, w_max=0.5), "below"),
    (lambda: Hebbian(mu=float("nan")), "mu"),
    (lambda: SPaSS(gamma=0.0), "gamma"),
    (lambda: InhibitorySTDP(weight_sign=0), "weight_sign"),
    (lambda: IntrinsicPlasticity(theta_min=0.0), "theta_min"),
    (lambda: StructuralPlasticity(grow_probability=1.5), "grow_probability"),
    (lambda: StructuralPlasticity(interval=0), "interval"),
    (lambda: rule_from_dict({"rule": "bcm"}), "unknown plasticity rule"),
    (lambda: rule_from_dict({"rule": "pair_stdp", "a_plux": 1.0}), "a_plux"),
])
def test_bad_rule_parameters(make, match):
    with pytest.raises(PlasticityError, match=match):
        make()
    assert issubclass(PlasticityError, EngramError)


def test_bad_spike_trains():
    rule = PairSTDP()
    with pytest.raises(InputError, match="same T"):
        run_on_spike_trains(rule, np.zeros((2, 3)), np.zeros((10, 3)), np.zeros((9, 2)), DT)
    with pytest.raises(InputError, match="0/1"):
        run_on_spike_trains(rule, np.zeros((2, 3)), np.full((10, 3), 0.5), np.zeros((10, 2)), DT)
    with pytest.raises(InputError, match="checkpoints"):
        run_on_spike_trains(rule, np.zeros((2, 3)), np.zeros((10, 3)), np.zeros((10, 2)), DT, checkpoints=[11])
