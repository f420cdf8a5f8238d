"""SDM and Willshaw references against their theory (numpy only)."""

import copy

import numpy as np
import pytest

from engram_nm.errors import InputError, SpecError
from engram_nm.sdm import (
    KanervaSDM, WillshawMemory, random_sparse_patterns, sdm_capacity, willshaw_capacity, willshaw_optimal_patterns,
)
from engram_nm.sdm.theory import kanerva_topk_bit_error, willshaw_bits_per_synapse, willshaw_load


def _random(rng, t, n, d):
    return rng.integers(0, 2, (t, n)), rng.integers(0, 2, (t, d))


@pytest.mark.parametrize("activation", ["topk", "radius"])
def test_exact_recall_below_capacity(activation):
    rng = np.random.default_rng(0)
    sdm = KanervaSDM(1000, 128, 64, activation=activation, k=15, radius=50, seed=1)
    a, d = _random(rng, 20, 128, 64)
    sdm.write(a, d)
    np.testing.assert_array_equal(sdm.read(a), d)


@pytest.mark.parametrize("n_patterns", [100, 200, 400, 800])
def test_read_error_above_capacity_follows_theory(n_patterns):
    rng = np.random.default_rng(1)
    sdm = KanervaSDM(500, 128, 256, k=10, seed=2)
    a, d = _random(rng, n_patterns, 128, 256)
    sdm.write(a, d)
    measured = float(np.mean(sdm.read(a) != d))
    assert measured == pytest.approx(kanerva_topk_bit_error(500, 10, n_patterns), abs=0.01)


def test_batched_and_sequential_writes_agree_and_topk_ties_go_to_lower_index():
    rng = np.random.default_rng(3)
    a, d = _random(rng, 30, 64, 16)
    batch, seq = KanervaSDM(200, 64, 16, k=7), KanervaSDM(200, 64, 16, k=7)
    batch.write(a, d)
    for i in range(30):
        seq.write(a[i], d[i])
    np.testing.assert_array_equal(batch.counters, seq.counters)
    same = KanervaSDM(4, 3, 2, k=2, addresses=np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0], [0, 0, 1]]))
    assert np.flatnonzero(same.activate([0, 0, 0])[0]).tolist() == [0, 2]   # distances 0, 3, 0, 1
    assert np.flatnonzero(same.activate([1, 0, 0])[0]).tolist() == [0, 2]   # 1, 2, 1, 2: ties to lower index


def test_iterative_read_cleans_up_a_noisy_cue():
    rng = np.random.default_rng(4)
    sdm = KanervaSDM(2000, 256, 256, k=40, seed=5)
    patterns = rng.integers(0, 2, (30, 256))
    sdm.write(patterns, patterns)
    cue = patterns.copy()
    flips = rng.random(cue.shape) < 0.15
    cue[flips] = 1 - cue[flips]
    once = np.mean(sdm.read(cue) != patterns)
    iterated = np.mean(sdm.iterative_read(cue, iterations=10) != patterns)
    assert iterated <= once and iterated < 0.01 < np.mean(cue != patterns)


def test_ablation_removes_locations_for_good():
    sdm = KanervaSDM(100, 32, 8, k=5, seed=0)
    gone = sdm.ablate(0.3, seed=1)
    assert len(gone) == 30 and sdm.alive.sum() == 70
    act = sdm.activate(np.random.default_rng(0).integers(0, 2, (50, 32)))
    assert not act[:, gone].any() and np.all(act.sum(axis=1) == 5)
    with pytest.raises(InputError, match="fewer than k"):
        sdm.ablate(0.68)


def test_fault_tolerance_at_20_percent_ablation_below_half_capacity():
    cap = sdm_capacity(1000, 256, 128, k=20, bit_error=0.01, seed=6).measured
    rng = np.random.default_rng(7)
    sdm = KanervaSDM(1000, 256, 128, k=20, seed=6)
    a, d = _random(rng, int(cap / 2), 256, 128)
    sdm.write(a, d)
    sdm.ablate(0.2, seed=8)
    recalled = np.mean(np.mean(sdm.read(a) != d, axis=1) <= 0.05)  # a pattern is recalled with <= 5 % bit errors
    assert recalled >= 0.9


