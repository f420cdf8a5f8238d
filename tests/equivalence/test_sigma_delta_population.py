"""Sigma-delta populations in the spec (LayerSpec(neuron="sigma_delta")) on every target that runs
them: the numpy reference is the step of engram_nm/backends/sigma_delta.py wired into the engine,
torch float64 and Lava cpu-float equal it payload for payload, NIR keeps it, the trainable torch
step passes gradients, and the fixed-point targets refuse it with one clear error."""

import numpy as np
import pytest

from engram_nm.errors import QuantizationError, SpecError
from engram_nm.spec import EngramSpec, LayerSpec
from tests.equivalence.catalogue import sigma_delta_chain as _chain

STEPS = 40


def _spec(seed: int = 0, recurrent: bool = False, activation: str = "relu") -> EngramSpec:
    rng = np.random.default_rng(seed)
    hidden = LayerSpec("sd", weight=rng.normal(0, 0.5, (15, 20)), neuron="sigma_delta", v_threshold=0.2,
                       bias=rng.normal(0, 0.1, 15), activation=activation,
                       recurrent_weight=rng.normal(0, 0.1, (15, 15)) if recurrent else None)
    return EngramSpec(20, [hidden, LayerSpec("out", weight=rng.normal(0, 0.3, (5, 15)))], name="sd_net")


def _input(seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).random((STEPS, 20)) < 0.2).astype(float)


def _busy(result) -> None:
    """A silent network cannot pass: many graded spikes and some readout spikes."""
    assert np.count_nonzero(result.spikes["sd"]) > 100 and result.spikes["out"].sum() > 10


def test_the_reference_is_the_sigma_delta_step_on_the_delayed_input():
    from engram_nm.backends.reference import simulate
    from engram_nm.backends.sigma_delta import run_sigma_delta, sigma_delta_parameters

    spec, x = _spec(), _input()
    result = simulate(spec, x)
    _busy(result)
    a_in = np.vstack([np.zeros((1, 15)), x[:-1] @ spec.layers[0].weight.T])  # one step of delay per Dense
    expected = run_sigma_delta(a_in, sigma_delta_parameters(spec.layers[0]))
    np.testing.assert_allclose(result.spikes["sd"], expected, rtol=0, atol=1e-12)
    assert result.spikes["sd"].dtype == np.float64  # payloads, not booleans


