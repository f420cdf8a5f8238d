import numpy as np
import pytest


def random_spikes(steps: int, n: int, rate: float = 0.2, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((steps, n)) < rate).astype(np.float64)


def snntorch_two_layer(neuron_factory, bias: bool = False, gain: float = 1.0):
    """Linear(10, 16) -> neuron(16) -> Linear(16, 6) -> neuron(6), positive weights so spikes propagate.

    ``gain`` scales weights and biases (lower it for neurons that integrate more, like Synaptic).
    """
    import torch

    torch.manual_seed(0)
    fc1, fc2 = torch.nn.Linear(10, 16, bias=bias), torch.nn.Linear(16, 6, bias=bias)
    for fc in (fc1, fc2):
        fc.weight.data = (fc.weight.data.abs() * 0.8 + 0.05) * gain
        if bias:
            fc.bias.data = fc.bias.data.abs() * 0.3 * gain
    return torch.nn.Sequential(fc1, neuron_factory(16), fc2, neuron_factory(6))


def snntorch_neuron(kind: str, reset: str = "zero", reset_delay: bool = False):
    """Factory n -> snnTorch neuron with per-neuron beta/threshold (the NIR exporter needs the sizes)."""
    import snntorch as snn
    import torch

    def make(n):
        full = lambda x: torch.full((n,), x)  # noqa: E731
        if kind == "leaky":
            return snn.Leaky(beta=full(0.9), threshold=full(1.0), reset_mechanism=reset, init_hidden=True,
                             reset_delay=reset_delay)
        if kind == "rleaky":
            neuron = snn.RLeaky(beta=full(0.9), threshold=full(1.0), linear_features=n, all_to_all=True,
                                reset_mechanism=reset, init_hidden=True, reset_delay=reset_delay)
            neuron.recurrent.weight.data *= 0.5
            return neuron
        return snn.Synaptic(alpha=full(0.7), beta=full(0.9), threshold=full(1.0), reset_mechanism=reset,
                            init_hidden=True, reset_delay=reset_delay)

    return make


def quick_first(cases: list) -> list:
    """Parametrize values with the first one marked ``quick`` (run by `make test-py` on every Python)."""
    return [pytest.param(c, marks=pytest.mark.quick) if i == 0 else c for i, c in enumerate(cases)]


def quick_first_rest_slow(cases: list) -> list:
    """:func:`quick_first`, with every other value in the slow tier (the default tier's Lava
    guarantee is tests/equivalence/test_lava_matrix.py; these are the longer sweeps of one feature)."""
    return [pytest.param(c, marks=pytest.mark.quick if i == 0 else pytest.mark.slow) for i, c in enumerate(cases)]
