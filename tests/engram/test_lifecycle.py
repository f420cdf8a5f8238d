import numpy as np
import pytest

from engram_nm.experiments.engram import (Ablation, EngramExperiment, EngramNetworkConfig, OptogeneticActivation,
                              SynapseScaling)
from engram_nm.errors import InputError, ManipulationError


@pytest.fixture(scope="module")
def trained():
    """Two memories on the private-input network: encode, tag, snapshot and rest each, then
    consolidate (replaying both) and snapshot."""
    ex = EngramExperiment(seed=0)
    for name in ("A", "B"):
        ex.encode(name, steps=300)
        ex.tag(name)
        ex.snapshot()
        ex.rest(200)
    ex.consolidate(300, replay=["A", "B"])
    ex.snapshot()
    return ex


def test_encoding_tags_the_stimulated_cells(trained):
    for name in ("A", "B"):
        mem = trained.memories[name]
        assert 15 <= len(mem.cells) <= 20
        assert np.isin(mem.cells, mem.channels).mean() >= 0.9  # private channels: the engram is where the cue lands
    assert not set(trained.memories["A"].cells) & set(trained.memories["B"].cells)


def test_snapshot_shows_strong_internal_and_weak_outgoing_weights(trained):
    snap = {s.memory: s for s in trained.history[-2:]}
    for s in snap.values():
        assert s.mean_internal_weight > 10 * s.mean_outgoing_weight
        assert s.overlaps == {({"A", "B"} - {s.memory}).pop(): 0.0}
    assert trained.history[0].time_s < trained.history[-1].time_s


def test_recall_reads_out_the_engram(trained):
    full = trained.recall("A", 1.0)
    assert full.overlap >= 0.9 and full.spurious <= 0.2 and full.correlation > 0.8
    none = trained.recall("A", 0.0)
    assert none.overlap == 0.0
    other = trained.recall("B", 1.0)
    assert other.active[trained.memories["A"].cells].mean() < 0.1  # B's cue does not wake A


def test_learning_is_off_in_recall_and_on_in_consolidation(trained):
    import copy

    ex = copy.deepcopy(trained)
    w0 = ex.spec.layers[0].recurrent_weight.copy()
    ex.recall("A", 1.0)
    assert np.array_equal(ex.spec.layers[0].recurrent_weight, w0)
    ex.consolidate(100)
    assert not np.array_equal(ex.spec.layers[0].recurrent_weight, w0)


def test_cells_keep_their_original_numbers_after_ablation(trained):
    import copy

    ex = copy.deepcopy(trained)
    ex.apply(Ablation(cells=(0, 1, 2)))
    assert ex.spec.layers[0].size == 197 and not ex.alive[:3].any()
    lit = OptogeneticActivation(cells=(5, 6))
    r = ex.recall("A", 0.0, manipulations=[lit, OptogeneticActivation(cells=(1,))])  # 1 is gone: ignored
    assert r.record.spikes["E"].shape[1] == 200
    assert r.record.spikes["E"][:, [5, 6]].sum(axis=0).min() >= 4  # 20 Hz light for 0.2 s: 4 pulses, 4 spikes
    assert r.record.spikes["E"][:, :3].sum() == 0


def test_lifecycle_errors_are_clear(trained):
    with pytest.raises(InputError, match="unknown target"):
        EngramExperiment(target="gpu")
    with pytest.raises(InputError, match="no memory 'Z'"):
        trained.recall("Z")
    ex = EngramExperiment(config=EngramNetworkConfig(n_exc=20, n_inh=5, n_channels=20))
    ex.encode("X", channels=[0, 1, 2], steps=20)
    with pytest.raises(InputError, match="not tagged yet"):
        ex.recall("X")
    with pytest.raises(InputError, match="channels must be non-empty"):
        ex.encode("Y", channels=[25])
    with pytest.raises(ManipulationError, match="not a permanent edit"):
        ex.apply(OptogeneticActivation(cells=(1,)))
    with pytest.raises(ManipulationError, match="cells must be in 0..19"):
        ex.apply(SynapseScaling(projection="E_w", post=(40,)))


