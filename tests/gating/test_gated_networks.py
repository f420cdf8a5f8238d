"""Gated specs on every backend, torch gate modules, and the sparsity regularisers."""

import numpy as np
import pytest
import torch

from engram_nm import SpecError, random_spec
from engram_nm.errors import InputError
from engram_nm.gating import GateSpec, xdg_masks
from engram_nm.gating.torch_gates import FixedTaskGate, TaskGate
from engram_nm.hardware.targets import run
from engram_nm.nir_io import export_nir, import_nir
from engram_nm.backends.reference import simulate
from engram_nm.sparsity import HardConcreteGate, SparsityPenalty, kl_sparsity, l1_activity
from engram_nm.backends.torch_backend import build_torch


def gated_spec(mode="stochastic"):
    spec = random_spec(12, [20, 8], weight_scale=0.5, seed=2)
    spec.layers[0].gate = GateSpec(np.random.default_rng(1).normal(0, 2, (3, 20)), mode=mode, period=5, seed=4)
    spec.layers[0]._check_gate()
    return spec


TASKS = np.array([0] * 30 + [1] * 30 + [2] * 30)


def _input():
    return (np.random.default_rng(1).random((90, 12)) < 0.3).astype(float)


@pytest.mark.lava
@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_gated_network_equal_on_reference_torch_and_lava_float_across_task_switches(mode, tmp_path):
    spec = gated_spec(mode)
    deployed = import_nir(export_nir(spec, tmp_path / "gated.nir"))
    assert deployed.equals(spec)
    ref = simulate(spec, _input(), tasks=TASKS)
    for target in ("snntorch", "cpu-float"):
        res = run(deployed, _input(), target, tasks=TASKS)
        for name in spec.layer_names:
            np.testing.assert_array_equal(res.spikes[name], ref.spikes[name], err_msg=f"{target} {name}")
    res = run(deployed, _input(), "cpu-float", tasks=TASKS)
    assert not res.deployable and "gate" in res.not_deployable_because["layer0"]
    # Each task really silences a different set of neurons.
    masks = spec.layers[0].gate.masks(TASKS)
    assert not np.array_equal(masks[0], masks[45])


@pytest.mark.lava
def test_gated_network_fixed_point_close():
    from engram_nm.analysis.agreement import count_agreement

    spec = gated_spec("deterministic")
    ref = run(spec, _input(), "cpu-float", tasks=TASKS)
    fixed = run(spec, _input(), "cpu-fixed", tasks=TASKS)
    for name in spec.layer_names:
        assert count_agreement(ref.spikes[name], fixed.spikes[name]) >= 0.9


def test_tasks_need_gates_and_the_right_shape():
    with pytest.raises(InputError, match="no layer of the spec has an engram gate"):
        simulate(random_spec(12, [8]), _input(), tasks=1)
    with pytest.raises(InputError, match="one task per step"):
        simulate(gated_spec(), _input(), tasks=[0, 1])
    with pytest.raises(SpecError, match="columns"):
        random_spec(12, [8]).layers[0].__class__("x", weight=np.ones((8, 12)), gate=GateSpec(np.ones((2, 5))))


def test_task_gate_straight_through_and_deterministic_export():
    torch.manual_seed(0)
    gate = TaskGate(3, 10, init_keep=0.5)
    gate.set_task(2)
    gate.train()
    m = gate((4,))
    assert m.shape == (4, 10) and set(torch.unique(m.detach()).tolist()) <= {0.0, 1.0}
    m.sum().backward()
    assert gate.logits.grad[2].abs().sum() > 0 and gate.logits.grad[:2].abs().sum() == 0
    gate.eval()
    np.testing.assert_array_equal(gate(()).numpy() > 0, gate.to_gate_spec().masks([2])[0])
    with pytest.raises(InputError):
        gate.set_task(3)


def test_xdg_gate_is_fixed():
    gate = FixedTaskGate(5, 40, keep_fraction=0.25, seed=3)
    gate.set_task(1)
    assert not list(gate.parameters())
    np.testing.assert_array_equal(gate(()).numpy() > 0, xdg_masks(5, 40, 0.25, seed=3)[1])


def test_trained_gates_survive_to_spec_and_l0_gates_fold_into_weights():
    spec = random_spec(12, [20, 8], weight_scale=0.5, seed=2)
    net = build_torch(spec, dtype=torch.float64)
    net.input_gates["layer0"] = TaskGate(2, 20, seed=1).double()
    net.input_gates["layer1"] = HardConcreteGate(8).double()
    net.eval()
    net.set_task(1)
    x = torch.as_tensor(_input()).unsqueeze(1)
    with torch.no_grad():
        theirs = net(x, record_v=False).spikes
    back = net.to_spec()
    assert back.layers[0].gate is not None and back.layers[1].gate is None
    ours = simulate(back, _input(), tasks=1)
    for name in spec.layer_names:
        np.testing.assert_array_equal(theirs[name][:, 0].numpy() > 0, ours.spikes[name])


def test_l0_expected_penalty_matches_the_closed_form():
    gate = HardConcreteGate(5000, init_keep=0.3)
    with torch.no_grad():
        gate.log_alpha.copy_(torch.linspace(-3, 3, 5000))
    gate.train()
    samples = torch.stack([gate(()) for _ in range(400)])
    empirical = (samples > 0).float().mean(dim=0).sum()
    assert float(gate.expected_l0().detach()) == pytest.approx(float(empirical), rel=0.02)
    closed = torch.sigmoid(gate.log_alpha - (2 / 3) * np.log(0.1 / 1.1)).sum()
    assert float(gate.expected_l0().detach()) == pytest.approx(float(closed.detach()))


def test_activity_penalties_reduce_spiking_when_trained():
    def spikes_after(coef):
        torch.manual_seed(0)
        spec = random_spec(12, [30, 4], weight_scale=0.8, seed=5)
        net = build_torch(spec)
        opt = torch.optim.Adam(net.parameters(), lr=0.02)
        penalty = SparsityPenalty(l1_activity=coef)
        x = torch.as_tensor((np.random.default_rng(0).random((20, 16, 12)) < 0.3).astype(np.float32))
        y = torch.randint(0, 4, (16,))
        for _ in range(40):
            out = net(x, record_v=False)
            loss = torch.nn.functional.cross_entropy(out.spikes["layer1"].sum(0), y) + penalty(net, out)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            return float(l1_activity(net(x, record_v=False).spikes["layer0"]))

    assert spikes_after(0.5) < 0.5 * spikes_after(0.0)


def test_kl_sparsity_is_zero_at_the_target_and_positive_elsewhere():
    s = torch.zeros(100, 2, 3)
    s[::20] = 1.0   # rate 0.05 per step
    assert float(kl_sparsity(s, rho=0.05)) == pytest.approx(0.0, abs=1e-6)
    assert float(kl_sparsity(s, rho=0.2)) > 0.1
    with pytest.raises(SpecError):
        kl_sparsity(s, rho=0.0)
