"""Prune/grow on a layer's recurrent weights (``LayerPlasticity.recurrent_structural``)."""

import numpy as np
import pytest

from engram_nm.errors import SpecError
from engram_nm.hardware.targets import run
from engram_nm.plasticity.layer import LayerPlasticity
from engram_nm.plasticity.stdp import PairSTDP
from engram_nm.plasticity.structural import StructuralPlasticity
from engram_nm.backends.reference import simulate
from engram_nm.spec import LayerSpec, random_spec
from tests.helpers import random_spikes


def spec_with_recurrent_structural():
    spec = random_spec(10, [20], recurrent=True, weight_scale=0.5, seed=4)
    layer = spec.layers[0]
    absent = np.random.default_rng(0).random(layer.recurrent_weight.shape) < 0.3
    layer.recurrent_weight = np.where(absent, 0.0, np.abs(layer.recurrent_weight) * 0.3)
    layer.plasticity = LayerPlasticity(
        recurrent=PairSTDP(a_plus=2 ** -7, a_minus=2 ** -4, w_min=0.0, w_max=0.5, soft_bounds=True),
        recurrent_structural=StructuralPlasticity(prune_below=0.03, grow_probability=0.02, w_init=0.05,
                                                  interval=20, seed=2))
    return spec.validate()


def test_reference_prunes_and_grows_recurrent_synapses():
    spec = spec_with_recurrent_structural()
    x = random_spikes(200, 10, 0.2)
    w0 = spec.layers[0].recurrent_weight
    w1 = simulate(spec, x, learn=True).learned_weights["layer0_rec"]
    assert np.sum((w0 != 0) & (w1 == 0)) > 0          # pruned
    assert np.sum((w0 == 0) & (w1 != 0)) > 0          # grown
    assert np.all(w1[w1 != 0] >= 0)


@pytest.mark.lava
def test_lava_float_and_torch_equal_the_reference():
    spec = spec_with_recurrent_structural()
    x = random_spikes(200, 10, 0.2)
    ref = simulate(spec, x, learn=True)
    for target in ("cpu-float", "snntorch"):
        res = run(spec, x, target, learn=True)
        np.testing.assert_array_equal(res.spikes["layer0"], ref.spikes["layer0"])
        np.testing.assert_allclose(res.learned_weights["layer0_rec"], ref.learned_weights["layer0_rec"], atol=1e-12)
    assert "structural" in res.not_deployable_because.get("layer0_rec", "") or target == "snntorch"


def test_recurrent_structural_needs_recurrent_weights():
    with pytest.raises(SpecError, match="recurrent structural plasticity needs recurrent_weight"):
        LayerSpec("a", weight=np.ones((2, 2)), plasticity={"recurrent_structural": {"rule": "structural"}})
