"""Folding a deterministic engram gate into the weights: the same spikes without the gate, and the
gated-off synapses no longer counted."""

import numpy as np
import pytest

from engram_nm.analysis.counting import count_run
from engram_nm.backends.reference import simulate
from engram_nm.errors import InputError
from engram_nm.gating.fold import fold_gates
from engram_nm.gating.reference import GateSpec
from engram_nm.spec import EngramSpec, LayerSpec


def _gated(mode="deterministic", seed=0):
    rng = np.random.default_rng(seed)
    logits = np.where(rng.random((3, 40)) < 0.5, 4.0, -4.0)
    return EngramSpec(20, [LayerSpec("hidden", weight=rng.normal(0.4, 0.3, (40, 20)),
                                     recurrent_weight=rng.normal(0, 0.1, (40, 40)), gate=GateSpec(logits, mode=mode)),
                           LayerSpec("readout", weight=rng.normal(0.3, 0.3, (5, 40)))], name="gated")


@pytest.mark.parametrize("task", [0, 2])
def test_folded_network_spikes_like_the_gated_one_and_costs_less(task):
    spec = _gated()
    x = (np.random.default_rng(1).random((150, 20)) < 0.3).astype(float)
    gated = simulate(spec, x, tasks=task).spikes
    folded_spec = fold_gates(spec, task)
    folded = simulate(folded_spec, x).spikes
    assert folded_spec.layers[0].gate is None
    assert gated["hidden"].sum() > 100 and gated["readout"].sum() > 5  # not a silent network
    for name in spec.layer_names:
        np.testing.assert_array_equal(folded[name], gated[name])
    off = ~(spec.layers[0].gate.probabilities(task) > 0.5)
    assert off.sum() > 5 and not folded["hidden"][:, off].any()
    before, after = count_run(spec, x, gated), count_run(folded_spec, x, folded)
    assert after.effective_acs < before.effective_acs  # the input's synapses onto gated-off cells
    assert before.effective_acs - after.effective_acs >= x.sum() * 1  # at least one per input spike


def test_stochastic_gates_cannot_be_folded():
    with pytest.raises(InputError, match="cannot be folded"):
        fold_gates(_gated(mode="stochastic"), 0)


def test_cli_fold_writes_a_gateless_model(tmp_path, capsys):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir, import_nir

    export_nir(_gated(), tmp_path / "gated.nir")
    assert main(["fold", str(tmp_path / "gated.nir"), "--task", "1", "-o", str(tmp_path / "t1.nir")]) == 0
    assert "folded; non-zero synapses" in capsys.readouterr().out
    folded = import_nir(tmp_path / "t1.nir")
    assert all(layer.gate is None for layer in folded.layers)
    x = (np.random.default_rng(2).random((60, 20)) < 0.3).astype(float)
    np.testing.assert_array_equal(simulate(folded, x).spikes["readout"], simulate(_gated(), x, tasks=1).spikes["readout"])
    assert main(["fold", str(tmp_path / "gated.nir"), "--task", "7", "-o", str(tmp_path / "t7.nir")]) == 1
    assert "task must be" in capsys.readouterr().err and not (tmp_path / "t7.nir").exists()