def test_snntorch_backend_runs_the_same_lifecycle():
    """The lifecycle on the torch simulation (float64) equals the numpy reference, learning included."""
    kwargs = dict(config=EngramNetworkConfig(n_exc=40, n_inh=10, n_channels=40), per_memory=8)
    runs = []
    for target in ("reference", "snntorch"):
        ex = EngramExperiment(target=target, **kwargs)
        ex.encode("A", steps=150)
        ex.tag("A")
        ex.rest(50)
        runs.append((ex.memories["A"].cells, ex.recall("A", 0.5, steps=80).rates, ex.spec))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    np.testing.assert_allclose(runs[0][2].layers[0].recurrent_weight, runs[1][2].layers[0].recurrent_weight,
                               atol=1e-12)


def _presentations_equal(a, b):
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        assert (ra.kind, ra.memory, ra.start_s, ra.steps) == (rb.kind, rb.memory, rb.start_s, rb.steps)
        for name in ra.spikes:
            np.testing.assert_array_equal(ra.spikes[name], rb.spikes[name])


@pytest.mark.parametrize("target", ["reference", pytest.param("cpu-float", marks=pytest.mark.lava)])
def test_present_many_equals_one_present_per_cue(trained, target):
    """One batch (one Lava graph) gives the stimuli, records and clock of one present() per cue."""
    import copy

    cues = [trained.memories["A"].channels, trained.memories["B"].channels[:5], []]
    one, many = copy.deepcopy(trained), copy.deepcopy(trained)
    one.target = many.target = target
    singles = [one.present(c, 120, kind="recall", memory=m) for c, m in zip(cues, ("A", "B", None))]
    batch = many.present_many(cues, 120, kind="recall", memories=("A", "B", None))
    _presentations_equal(singles, batch)
    assert one._phase == many._phase and one.time_s == many.time_s
    assert batch[0].spikes["E"].sum() > 3 * batch[2].spikes["E"].sum()  # A's cue drives its engram; no cue does not


def _same_results(singles, batch, fields, array_field):
    """Each batched result equals its one-by-one twin in ``fields`` and in the array ``array_field``."""
    assert len(singles) == len(batch)
    for a, b in zip(singles, batch):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
        np.testing.assert_array_equal(getattr(a, array_field), getattr(b, array_field))


def test_digit_store_recall_many_equals_recall_one_by_one():
    import copy

    from engram_nm.experiments.engram.digits import DigitEngramStore, occlude

    rng = np.random.default_rng(0)
    images = {f"d{i}": (rng.random(64) < 0.4).astype(np.int8) for i in range(2)}
    store = DigitEngramStore(EngramExperiment(target="reference", seed=1))
    store.store(images, encode_steps=150, rest_steps=50)
    requests = [(name, occlude(img, rows)) for rows in (0, 3) for name, img in images.items()]
    other = copy.deepcopy(store)
    singles = [other.recall(name, image, steps=120) for name, image in requests]
    batch = store.recall_many(requests, steps=120)
    _same_results(singles, batch, ("memory", "identified", "recall", "cue_overlap", "pixels_right"), "image")
    assert sum(r.identified == r.memory for r in batch) >= 2


def test_recall_many_equals_recall_one_by_one(trained):
    import copy

    requests = [("A", 1.0), ("B", 0.5), ("A", 0.2), ("B", 0.0)]
    one, many = copy.deepcopy(trained), copy.deepcopy(trained)
    singles = [one.recall(name, fraction, steps=150) for name, fraction in requests]
    batch = many.recall_many(requests, steps=150)
    _same_results(singles, batch, ("memory", "cue_fraction", "overlap", "spurious", "correlation"), "active")
    assert batch[0].overlap >= 0.9 and batch[3].overlap == 0.0
