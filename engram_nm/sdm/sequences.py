"""Heteroassociative chains in a Sparse Distributed Memory: A -> B -> C, recalled from A alone.

Kanerva (1988, ch. 8) stores a sequence by writing each element's successor at the element's
address, ``write(x_i, x_{i+1})``; reading at ``x_1`` gives (an estimate of) ``x_2``, reading at that
estimate gives ``x_3``, and so on: errors made early are carried into every later read. Several
chains share one memory (the load). :func:`recall_chain` follows a chain from its first element;
:func:`chain_accuracy` scores it per position as the fraction of bits recalled right (chance 0.5),
the continuous measure, and as exact recall.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError
from engram_nm.sdm.kanerva import KanervaSDM


def store_chains(sdm: KanervaSDM, chains: np.ndarray) -> None:
    """Write every chain of ``chains [n_chains, length, bits]`` as successor pairs (one batch)."""
    chains = np.asarray(chains)
    if chains.ndim != 3 or chains.shape[1] < 2:
        raise InputError(f"chains must be [n_chains, length >= 2, bits], got shape {chains.shape}")
    if sdm.address_bits != sdm.data_bits or chains.shape[2] != sdm.address_bits:
        raise InputError("chains need an SDM whose address and data have the chains' width")
    sdm.write(chains[:, :-1].reshape(-1, chains.shape[2]), chains[:, 1:].reshape(-1, chains.shape[2]))


def recall_chain(sdm: KanervaSDM, first, steps: int) -> np.ndarray:
    """``[B, steps + 1, bits]``: each start of ``first [B, bits]`` and ``steps`` successive reads."""
    x = np.asarray(first)
    x = x[None] if x.ndim == 1 else x
    out = [x.astype(np.int8)]
    for _ in range(int(steps)):
        out.append(sdm.read(out[-1]))
    return np.stack(out, axis=1)


def chain_accuracy(sdm: KanervaSDM, chains: np.ndarray) -> tuple:
    """``(bit accuracy [length], exact recall [length])`` over the chains, per position, recalled
    from each chain's first element (position 0 is the cue itself)."""
    chains = np.asarray(chains)
    recalled = recall_chain(sdm, chains[:, 0], chains.shape[1] - 1)
    agree = recalled == chains
    return agree.mean(axis=(0, 2)), agree.all(axis=2).mean(axis=0)
