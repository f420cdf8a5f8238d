"""SDM familiarity (one-shot recognition, ROC AUC) and heteroassociative chains: what storing does,
and what an SDM that never stored the patterns does (chance)."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.sdm.capacity import flip_bits
from engram_nm.sdm.kanerva import KanervaSDM
from engram_nm.sdm.recognition import auc, familiarity
from engram_nm.sdm.sequences import chain_accuracy, recall_chain, store_chains

M, N, K = 1000, 128, 10


def _memory(load, seed=0):
    rng = np.random.default_rng(seed)
    sdm = KanervaSDM(M, N, N, k=K, seed=seed)
    stored = rng.integers(0, 2, (load, N), dtype=np.int8)
    sdm.write(stored, stored)
    return sdm, stored, rng


def test_auc_is_the_mann_whitney_probability_and_matches_sklearn_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    pos, neg = rng.integers(0, 5, 40).astype(float), rng.integers(0, 4, 30).astype(float)  # many ties
    expected = roc_auc_score(np.r_[np.ones(40), np.zeros(30)], np.r_[pos, neg])
    assert auc(pos, neg) == pytest.approx(expected, abs=1e-12)
    assert auc([2.0, 3.0], [0.0, 1.0]) == 1.0 and auc([0.0], [1.0]) == 0.0 and auc([1.0], [1.0]) == 0.5
    with pytest.raises(InputError):
        auc([], [1.0])


def test_a_stored_pattern_is_familiar_by_about_one_and_a_never_stored_memory_is_at_chance():
    sdm, stored, rng = _memory(200)
    novel = rng.integers(0, 2, (200, N), dtype=np.int8)
    f_stored, f_novel = familiarity(sdm, stored), familiarity(sdm, novel)
    assert f_stored.mean() - f_novel.mean() == pytest.approx(1.0, abs=0.1)  # its own write in each location
    assert auc(f_stored, f_novel) > 0.99
    other, _, _ = _memory(200, seed=1)  # a memory that holds different patterns: the mechanism off
    assert abs(auc(familiarity(other, stored), familiarity(other, novel)) - 0.5) < 0.1


def test_recognising_corrupted_patterns_gets_harder_with_load_and_noise():
    def noisy_auc(load, flip):
        sdm, stored, rng = _memory(load, seed=2)
        probe = stored[:200]
        return auc(familiarity(sdm, flip_bits(probe, flip, rng)),
                   familiarity(sdm, rng.integers(0, 2, (200, N), dtype=np.int8)))

    assert noisy_auc(200, 0.1) > noisy_auc(3000, 0.1) > 0.5
    assert noisy_auc(500, 0.1) > noisy_auc(500, 0.25)


def test_familiarity_refuses_what_it_is_not_defined_for():
    with pytest.raises(InputError, match="auto-associative"):
        familiarity(KanervaSDM(M, N, 16, k=K), np.zeros(N, dtype=np.int8))
    with pytest.raises(InputError, match="Top-K"):
        familiarity(KanervaSDM(M, N, N, activation="radius", radius=50), np.zeros(N, dtype=np.int8))


def test_few_chains_are_recalled_to_their_end_and_many_decay_to_chance():
    rng = np.random.default_rng(4)
    few = rng.integers(0, 2, (3, 8, N), dtype=np.int8)
    sdm = KanervaSDM(M, N, N, k=K, seed=4)
    store_chains(sdm, few)
    bit, exact = chain_accuracy(sdm, few)
    assert np.all(exact == 1.0) and recall_chain(sdm, few[0, 0], 7).shape == (1, 8, N)
    many = rng.integers(0, 2, (60, 8, N), dtype=np.int8)
    sdm = KanervaSDM(M, N, N, k=K, seed=4)
    store_chains(sdm, many)
    bit, exact = chain_accuracy(sdm, many)
    assert bit[0] == 1.0 and bit[1] > bit[-1] and abs(bit[-1] - 0.5) < 0.05  # errors carried forward
    empty = KanervaSDM(M, N, N, k=K, seed=4)  # nothing stored: reads are all zeros, half the bits right
    assert abs(chain_accuracy(empty, few)[0][1] - 0.5) < 0.1
    with pytest.raises(InputError):
        store_chains(sdm, many[:, :1])
