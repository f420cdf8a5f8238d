"""Users' own snnTorch models -> spec -> Lava: spikes equal to the module's own run.

Delay convention: snnTorch's ``nn.Linear`` has no delay, every Lava Dense has
one, so layer ``l`` (1-based) of the Lava run is compared ``l`` steps later.
"""

import numpy as np
import pytest
import torch

from engram_nm.errors import SpecError
from engram_nm.hardware.targets import run
from engram_nm.snntorch_models import spec_from_snntorch
from tests.helpers import random_spikes, snntorch_neuron, snntorch_two_layer


def _run_snntorch(net, x):
    import snntorch.utils

    snntorch.utils.reset(net)  # init_hidden neurons keep state between calls
    with torch.no_grad():
        return np.array([net(torch.as_tensor(x[t:t + 1], dtype=torch.float32))[0].numpy() > 0
                         for t in range(len(x))])


# (neuron, reset_mechanism, reset_delay) -> the spec layer's (reset, reset_delay)
CASES = {
    ("leaky", "subtract", True): ("subtract", True),
    ("leaky", "zero", True): ("zero", False),
    ("leaky", "zero", False): ("zero", False),
    ("synaptic", "subtract", True): ("subtract", True),
    ("synaptic", "zero", True): ("zero", True),
    ("synaptic", "zero", False): ("zero", False),
    ("rleaky", "subtract", True): ("subtract", True),
    ("rleaky", "zero", True): ("zero", True),
    ("rleaky", "zero", False): ("zero", False),
}
GAIN = {"leaky": 1.0, "rleaky": 1.0, "synaptic": 0.3}  # Synaptic integrates more: keep it unsaturated


@pytest.mark.lava
@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: "-".join(map(str, c)))
def test_snntorch_module_runs_on_lava_with_its_own_spikes(case):
    kind, reset, delay = case
    net = snntorch_two_layer(snntorch_neuron(kind, reset=reset, reset_delay=delay), bias=True, gain=GAIN[kind])
    spec, notes = spec_from_snntorch(net, n_in=10)
    assert [(layer.reset, layer.reset_delay) for layer in spec.layers] == [CASES[case]] * 2
    assert notes == []
    x = random_spikes(150, 10, rate=0.1, seed=2)
    theirs = _run_snntorch(net, x)
    result = run(spec, x, "cpu-float")
    ours = result.spikes[spec.layer_names[-1]]
    assert 0.05 < ours.mean() < 0.6, "saturated or silent output would prove little"
    # Equal up to float32 (snnTorch) vs float64 (Lava) threshold ties.
    assert np.mean(theirs[:-2] != ours[2:]) <= 0.01
    assert np.all(~ours[:2])  # nothing moves before snnTorch's first step arrives
    assert not result.deployable  # late bias onset, and delayed resets, are CPU-only


def test_biases_start_at_snntorch_step_zero():
    """Linear biases are constant currents from snnTorch's step 0 = Lava step `depth` (bias_onset)."""
    net = snntorch_two_layer(snntorch_neuron("synaptic"), bias=True)
    spec, _ = spec_from_snntorch(net, n_in=10)
    assert [layer.bias_onset for layer in spec.layers] == [1, 2]
    assert all(np.any(layer.syn_bias) for layer in spec.layers)  # Synaptic: the bias is a current
    assert "step 2" in spec.stock_lava_compatible()[1][spec.layer_names[-1]]


def test_subtract_without_delay_lists_the_difference():
    net = snntorch_two_layer(snntorch_neuron("leaky", reset="subtract", reset_delay=False))
    spec, notes = spec_from_snntorch(net, n_in=10)
    assert [(layer.reset, layer.reset_delay) for layer in spec.layers] == [("subtract", False)] * 2
    assert len(notes) == 2 and "2*threshold" in notes[0]


def test_unsupported_reset_is_listed():
    import snntorch as snn

    net = snntorch_two_layer(lambda n: snn.Leaky(beta=torch.full((n,), 0.9), threshold=torch.ones(n),
                                                 reset_mechanism="none", init_hidden=True))
    _, notes = spec_from_snntorch(net, n_in=10)
    assert len(notes) == 2 and "none" in notes[0]


def test_scalar_beta_is_explained():
    import snntorch as snn

    net = torch.nn.Sequential(torch.nn.Linear(4, 3), snn.Leaky(beta=0.9, init_hidden=True))
    with pytest.raises(SpecError, match="per-neuron beta"):
        spec_from_snntorch(net, n_in=4)
