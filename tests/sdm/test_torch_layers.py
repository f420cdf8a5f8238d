"""The trainable Top-K SDM layer and the spiking k-WTA layer."""

import numpy as np
import pytest
import torch

from engram_nm.errors import SpecError
from engram_nm.sdm.torch_layers import SpikingKWTA, TopKSDMLayer, kwta_step


def test_topk_layer_keeps_exactly_k_nonnegative_winners_and_is_scale_invariant():
    torch.manual_seed(0)
    layer = TopKSDMLayer(20, 50, k=5).eval()
    x = torch.rand(16, 20)
    y = layer(x)
    assert torch.all((y > 0).sum(dim=1) <= 5) and torch.all(y >= 0)
    assert torch.all((layer.similarities(x) > 0).sum(dim=1) >= 5)  # positives exist, so exactly k pass
    assert torch.all((y > 0).sum(dim=1) == 5)
    torch.testing.assert_close(layer(3.7 * x), y)                   # L2-normalised input
    assert [n for n, _ in layer.named_parameters()] == ["weight"]    # no bias
    assert torch.all(y <= 1.0 + 1e-6)                               # cosine similarities


def test_gaba_switch_anneals_the_winners_from_all_to_k():
    layer = TopKSDMLayer(10, 40, k=4, gaba_steps=10).train()
    ks = []
    for _ in range(12):
        ks.append(layer.current_k())
        layer(torch.rand(2, 10))
    assert ks[0] == 40 and ks[-1] == 4 and all(a >= b for a, b in zip(ks, ks[1:]))
    assert layer.eval().current_k() == 4


def test_gaba_switch_leaves_fewer_dead_neurons():
    def dead_after_training(gaba_steps):
        torch.manual_seed(1)
        layer = TopKSDMLayer(16, 200, k=2, gaba_steps=gaba_steps)
        head = torch.nn.Linear(200, 4)
        opt = torch.optim.SGD(list(layer.parameters()) + list(head.parameters()), lr=0.5)
        centres = torch.randn(4, 16)
        for _ in range(300):
            labels = torch.randint(0, 4, (32,))
            x = centres[labels] + 0.3 * torch.randn(32, 16)
            loss = torch.nn.functional.cross_entropy(head(layer(x)), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        layer.activity.zero_()
        layer.train()
        with torch.no_grad():
            layer.gaba_steps = 0
            for _ in range(20):
                layer(centres[torch.randint(0, 4, (64,))] + 0.3 * torch.randn(64, 16))
        return layer.dead_fraction()

    assert dead_after_training(200) < dead_after_training(0)


def test_spiking_kwta_matches_its_numpy_reference():
    torch.manual_seed(2)
    layer = SpikingKWTA(20, 30, k=3, beta=0.9, threshold=0.3).double()
    x = torch.rand(25, 4, 20, dtype=torch.float64)
    with torch.no_grad():
        spikes = layer(x).numpy() > 0
    current = layer.currents(x).detach().numpy()
    v, ref = np.zeros((4, 30)), []
    for t in range(25):
        s, v = kwta_step(v, current[t], 0.9, 0.3, 3)
        ref.append(s)
    np.testing.assert_array_equal(np.array(ref), spikes)
    assert spikes.sum() > 20 and spikes.sum(axis=-1).max() <= 3


def test_spiking_kwta_trains():
    torch.manual_seed(3)
    layer = SpikingKWTA(10, 20, k=2, threshold=0.2)
    out = layer(torch.rand(10, 3, 10)).sum()
    out.backward()
    assert layer.weight.grad is not None and torch.any(layer.weight.grad != 0)


@pytest.mark.parametrize("make", [lambda: TopKSDMLayer(10, 5, k=6), lambda: SpikingKWTA(10, 5, k=0),
                                  lambda: SpikingKWTA(10, 5, k=2, beta=1.0)])
def test_bad_layer_arguments(make):
    with pytest.raises(SpecError):
        make()
