"""Populations that fire several events a step (``LayerSpec.max_events``; a Xylo hidden neuron: 31):
the equation, the float kernels equal, gradients, counts, refusals and NIR."""

import numpy as np
import pytest
import torch

from engram_nm.analysis.counting import count_run
from engram_nm.backends.float_lif import event_count
from engram_nm.errors import QuantizationError, SpecError
from engram_nm.hardware.targets import run
from engram_nm.nir_io import nir_to_spec, spec_to_nir
from engram_nm.spec import EngramSpec, LayerSpec
from engram_nm.xylo import fit_xylo
from tests.helpers import random_spikes

CUBA = dict(neuron="cuba", tau_syn=2e-3, tau_mem=16e-3, reset="subtract")


def _spec(max_events: int = 31, seed: int = 0) -> EngramSpec:
    rng = np.random.default_rng(seed)
    return EngramSpec(16, [LayerSpec("hidden", rng.normal(0.3, 0.5, (30, 16)), max_events=max_events, **CUBA),
                           LayerSpec("readout", rng.normal(0.1, 0.3, (8, 30)), **CUBA)])


def test_the_count_is_the_thresholds_passed_strictly_and_capped():
    theta = np.array([1.0, 1.0, 1.0, 2.0, np.inf, 1.0])
    v = np.array([2.5, 2.0, 0.5, 9.0, 5.0, 100.0])
    np.testing.assert_array_equal(event_count(v, theta, 31), [2, 1, 0, 4, 0, 31])
    np.testing.assert_array_equal(event_count(v, theta, 3), [2, 1, 0, 3, 0, 3])


def test_reference_and_torch_give_the_same_counts_and_voltages():
    spec = _spec()
    x = np.stack([random_spikes(60, 16, rate=0.3, seed=s) for s in range(3)])
    a, b = run(spec, x, "reference", record_v=True), run(spec, x, "snntorch", record_v=True)
    assert a.spikes["hidden"].max() > 1, "no step with several events: the multi-event path went untested"
    for name in spec.layer_names:
        np.testing.assert_array_equal(a.spikes[name], b.spikes[name], err_msg=name)
        np.testing.assert_allclose(a.v[name], b.v[name], rtol=0, atol=1e-9, err_msg=name)


def test_with_one_event_a_step_the_same_network_fires_less_and_differently():
    x = random_spikes(60, 16, rate=0.3, seed=1)
    many, one = run(_spec(31), x, "reference").spikes["hidden"], run(_spec(1), x, "reference").spikes["hidden"]
    assert one.max() == 1 and many.max() > 1
    assert many.sum() > one.sum()


def test_gradients_flow_through_every_event():
    from engram_nm.backends.torch_backend import build_torch

    net = build_torch(_spec())
    x = torch.as_tensor(random_spikes(30, 16, rate=0.3, seed=2))[:, None, :]
    out = net(x, record_v=False)
    out.spikes["hidden"].sum().backward()
    grad = net.layers[0].weight.grad
    assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_counts_charge_every_event_its_fan_out():
    spec = _spec()
    x = random_spikes(40, 16, rate=0.3, seed=3)
    out = run(spec, x, "reference")
    counts = count_run(spec, x, out.spikes)
    fan_out = (spec.layers[1].weight != 0).sum(axis=0)
    hidden_acs = int((x.sum(axis=0) * (spec.layers[0].weight != 0).sum(axis=0)).sum())
    assert counts.layers[1].effective_acs == int((out.spikes["hidden"].sum(axis=0) * fan_out).sum())
    assert counts.layers[0].effective_acs == hidden_acs
    assert counts.layers[0].spikes == int(out.spikes["hidden"].sum()) > np.count_nonzero(out.spikes["hidden"])
    assert 0 < counts.activation_sparsity < 1


@pytest.mark.parametrize("changes, reason", [
    (dict(reset="zero"), "needs reset='subtract'"),
    (dict(reset_delay=True), "no delayed reset"),
    (dict(max_events=0), "in 1..255"),
    (dict(max_events=256), "in 1..255"),
    (dict(max_events=True), "in 1..255"),
])
def test_what_max_events_needs_is_checked(changes, reason):
    kwargs = {**CUBA, "max_events": 31, **changes}
    with pytest.raises(SpecError, match=reason):
        LayerSpec("h", np.ones((2, 2)), **kwargs)


def test_loihi_and_lava_refuse_a_population_that_fires_several_events_a_step():
    spec, x = _spec(), random_spikes(10, 16)
    with pytest.raises(QuantizationError, match="Loihi's neurons .* send one spike a step"):
        run(spec, x, "fixed-emu")
    with pytest.raises(SpecError, match="send one spike a step"):
        run(spec, x, "cpu-float")


def test_nir_keeps_the_events_per_step():
    spec = _spec()
    back = nir_to_spec(spec_to_nir(spec))
    assert back.layers[0].max_events == 31 and back.equals(spec)


def test_xylo_warns_unless_hidden_neurons_fire_as_the_chip_and_refuses_a_multi_event_read_out():
    assert not any("max_events" in w for w in fit_xylo(_spec(31)).warnings)
    assert any("a hidden Xylo neuron fires up to 31 events" in w for w in fit_xylo(_spec(1)).warnings)
    spec = _spec(31)
    spec.layers[1].max_events = 2
    assert any("Xylo's read-out fires 1 event a step" in p for p in fit_xylo(spec.validate()).problems)


def test_trained_as_the_chip_fires_the_xylo_chip_follows_the_float_model_closely():
    """The same weights on the float model and on Xylo: with the chip's 31 events a step the two
    agree within one event on most neuron-steps (8-bit weights and bit-shift decays round); with
    one spike a step in the float model, far less."""
    x = np.stack([random_spikes(60, 16, rate=0.3, seed=s) for s in range(4)])
    agree = {}
    for m in (31, 1):
        spec = _spec(m)
        ref, chip = run(spec, x, "reference"), run(spec, x, "xylo-emu")
        assert np.count_nonzero(chip.spikes["hidden"]) > 0.1 * chip.spikes["hidden"].size
        agree[m] = float(np.mean(np.abs(ref.spikes["hidden"] - chip.spikes["hidden"].astype(float)) <= 1))
    assert agree[31] > 0.9 and agree[31] > agree[1] + 0.3, agree


def test_an_infinite_threshold_read_out_with_subtract_reset_gives_no_nan_in_torch():
    """Before: snnTorch computed v - inf * 0 = NaN for a read-out that never fires; the reference never did."""
    spec = EngramSpec(3, [LayerSpec("h", np.ones((2, 3)), reset="subtract"),
                          LayerSpec("o", np.ones((2, 2)), v_threshold=np.inf, reset="subtract", **{
                              k: v for k, v in CUBA.items() if k != "reset"})])
    x = np.ones((10, 3))
    a, b = run(spec, x, "reference", record_v=True), run(spec, x, "snntorch", record_v=True)
    assert np.all(np.isfinite(b.v["o"])) and np.abs(b.v["o"]).max() > 1
    np.testing.assert_allclose(a.v["o"], b.v["o"], rtol=0, atol=1e-9)
