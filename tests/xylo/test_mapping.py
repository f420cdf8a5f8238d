"""Spec -> Xylo: what fits, every refusal with its reason, the integers, and the two targets."""

import importlib.util
import sys

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.gating import GateSpec
from engram_nm.hardware.targets import run
from engram_nm.plasticity import IntrinsicPlasticity, LayerPlasticity, PairSTDP
from engram_nm.projection import ProjectionSpec
from engram_nm.sdm.memory_spec import MemorySpec
from engram_nm.xylo import CHIPS, XyloFitError, fit_xylo, map_to_xylo
from tests.helpers import random_spikes
from tests.xylo.networks import xylo_spec


def test_a_fitting_spec_maps_with_bit_shifts_and_one_scale_per_population():
    spec = xylo_spec(0)
    m = fit_xylo(spec, "xylo-audio2")
    assert m.fits, m.problems
    c = m.config
    assert (c.n_in, c.n_hidden, c.n_out) == (16, 60, 8)
    assert set(c.dash_syn) == {2} and set(c.dash_mem[:40]) == {4} and set(c.dash_mem[40:]) == {5}
    assert set(c.dash_syn_out) == {3}
    # H0's input weights: W / (1 - 2**-2) times the scale that puts the largest at 127
    w_eff = spec.layers[0].weight / 0.75
    np.testing.assert_array_equal(c.weights_in[:, :40], np.round(w_eff * m.scales["H0"]).T)
    assert not np.any(c.weights_in[:, 40:])  # the input reaches H0 only
    largest = max(np.abs(c.weights_in).max(), np.abs(c.weights_rec[:40, :40]).max())
    assert largest in (127, 128)  # the largest weight into H0 sets its scale
    assert c.hidden_populations == (("H0", 0, 40), ("H1", 40, 60)) and c.output_population == "O"
    assert np.count_nonzero(c.weights_rec[:40, 40:]) > 0.9 * 800 and not np.any(c.weights_rec[40:, :40])  # H0 -> H1


def _with(**changes):
    spec = xylo_spec(0)
    for path, value in changes.items():
        layer, field = path.split("__")
        setattr(spec.layer(layer), field, value)
    return spec


REFUSALS = [
    (lambda: _with(H0__neuron="lif", H0__tau_syn=None), "neuron 'lif'"),
    (lambda: _with(H0__reset="zero"), "reset 'zero'"),
    (lambda: _with(H1__reset_delay=True), "delayed reset"),
    (lambda: _with(H0__bias=0.1), "a bias"),
    (lambda: _with(O__v_threshold=np.inf), "threshold must be finite"),
    (lambda: _with(H0__tau_syn=1e-3), "is not a bit shift 1..15"),
    (lambda: _with(H0__plasticity=LayerPlasticity(recurrent=PairSTDP())), "plasticity PairSTDP"),
    (lambda: _with(H1__plasticity=LayerPlasticity(intrinsic=IntrinsicPlasticity())), "intrinsic plasticity"),
    (lambda: _with(H0__gate=GateSpec(logits=np.zeros((2, 40)))), "fold it first"),
    (lambda: xylo_spec(0, n_in=20), "20 input channels: xylo-audio2 has 16"),
    (lambda: xylo_spec(0, n_out=9), "9 output neurons: xylo-audio2 has 8"),
    (lambda: xylo_spec(0, hidden=(600, 500)), "1100 hidden neurons: xylo-audio2 has 1000"),
    (lambda: xylo_spec(0, hidden=()), "at least one hidden population"),
]


@pytest.mark.parametrize("make, reason", REFUSALS, ids=[r for _, r in REFUSALS])
def test_what_xylo_cannot_run_is_refused_with_its_reason(make, reason):
    m = fit_xylo(make(), "xylo-audio2")
    assert not m.fits and m.config is None
    assert any(reason in p for p in m.problems), m.problems


