"""NeuroBench (2.3, installed by `make setup` without its audio/dataset dependencies) as the oracle of our operation counts.

A trained-shape snnTorch network runs through NeuroBench's ``SNNTorchModel`` with its
``SynapticOperations`` and ``ActivationSparsity`` metrics; the same network converted with
``spec_from_snntorch`` runs on our reference backend and :func:`count_run` must give the same
numbers. The ANN side: NeuroBench's ``TorchModel`` counter against :func:`ann_macs`.

snnTorch has no synaptic delay and each of our Dense has one step, so our spikes are the same
spikes later (tests/test_peer_snntorch.py); every sample ends with ``PAD`` silent input steps so
both runs have finished spiking inside the window and the totals compare exactly.
"""

import numpy as np
import pytest
import torch

from engram_nm.analysis.counting import ann_macs, count_run  # noqa: E402
from engram_nm.backends.reference import simulate  # noqa: E402
from engram_nm.snntorch_models import spec_from_snntorch  # noqa: E402

PAD = 12


def _snn(n_in=64, hidden=48, n_out=10, seed=0):
    import snntorch as snn

    torch.manual_seed(seed)
    full = lambda n, v: torch.full((n,), v)  # noqa: E731
    fc1, fc2 = torch.nn.Linear(n_in, hidden, bias=False), torch.nn.Linear(hidden, n_out, bias=False)
    fc1.weight.data = fc1.weight.data * 3.0 + 0.05
    fc2.weight.data = fc2.weight.data * 3.0 + 0.1
    fc1.weight.data[fc1.weight.data.abs() < 0.05] = 0.0  # some zero synapses: they must not count
    return torch.nn.Sequential(
        fc1, snn.Leaky(beta=full(hidden, 0.9), threshold=full(hidden, 1.0), init_hidden=True, reset_mechanism="zero"),
        fc2, snn.Leaky(beta=full(n_out, 0.9), threshold=full(n_out, 1.0), init_hidden=True, reset_mechanism="zero", output=True))


def _inputs(samples=6, steps=20, n_in=64, seed=1):
    x = (np.random.default_rng(seed).random((samples, steps, n_in)) < 0.15).astype(np.float32)
    return np.concatenate([x, np.zeros((samples, PAD, n_in), np.float32)], axis=1)


def _neurobench(model, x, y, metrics):
    from neurobench.benchmarks import Benchmark
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.as_tensor(x), torch.as_tensor(y)), batch_size=3, shuffle=False)
    return Benchmark(model, loader, [], [], [[], metrics]).run(quiet=True)


def test_our_counts_equal_neurobench_synaptic_operations_and_activation_sparsity():
    from neurobench.metrics.workload import ActivationSparsity, SynapticOperations
    from neurobench.models import SNNTorchModel

    module = _snn()
    x = _inputs()
    theirs = _neurobench(SNNTorchModel(module), x, np.zeros(len(x), dtype=np.int64),
                         [SynapticOperations, ActivationSparsity])
    spec, differences = spec_from_snntorch(module, 64)
    assert differences == []
    acs, dense, spikes, slots = [], [], 0, 0
    for sample in x:
        run = simulate(spec, sample)
        counts = count_run(spec, sample, run.spikes)
        acs.append(sum(layer.effective_acs for layer in counts.layers))
        dense.append(sum(layer.dense_ops for layer in counts.layers))
        spikes += sum(layer.spikes for layer in counts.layers)
        slots += sum(layer.neuron_updates for layer in counts.layers)
        tail = run.spikes[spec.layer_names[-1]][-3:]
        assert not tail.any()  # finished inside the window: the totals are comparable
    assert spikes > 50  # a silent network would agree trivially
    ops = theirs["SynapticOperations"]
    assert ops["Effective_MACs"] == 0 and ops["Effective_ACs"] == pytest.approx(np.mean(acs))
    assert ops["Dense"] == pytest.approx(np.mean(dense))
    assert theirs["ActivationSparsity"] == pytest.approx(1 - spikes / slots)


def test_ann_effective_macs_equal_neurobench():
    from neurobench.metrics.workload import SynapticOperations
    from neurobench.models import TorchModel
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    x = (load_digits().data[:40] / 16.0).astype(np.float32)
    assert (x == 0).mean() > 0.3  # the digits have many zero pixels: effective < dense
    theirs = _neurobench(TorchModel(mlp), x, np.zeros(len(x), dtype=np.int64), [SynapticOperations])
    ours = ann_macs([mlp[0].weight.detach().numpy(), mlp[2].weight.detach().numpy()],
                    [mlp[0].bias.detach().numpy(), mlp[2].bias.detach().numpy()], x)
    ops = theirs["SynapticOperations"]
    assert ops["Effective_ACs"] == 0
    assert ops["Effective_MACs"] == pytest.approx(ours.effective) and ops["Dense"] == pytest.approx(ours.dense)
    assert ours.effective < 0.8 * ours.dense


def test_graded_spike_operations_equal_neurobench_effective_macs():
    """A sigma-delta population's payloads into the next layer: NeuroBench counts a non-binary
    input times a non-zero weight as an Effective_MAC; fed the same payloads step by step (each
    step one sample of a TorchModel holding the readout's weights), it must give our graded_macs."""
    from neurobench.metrics.workload import SynapticOperations
    from neurobench.models import TorchModel

    from engram_nm.spec import EngramSpec, LayerSpec

    rng = np.random.default_rng(0)
    readout = rng.normal(0, 0.5, (5, 16)) * (rng.random((5, 16)) < 0.6)  # zero synapses must not count
    spec = EngramSpec(20, [LayerSpec("sd", weight=rng.normal(0, 0.5, (16, 20)), neuron="sigma_delta", v_threshold=0.2),
                           LayerSpec("out", weight=readout)])
    x = (rng.random((30, 20)) < 0.2).astype(float)
    run = simulate(spec, x)
    payloads = run.spikes["sd"].astype(np.float32)  # [T, 16], one step per NeuroBench sample
    assert np.count_nonzero(payloads) > 40 and not np.isin(payloads, (0.0, 1.0)).all()
    linear = torch.nn.Linear(16, 5, bias=False)
    linear.weight.data = torch.as_tensor(readout, dtype=torch.float32)
    theirs = _neurobench(TorchModel(torch.nn.Sequential(linear)), payloads, np.zeros(len(payloads), dtype=np.int64),
                         [SynapticOperations])["SynapticOperations"]
    ours = count_run(spec, x, run.spikes).layers[1]
    assert theirs["Effective_ACs"] == 0 and ours.effective_acs == 0
    assert theirs["Effective_MACs"] * len(payloads) == pytest.approx(ours.graded_macs)
