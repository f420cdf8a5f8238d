"""The target registry (engram_nm/hardware/targets.py): one entry per target, availability and
errors said once, and a new target added by registering it, without touching run()."""

import dataclasses

import numpy as np
import pytest

from engram_nm.errors import HardwareUnavailableError, InputError, UnknownTargetError
from engram_nm.hardware import targets
from engram_nm.spec import random_spec
from tests.helpers import random_spikes


@pytest.mark.quick
def test_the_registry_is_the_one_list_of_targets():
    assert targets.TARGETS == ("reference", "snntorch", "cpu-float", "cpu-fixed", "fixed-emu", "loihi2", "xylo-sim",
                               "xylo-emu")
    assert targets.LAVA_TARGETS == ("cpu-float", "cpu-fixed", "loihi2")
    assert set(targets.available_targets()) == set(targets.TARGETS)
    assert targets.available_targets()["fixed-emu"] == ""
    with pytest.raises(InputError, match="registered already"):
        targets.register(targets.REGISTRY["reference"])


@pytest.mark.quick
def test_unknown_and_unavailable_targets_are_refused_with_their_reason():
    spec, x = random_spec(6, [5], seed=0), random_spikes(20, 6, seed=1)
    with pytest.raises(UnknownTargetError, match="unknown target 'gpu'"):
        targets.run(spec, x, "gpu")
    ok, why = targets.loihi2_status()
    assert not ok  # no board on this machine
    with pytest.raises(HardwareUnavailableError, match="Use 'cpu-fixed'"):
        targets.run(spec, x, "loihi2")


def test_a_registered_target_runs_through_run_and_keeps_the_batch_axis(monkeypatch):
    """A toy target (the reference, relabelled) is one register() call; run() checks its input
    and stacks a batch for it like for any other target."""
    calls = []

    def runner(spec, x, options):
        calls.append((x.shape, options.record_v))
        return dataclasses.replace(targets.REGISTRY["reference"].runner(spec, x, options), target="toy")

    monkeypatch.setitem(targets.REGISTRY, "toy", targets.Target("toy", "the reference, relabelled", runner))
    spec = random_spec(6, [5], seed=0, weight_scale=0.5)
    x = random_spikes(30, 6, rate=0.3, seed=1)
    out = targets.run(spec, x, "toy", record_v=True)
    assert out.target == "toy" and calls == [((30, 6), True)]
    np.testing.assert_array_equal(out.spikes["layer0"], targets.run(spec, x, "reference").spikes["layer0"])
    batch = targets.run(spec, np.stack([x, x[::-1]]), "toy")
    assert batch.spikes["layer0"].shape == (2, 30, 5) and len(calls) == 3
    with pytest.raises(InputError, match="input spikes must be an array"):
        targets.run(spec, x[:, :3], "toy")
    monkeypatch.setitem(targets.REGISTRY, "toy", dataclasses.replace(targets.REGISTRY["toy"],
                                                                     status=lambda: "no toy board"))
    with pytest.raises(HardwareUnavailableError, match="target 'toy' is not available: no toy board"):
        targets.run(spec, x, "toy")


def test_a_result_keeps_records_learned_values_memory_and_report_apart():
    """RunResult's four parts (engram_nm/result.py): what was recorded, what was learned, what the
    memory stage read, and how the run went."""
    import numpy as np

    from engram_nm.hardware.targets import run
    from engram_nm.sdm.memory_spec import MemorySpec
    from tests.equivalence.catalogue import plastic_spec
    from tests.helpers import random_spikes

    spec = plastic_spec(0)
    spec.memory = MemorySpec(n_locations=40, data_bits=4, k=4, seed=1, address_layer="layer0")
    spec.validate()
    ops = np.where(np.arange(60) < 30, 1, 2)
    out = run(spec, random_spikes(60, spec.n_in, rate=0.3, seed=0), "fixed-emu", learn=True, record_v=True,
              memory_ops=ops, memory_data=np.ones((60, 4), dtype=int))
    assert set(out.records.spikes) == set(out.records.v) == set(spec.layer_names)
    assert set(out.learned.weights) == {m.name for m in spec.compile().plastic} and "layer1" in out.learned.thresholds
    assert out.memory.reads.shape == (60, 4) and out.memory.reads[30:].any()
    assert out.report.target == "fixed-emu" and out.report.steps == 60 and out.report.quantization is not None


def test_why_not_says_what_a_target_cannot_run():
    from tests.xylo.networks import xylo_spec

    chip_shaped, plain = xylo_spec(0), random_spec(20, [8, 4], seed=0)
    assert targets.why_not(chip_shaped, "xylo-emu") == "" and targets.why_not(chip_shaped, "fixed-emu") == ""
    assert "does not fit any Xylo chip" in targets.why_not(plain, "xylo-sim")
    chip_shaped.layers[0].max_events = 31
    assert "send one spike a step" in targets.why_not(chip_shaped.validate(), "cpu-fixed")
    assert targets.why_not(chip_shaped, "xylo-emu") == ""