def test_graph_level_refusals_name_the_connection():
    spec = xylo_spec(0)
    spec.projections = [ProjectionSpec("in_to_O", "input", "O", np.ones((8, 16))),
                        ProjectionSpec("O_to_H0", "O", "H0", np.ones((40, 8))),
                        ProjectionSpec("late", "H0", "H1", np.ones((20, 40)), delay=3)]
    spec.memory = MemorySpec(n_locations=50, data_bits=4, k=3, address_layer="H1")
    problems = " | ".join(fit_xylo(spec.validate()).problems)
    for reason in ("in_to_O: the input into the read-out", "O_to_H0: the read-out 'O' feeds 'H0'",
                   "late: delay 3 steps", "SDM memory stage"):
        assert reason in problems


def test_sigma_delta_and_a_recurrent_read_out_are_refused():
    from engram_nm.spec import EngramSpec, LayerSpec

    spec = EngramSpec(4, [LayerSpec("S", np.ones((3, 4)), neuron="sigma_delta", v_threshold=0.1),
                          LayerSpec("O", np.ones((2, 3)), neuron="cuba", tau_syn=4e-3, reset="subtract",
                                    recurrent_weight=np.ones((2, 2)))])
    problems = " | ".join(fit_xylo(spec).problems)
    assert "graded spikes (sigma-delta)" in problems and "the read-out 'O' is recurrent" in problems


def test_the_expansion_limit_applies_where_rockpool_states_one():
    spec = xylo_spec(0, hidden=(200, 200))
    assert fit_xylo(spec, "xylo-audio2").fits  # no expansion limit stated for Audio 2
    problems = " | ".join(fit_xylo(spec, "xylo-imu").problems)
    assert "200 input-expansion neurons" in problems and "200 output-expansion neurons" in problems


def test_a_run_maps_onto_the_first_chip_that_holds_the_spec_or_says_why_none_does():
    assert map_to_xylo(xylo_spec(0, n_out=12)).chip is CHIPS["xylo-audio3"]  # 12 outputs: not Audio 2
    with pytest.raises(XyloFitError, match="does not fit any Xylo chip: .*neuron 'lif'"):
        map_to_xylo(_with(H0__neuron="lif", H0__tau_syn=None))


def test_inf_tau_mem_maps_to_the_slowest_leak_with_a_warning():
    m = fit_xylo(_with(H1__tau_mem=np.inf))
    assert m.fits and set(m.config.dash_mem[40:]) == {15}
    assert any("tau_mem inf" in w for w in m.warnings)


def test_xylo_sim_and_xylo_emu_give_the_same_events_and_voltages_on_specs():
    for seed in range(3):
        spec = xylo_spec(seed)
        x = np.stack([random_spikes(150, 16, rate=0.2, seed=seed * 10 + b) for b in range(3)])
        sim, emu = run(spec, x, "xylo-sim", record_v=True), run(spec, x, "xylo-emu", record_v=True)
        for name in spec.layer_names:
            np.testing.assert_array_equal(sim.spikes[name], emu.spikes[name], err_msg=name)
            np.testing.assert_array_equal(sim.v[name], emu.v[name], err_msg=name)
            assert np.count_nonzero(sim.spikes[name]) > 0.02 * sim.spikes[name].size, name


def test_the_chip_sees_the_input_one_step_late_like_the_spec():
    from engram_nm.spec import EngramSpec, LayerSpec

    relay = EngramSpec(2, [LayerSpec("H", 5.0 * np.eye(2), neuron="cuba", tau_syn=2e-3, reset="subtract",
                                     v_threshold=1.0),
                           LayerSpec("O", 5.0 * np.eye(2), neuron="cuba", tau_syn=2e-3, reset="subtract",
                                     v_threshold=1.0)])
    x = np.zeros((8, 2))
    x[0, 0] = 1
    for target in ("reference", "xylo-emu", "xylo-sim"):
        out = run(relay, x, target)
        assert np.flatnonzero(out.spikes["H"][:, 0]).min() == 1, target  # input of step 0 arrives at step 1
        assert np.flatnonzero(out.spikes["O"][:, 0]).min() == 2, target  # one more step to the read-out
        assert not out.spikes["H"][:, 1].any()


