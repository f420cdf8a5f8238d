"""An SDM stage addressed by a network's last layer: same reads on every backend, carried by NIR."""

import numpy as np
import pytest

from engram_nm import EngramSpec, SpecError, random_spec
from engram_nm.errors import InputError
from engram_nm.hardware.targets import run
from engram_nm.nir_io import export_nir, import_nir
from engram_nm.backends.reference import simulate
from engram_nm.sdm.memory_spec import MemorySpec
from engram_nm.sdm.ops import run_ops

STEPS = 120


def _case():
    base = random_spec(16, [24, 32], weight_scale=0.5, seed=1)
    spec = EngramSpec(base.n_in, base.layers, memory=MemorySpec(200, 10, k=8, seed=2), name="with_memory")
    rng = np.random.default_rng(0)
    x = (rng.random((STEPS, 16)) < 0.3).astype(float)
    ops = np.array([1] * 60 + [2] * 60)  # write while the input plays, then read while it plays on
    data = rng.integers(0, 2, (STEPS, 10))
    return spec, x, ops, data


def test_memory_stage_round_trips_through_nir(tmp_path):
    spec, *_ = _case()
    back = import_nir(export_nir(spec, tmp_path / "m.nir"))
    assert back.equals(spec)
    np.testing.assert_array_equal(back.memory.addresses, spec.memory.addresses)
    assert "memory: SDM, 200 locations x 10 bits, top-8" in back.summary()


@pytest.mark.lava
def test_memory_reads_agree_across_backends(tmp_path):
    spec, x, ops, data = _case()
    deployed = import_nir(export_nir(spec, tmp_path / "m.nir"))
    ref = simulate(spec, x, memory_ops=ops, memory_data=data)
    assert ref.memory_reads[60:].any()
    for target in ("snntorch", "cpu-float"):
        res = run(deployed, x, target, memory_ops=ops, memory_data=data)
        np.testing.assert_array_equal(res.memory_reads, ref.memory_reads, err_msg=target)
    fixed = run(deployed, x, "cpu-fixed", memory_ops=ops, memory_data=data)
    # Fixed point spikes may differ (quantised weights); on its own spikes the memory is the reference's.
    own = run_ops(spec.memory.build(32), ops, fixed.spikes["layer1"].astype(np.int8), data)
    np.testing.assert_array_equal(fixed.memory_reads, own)


def test_memory_errors():
    spec, x, ops, data = _case()
    plain = random_spec(16, [24, 32], seed=1)
    with pytest.raises(InputError, match="no memory stage"):
        simulate(plain, x, memory_ops=ops)
    with pytest.raises(InputError, match="one op per step"):
        simulate(spec, x, memory_ops=ops[:10])
    with pytest.raises(InputError, match="needs memory_ops"):
        simulate(spec, x, memory_data=data)
    with pytest.raises(SpecError, match="memory stage"):
        EngramSpec(16, plain.layers, memory=MemorySpec(5, 10, k=8))
    with pytest.raises(SpecError, match="MemorySpec"):
        EngramSpec(16, plain.layers, memory=3)


@pytest.mark.lava
def test_memory_addressed_by_a_hidden_layer(tmp_path):
    """``address_layer`` names the layer whose spikes address the memory (here the first of two)."""
    base = random_spec(16, [24, 32], weight_scale=0.5, seed=1)
    spec = EngramSpec(base.n_in, base.layers, memory=MemorySpec(200, 10, k=8, seed=2, address_layer="layer0"))
    _, x, ops, data = _case()
    back = import_nir(export_nir(spec, tmp_path / "h.nir"))
    assert back.equals(spec) and back.memory.address_layer == "layer0"
    ref = simulate(spec, x, memory_ops=ops, memory_data=data)
    by_hand = run_ops(spec.memory.build(24), ops, ref.spikes["layer0"].astype(np.int8), data)
    np.testing.assert_array_equal(ref.memory_reads, by_hand)
    for target in ("snntorch", "cpu-float"):
        np.testing.assert_array_equal(run(back, x, target, memory_ops=ops, memory_data=data).memory_reads,
                                      ref.memory_reads, err_msg=target)
    with pytest.raises(SpecError, match="address_layer 'nope' is not a layer"):
        EngramSpec(16, base.layers, memory=MemorySpec(200, 10, k=8, address_layer="nope"))
