"""Mapping rules onto the Loihi learning engine's number formats (no Lava run)."""

import numpy as np
import pytest

from engram_nm.errors import PlasticityError
from engram_nm.plasticity import SPaSS, Hebbian, InhibitorySTDP, PairSTDP
from engram_nm.loihi.learning_rules import fixed_engine_rule, float_engine_rule, snap_coefficient


@pytest.mark.parametrize("value, expected", [
    (0.125, (1, -3, 0.125)),
    (0.3125, (5, -4, 0.3125)),
    (-0.75, (-3, -2, -0.75)),
    (0.01, (1, -7, 0.0078125)),  # 3 bits of mantissa, exponent >= -7
    (1e-6, (0, 0, 0.0)),          # below half the smallest scale 2**-7: rounds to zero
    (5000.0, (7, 8, 1792.0)),     # saturates at 7 * 2**8
])
def test_snap_coefficient(value, expected):
    assert snap_coefficient(value) == expected


def test_float_rule_is_exact_when_trace_scales_can_absorb_the_coefficients():
    engine = float_engine_rule(PairSTDP(a_plus=0.01, a_minus=0.012), dt=1e-3)
    assert engine.exact and engine.max_relative_error == 0.0
    assert engine.trace_scale["x1"] != 1.0  # 0.01 is not m * 2**e: the trace took the difference
    assert engine.impulses["x1"] == pytest.approx(engine.trace_scale["x1"])


def test_a_product_without_traces_must_be_representable_itself():
    engine = float_engine_rule(InhibitorySTDP(eta=1e-3, rho0=5.0), dt=1e-3)   # eta * alpha = 2e-4 < 2**-8
    assert not engine.exact
    assert any("dropped" in limit for limit in engine.limits)
    assert "x0" in engine.dw and engine.dw.count("x0") == 1


def test_hard_bounds_are_reported_and_sign_bounds_are_exact():
    bounded = float_engine_rule(PairSTDP(a_plus=2 ** -5, a_minus=2 ** -5, w_min=0.0, w_max=1.0), dt=1e-3)
    assert not bounded.exact and any("hard bounds" in limit for limit in bounded.limits)
    excitatory = float_engine_rule(PairSTDP(a_plus=2 ** -5, a_minus=2 ** -5, w_min=0.0), dt=1e-3)
    assert excitatory.exact and excitatory.sign_mode == "excitatory"
    assert float_engine_rule(InhibitorySTDP(eta=2 ** -6, rho0=12.5), dt=1e-3).sign_mode == "inhibitory"


def test_spass_w_squared_terms_reach_the_engine():
    engine = float_engine_rule(SPaSS(mu=2 ** -12, gamma=0.5, v_target=15.625), dt=1e-3)
    assert engine.exact
    assert "u0 * w * w" in engine.dw and "y1 * w * w" in engine.dw


def test_fixed_rule_picks_integer_impulses_and_states_its_limits():
    engine = fixed_engine_rule(PairSTDP(a_plus=0.01, a_minus=0.012), dt=1e-3, weight_scale=64)
    assert all(isinstance(v, int) and 1 <= v <= 127 for v in engine.impulses.values())
    assert not engine.exact and any("fixed point" in limit for limit in engine.limits)
    assert engine.max_relative_error < 0.05
    table = engine.table()
    assert "| product |" in table and "fixed_pt" in table


def test_rule_too_slow_for_the_engine_is_refused_with_a_fix():
    with pytest.raises(PlasticityError, match="raise the learning rate"):
        fixed_engine_rule(Hebbian(mu=1e-12), dt=1e-3, weight_scale=1, impulse=1)


def test_fixed_impulse_range_is_checked():
    with pytest.raises(PlasticityError, match="1..127"):
        fixed_engine_rule(PairSTDP(), dt=1e-3, weight_scale=64, impulse=200)


def test_lava_accepts_every_generated_rule_string():
    from engram_nm.loihi.learning_rules import EngineRule  # noqa: F401

    for rule in (PairSTDP(), PairSTDP(anti=True, soft_bounds=True, w_min=0.0, w_max=1.0),
                 InhibitorySTDP(eta=2 ** -6, rho0=12.5), Hebbian(mu=1e-3), SPaSS(mu=2 ** -12, gamma=0.5)):
        for engine in (float_engine_rule(rule, 1e-3), fixed_engine_rule(rule, 1e-3, 64)):
            lava_rule = engine.to_lava(rng_seed=3)
            assert lava_rule.rng_seed == 3 and lava_rule.dw is not None
            assert np.isfinite(engine.max_relative_error)
