"""Willshaw's clipped-Hebbian binary associative memory (Willshaw, Buneman, Longuet-Higgins,
Nature 222:960, 1969), for capacity analysis.

Patterns are ``N``-bit vectors with ``K`` ones. Storing sets every synapse
whose pre and post units are both on: ``W |= x_out^T x_in`` (clipped at 1).
Retrieval from a cue ``c`` takes the dendritic sums ``s = W c`` and fires the
units with ``s >= |c|`` (the number of active cue units), so a stored pattern
cued by any subset of its ones comes back with no missing unit; errors are
extra units whose every synapse from the cue happens to be set.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError


class WillshawMemory:
    """Binary associative memory ``W [n_out, n_in]`` (auto-associative by default)."""

    def __init__(self, n_in: int, n_out: int | None = None):
        self.n_in, self.n_out = int(n_in), int(n_out if n_out is not None else n_in)
        self.weights = np.zeros((self.n_out, self.n_in), dtype=bool)
        self.stored = 0

    def _patterns(self, x, width: int) -> np.ndarray:
        arr = np.asarray(x)
        arr = arr[None, :] if arr.ndim == 1 else arr
        if arr.ndim != 2 or arr.shape[1] != width or not np.all((arr == 0) | (arr == 1)):
            raise InputError(f"Willshaw patterns must be 0/1 of width {width}, got shape {np.shape(x)}")
        return arr.astype(np.float32)

    def store(self, inputs, outputs=None) -> None:
        """Store pattern pairs (batched); auto-associative when ``outputs`` is None."""
        x = self._patterns(inputs, self.n_in)
        y = x if outputs is None else self._patterns(outputs, self.n_out)
        self.weights |= (y.T @ x) > 0
        self.stored += x.shape[0]

    def retrieve(self, cue) -> np.ndarray:
        """Units with dendritic sum >= the number of active cue units, ``[B, n_out]`` 0/1."""
        c = self._patterns(cue, self.n_in)
        sums = c @ self.weights.T.astype(np.float32)
        return (sums >= c.sum(axis=1, keepdims=True)).astype(np.int8)

    @property
    def load(self) -> float:
        """``p1``: the fraction of synapses set."""
        return float(self.weights.mean())
