"""The levers of the accuracy-operations frontier, each shown to do what it claims on a short run."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.experiments.frontier import FrontierSetting, digits, evaluate, exit_steps, train_point

QUICK = dict(epochs=2, finetune_epochs=1)


def test_exit_step_is_the_first_step_with_the_margin():
    out = np.zeros((6, 2, 3))
    out[[0, 2, 3], 0, 1] = 1  # sample 0: class 1 leads by 1, 2, 3 after steps 0, 2, 3
    out[0, 1, 0] = out[0, 1, 2] = 1  # sample 1: a tie, never decided
    assert list(exit_steps(out, 2)) == [2, 5] and list(exit_steps(out, 0)) == [5, 5]


@pytest.fixture(scope="module")
def plain():
    return train_point(FrontierSetting("delta", 8, threshold=0.25, **QUICK), seed=0)


def test_pruning_zeroes_the_fraction_keeps_it_zero_and_cuts_operations(plain):
    spec, pruned = train_point(FrontierSetting("delta", 8, threshold=0.25, prune=0.8, prune_readout=0.5, **QUICK))
    assert pruned.first_layer_density == pytest.approx(0.2, abs=0.01)  # after fine-tuning too
    assert np.mean(spec.layers[1].weight != 0) == pytest.approx(0.5, abs=0.02)
    assert pruned.effective_acs < 0.5 * plain[1].effective_acs
    assert plain[1].accuracy > 0.5 and pruned.accuracy > 0.3  # both learned (chance 0.10)


def test_gradual_pruning_reaches_the_same_sparsity_during_training():
    setting = FrontierSetting("delta", 8, threshold=0.25, prune=0.8, prune_readout=0.5, prune_schedule="gradual",
                              prune_ramp_epochs=2, epochs=3, finetune_epochs=1)
    spec, point = train_point(setting)
    assert point.first_layer_density == pytest.approx(0.2, abs=0.01)
    assert np.mean(spec.layers[1].weight != 0) == pytest.approx(0.5, abs=0.02)
    assert point.accuracy > 0.3 and "during training" in setting.label()


def test_early_exit_stops_samples_and_their_counting(plain):
    spec, _ = plain
    setting = FrontierSetting("delta", 8, threshold=0.25, exit_margin=1, **QUICK)
    _, _, x, y = digits(setting.input_code)
    full = evaluate(spec, x, y, FrontierSetting("delta", 8, threshold=0.25, **QUICK))
    early = evaluate(spec, x, y, setting)
    assert full.exit_step == 8 and early.exit_step < 8
    assert early.neuron_updates < full.neuron_updates and early.effective_acs <= full.effective_acs


def test_the_input_code_rides_with_the_trained_network(plain):
    from engram_nm.encoding import code_of

    assert code_of(plain[0]).kind == "delta" and code_of(plain[0]).threshold == 0.25


def test_bad_settings_are_refused():
    with pytest.raises(InputError, match="prune"):
        FrontierSetting(prune=1.0)
    with pytest.raises(InputError, match="readout"):
        FrontierSetting(readout="votes")
    with pytest.raises(InputError, match="early exit"):
        FrontierSetting(readout="membrane", exit_margin=2)
    with pytest.raises(InputError, match="prune_schedule"):
        FrontierSetting(prune_schedule="sometimes")
    with pytest.raises(InputError, match="input code"):
        FrontierSetting(code="morse")
