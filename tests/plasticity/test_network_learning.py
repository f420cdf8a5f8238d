"""Plastic networks: numpy reference == torch (float64) == Lava cpu-float; cpu-fixed close and seeded.

Timing convention (all backends): a projection learns at step t from its pre
spikes and its post spikes of step t; the weights that carry spikes into step
t are those after learning at step t - 2 (Lava's Dense computes its output one
step ahead, before its learning phase). Thresholds with intrinsic plasticity
move after the spike decision.
"""

import inspect

import numpy as np
import pytest

from engram_nm import EngramSpec, LayerSpec, SpecError, random_spec
from engram_nm.hardware.targets import run
from engram_nm.plasticity import (
    SPaSS, InhibitorySTDP, IntrinsicPlasticity, LayerPlasticity, PairSTDP, StructuralPlasticity,
)
from engram_nm.backends.reference import simulate
from engram_nm.result import LearningSite
from tests.helpers import random_spikes

STEPS = 150


def plastic_spec():
    """Two layers exercising every path: engine-exact STDP, a bounded rule (CPU-only on float),
    recurrent inhibitory STDP, intrinsic and structural plasticity."""
    spec = random_spec(12, [16, 8], recurrent=[False, True], weight_scale=0.4, seed=3)
    l0, l1 = spec.layers
    l0.plasticity = LayerPlasticity(feedforward=PairSTDP(a_plus=0.01, a_minus=0.012, tau_plus=5e-3, tau_minus=8e-3))
    l0._check_plasticity()
    l1.plasticity = LayerPlasticity(
        feedforward=PairSTDP(a_plus=0.01, a_minus=0.012, w_min=-1.0, w_max=1.0),
        recurrent=InhibitorySTDP(eta=2 ** -6, rho0=12.5, weight_sign=1, w_min=0.0),
        intrinsic=IntrinsicPlasticity(eta=0.02, target_rate=100.0),
        structural=StructuralPlasticity(prune_below=0.05, grow_probability=0.05, w_init=0.2, interval=25, seed=1),
    )
    l1.recurrent_weight = np.abs(l1.recurrent_weight)
    l1._check_plasticity()
    return spec


@pytest.fixture(scope="module")
def case():
    spec = plastic_spec()
    x = random_spikes(STEPS, 12, rate=0.25, seed=1)
    return spec, x, simulate(spec, x, learn=True)


def test_reference_learns_something(case):
    spec, x, ref = case
    assert set(ref.learned_weights) == {"layer0_w", "layer1_w", "layer1_rec"}
    assert np.abs(ref.learned_weights["layer0_w"] - spec.layers[0].weight).max() > 0.05
    assert np.abs(ref.learned_thresholds["layer1"] - spec.layers[1].v_threshold).max() > 0.05
    assert all(ref.spikes[n].sum() > 20 for n in spec.layer_names)
    plain = simulate(spec, x)  # learning off: fixed weights, nothing learned
    assert plain.learned_weights == {} and not np.array_equal(plain.spikes["layer1"], ref.spikes["layer1"])


@pytest.mark.lava
def test_lava_float_learning_equals_reference(case):
    spec, x, ref = case
    res = run(spec, x, "cpu-float", learn=True)
    for name in spec.layer_names:
        np.testing.assert_array_equal(res.spikes[name], ref.spikes[name])
    for name, w in ref.learned_weights.items():
        np.testing.assert_allclose(res.learned_weights[name], w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.learned_thresholds["layer1"], ref.learned_thresholds["layer1"], rtol=0, atol=1e-12)
    where = {name: info.where for name, info in res.learning.items()}
    assert where == {"layer0_w": LearningSite.ENGINE, "layer1_w": LearningSite.CPU_ONLY,
                     "layer1_rec": LearningSite.ENGINE}
    assert not res.deployable and "structural" in res.not_deployable_because["layer1_w"]
    assert "| layer1_w | CPU-only PlasticDense |" in res.learning_table()


def test_torch_learning_equals_reference(case):
    spec, x, ref = case
    res = run(spec, x, "snntorch", learn=True)
    for name in spec.layer_names:
        np.testing.assert_array_equal(res.spikes[name], ref.spikes[name])
    for name, w in ref.learned_weights.items():
        np.testing.assert_allclose(res.learned_weights[name], w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.learned_thresholds["layer1"], ref.learned_thresholds["layer1"], rtol=0, atol=1e-12)


def test_plasticity_phase_updates_a_torch_model_in_place():
    import torch

    from engram_nm.backends.torch_backend import build_torch
    from engram_nm.backends.torch_plasticity import plasticity_phase

    spec = plastic_spec()
    net = build_torch(spec, dtype=torch.float64)
    x = random_spikes(STEPS, 12, rate=0.25, seed=1)
    before = net.layers[0].weight.detach().clone()
    out = plasticity_phase(net, x)
    np.testing.assert_array_equal(net.layers[0].weight.detach().numpy(), out.learned_weights["layer0_w"])
    assert not torch.equal(before, net.layers[0].weight.detach())
    # every learned matrix and threshold lands in the module: feed-forward, recurrent, intrinsic
    assert set(out.learned_weights) == {"layer0_w", "layer1_w", "layer1_rec"}
    np.testing.assert_array_equal(net.layers[1].weight.detach().numpy(), out.learned_weights["layer1_w"])
    np.testing.assert_array_equal(net.layers[1].recurrent_weight.detach().numpy(), out.learned_weights["layer1_rec"])
    np.testing.assert_array_equal(net.layers[1].v_threshold.detach().numpy(), out.learned_thresholds["layer1"])
    back = net.to_spec()
    assert back.layers[1].plasticity == spec.layers[1].plasticity  # rules survive a torch round trip


