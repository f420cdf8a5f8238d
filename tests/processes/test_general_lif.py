"""GeneralLIF (CPU-only) against the stock Lava LIF and the numpy reference, once per tag."""

import numpy as np
import pytest

from engram_nm.lava_compat import lava
from engram_nm.processes.general_lif.process import GeneralLIF
from engram_nm.processes.runtime import lava_session

pytestmark = pytest.mark.lava
STEPS = 60


def _run(pop_factory, weights, x, tag):
    src = lava.SourceRingBuffer(data=x.T.astype(np.int32 if tag == "fixed_pt" else float))
    kw = dict(weight_exp=0, num_weight_bits=8) if tag == "fixed_pt" else {}
    dense = lava.Dense(weights=weights, **kw)
    pop = pop_factory()
    sink = lava.SinkRingBuffer(shape=(weights.shape[0],), buffer=STEPS)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(pop.a_in)
    pop.s_out.connect(sink.a_in)
    with lava_session(pop, lava.Loihi2SimCfg(select_tag=tag)) as s:
        s.run(STEPS)
        spikes = sink.data.get().T.astype(bool)
        v = pop.v.get()
    return spikes, v


def _input(n=8, seed=0):
    return (np.random.default_rng(seed).random((STEPS, n)) < 0.3).astype(float)


def _zero_reset_case(tag):
    """(weights, input, stock LIF factory, GeneralLIF factory) with the same parameters for ``tag``."""
    if tag == "fixed_pt":
        rng = np.random.default_rng(1)
        w = np.clip((2 * np.round(rng.normal(20, 60, size=(6, 8)) / 2)).astype(np.int32), -256, 254)
        params = dict(du=900, dv=300, vth=80)
        bias = rng.integers(-50, 50, size=6)
        return (w, _input(),
                lambda: lava.LIF(shape=(6,), bias_mant=bias, bias_exp=np.full(6, 2), **params),
                lambda: GeneralLIF(shape=(6,), bias=bias, bias_exp=2, **params))
    rng = np.random.default_rng(2)
    params = dict(du=0.2, dv=0.05, vth=1.0)
    return (rng.normal(0.3, 0.5, size=(6, 8)), _input(seed=3),
            lambda: lava.LIF(shape=(6,), bias_mant=np.full(6, 0.01), **params),
            lambda: GeneralLIF(shape=(6,), bias=0.01, **params))


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_zero_reset_is_identical_to_stock_lif(tag):
    """With zero reset and shared parameters GeneralLIF is the stock LIF, bit for bit, in each tag."""
    w, x, stock_factory, ours_factory = _zero_reset_case(tag)
    stock = _run(stock_factory, w, x, tag)
    ours = _run(ours_factory, w, x, tag)
    assert stock[0].sum() > 5
    np.testing.assert_array_equal(stock[0], ours[0])
    np.testing.assert_array_equal(stock[1], ours[1])


def test_float_subtract_reset_per_neuron_params_match_reference():
    from engram_nm.backends.reference import simulate
    from engram_nm.spec import EngramSpec, LayerSpec

    rng = np.random.default_rng(4)
    w = rng.normal(0.3, 0.5, size=(5, 8))
    tau_mem = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    thr = np.array([0.5, 1.0, 1.5, 0.8, 1.2])
    spec = EngramSpec(8, [LayerSpec("p", weight=w, tau_mem=tau_mem, v_threshold=thr, neuron="cuba",
                                    tau_syn=0.004, syn_bias=0.02, reset="subtract")])
    x = _input(seed=5)
    du, dv = spec.layers[0].decays(spec.dt)
    spikes, v = _run(lambda: GeneralLIF(shape=(5,), du=du, dv=dv, vth=thr, syn_bias=0.02, reset_subtract=1),
                     w, x, "floating_pt")
    ref = simulate(spec, x)
    assert ref.spikes["p"].sum() > 5
    np.testing.assert_array_equal(ref.spikes["p"], spikes)
    np.testing.assert_array_equal(ref.v["p"][-1], v)
