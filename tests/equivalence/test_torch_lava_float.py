"""snnTorch backend (float64) == Lava cpu-float == numpy reference, spike for spike.

Delay convention: every Dense (feed-forward and recurrent) delays by one step
in all three, so the records are compared at the *same* step index; an input
spike at step t first moves layer l at step t + l + 1. Threshold: strict
``v > v_threshold``. Reset: "zero" (stock Lava LIF) or "subtract" (GeneralLIF),
immediate or delayed by a step (``reset_delay``, GeneralLIF).
"""

import numpy as np
import pytest
import torch

from engram_nm import random_spec
from engram_nm.analysis.agreement import exact_mismatches
from engram_nm.hardware.targets import run
from engram_nm.backends.reference import simulate
from engram_nm.backends.torch_backend import build_torch
from tests.helpers import quick_first_rest_slow, random_spikes

CASES = [
    dict(neuron="lif", reset="zero", recurrent=False, sizes=[24, 16]),
    dict(neuron="lif", reset="zero", recurrent=False, sizes=[24, 16, 8]),
    dict(neuron="lif", reset="subtract", recurrent=False, sizes=[24, 16, 8]),
    dict(neuron="cuba", reset="zero", recurrent=False, sizes=[24, 16]),
    dict(neuron="cuba", reset="subtract", recurrent=False, sizes=[24, 16, 8]),
    dict(neuron="lif", reset="zero", recurrent=True, sizes=[24, 12]),
    dict(neuron="lif", reset="subtract", recurrent=True, sizes=[24, 12]),
    dict(neuron="cuba", reset="zero", recurrent=True, sizes=[24, 12]),
    dict(neuron="cuba", reset="subtract", recurrent=[True, False, True], sizes=[20, 16, 8]),
    # snnTorch's delayed reset (reset_delay=True), on GeneralLIF
    dict(neuron="lif", reset="subtract", recurrent=True, sizes=[24, 12], reset_delay=True),
    dict(neuron="cuba", reset="zero", recurrent=[True, False], sizes=[24, 12], reset_delay=True),
    dict(neuron="cuba", reset="subtract", recurrent=False, sizes=[24, 16, 8], reset_delay=True),
]


def _id(c):
    rec = "rec" if c["recurrent"] else "ff"
    delayed = "-delayed" if c.get("reset_delay") else ""
    return f"{c['neuron']}-{c['reset']}{delayed}-{rec}-{len(c['sizes'])}L"


@pytest.mark.lava
@pytest.mark.parametrize("case", quick_first_rest_slow(CASES), ids=_id)
def test_snntorch_float64_equals_lava_float(case):
    spec = random_spec(12, case["sizes"], neuron=case["neuron"], reset=case["reset"], recurrent=case["recurrent"],
                       reset_delay=case.get("reset_delay", False), weight_scale=0.3, bias=0.01, seed=7)
    x = random_spikes(120, 12, rate=0.25, seed=1)
    lava_res = run(spec, x, "cpu-float", record_v=True)
    torch_res = run(spec, x, "snntorch", record_v=True)
    ref = simulate(spec, x)
    for name in spec.layer_names:
        assert lava_res.spikes[name].sum() > 0, f"{name} is silent: the test would prove nothing"
        assert exact_mismatches(torch_res.spikes[name], lava_res.spikes[name]) == 0
        assert exact_mismatches(ref.spikes[name], lava_res.spikes[name]) == 0
        # The reference uses Lava's own summation order: voltages agree exactly.
        np.testing.assert_array_equal(ref.v[name], lava_res.v[name])
        np.testing.assert_allclose(torch_res.v[name], lava_res.v[name], rtol=0, atol=1e-12)
    stock = spec.stock_lava_compatible()[0]
    assert lava_res.deployable == stock


