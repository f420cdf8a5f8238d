"""One protocol on several engram experiments in lockstep (engram_nm.experiments.engram.cohort).

On fixed-emu every phase of K experiments is one emulator call; each experiment must end exactly
as it would alone (records, learned weights, recall scores), and on cpu-fixed too (the emulator
is bit-exact to Lava, learning included). A protocol that diverges or raises stops the cohort with
that error, without hanging.
"""

import copy

import numpy as np
import pytest

from engram_nm.experiments.engram import EngramExperiment, EngramNetworkConfig
from engram_nm.experiments.engram.cohort import CohortError, run_cohort

SMALL = dict(n_exc=60, n_inh=15, n_channels=60)


def _experiments(seeds, target="fixed-emu"):
    return [EngramExperiment(config=EngramNetworkConfig(seed=s, **SMALL), target=target, seed=s, per_memory=10)
            for s in seeds]


def protocol(ex):
    ex.encode("A", steps=150)
    ex.tag("A")
    ex.encode("B", steps=150)
    ex.tag("B")
    ex.consolidate(200)
    ex.snapshot()
    half, full = ex.recall_many([("A", 0.5), ("B", 1.0)], steps=120)
    return half.overlap, full.overlap


def _assert_same(a: EngramExperiment, b: EngramExperiment):
    assert len(a.records) == len(b.records)
    for ra, rb in zip(a.records, b.records):
        assert ra.kind == rb.kind
        for name in ra.spikes:
            np.testing.assert_array_equal(ra.spikes[name], rb.spikes[name], err_msg=f"{ra.kind} {name}")
    np.testing.assert_array_equal(a.spec.layers[0].recurrent_weight, b.spec.layers[0].recurrent_weight)
    np.testing.assert_array_equal(a.spec.projections[0].weight, b.spec.projections[0].weight)
    for name in a.memories:
        np.testing.assert_array_equal(a.memories[name].tagged, b.memories[name].tagged)


def test_a_cohort_ends_as_each_experiment_alone():
    together = _experiments([0, 1, 2])
    scores = run_cohort(together, protocol)
    alone = _experiments([0, 1, 2])
    for ex_t, ex_a, got in zip(together, alone, scores):
        assert protocol(ex_a) == got
        _assert_same(ex_t, ex_a)
    first = together[0]
    assert all(ex.memories["A"].tagged.sum() >= 5 for ex in together), "encoding must drive the network"
    w0 = EngramExperiment(config=EngramNetworkConfig(seed=0, **SMALL)).spec.layers[0].recurrent_weight
    assert np.abs(first.spec.layers[0].recurrent_weight - w0).max() > 0.01, "the cohort must have learned"
    assert len({ex.spec.layers[0].recurrent_weight.tobytes() for ex in together}) == 3


@pytest.mark.lava
@pytest.mark.slow
def test_a_cohort_on_fixed_emu_equals_each_seed_on_cpu_fixed():
    """The emulator's lockstep run of the whole protocol (learning included) is Lava's, seed by seed."""
    together = _experiments([3, 4])
    run_cohort(together, protocol)
    for ex_t, seed in zip(together, (3, 4)):
        lava = _experiments([seed], target="cpu-fixed")[0]
        protocol(lava)
        _assert_same(ex_t, lava)


def test_a_protocol_error_is_raised_as_it_was_without_hanging():
    def failing(ex):
        ex.encode("A", steps=20)
        if ex.seed == 1:
            raise ValueError("seed 1 fails on purpose")
        ex.encode("B", steps=20)

    with pytest.raises(ValueError, match="on purpose"):
        run_cohort(_experiments([0, 1, 2]), failing)


def test_diverging_protocols_stop_the_cohort():
    def uneven(ex):
        ex.encode("A", steps=20 if ex.seed == 0 else 30)

    with pytest.raises(CohortError, match="input"):
        run_cohort(_experiments([0, 1]), uneven)

    def shorter(ex):
        ex.encode("A", steps=20)
        if ex.seed == 0:
            ex.encode("B", steps=20)

    with pytest.raises(CohortError, match="finished the protocol"):
        run_cohort(_experiments([0, 1]), shorter)


def test_experiments_keep_working_alone_after_a_cohort():
    together = _experiments([0, 1])
    run_cohort(together, lambda ex: ex.encode("A", steps=30))
    assert all(ex.runner is None for ex in together)
    again = copy.deepcopy(together[0])
    again.encode("B", steps=30)
    assert len(again.records) == 2