@pytest.mark.lava
def test_lava_fixed_learning_is_close_and_seeded(case):
    spec, x, ref = case
    first = run(spec, x, "cpu-fixed", learn=True, seed=5)
    again = run(spec, x, "cpu-fixed", learn=True, seed=5)
    for name in spec.layer_names:
        np.testing.assert_array_equal(first.spikes[name], again.spikes[name])
    for name in ref.learned_weights:
        np.testing.assert_array_equal(first.learned_weights[name], again.learned_weights[name])
    # Fixed point follows the float learning: the engine-learned feed-forward change correlates.
    change = ref.learned_weights["layer0_w"] - spec.layers[0].weight
    learned = first.learned_weights["layer0_w"] - spec.layers[0].weight
    assert np.corrcoef(change.ravel(), learned.ravel())[0, 1] > 0.8
    assert np.abs(first.learned_thresholds["layer1"] - ref.learned_thresholds["layer1"]).max() < 0.1 * \
        np.abs(ref.learned_thresholds["layer1"]).max()
    assert {info.where for info in first.learning.values()} == {LearningSite.ENGINE, LearningSite.CPU_ONLY}


@pytest.mark.lava
def test_learned_weights_export_and_run_again(case, tmp_path):
    from engram_nm.nir_io import export_nir, import_nir

    spec, x, ref = case
    res = run(spec, x, "cpu-float", learn=True)
    learned = res.learned_spec(spec)
    np.testing.assert_array_equal(learned.layers[0].weight, res.learned_weights["layer0_w"])
    np.testing.assert_array_equal(learned.layers[1].v_threshold, res.learned_thresholds["layer1"])
    back = import_nir(export_nir(learned, tmp_path / "learned.nir"))
    assert back.equals(learned) and back.layers[1].plasticity == spec.layers[1].plasticity
    # Continue learning from where the first run stopped, in one call.
    second = run(back, x, "cpu-float", learn=True)
    np.testing.assert_allclose(second.learned_weights["layer0_w"],
                               simulate(back, x, learn=True).learned_weights["layer0_w"], rtol=0, atol=1e-12)


def test_plasticity_survives_nir_and_snntorch_still_reads_the_file(tmp_path):
    import nir
    from snntorch.import_nir import import_from_nir

    from engram_nm.nir_io import export_nir, import_nir

    spec = random_spec(6, [5, 4], dt=1e-4, seed=2)
    spec.layers[0].plasticity = LayerPlasticity(feedforward=PairSTDP(soft_bounds=True, w_min=0.0, w_max=1.0))
    spec.layers[0]._check_plasticity()
    path = export_nir(spec, tmp_path / "plastic.nir")
    assert import_nir(path).layers[0].plasticity == spec.layers[0].plasticity
    import_from_nir(nir.read(str(path)))  # a reader that ignores our metadata gets fixed weights


def test_spec_checks_plasticity():
    w = np.ones((2, 3))
    with pytest.raises(SpecError, match="recurrent_weight"):
        LayerSpec("a", weight=w, plasticity=LayerPlasticity(recurrent=PairSTDP()))
    with pytest.raises(SpecError, match="LayerPlasticity"):
        LayerSpec("a", weight=w, plasticity=PairSTDP())
    with pytest.raises(SpecError, match="unknown plasticity rule"):
        LayerSpec("a", weight=w, plasticity={"feedforward": {"rule": "bcm"}})
    layer = LayerSpec("a", weight=w, plasticity={"feedforward": PairSTDP().to_dict()})
    assert layer.plasticity.feedforward == PairSTDP()
    assert LayerSpec("a", weight=w, plasticity=LayerPlasticity()).plasticity is None


@pytest.mark.lava
def test_spass_keeps_weights_bounded_on_lava():
    """SPaSS on the float engine in a network: weights settle instead of running away (no clipping)."""
    spec = EngramSpec(8, [LayerSpec("out", weight=np.full((3, 8), 0.3), tau_mem=10e-3, v_threshold=1.0,
                                    plasticity=LayerPlasticity(feedforward=SPaSS(
                                        mu=2 ** -12, gamma=0.5, v_target=15.625, tau_pre=10e-3,
                                        tau_post=10e-3)))])
    x = random_spikes(400, 8, rate=0.3, seed=4)
    res = run(spec, x, "cpu-float", learn=True)
    assert res.learning["out_w"].where == LearningSite.ENGINE and res.learning["out_w"].exact
    w = res.learned_weights["out_w"]
    assert np.all(np.isfinite(w)) and w.max() < 5.0 and not np.allclose(w, 0.3)
    np.testing.assert_allclose(w, simulate(spec, x, learn=True).learned_weights["out_w"], rtol=0, atol=1e-12)


def test_lava_learning_lif_never_sends_its_bap_spikes():
    """Pins a Lava 0.10 edge: LearningLIF's models do not send on s_out_bap, so a LearningDense
    wired to it waits forever. The builder feeds s_in_bap from the population's s_out instead."""
    from engram_nm.lava_compat import lava  # noqa: F401 - makes lava importable on Python 3.11
    from lava.proc.lif import models

    for model in (models.PyLearningLifModelFloat, models.PyLearningLIFModelFixed):
        source = "".join(inspect.getsource(cls) for cls in model.__mro__ if cls.__module__.startswith("lava"))
        assert "s_out_bap.send" not in source