@pytest.mark.parametrize("n", [256, 512, 1024])
def test_willshaw_capacity_matches_theory(n):
    k = int(round(np.log2(n)))
    result = willshaw_capacity(n, k, false_positives=1.0, seed=n)
    m_star = willshaw_optimal_patterns(n, k)
    assert result.measured == pytest.approx(m_star, rel=0.15)           # the M* = ln2 N^2 / K^2
    assert result.measured == pytest.approx(result.theory, rel=0.15)    # the same criterion, exact pair odds


def test_willshaw_information_capacity_peaks_inside_the_k_range():
    ks = [2, 3, 4, 5, 6, 8, 12, 16]
    bits = [willshaw_bits_per_synapse(willshaw_capacity(256, k, seed=k).measured, 256, k) for k in ks]
    best = int(np.argmax(bits))
    assert 0 < best < len(ks) - 1
    assert max(bits) < np.log(2)  # below the asymptotic bound of ln 2 bits per synapse


def test_willshaw_store_and_retrieve_from_partial_cue():
    rng = np.random.default_rng(9)
    patterns = random_sparse_patterns(50, 200, 8, rng)
    mem = WillshawMemory(200)
    mem.store(patterns)
    assert mem.load == pytest.approx(willshaw_load(50, 200, 8), rel=0.1)
    cue = patterns.copy()
    for row in cue:  # keep half of each pattern's ones
        on = np.flatnonzero(row)
        row[on[: len(on) // 2]] = 0
    out = mem.retrieve(cue)
    assert np.all(out[patterns == 1] == 1)  # no unit of a stored pattern is lost


@pytest.mark.parametrize("make, err, match", [
    (lambda: KanervaSDM(0, 8, 8), SpecError, "n_locations"),
    (lambda: KanervaSDM(10, 8, 8, k=11), SpecError, "k must be"),
    (lambda: KanervaSDM(10, 8, 8, activation="radius"), SpecError, "radius"),
    (lambda: KanervaSDM(10, 8, 8, activation="cosine"), SpecError, "activation"),
    (lambda: KanervaSDM(10, 8, 8).read(np.ones(7)), InputError, "address"),
    (lambda: KanervaSDM(10, 8, 8).write(np.ones(8), np.full(8, 2)), InputError, "0/1"),
    (lambda: KanervaSDM(10, 8, 4).iterative_read(np.ones(8)), InputError, "auto-associative"),
])
def test_bad_sdm_input(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_reading_does_not_change_the_memory():
    rng = np.random.default_rng(10)
    sdm = KanervaSDM(100, 32, 8, k=5)
    a, d = _random(rng, 5, 32, 8)
    sdm.write(a, d)
    before = copy.deepcopy(sdm.counters)
    sdm.read(a)
    np.testing.assert_array_equal(before, sdm.counters)


@pytest.mark.parametrize("rows, block_bytes", [(50, 1 << 22), (50, 7 * 8 * 3), (50, 1), (1, 8)])
def test_blocked_accumulate_equals_the_whole_product(monkeypatch, rows, block_bytes):
    """Row blocks (the last one partial, blocks of one row, one block) add up to the whole product."""
    from scipy.sparse import random as sparse_random

    from engram_nm.sdm import kanerva

    monkeypatch.setattr(kanerva, "_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(11)
    a = sparse_random(rows, 30, density=0.1, format="csr", random_state=1, dtype=np.float64)
    a.data = rng.integers(1, 4, a.nnz).astype(np.float64)
    a = a.astype(np.int64)
    x = rng.integers(-2, 3, (30, 7)).astype(np.int64)
    out = np.ones((rows, 7), dtype=np.int64)
    kanerva.accumulate(a, x, out)
    np.testing.assert_array_equal(out, 1 + a @ x)
