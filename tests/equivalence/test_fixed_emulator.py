"""``fixed-emu`` equals Lava's ``cpu-fixed`` spike for spike and voltage for voltage.

Every case runs >= 200 steps and asserts a minimum activity per layer (and no saturation),
so a silent or saturated network cannot pass. A batch of B samples equals the B samples run
alone, and the emulator imports nothing from Lava.
"""

import subprocess
import sys

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.hardware.targets import run, run_many, run_networks
from engram_nm.sdm.memory_spec import MemorySpec
from engram_nm.spec import random_spec
from engram_nm.result import LearningSite
from tests.equivalence.catalogue import plastic_spec as _plastic_spec
from tests.equivalence.catalogue import projection_gate_spec as _projection_gate_spec
from tests.helpers import quick_first_rest_slow, random_spikes

STEPS = 220

CASES = [  # weight scales chosen for rates of 0.05-0.6 in every layer (checked by _assert_active)
    dict(neuron="lif", reset="zero", recurrent=False, sizes=[24, 16], weight_scale=0.3),
    dict(neuron="lif", reset="subtract", recurrent=True, sizes=[24, 16, 8], weight_scale=0.2),
    dict(neuron="cuba", reset="zero", recurrent=True, sizes=[24, 12], weight_scale=0.05),
    dict(neuron="cuba", reset="subtract", recurrent=[True, False], sizes=[20, 10], bias=0.05, weight_scale=0.05),
    dict(neuron="lif", reset="zero", recurrent=True, sizes=[24, 12], reset_delay=True, bias=0.03, weight_scale=0.3),
    dict(neuron="cuba", reset="subtract", recurrent=False, sizes=[24, 12], reset_delay=True, weight_scale=0.05),
]


def _assert_active(result, spec, steps=STEPS):
    for layer in spec.layers:
        rate = result.spikes[layer.name].mean()
        assert 0.02 < rate < 0.75, f"{layer.name}: rate {rate:.3f} proves little"


def _assert_equal(emu, lava):
    for name in lava.spikes:
        np.testing.assert_array_equal(emu.spikes[name], lava.spikes[name], err_msg=name)
        if lava.v:
            np.testing.assert_array_equal(emu.v[name], lava.v[name], err_msg=f"v of {name}")


@pytest.mark.lava
@pytest.mark.parametrize("case", quick_first_rest_slow(CASES), ids=lambda c: "-".join(str(v) for v in c.values()))
@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_emulator_equals_lava_fixed(case, seed):
    case = dict(case)
    sizes = case.pop("sizes")
    spec = random_spec(20, sizes, seed=seed, **case)
    x = random_spikes(STEPS, 20, rate=0.2, seed=seed + 10)
    lava = run(spec, x, "cpu-fixed", record_v=True)
    emu = run(spec, x, "fixed-emu", record_v=True)
    _assert_active(lava, spec)
    _assert_equal(emu, lava)
    assert emu.quantization.table() == lava.quantization.table()


