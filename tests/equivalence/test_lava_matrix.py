"""The Lava equivalence matrix: every feature of the spec on each Lava tag, one Lava graph per spec.

Twelve small specs (<= 32 neurons a population, 100 steps) that together cover LIF and CUBA
neurons, both reset modes, immediate and delayed reset, recurrence, extra and input projections,
projections delayed by several steps (Lava's DelayDense),
bias with a delayed onset, deterministic and stochastic gates with task switches, the SDM memory
stage with saturating counters, every learning rule the engine runs (pair STDP bounded and
unbounded, inhibitory STDP, Hebbian, anti-Hebbian, SPaSS, Outstar) with intrinsic plasticity, sigma-delta populations, and a
network declared as populations and projections only (no chain weight).
Each runs once on Lava per tag and is compared with the engine:

* ``cpu-float`` against the numpy reference (spikes and payloads equal, voltages and learned
  values within 1e-12) and, where the torch backend runs the spec, snnTorch float64 alike;
* ``cpu-fixed`` against ``fixed-emu`` bit for bit (spikes, voltages, learned weights and
  thresholds, memory reads, quantisation table).

A minimum activity is asserted per population, so a silent network cannot pass. The longer,
many-seed and per-rule checks of each feature live beside it (tests/equivalence/,
tests/plasticity/, tests/processes/) in the slow tier; this matrix is the default tier's guarantee.
"""

import numpy as np
import pytest

from engram_nm.hardware.targets import run
from engram_nm.sdm.memory_spec import MemorySpec
from engram_nm.spec import random_spec
from tests.equivalence.catalogue import (delayed_spec, graph_spec, plastic_spec, plastic_spec_more_rules,
                                         projection_gate_spec, sigma_delta_chain)
from tests.helpers import random_spikes

STEPS = 100


def _memory_stage():
    spec = random_spec(20, [32, 8], seed=4, weight_scale=0.3)
    spec.memory = MemorySpec(n_locations=150, data_bits=6, k=6, seed=2, counter_bits=3, address_layer="layer0")
    rng = np.random.default_rng(0)
    ops = np.where(np.arange(STEPS) < 60, 1, 2) * (rng.random(STEPS) < 0.6)
    return spec, {"memory_ops": ops, "memory_data": rng.integers(0, 2, (STEPS, 6))}