@pytest.mark.lava
def test_stock_and_custom_process_choice():
    spec = random_spec(6, [5, 4], reset="zero")
    res = run(spec, random_spikes(10, 6), "cpu-float")
    assert res.deployable and res.not_deployable_because == {}
    spec = random_spec(6, [5, 4], reset="subtract")
    res = run(spec, random_spikes(10, 6), "cpu-float")
    assert not res.deployable and set(res.not_deployable_because) == {"layer0", "layer1"}


def test_delay_convention_single_spike():
    """One input spike at step 3 reaches layer 0 at step 4 and layer 1 at step 5."""
    from engram_nm.spec import EngramSpec, LayerSpec

    spec = EngramSpec(1, [LayerSpec("a", weight=[[2.0]], v_threshold=1.0),
                          LayerSpec("b", weight=[[2.0]], v_threshold=1.0)])
    x = np.zeros((10, 1))
    x[3] = 1
    ref = simulate(spec, x)
    assert np.flatnonzero(ref.spikes["a"][:, 0]).tolist() == [4]
    assert np.flatnonzero(ref.spikes["b"][:, 0]).tolist() == [5]
    out = build_torch(spec, dtype=torch.float64)(torch.as_tensor(x).unsqueeze(1))
    assert np.flatnonzero(out.spikes["b"][:, 0, 0].detach().numpy()).tolist() == [5]


def test_bias_starts_at_step_zero():
    from engram_nm.spec import EngramSpec, LayerSpec

    spec = EngramSpec(1, [LayerSpec("a", weight=[[0.0]], v_threshold=1.0, bias=0.6, tau_mem=np.inf)])
    ref = simulate(spec, np.zeros((5, 1)))
    # v: 0.6, 1.2 -> spike at step 1, reset, 0.6, 1.2 -> spike at step 3
    assert np.flatnonzero(ref.spikes["a"][:, 0]).tolist() == [1, 3]


@pytest.mark.parametrize("neuron", ["lif", "cuba"])
def test_float32_mismatch_rate_is_small(neuron):
    """float32 training precision vs the float64 truth: only threshold ties may differ."""
    spec = random_spec(12, [24, 16], neuron=neuron, weight_scale=0.3, seed=3)
    x = random_spikes(200, 12, seed=2)
    ref = simulate(spec, x)
    out = build_torch(spec, dtype=torch.float32)(torch.as_tensor(x, dtype=torch.float32).unsqueeze(1))
    total = sum(ref.spikes[n].size for n in spec.layer_names)
    wrong = sum(exact_mismatches(ref.spikes[n], out.spikes[n][:, 0].detach().numpy() > 0.5) for n in spec.layer_names)
    assert wrong / total < 0.02, f"float32 mismatch rate {wrong / total:.4f}"


@pytest.mark.lava
@pytest.mark.parametrize("neuron", ["lif", "cuba"])
def test_bias_onset_equal_across_backends(neuron):
    spec = random_spec(12, [16, 8], neuron=neuron, weight_scale=0.3, bias=0.05, seed=9)
    for depth, layer in enumerate(spec.layers, start=1):
        layer.bias_onset = depth
        if neuron == "cuba":
            layer.syn_bias = np.full(layer.size, 0.02)
    x = random_spikes(80, 12, seed=3)
    lava_res = run(spec, x, "cpu-float")
    torch_res = run(spec, x, "snntorch")
    ref = simulate(spec, x)
    shifted = spec.copy()
    for layer in shifted.layers:
        layer.bias_onset = 0
    differs = simulate(shifted, x)
    assert any(exact_mismatches(ref.spikes[n], differs.spikes[n]) for n in spec.layer_names), "onset unused"
    for name in spec.layer_names:
        assert exact_mismatches(ref.spikes[name], lava_res.spikes[name]) == 0
        assert exact_mismatches(ref.spikes[name], torch_res.spikes[name]) == 0
    fixed = run(spec, x, "cpu-fixed")
    from engram_nm.analysis.agreement import count_agreement

    assert all(count_agreement(lava_res.spikes[n], fixed.spikes[n]) >= 0.9 for n in spec.layer_names)
