"""Many samples through one Lava graph give each sample's own spikes (state reset between samples)."""

import numpy as np
import pytest

from engram_nm import random_spec
from engram_nm.errors import InputError
from engram_nm.gating import GateSpec
from engram_nm.hardware.targets import run, run_many

pytestmark = pytest.mark.lava


def _samples(n=3, steps=40, n_in=12):
    rng = np.random.default_rng(5)
    return [(rng.random((steps + 5 * i, n_in)) < 0.3).astype(float) for i in range(n)]


@pytest.mark.parametrize("target", ["cpu-float", "cpu-fixed"])
@pytest.mark.parametrize("kind", ["stock", "general"])
def test_run_many_equals_one_run_per_sample(target, kind):
    spec = random_spec(12, [20, 6], recurrent=[True, False], weight_scale=0.5, seed=4,
                       reset="zero" if kind == "stock" else "subtract", reset_delay=kind == "general")
    samples = _samples()
    together = run_many(spec, samples, target)
    for x, result in zip(samples, together):
        spikes = result.spikes
        alone = run(spec, x, target).spikes
        for name in spec.layer_names:
            np.testing.assert_array_equal(spikes[name], alone[name])
    assert sum(r.spikes["layer0"].sum() for r in together) > 10


def test_run_many_with_a_task_per_sample():
    spec = random_spec(12, [20, 6], weight_scale=0.5, seed=4)
    spec.layers[0].gate = GateSpec(np.random.default_rng(1).normal(0, 2, (3, 20)))
    spec.layers[0]._check_gate()
    samples, tasks = _samples(), [2, 0, 1]
    for target in ("snntorch", "cpu-float"):
        together = run_many(spec, samples, target, tasks=tasks)
        for x, t, result in zip(samples, tasks, together):
            np.testing.assert_array_equal(result.spikes["layer1"], run(spec, x, "cpu-float", tasks=t).spikes["layer1"])


def test_run_many_with_gates_and_no_tasks_uses_task_0():
    """Regression: a gated spec without tasks crashed after the first sample (tasks[i] on None)."""
    spec = random_spec(12, [20, 6], weight_scale=0.5, seed=4)
    spec.layers[0].gate = GateSpec(np.random.default_rng(1).normal(0, 2, (3, 20)))
    spec.layers[0]._check_gate()
    samples = _samples()
    for x, result in zip(samples, run_many(spec, samples, "cpu-float")):
        np.testing.assert_array_equal(result.spikes["layer1"], run(spec, x, "cpu-float", tasks=0).spikes["layer1"])


def test_run_many_refuses_state_it_cannot_reset():
    spec = random_spec(12, [6], seed=1)
    spec.layers[0].gate = GateSpec(np.zeros((2, 6)), mode="stochastic")
    spec.layers[0]._check_gate()
    with pytest.raises(InputError, match="stochastic gate"):
        run_many(spec, _samples(1), "cpu-float")
    with pytest.raises(InputError, match="one task per sample"):
        run_many(random_spec(12, [6], seed=1), _samples(2), "cpu-float", tasks=[0])


@pytest.mark.parametrize("target", ["cpu-float", "cpu-fixed"])
def test_a_batch_with_voltages_equals_each_sample_alone_voltage_for_voltage(target):
    """One graph for the batch, ``v`` monitored: each sample's voltages are those of its own run
    (float units on both tags), so a membrane readout can be scored on Lava in one graph."""
    spec = random_spec(12, [20, 6], recurrent=[True, False], weight_scale=0.5, seed=4)
    steps = 40
    batch = np.stack([s[:steps] for s in _samples()])
    together = run(spec, batch, target, record_v=True)
    assert together.v["layer1"].shape == (3, steps, 6)
    for i, x in enumerate(batch):
        alone = run(spec, x, target, record_v=True)
        for name in spec.layer_names:
            np.testing.assert_array_equal(together.spikes[name][i], alone.spikes[name])
            np.testing.assert_allclose(together.v[name][i], alone.v[name], rtol=0, atol=1e-12)
    assert together.spikes["layer0"].sum() > 10 and np.abs(together.v["layer1"]).max() > 0.1
