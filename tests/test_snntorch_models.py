"""Users' own snnTorch models -> spec -> Lava, with the semantics stated."""

import numpy as np
import pytest
import torch

from engram_nm.errors import SpecError
from engram_nm.hardware.targets import run
from engram_nm.snntorch_models import spec_from_snntorch
from tests.helpers import random_spikes, snntorch_neuron, snntorch_two_layer


_net = snntorch_two_layer


def _run_snntorch(net, x):
    with torch.no_grad():
        return np.array([net(torch.as_tensor(x[t:t + 1], dtype=torch.float32))[0].numpy() > 0
                         for t in range(len(x))])


@pytest.mark.lava
@pytest.mark.parametrize("reset_delay", [True, False])
def test_leaky_zero_reset_is_exact_either_reset_delay(reset_delay):
    import snntorch as snn

    net = _net(lambda n: snn.Leaky(beta=torch.full((n,), 0.9), threshold=torch.ones(n), reset_mechanism="zero",
                                   init_hidden=True, reset_delay=reset_delay))
    spec, notes = spec_from_snntorch(net, n_in=10)
    assert notes == []
    x = random_spikes(100, 10, rate=0.3, seed=2)
    theirs = _run_snntorch(net, x)
    ours = run(spec, x, "cpu-float").spikes[spec.layer_names[-1]]
    assert ours.sum() > 10
    assert np.mean(theirs[:-2] != ours[2:]) <= 0.01  # float32 threshold ties only


@pytest.mark.lava
@pytest.mark.parametrize("kind", ["leaky", "synaptic"])
def test_biases_start_at_snntorch_step_zero(kind):
    """Linear biases are constant currents from snnTorch's step 0 = Lava step `depth` (bias_onset)."""
    import snntorch as snn

    net = _net(snntorch_neuron(kind), bias=True)
    spec, notes = spec_from_snntorch(net, n_in=10)
    assert notes == []
    assert [layer.bias_onset for layer in spec.layers] == [1, 2]
    x = random_spikes(100, 10, rate=0.3, seed=2)
    theirs = _run_snntorch(net, x)
    result = run(spec, x, "cpu-float")
    ours = result.spikes[spec.layer_names[-1]]
    assert not result.deployable and "step 2" in result.not_deployable_because[spec.layer_names[-1]]
    assert ours.sum() > 10
    assert np.mean(theirs[:-2] != ours[2:]) <= 0.01  # float32 threshold ties only
    assert np.all(~ours[:2])  # nothing moves before snnTorch's first step arrives


def test_differences_are_listed():
    import snntorch as snn

    net = _net(lambda n: snn.Leaky(beta=torch.full((n,), 0.9), threshold=torch.ones(n), init_hidden=True),
               bias=True)  # snnTorch defaults: subtract reset, reset_delay=True
    spec, notes = spec_from_snntorch(net, n_in=10)
    assert all(layer.reset == "subtract" for layer in spec.layers)
    assert any("subtract" in n for n in notes)
    assert [layer.bias_onset for layer in spec.layers] == [1, 2]


def test_scalar_beta_is_explained():
    import snntorch as snn

    net = torch.nn.Sequential(torch.nn.Linear(4, 3), snn.Leaky(beta=0.9, init_hidden=True))
    with pytest.raises(SpecError, match="per-neuron beta"):
        spec_from_snntorch(net, n_in=4)
