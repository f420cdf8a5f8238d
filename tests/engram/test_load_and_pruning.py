"""Memory load and pruning on the fear-conditioning network, each against its control."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.experiments.engram.conditioning import conditioning_config
from engram_nm.experiments.engram.conditioning_suite import run_suite
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.experiments.engram.memory_load import load_contexts, load_suite, load_table
from engram_nm.experiments.engram.refinement import refinement_suite, refinement_table
from engram_nm.plasticity.structural import StructuralPlasticity

SEEDS = (0, 1)  # tuning seeds of the conditioning network (conditioning_suite.TUNING_SEEDS)


def test_contexts_are_disjoint_while_they_last_then_drawn_at_random():
    contexts = load_contexts(7, 200, 40, seed=3)
    assert [c.size for c in contexts] == [40] * 7
    first = np.concatenate(contexts[:5])
    assert np.unique(first).size == 200  # five disjoint contexts fill the 200 channels
    assert all(np.array_equal(a, b) for a, b in zip(contexts, load_contexts(7, 200, 40, seed=3)))
    with pytest.raises(InputError, match="count must be >= 1"):
        load_contexts(0, 200, 40, seed=0)


def test_storing_many_contexts_ignites_the_network_and_without_their_learning_it_stays_quiet():
    """8 contexts of 40 channels stored (plasticity on): offline activity and fear to a context never
    shown rise; the same contexts shown with plasticity off after A leave both where one context does."""
    protocols = run_suite(SEEDS[:1], target="fixed-emu", suite=load_suite((8,)), progress=False)
    arms = protocols["8 contexts"]
    stored, control = (arms[a]["per_seed"] for a in ("stored (plasticity on)", "shown, plasticity off after A"))
    for seed in range(1):  # paired by seed (one in this tier: the 10-seed curve is example 05's)
        assert stored["offline"][seed]["e_rate_hz"] > 10 * control["offline"][seed]["e_rate_hz"]
        assert stored["half of a new context"][seed]["freezing"] > control["half of a new context"][seed]["freezing"]
        assert stored["half of A"][seed]["chance"] > control["half of A"][seed]["chance"]
    assert control["offline"][0]["e_rate_hz"] < 1.0  # the 2 Hz background alone
    lines = load_table(protocols)
    assert len(lines) == 2 + 2 and lines[2].startswith("| 8 | stored (plasticity on) |")


def test_pruning_leaves_the_responding_cells_to_the_engram_and_without_it_they_stay():
    """Pruning E->E below 0.06 for 6 h after conditioning: the cells that respond to the context
    shrink towards the tagged engram and the engram keeps part of its synapses; with no structural
    plasticity (the control) both stay as they were."""
    protocols = run_suite(SEEDS, target="reference", progress=False,
                          suite={"pruning": {arm: (f, {**kw, "blocks": 1}) for arm, (f, kw) in
                                             refinement_suite((0.0, 0.06))["refinement by pruning"].items()}})
    control, pruned = (protocols["pruning"][a]["per_seed"] for a in
                       ("no structural plasticity (control)", "prune below 0.06"))
    for seed in range(len(SEEDS)):
        before, after = pruned["0 h"][seed], pruned["6 h"][seed]
        assert after["responding_cells"] <= 0.85 * before["responding_cells"]
        assert after["responding_engram_cells"] >= 0.8 * before["responding_engram_cells"]  # the engram stays
        assert 0.3 < after["connected"] < 0.9 and after["mean_weight"] > before["mean_weight"]
        c0, c1 = control["0 h"][seed], control["6 h"][seed]
        assert abs(c1["responding_cells"] - c0["responding_cells"]) <= 0.1 * c0["responding_cells"]
        assert c1["connected"] == c0["connected"]
    assert len(refinement_table(protocols)) == 2 + 4


def test_pruning_is_refused_on_two_stage_synapses():
    from engram_nm.experiments.engram.conditioning import DAY_SYNAPSES, PLASTIC

    ex = EngramExperiment(config=conditioning_config(0), seed=0)
    ex.use_two_stage_synapses(DAY_SYNAPSES, PLASTIC)
    with pytest.raises(InputError, match="two-stage synapses is not modelled"):
        ex.consolidate(10, structural=StructuralPlasticity(prune_below=0.05, grow_probability=0.0))