@pytest.mark.parametrize("recurrent", [False, True])
def test_torch_float64_equals_the_reference(recurrent):
    from engram_nm.backends.reference import simulate
    from engram_nm.backends.torch_backend import run_torch

    spec, x = _spec(recurrent=recurrent), _input()
    ref = simulate(spec, x)
    _busy(ref)
    spikes, volts = run_torch(spec, x, record_v=True)
    np.testing.assert_allclose(spikes["sd"], ref.spikes["sd"], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(spikes["sd"] != 0, ref.spikes["sd"] != 0)
    np.testing.assert_array_equal(spikes["out"], ref.spikes["out"])
    np.testing.assert_allclose(volts["sd"], ref.v["sd"], rtol=0, atol=1e-9)  # v record: the activation


@pytest.mark.lava
@pytest.mark.parametrize("activation", ["relu", pytest.param("identity", marks=pytest.mark.slow)])
def test_lava_cpu_float_equals_the_reference(activation):
    from engram_nm.backends.reference import simulate
    from engram_nm.hardware.targets import run, run_many

    spec, x = _spec(recurrent=True, activation=activation), _input()
    ref = simulate(spec, x)
    _busy(ref)
    lava = run(spec, x, target="cpu-float", record_v=True)
    np.testing.assert_allclose(lava.spikes["sd"], ref.spikes["sd"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(lava.spikes["out"], ref.spikes["out"])
    np.testing.assert_allclose(lava.v["sd"], ref.v["sd"], rtol=0, atol=1e-12)
    # two samples through one graph: the sigma-delta state is reset between them
    both = run_many(spec, [x, x[::-1].copy()], target="cpu-float")
    np.testing.assert_allclose(both[1].spikes["sd"], simulate(spec, x[::-1].copy()).spikes["sd"], rtol=0, atol=1e-12)


def test_nir_round_trip_keeps_every_field(tmp_path):
    from engram_nm.nir_io import export_nir, import_nir, read_nir

    spec = _spec(recurrent=True)
    spec.layers[0].payload_bits = 16
    spec.layers[0].validate()
    path = export_nir(spec, tmp_path / "sd.nir")
    assert type(read_nir(path).nodes["sd"]).__name__ == "I"  # NIR's integrator: the sigma half
    back = import_nir(path)
    assert all(a.equals(b) for a, b in zip(spec.layers, back.layers))
    assert back.layers[0].payload_bits == 16 and back.layers[0].graded


def test_training_passes_gradients_through_the_graded_spikes():
    import torch

    from engram_nm.backends.torch_backend import build_torch

    net = build_torch(_spec(), dtype=torch.float64)
    x = torch.as_tensor(np.stack([_input(s) for s in range(4)], axis=1))  # [T, batch, n_in]
    out = net(x, record_v=True)
    out.v["out"].mean().backward()
    grad = net.layers[0].weight.grad
    assert grad is not None and float(grad.abs().sum()) > 0


def test_counts_charge_each_graded_spike_its_fan_out():
    from engram_nm.analysis.counting import count_run
    from engram_nm.backends.reference import simulate

    spec, x = _spec(), _input()
    result = simulate(spec, x)
    counts = count_run(spec, x, result.spikes)
    sd_out = (spec.layers[1].weight != 0).sum(axis=0)
    expected = int(((result.spikes["sd"] != 0).sum(axis=0) * sd_out).sum())
    assert counts.layers[1].graded_macs == expected > 0 and counts.layers[1].effective_acs == 0
    assert counts.as_neurobench()["Effective_MACs"] == expected  # payloads: NeuroBench's MACs
    assert counts.synaptic_ops == counts.effective_acs + expected
    # event-driven updates: only neurons some spike reaches (the readout's are all reached here)
    assert 0 < counts.layers[0].active_updates <= counts.layers[0].neuron_updates


@pytest.mark.lava
@pytest.mark.parametrize("vth, activation", [pytest.param(0.2, "relu", marks=pytest.mark.slow), (1.5, "identity")])  # relu: the matrix
def test_fixed_emu_equals_lava_cpu_fixed_payload_for_payload(vth, activation):
    from engram_nm.loihi.quantize import quantize
    from engram_nm.hardware.targets import run

    spec, x = _chain(vth, activation), _input()
    q = quantize(spec)
    emu = run(spec, x, target="fixed-emu", record_v=True)
    lava = run(spec, x, target="cpu-fixed", record_v=True)
    assert np.count_nonzero(emu.spikes["sd"]) > 100 and np.count_nonzero(emu.spikes["sd2"]) > 50
    assert emu.spikes["out"].sum() > 5
    for name in ("sd", "sd2", "out"):
        np.testing.assert_array_equal(emu.spikes[name], lava.spikes[name])
        np.testing.assert_array_equal(emu.v[name], lava.v[name])
    assert emu.spikes["sd"].dtype == np.int64  # integer payloads, in units of the payload scale
    if vth > 1:
        assert q.layers[0].state_exp > 0  # the payload leaves shifted: the shift is exercised too


def test_fixed_emu_tracks_the_float_reference_within_the_threshold():
    from engram_nm.backends.reference import simulate
    from engram_nm.loihi.quantize import quantize
    from engram_nm.hardware.targets import run

    spec, x = _chain(0.2, "relu"), _input()
    q, ref, emu = quantize(spec), simulate(spec, x), run(spec, x, target="fixed-emu")
    sent_ref, sent_emu = ref.spikes["sd"] != 0, emu.spikes["sd"] != 0
    assert sent_ref.sum() > 100
    assert np.mean(sent_ref == sent_emu) > 0.97  # measured 0.99: rounding moves a few sends by a step
    # what has been sent up to each step tracks the activation in both, so the running sums agree
    # within a threshold or two, whichever step a send fell on
    cum_ref, cum_emu = np.cumsum(ref.spikes["sd"], 0), np.cumsum(emu.spikes["sd"] / q.layers[0].payload_scale, 0)
    assert np.max(np.abs(cum_ref - cum_emu)) < 2 * 0.2


def test_fixed_emu_runs_a_batch_of_networks_like_each_alone():
    from engram_nm.backends.fixed_emulator import emulate, emulate_networks

    specs, x = [_chain(0.2, "relu", seed=s) for s in (3, 4)], np.stack([_input(1), _input(2)])
    together = emulate_networks(specs, x)
    for k, spec in enumerate(specs):
        alone = emulate(spec, x)
        np.testing.assert_array_equal(together.spikes["sd2"][k], alone.spikes["sd2"])
        np.testing.assert_array_equal(together.spikes["out"][k], alone.spikes["out"])


def test_graded_recurrence_has_no_fixed_point_form_yet_and_the_fit_says_so():
    from engram_nm.analysis.fit import fit_report
    from engram_nm.hardware.targets import run

    spec, x = _spec(recurrent=True), _input()
    with pytest.raises(QuantizationError, match="recurrent or feedback"):
        run(spec, x, target="fixed-emu")
    assert fit_report(_chain(0.2, "relu")).fits  # a feed-forward sigma-delta chain fits one chip


@pytest.mark.parametrize("bad", [dict(payload_bits=0), dict(payload_bits=25), dict(activation="tanh"),
                                 dict(reset_delay=True), dict(v_threshold=np.inf), dict(bias_onset=2)])
def test_bad_sigma_delta_layers_are_refused(bad):
    with pytest.raises(SpecError):
        LayerSpec("sd", weight=np.ones((3, 4)), neuron="sigma_delta", **{"v_threshold": 0.1, **bad})


def test_activation_is_for_sigma_delta_only():
    with pytest.raises(SpecError, match="sigma_delta"):
        LayerSpec("lif", weight=np.ones((3, 4)), activation="identity")