def _tasks():
    return {"tasks": np.repeat([0, 1, 0, 1], STEPS // 4 + 1)[:STEPS]}


# name -> () -> (spec, run keyword arguments); learning cases learn with seed 3
MATRIX = {
    "lif-zero-3-layers-bias": lambda: (random_spec(12, [24, 16, 8], neuron="lif", reset="zero", weight_scale=0.3,
                                                   bias=0.01, seed=7), {}),
    "lif-subtract-delayed-reset-recurrent": lambda: (random_spec(12, [24, 12], neuron="lif", reset="subtract",
                                                                 recurrent=True, reset_delay=True, weight_scale=0.3,
                                                                 bias=0.01, seed=7), {}),
    "cuba-subtract-mixed-recurrence": lambda: (random_spec(12, [20, 16, 8], neuron="cuba", reset="subtract",
                                                           recurrent=[True, False, True], weight_scale=0.3, bias=0.01,
                                                           seed=7), {}),
    "cuba-zero-delayed-reset": lambda: (random_spec(12, [24, 12], neuron="cuba", reset="zero",
                                                    recurrent=[True, False], reset_delay=True, weight_scale=0.3,
                                                    bias=0.01, seed=7), {}),
    "projections-gate-bias-onset": lambda: (projection_gate_spec("deterministic"), _tasks()),
    "projections-stochastic-gate": lambda: (projection_gate_spec("stochastic"), _tasks()),
    "memory-stage-saturating": _memory_stage,
    "learning-every-engine-rule-and-intrinsic": lambda: (plastic_spec(0), {"learn": True, "seed": 3}),
    "learning-spass-anti-hebbian-outstar": lambda: (plastic_spec_more_rules(0), {"learn": True, "seed": 3}),
    "sigma-delta-chain": lambda: (sigma_delta_chain(0.2, "relu"), {}),
    "graph-populations-and-projections-learning": lambda: (graph_spec(0), {"learn": True, "seed": 3}),
    "graph-delayed-projections": lambda: (delayed_spec(0), {}),
}

TORCH_RUNS = {"learning-spass-anti-hebbian-outstar", "lif-zero-3-layers-bias", "lif-subtract-delayed-reset-recurrent", "cuba-subtract-mixed-recurrence",
              "cuba-zero-delayed-reset", "learning-every-engine-rule-and-intrinsic", "sigma-delta-chain",
              "graph-populations-and-projections-learning", "graph-delayed-projections"}
"""The cases the torch backend runs (it has no gates, no memory stage and no extra projections)."""


def _case(name):
    spec, kwargs = MATRIX[name]()
    x = random_spikes(STEPS, spec.n_in, rate=0.25, seed=1)
    return spec, x, kwargs


def _assert_active(result, spec):
    for layer in spec.layers:
        sent = np.count_nonzero(result.spikes[layer.name])
        assert sent >= 0.02 * STEPS * layer.size, f"{layer.name} sent {sent}: the comparison would prove little"


def _assert_learned_equal(a, b, atol):
    assert set(a.learned_weights) == set(b.learned_weights)
    for name, w in b.learned_weights.items():
        np.testing.assert_allclose(a.learned_weights[name], w, rtol=0, atol=atol, err_msg=name)
    for name, th in (b.learned_thresholds or {}).items():
        np.testing.assert_allclose(a.learned_thresholds[name], th, rtol=0, atol=atol, err_msg=name)


@pytest.mark.lava
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_lava_cpu_float_equals_the_reference_and_torch(name):
    spec, x, kwargs = _case(name)
    lava = run(spec, x, "cpu-float", record_v=True, **kwargs)
    _assert_active(lava, spec)
    references = {"reference": run(spec, x, "reference", record_v=True, **kwargs)}
    if name in TORCH_RUNS:
        references["snntorch"] = run(spec, x, "snntorch", record_v=True, **kwargs)
    for label, ref in references.items():
        for layer in spec.layers:
            if layer.graded:
                np.testing.assert_allclose(ref.spikes[layer.name], lava.spikes[layer.name], rtol=0, atol=1e-12,
                                           err_msg=f"{label}: {layer.name}")
            else:
                np.testing.assert_array_equal(ref.spikes[layer.name], lava.spikes[layer.name],
                                              err_msg=f"{label}: {layer.name}")
            np.testing.assert_allclose(ref.v[layer.name], lava.v[layer.name], rtol=0, atol=1e-12,
                                       err_msg=f"{label}: v of {layer.name}")
        if kwargs.get("learn"):
            _assert_learned_equal(ref, lava, atol=1e-12)
        if spec.memory is not None:
            np.testing.assert_array_equal(ref.memory_reads, lava.memory_reads)


@pytest.mark.lava
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_lava_cpu_fixed_equals_the_emulator_bit_for_bit(name):
    spec, x, kwargs = _case(name)
    lava = run(spec, x, "cpu-fixed", record_v=True, **kwargs)
    emu = run(spec, x, "fixed-emu", record_v=True, **kwargs)
    _assert_active(lava, spec)
    for layer in spec.layers:
        np.testing.assert_array_equal(emu.spikes[layer.name], lava.spikes[layer.name], err_msg=layer.name)
        np.testing.assert_array_equal(emu.v[layer.name], lava.v[layer.name], err_msg=f"v of {layer.name}")
    if kwargs.get("learn"):
        _assert_learned_equal(emu, lava, atol=0)
        assert any(np.abs(w - spec.connection(n).weight).max() > 0.02 for n, w in lava.learned_weights.items())
    if spec.memory is not None:
        np.testing.assert_array_equal(emu.memory_reads, lava.memory_reads)
        assert lava.memory_reads[kwargs["memory_ops"] == 2].any()
    assert emu.quantization.table() == lava.quantization.table()
