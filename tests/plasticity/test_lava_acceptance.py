"""What plasticity must do on Lava, on cpu-float (engine, exact) and cpu-fixed (engine, approximate)."""

import numpy as np
import pytest

from engram_nm import EngramSpec, LayerSpec
from engram_nm.hardware.targets import run
from engram_nm.plasticity import InhibitorySTDP, LayerPlasticity, PairSTDP
from engram_nm.backends.reference import simulate
from engram_nm.result import LearningSite

pytestmark = pytest.mark.lava
DT = 1e-3


def repeated_pattern_input(steps=2000, n_in=20, n_pattern=10, period=25, seed=0):
    """Afferents 0..n_pattern-1 fire together every ``period`` steps; the others fire at random
    with the same mean rate (40 Hz), so only timing tells them apart."""
    rng = np.random.default_rng(seed)
    x = (rng.random((steps, n_in)) < 1.0 / period).astype(float)
    x[:, :n_pattern] = 0
    x[period - 1::period, :n_pattern] = 1
    return x


@pytest.mark.parametrize("target", ["cpu-float", "cpu-fixed"])
def test_stdp_potentiates_a_repeated_pattern_and_depresses_the_rest(target):
    rule = PairSTDP(a_plus=0.004, a_minus=0.005, tau_plus=20e-3, tau_minus=20e-3, w_min=0.0)
    spec = EngramSpec(20, [LayerSpec("post", weight=np.full((2, 20), 0.15), tau_mem=20e-3, v_threshold=1.0,
                                     plasticity=LayerPlasticity(feedforward=rule))], dt=DT)
    res = run(spec, repeated_pattern_input(), target, learn=True, seed=1)
    assert res.learning["post_w"].where == LearningSite.ENGINE
    w = res.learned_weights["post_w"]
    pattern, background = w[:, :10], w[:, 10:]
    assert pattern.mean() > 0.15 * 1.5          # potentiated (sign)
    assert background.mean() < 0.15             # depressed (sign)
    assert pattern.min() > background.max()     # selective: every pattern synapse beats every other
    if target == "cpu-float":
        ref = simulate(spec, repeated_pattern_input(), learn=True)
        np.testing.assert_allclose(w, ref.learned_weights["post_w"], rtol=0, atol=1e-12)


def ei_spec(rule, n_i=20, n_e=10):
    """Inhibitory neurons relay Poisson input onto bias-driven excitatory neurons whose
    inhibitory synapses learn with Vogels' rule."""
    return EngramSpec(n_i, [
        LayerSpec("inh", weight=np.eye(n_i) * 1.5, tau_mem=5e-3, v_threshold=1.0),
        LayerSpec("exc", weight=-np.full((n_e, n_i), 0.005), tau_mem=20e-3, v_threshold=1.0,
                  bias=np.linspace(0.1, 0.2, n_e), plasticity=LayerPlasticity(feedforward=rule)),
    ], dt=DT)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["cpu-float", "cpu-fixed"])
def test_inhibitory_stdp_drives_the_excitatory_rate_to_the_target(target):
    rho0 = 25.0
    # Fixed point needs the weight range the rule may use (its lower bound maps to the 8-bit range).
    w_min = None if target == "cpu-float" else -0.8
    rule = InhibitorySTDP(eta=2 ** -6, rho0=rho0, tau=20e-3, w_min=w_min)
    steps = 6000
    x = (np.random.default_rng(0).random((steps, 20)) < 0.03).astype(float)
    res = run(ei_spec(rule), x, target, learn=True, seed=2)
    assert res.learning["exc_w"].where == LearningSite.ENGINE
    start = res.spikes["exc"][:300].mean() / DT
    end = res.spikes["exc"][-1000:].mean() / DT
    assert start > 1.5 * rho0                   # it really had to come down
    assert end == pytest.approx(rho0, rel=0.2)
    assert np.all(res.learned_weights["exc_w"] <= 0)  # inhibition stays inhibition