def test_learning_memory_and_tasks_are_refused_by_the_xylo_targets():
    spec, x = xylo_spec(0), random_spikes(20, 16)
    for kwargs, reason in (({"learn": True}, "no on-chip learning"), ({"memory_ops": np.zeros(20)}, "no memory"),
                           ({"tasks": 0}, "no engram gates")):
        with pytest.raises(InputError, match=reason):
            run(spec, x, "xylo-emu", **kwargs)


def test_samna_is_not_installed_and_the_adapter_never_imports_it():
    """samna on the package index is a stub that installs from elsewhere when imported."""
    from engram_nm.xylo.rockpool_sim import xylo_sim_status

    assert importlib.util.find_spec("samna") is None, "samna is installed in this environment: remove it"
    assert xylo_sim_status() == ""
    run(xylo_spec(0), random_spikes(10, 16), "xylo-sim")
    assert "samna" not in sys.modules


def test_cli_fit_on_a_xylo_chip_passes_or_lists_each_reason_on_a_line(tmp_path, capsys):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    fits = export_nir(xylo_spec(0), tmp_path / "fits.nir")
    assert main(["fit", str(fits), "--chip", "xylo-audio2"]) == 0
    out = capsys.readouterr().out
    assert "fits: yes" in out and "uses 16 inputs, 60 hidden neurons, 8 outputs" in out and "| H0 | tau_syn |" in out
    too_big = export_nir(xylo_spec(0, n_in=20, n_out=9), tmp_path / "big.nir")
    assert main(["fit", str(too_big), "--chip", "xylo-audio2"]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("* ")]
    assert lines == ["* 20 input channels: xylo-audio2 has 16", "* 9 output neurons: xylo-audio2 has 8"]
    assert main(["fit", str(too_big), "--chip", "xylo-audio3"]) == 1  # 16 outputs there, still 16 inputs
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("* ")] == [
        "* 20 input channels: xylo-audio3 has 16"]


def test_cli_runs_a_model_on_both_xylo_targets_with_the_same_events(tmp_path, capsys):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    model = export_nir(xylo_spec(1), tmp_path / "m.nir")
    np.save(tmp_path / "x.npy", random_spikes(80, 16, rate=0.2, seed=4))
    for target in ("xylo-sim", "xylo-emu"):
        assert main(["run", str(model), "--target", target, "--input", str(tmp_path / "x.npy"),
                     "--out", str(tmp_path / f"{target}.npz")]) == 0
    capsys.readouterr()
    sim, emu = np.load(tmp_path / "xylo-sim.npz"), np.load(tmp_path / "xylo-emu.npz")
    spike_keys = sim.files  # one array of events per population
    assert sorted(spike_keys) == ["H0", "H1", "O"] and sorted(emu.files) == sorted(spike_keys)
    for key in spike_keys:
        np.testing.assert_array_equal(sim[key], emu[key], err_msg=key)
    assert sum(int(np.count_nonzero(sim[k])) for k in spike_keys) > 100


def test_operations_charge_each_event_its_fan_out_and_skip_the_input_the_chip_never_gets():
    from engram_nm.spec import EngramSpec, LayerSpec
    from engram_nm.xylo.counting import xylo_operations

    relay = EngramSpec(2, [LayerSpec("H", 5.0 * np.eye(2), neuron="cuba", tau_syn=2e-3, reset="subtract"),
                           LayerSpec("O", 5.0 * np.eye(2), neuron="cuba", tau_syn=2e-3, reset="subtract")])
    x = np.zeros((1, 8, 2))
    x[0, 0, 0] = x[0, 7, 1] = 1  # the last step's input never reaches the chip
    out = run(relay, x, "xylo-emu")
    ops = xylo_operations(map_to_xylo(relay).config, x, out.spikes)
    hidden = int(out.spikes["H"].sum())
    assert hidden > 0 and ops["synaptic_op"] == 1 + hidden  # one input event, each hidden event one synapse
    assert ops["neuron_update"] == 4 * 8 and ops["spike"] == hidden + int(out.spikes["O"].sum())