@pytest.mark.lava
@pytest.mark.slow  # the default tier: tests/equivalence/test_lava_matrix.py
@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_emulator_equals_lava_fixed_with_projections_gates_and_task_switches(mode):
    spec = _projection_gate_spec(mode)
    x = random_spikes(STEPS, spec.n_in, rate=0.2, seed=5)
    tasks = np.repeat([0, 1, 0, 1], STEPS // 4 + 1)[:STEPS]
    lava = run(spec, x, "cpu-fixed", record_v=True, tasks=tasks)
    emu = run(spec, x, "fixed-emu", record_v=True, tasks=tasks)
    _assert_active(lava, spec)
    _assert_equal(emu, lava)
    # The gate and the projection matter here: without them the spikes change.
    assert not np.array_equal(run(spec, x, "fixed-emu", tasks=1).spikes["E"], emu.spikes["E"])


@pytest.mark.lava
@pytest.mark.slow  # the default tier: tests/equivalence/test_lava_matrix.py
@pytest.mark.parametrize("counter_bits", [8, 3])
def test_emulator_equals_lava_fixed_with_the_memory_stage(counter_bits):
    """SDM stage addressed by the hidden layer; 3-bit counters saturate, and equally so."""
    spec = random_spec(20, [32, 8], seed=4, weight_scale=0.3)
    spec.memory = MemorySpec(n_locations=150, data_bits=6, k=6, seed=2, counter_bits=counter_bits,
                             address_layer="layer0")
    rng = np.random.default_rng(0)
    ops = np.where(np.arange(STEPS) < 120, 1, 2) * (rng.random(STEPS) < 0.6)
    data = rng.integers(0, 2, (STEPS, 6))
    x = random_spikes(STEPS, 20, rate=0.2, seed=6)
    lava = run(spec, x, "cpu-fixed", memory_ops=ops, memory_data=data)
    emu = run(spec, x, "fixed-emu", memory_ops=ops, memory_data=data)
    _assert_active(lava, spec)
    _assert_equal(emu, lava)
    np.testing.assert_array_equal(emu.memory_reads, lava.memory_reads)
    assert emu.memory_reads[ops == 2].any()


def test_a_batch_equals_each_sample_alone():
    spec = random_spec(20, [24, 12], neuron="cuba", recurrent=True, reset="subtract", bias=0.02, seed=7,
                       weight_scale=0.05)
    batch = np.stack([random_spikes(STEPS, 20, rate=0.2, seed=s) for s in range(5)])
    together = run(spec, batch, "fixed-emu", record_v=True)
    assert together.spikes["layer1"].shape == (5, STEPS, 12)
    for b in range(5):
        alone = run(spec, batch[b], "fixed-emu", record_v=True)
        _assert_active(alone, spec)
        for name in alone.spikes:
            np.testing.assert_array_equal(together.spikes[name][b], alone.spikes[name])
            np.testing.assert_array_equal(together.v[name][b], alone.v[name])
    # The samples differ, so equality above is not one sample copied five times.
    assert not np.array_equal(together.spikes["layer1"][0], together.spikes["layer1"][1])


def test_run_many_groups_samples_of_equal_length():
    spec = random_spec(20, [16, 8], seed=8)
    samples = [random_spikes(n, 20, rate=0.2, seed=n) for n in (50, 80, 50, 30)]
    many = run_many(spec, samples, "fixed-emu")
    for x, got in zip(samples, many):
        alone = run(spec, x, "fixed-emu")
        for name in alone.spikes:
            np.testing.assert_array_equal(got.spikes[name], alone.spikes[name])
        assert got.target == "fixed-emu" and got.steps == x.shape[0]


@pytest.mark.lava
def test_run_many_on_fixed_emu_equals_lava_run_many():
    spec = random_spec(20, [16, 8], seed=9)
    samples = [random_spikes(60, 20, rate=0.25, seed=s) for s in range(3)]
    lava = run_many(spec, samples, "cpu-fixed")
    emu = run_many(spec, samples, "fixed-emu")
    for a, b in zip(lava, emu):
        for name in a.spikes:
            np.testing.assert_array_equal(a.spikes[name], b.spikes[name])
    assert sum(int(s.spikes["layer1"].sum()) for s in emu) > 20


@pytest.mark.lava
@pytest.mark.slow  # the default tier: tests/equivalence/test_lava_matrix.py
@pytest.mark.parametrize("seed, neuron, reset, weight_scale", [(0, "lif", "zero", 0.25), (1, "lif", "zero", 0.25),
                                                               (0, "cuba", "subtract", 0.15)])
def test_learning_equals_lava_fixed_spikes_voltages_weights_thresholds(seed, neuron, reset, weight_scale):
    spec = _plastic_spec(seed, neuron, reset, weight_scale)
    x = random_spikes(STEPS, 12, rate=0.25, seed=seed + 20)
    lava = run(spec, x, "cpu-fixed", record_v=True, learn=True, seed=seed + 3)
    emu = run(spec, x, "fixed-emu", record_v=True, learn=True, seed=seed + 3)
    _assert_active(lava, spec)
    _assert_equal(emu, lava)
    assert set(emu.learned_weights) == set(lava.learned_weights) == {"layer0_w", "layer1_w", "layer1_rec", "l0_to_l1"}
    assert {info.where for info in lava.learning.values()} == {LearningSite.ENGINE}
    start = {"layer0_w": spec.layers[0].weight, "layer1_w": spec.layers[1].weight,
             "layer1_rec": spec.layers[1].recurrent_weight, "l0_to_l1": spec.projections[0].weight}
    for name, w in lava.learned_weights.items():
        np.testing.assert_array_equal(emu.learned_weights[name], w, err_msg=name)
        assert np.abs(w - start[name]).max() > 0.02, f"{name} learned nothing"
    np.testing.assert_array_equal(emu.learned_thresholds["layer1"], lava.learned_thresholds["layer1"])
    assert np.abs(lava.learned_thresholds["layer1"] - spec.layers[1].v_threshold).max() > 0.05
    other = run(spec, x, "fixed-emu", learn=True, seed=seed + 4)  # the seed reaches the rounding
    assert any(not np.array_equal(other.learned_weights[n], emu.learned_weights[n]) for n in start)


@pytest.mark.parametrize("seeds", [(2, 2, 2), (2, 9, 4)])
def test_a_learning_batch_and_networks_equal_each_run_alone(seeds):
    """Networks 0 and 2 share a rule (one engine, its members seeded each their own way)."""
    specs = [_plastic_spec(s) for s in (0, 1, 0)]
    x = np.stack([random_spikes(120, 12, rate=0.25, seed=s) for s in range(3)])
    together = run_networks(specs, x, "fixed-emu", learn=True, seed=list(seeds))
    for k, spec in enumerate(specs):
        for b in range(3):
            alone = run(spec, x[b], "fixed-emu", learn=True, seed=seeds[k])
            for name in alone.spikes:
                np.testing.assert_array_equal(together.spikes[name][k, b], alone.spikes[name])
            for name in alone.learned_weights:
                np.testing.assert_array_equal(together.learned_weights[name][k, b], alone.learned_weights[name])
            np.testing.assert_array_equal(together.learned_thresholds["layer1"][k, b],
                                          alone.learned_thresholds["layer1"])
    assert not np.array_equal(together.learned_weights["layer0_w"][0, 0], together.learned_weights["layer0_w"][0, 1])
    same_network = np.array_equal(together.learned_weights["layer0_w"][0], together.learned_weights["layer0_w"][2])
    assert same_network == (seeds[0] == seeds[2])  # the seed, not the engine they share, decides


def test_structural_plasticity_is_refused_with_a_clear_error():
    from engram_nm.plasticity import LayerPlasticity, StructuralPlasticity

    spec = random_spec(4, [3], seed=0)
    spec.layers[0].plasticity = LayerPlasticity(structural=StructuralPlasticity(prune_below=0.05, seed=1))
    with pytest.raises(InputError, match="structural plasticity .* not emulated"):
        run(spec, random_spikes(10, 4), "fixed-emu", learn=True)


def test_learning_on_a_batch_is_refused_with_a_clear_error():
    spec = random_spec(4, [3], seed=0)
    with pytest.raises(InputError, match="one sample at a time"):
        run(spec, np.zeros((2, 10, 4)), "reference", learn=True)


def test_the_emulator_imports_nothing_from_lava():
    code = ("import sys, numpy as np; from engram_nm.spec import random_spec; "
            "from engram_nm.hardware.targets import run; "
            "r = run(random_spec(6, [5], seed=0), np.ones((20, 6)), 'fixed-emu'); "
            "assert r.spikes['layer0'].any(); "
            "bad = [m for m in sys.modules if m == 'lava' or m.startswith('lava.')]; "
            "assert not bad, bad[:5]; print('ok')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


@pytest.mark.lava
def test_cli_run_on_fixed_emu_writes_the_keys_of_the_lava_targets(tmp_path):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    model = export_nir(random_spec(10, [12, 4], neuron="cuba", seed=2), tmp_path / "m.nir")
    np.save(tmp_path / "x.npy", random_spikes(100, 10, rate=0.3, seed=1))
    outs = {}
    for target in ("fixed-emu", "cpu-fixed"):
        out = tmp_path / f"{target}.npz"
        assert main(["run", str(model), "--target", target, "--input", str(tmp_path / "x.npy"), "--record-v",
                     "--out", str(out), "--quiet"]) == 0
        with np.load(out) as f:
            outs[target] = {k: f[k] for k in f.files}
    assert sorted(outs["fixed-emu"]) == sorted(outs["cpu-fixed"])
    for key, value in outs["cpu-fixed"].items():
        np.testing.assert_array_equal(outs["fixed-emu"][key], value, err_msg=key)


@pytest.mark.lava
def test_cli_learns_on_fixed_emu_what_cpu_fixed_learns(tmp_path):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir, import_nir

    model = export_nir(_plastic_spec(0), tmp_path / "plastic.nir")
    np.save(tmp_path / "x.npy", random_spikes(150, 12, rate=0.25, seed=3))
    learned = {}
    for target in ("fixed-emu", "cpu-fixed"):
        out = tmp_path / f"learned-{target}.nir"
        assert main(["run", str(model), "--target", target, "--input", str(tmp_path / "x.npy"), "--learn",
                     "--seed", "4", "--learned-model", str(out), "--quiet"]) == 0
        learned[target] = import_nir(out)
    for a, b in zip(learned["fixed-emu"].connections(), learned["cpu-fixed"].connections()):
        assert a.name == b.name
        np.testing.assert_array_equal(a.weight, b.weight, err_msg=a.name)
    start = _plastic_spec(0).layers[0].weight
    assert np.abs(learned["fixed-emu"].layers[0].weight - start).max() > 0.02


def test_a_batch_that_learned_is_not_folded_into_one_spec():
    spec = _plastic_spec(0)
    res = run(spec, np.stack([random_spikes(40, 12, rate=0.25, seed=s) for s in range(2)]), "fixed-emu", learn=True)
    assert res.learned_weights["layer0_w"].shape == (2, 16, 12)
    with pytest.raises(InputError, match="one sample"):
        res.learned_spec(spec)


@pytest.mark.lava
@pytest.mark.parametrize("target", ["reference", "snntorch", "cpu-float", "cpu-fixed"])
def test_every_target_takes_a_batch_and_keeps_its_axis(target):
    """[B, T, n_in] on any target == each sample run alone; reference == cpu-float for the batch too."""
    spec = random_spec(12, [10, 4], neuron="cuba", recurrent=True, seed=3, weight_scale=0.1)
    batch = np.stack([random_spikes(60, 12, rate=0.3, seed=s) for s in range(3)])
    together = run(spec, batch, target)
    assert together.spikes["layer1"].shape == (3, 60, 4)
    for b in range(3):
        alone = run(spec, batch[b], target)
        for name in alone.spikes:
            np.testing.assert_array_equal(together.spikes[name][b], alone.spikes[name])
    assert together.spikes["layer0"].mean() > 0.02
    if target == "cpu-float":
        np.testing.assert_array_equal(together.spikes["layer1"], run(spec, batch, "reference").spikes["layer1"])


@pytest.mark.lava
def test_cli_runs_a_batch_file_and_keeps_the_batch_axis(tmp_path):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    model = export_nir(random_spec(10, [12, 4], seed=2, weight_scale=0.3), tmp_path / "m.nir")
    batch = np.stack([random_spikes(80, 10, rate=0.3, seed=s) for s in range(4)])
    np.save(tmp_path / "batch.npy", batch)
    for target in ("fixed-emu", "cpu-fixed"):
        out = tmp_path / f"{target}.npz"
        assert main(["run", str(model), "--target", target, "--input", str(tmp_path / "batch.npy"), "--steps", "60",
                     "--out", str(out), "--quiet"]) == 0
    with np.load(tmp_path / "fixed-emu.npz") as emu, np.load(tmp_path / "cpu-fixed.npz") as lava:
        assert emu["layer1"].shape == (4, 60, 4)
        np.testing.assert_array_equal(emu["layer1"], lava["layer1"])
        assert emu["layer0"].mean() > 0.02


def _seeds(kind: str, n: int):
    """n networks of one shape, each with its own weights (and, for 'mixed', its own reset mode)."""
    specs = [random_spec(16, [20, 6], neuron="cuba" if kind == "cuba" else "lif", recurrent=True, seed=s,
                         weight_scale=0.05 if kind == "cuba" else 0.3,
                         reset="subtract" if kind == "mixed" and s % 2 else "zero",
                         reset_delay=kind == "mixed" and s % 3 == 0, bias=0.02 * (s % 2)) for s in range(n)]
    return specs


@pytest.mark.parametrize("kind", ["lif", "cuba", "mixed"])
def test_a_batch_of_networks_equals_each_network_alone(kind):
    from engram_nm.hardware.targets import run_networks

    specs = _seeds(kind, 4)
    batch = np.stack([random_spikes(STEPS, 16, rate=0.2, seed=s) for s in range(3)])
    together = run_networks(specs, batch, "fixed-emu", record_v=True)
    assert together.spikes["layer1"].shape == (4, 3, STEPS, 6)
    for k, spec in enumerate(specs):
        alone = run(spec, batch, "fixed-emu", record_v=True)
        _assert_active(alone, spec)
        for name in alone.spikes:
            np.testing.assert_array_equal(together.spikes[name][k], alone.spikes[name])
            np.testing.assert_array_equal(together.v[name][k], alone.v[name])
    assert not np.array_equal(together.spikes["layer0"][0], together.spikes["layer0"][1])  # really different nets


@pytest.mark.lava
def test_a_batch_of_networks_equals_lava_fixed_network_by_network():
    from engram_nm.hardware.targets import run_networks

    specs = _seeds("mixed", 3)
    x = random_spikes(STEPS, 16, rate=0.2, seed=9)
    emu = run_networks(specs, x, "fixed-emu")
    lava = run_networks(specs, x, "cpu-fixed")
    assert emu.spikes["layer1"].shape == lava.spikes["layer1"].shape == (3, STEPS, 6)
    for name in emu.spikes:
        np.testing.assert_array_equal(emu.spikes[name], lava.spikes[name])


def test_networks_of_different_shapes_are_refused():
    from engram_nm.hardware.targets import run_networks

    with pytest.raises(InputError, match="one shape"):
        run_networks([random_spec(8, [5], seed=0), random_spec(8, [6], seed=1)], random_spikes(20, 8), "fixed-emu")
