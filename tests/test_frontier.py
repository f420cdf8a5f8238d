"""The levers of the accuracy-operations frontier, each shown to do what it claims on a short run."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.data import load_digits
from engram_nm.experiments.frontier import FrontierSetting, evaluate, exit_steps, train_point

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
    _, _, x, y = load_digits(0, setting.input_code)
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


def test_the_flagship_is_the_frontier_best_point_within_one_point_of_the_ann():
    """The demo trains FLAGSHIP: it must be the point benchmarks/energy.py found best (fewest ACs
    among those within 1 point of the ANN); a re-run frontier that finds another fails this."""
    import json
    from pathlib import Path

    from engram_nm.experiments.frontier import FLAGSHIP

    result = json.loads((Path(__file__).resolve().parent.parent / "benchmarks/results/energy.json").read_text())
    best = next(p for p in result["points"] if p["label"] == result["best_within_1_point"])
    assert FrontierSetting(**best["setting"]) == FLAGSHIP  # fields added since take their defaults
    assert best["within_1_point"] and best["accuracy"]["mean"] >= result["ann_accuracy"]["mean"] - 0.01
    rivals = [p for p in result["points"] if p["within_1_point"]]
    assert best["effective_acs"] == min(p["effective_acs"] for p in rivals)


def test_a_deployable_membrane_readout_never_spikes_and_decides_the_same():
    from engram_nm.backends.torch_backend import run_torch
    from engram_nm.experiments.frontier import deployable, readout_scores

    spec, point = train_point(FrontierSetting("delta", 8, threshold=0.25, readout="membrane", **QUICK), seed=0)
    x_tr, _, x_te, y_te = load_digits(0, FrontierSetting("delta", 8, threshold=0.25).input_code)
    assert np.isinf(spec.layers[-1].v_threshold).all()
    finite = deployable(spec, x_tr)
    vth = finite.layers[-1].v_threshold
    assert np.isfinite(vth).all() and np.log2(vth[0]) == int(np.log2(vth[0]))  # a power of two
    for s in (spec, finite):
        spikes, volts = run_torch(s, np.transpose(x_te, (1, 0, 2)), record_v=True)
        assert spikes["readout"].sum() == 0 and spikes["hidden"].sum() > 1000
        scores = readout_scores(spikes["readout"], volts["readout"], "membrane")
        if s is spec:
            first = scores
    np.testing.assert_array_equal(scores, first)  # the threshold changes nothing below it
    assert np.mean(first.argmax(axis=1) == y_te) == pytest.approx(point.accuracy)
    with pytest.raises(InputError, match="finite threshold"):
        deployable(finite, x_tr)
    with pytest.raises(InputError, match="record_v"):
        readout_scores(spikes["readout"], None, "membrane")
