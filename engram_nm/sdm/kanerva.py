"""Kanerva's Sparse Distributed Memory (Kanerva 1988, "Sparse Distributed Memory", MIT Press).

``M`` hard locations with random binary addresses ``A [M, N]`` and integer
counters ``C [M, D]``. A query address ``q`` (binary, ``N`` bits) activates

* ``activation="radius"``: every location within Hamming distance ``radius``;
* ``activation="topk"``: the ``k`` nearest locations (ties broken by the
  lower location index), the variant that keeps the number of active
  locations fixed (Bricken et al., ICLR 2023).

Write adds the data in bipolar form to the active locations' counters,
``C[active] += 2 * d - 1``; read sums the active counters and thresholds at
zero, ``d_hat = (sum_active C) > 0``. Everything is batched: distances for
``B`` queries are one matrix product, ``|q| + |A_m| - 2 q . A_m``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError, SpecError

ACTIVATIONS = ("radius", "topk")


# A block of the product ``sparse @ dense`` stays under this size: freed and reused by the
# allocator, where one fresh ``[M, D]`` product is mapped anew and page-faulted every call.
_BLOCK_BYTES = 1 << 20


def hamming_distances(q: np.ndarray, addr_f: np.ndarray, addr_pop: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Hamming distances ``[B, M]`` from 0/1 queries ``q [B, N]`` to the hard locations (``addr_f``
    their 0/1 addresses ``[M, N]`` in float32, ``addr_pop`` their bit counts); an ablated location
    (``alive`` false) sits at ``N + 1``, farther than any address can be. The one distance rule of
    :class:`KanervaSDM` and the Lava SDM models."""
    # float32 GEMM is exact here: the sums are integers far below 2**24.
    overlap = (q.astype(np.float32) @ addr_f.T).astype(np.int32)
    d = q.sum(axis=1, dtype=np.int32)[:, None] + addr_pop[None, :] - 2 * overlap
    return np.where(np.asarray(alive, dtype=bool)[None, :], d, addr_f.shape[1] + 1)


def topk_locations(q: np.ndarray, addr_f: np.ndarray, addr_pop: np.ndarray, alive: np.ndarray, k: int) -> np.ndarray:
    """``[B, k]`` indices of the ``k`` nearest living locations to each query ``q [B, N]``, ties to
    the lower index (arguments as :func:`hamming_distances`). The one Top-K rule of
    :class:`KanervaSDM` and the Lava SDM models.

    Within one query ``|q|`` is a constant, so distances rank like ``|A_m| - 2 q . A_m``; the
    integer key ``(|A_m| - 2 q . A_m) * M + m`` is unique, and one ``argpartition`` selects in O(M)
    (integer keys partition faster than float ones here; int64 only when int32 could overflow)."""
    m, n = addr_f.shape
    dtype = np.int32 if (3 * n + 3) * m < 2 ** 31 else np.int64
    pop = np.where(np.asarray(alive, dtype=bool), addr_pop, 3 * n + 1).astype(dtype)  # O(M): cheap
    key = (q.astype(np.float32) @ addr_f.T).astype(dtype)
    np.multiply(key, dtype(-2 * m), out=key)
    key += (pop * dtype(m) + np.arange(m, dtype=dtype))[None, :]
    return np.argpartition(key, k - 1, axis=1)[:, :k] if k < m else np.argsort(key, axis=1)


def saturating_add(counters: np.ndarray, delta: np.ndarray, limit: int, per_sample: bool = False):
    """``(clip(counters + delta, -limit, limit), how many sums left the range)``: the saturating
    counter write of the fixed-point SDM (Lava's ``fixed_pt`` model and the ``fixed-emu`` memory
    stage), in int64. ``per_sample``: counters ``[B, M, D]``, the count per sample ``[B]``."""
    new = np.asarray(counters, dtype=np.int64) + delta
    over = np.abs(new) > limit
    return np.clip(new, -limit, limit), (over.sum(axis=(1, 2)) if per_sample else int(over.sum()))


def accumulate(sparse, dense: np.ndarray, out: np.ndarray) -> None:
    """``out += sparse @ dense`` (CSR ``[M, B]`` times ``[B, D]``) in blocks of rows.

    scipy's product allocates its whole result every call; at M = 1e5, D = 256 that is a
    200 MB array whose page faults cost more than the product. Row blocks of at most
    1 MB keep the same public product but reuse memory (measured on this project's VMs,
    a whole SDM write of B = 256 queries, N = 1000, D = 256, k = M/100: 6.2 ms at M = 1e3 with
    1 MB blocks, 10.5 ms with the product in one 2 MB piece; at M = 1e5 the whole product
    took 239 ms, blocks ~50-60 ms).
    """
    rows = max(1, _BLOCK_BYTES // max(1, dense.shape[1] * out.itemsize))
    for start in range(0, sparse.shape[0], rows):
        out[start:start + rows] += sparse[start:start + rows] @ dense


@dataclass
class KanervaSDM:
    """A Kanerva SDM with ``n_locations`` hard locations of ``address_bits`` and ``data_bits``.

    ``addresses`` default to uniform random bits from ``seed``; ``counters``
    start at zero (int64 in the reference; Lava's fixed model saturates them).
    """

    n_locations: int
    address_bits: int
    data_bits: int
    activation: str = "topk"
    k: int = 10
    radius: int | None = None
    seed: int = 0
    addresses: np.ndarray | None = None
    counters: np.ndarray | None = None
    alive: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("n_locations", "address_bits", "data_bits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise SpecError(f"SDM {name} must be a whole number >= 1, got {value!r}")
        if self.activation not in ACTIVATIONS:
            raise SpecError(f"SDM activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.activation == "topk" and not 1 <= int(self.k) <= self.n_locations:
            raise SpecError(f"SDM k must be in 1..n_locations={self.n_locations}, got {self.k!r}")
        if self.activation == "radius" and (self.radius is None or not 0 <= int(self.radius) <= self.address_bits):
            raise SpecError(f"SDM radius must be in 0..address_bits={self.address_bits}, got {self.radius!r}")
        if self.addresses is None:
            rng = np.random.default_rng(self.seed)
            self.addresses = rng.integers(0, 2, size=(self.n_locations, self.address_bits), dtype=np.int8)
        self.addresses = np.asarray(self.addresses, dtype=np.int8)
        if self.addresses.shape != (self.n_locations, self.address_bits) or not np.all(
                (self.addresses == 0) | (self.addresses == 1)):
            raise SpecError(f"SDM addresses must be 0/1 of shape ({self.n_locations}, {self.address_bits})")
        if self.counters is None:
            self.counters = np.zeros((self.n_locations, self.data_bits), dtype=np.int64)
        self.counters = np.asarray(self.counters, dtype=np.int64)
        if self.counters.shape != (self.n_locations, self.data_bits):
            raise SpecError(f"SDM counters must have shape ({self.n_locations}, {self.data_bits}), "
                            f"got {self.counters.shape}")
        self.alive = np.ones(self.n_locations, dtype=bool) if self.alive is None else np.asarray(self.alive, bool)
        # Address popcounts and a float copy for the distance GEMM, computed once.
        self._addr_f = self.addresses.astype(np.float32)
        self._addr_pop = self.addresses.sum(axis=1).astype(np.int32)

    # ---------------------------------------------------------------------------------------------
    def _bits(self, x, width: int, what: str) -> np.ndarray:
        arr = np.asarray(x)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != width:
            raise InputError(f"SDM {what} must be [batch, {width}] or [{width}] bits, got shape {np.shape(x)}")
        if arr.dtype == bool:
            return arr.astype(np.int8)
        # Integers: two reductions instead of three element-wise passes (this runs on every read).
        ok = (arr.min() >= 0 and arr.max() <= 1) if np.issubdtype(arr.dtype, np.integer) else \
            np.all((arr == 0) | (arr == 1))
        if not ok:
            raise InputError(f"SDM {what} must be 0/1 bits")
        return arr.astype(np.int8, copy=False)

    def distances(self, query) -> np.ndarray:
        """Hamming distances ``[B, M]`` from each query to every hard location."""
        return hamming_distances(self._bits(query, self.address_bits, "address"), self._addr_f, self._addr_pop,
                                 self.alive)

    def topk_indices(self, query) -> np.ndarray:
        """``[B, k]`` indices of the ``k`` nearest locations, ties to the lower index (Top-K only).

        Within one query ``|q|`` is a constant, so distances rank like
        ``|A_m| - 2 q . A_m``; the integer key ``(|A_m| - 2 q . A_m) * M + m`` is
        unique, and one ``argpartition`` selects in O(M) (integer keys partition
        faster than float ones here; int64 only when int32 could overflow).
        """
        return topk_locations(self._bits(query, self.address_bits, "address"), self._addr_f, self._addr_pop,
                              self.alive, int(self.k))

    def activate(self, query) -> np.ndarray:
        """Boolean ``[B, M]``: which hard locations each query activates."""
        if self.activation == "radius":
            return self.distances(query) <= int(self.radius)  # ablated ones sit at address_bits + 1
        idx = self.topk_indices(query)
        active = np.zeros((idx.shape[0], self.n_locations), dtype=bool)
        np.put_along_axis(active, idx, True, axis=1)
        return active

    def write(self, address, data) -> None:
        """Store ``data`` at ``address`` (batched; the order of a batch does not matter)."""
        d = self._bits(data, self.data_bits, "data")
        bipolar = 2 * d.astype(np.int64) - 1
        if self.activation == "topk":
            idx = self.topk_indices(address)
            if idx.shape[0] != d.shape[0]:
                raise InputError(f"SDM write: {idx.shape[0]} addresses but {d.shape[0]} data rows")
            accumulate(self._selection(idx, transpose=True), bipolar, self.counters)
            return
        active = self.activate(address)
        if d.shape[0] != active.shape[0]:
            raise InputError(f"SDM write: {active.shape[0]} addresses but {d.shape[0]} data rows")
        self.counters += active.T.astype(np.int64) @ bipolar

    def read_sums(self, address) -> np.ndarray:
        """Counter sums ``[B, D]`` over the active locations (before the threshold)."""
        if self.activation == "topk":
            return self._selection(self.topk_indices(address)) @ self.counters
        return self.activate(address).astype(np.int64) @ self.counters

    def _selection(self, idx: np.ndarray, transpose: bool = False):
        """Sparse 0/1 matrix of the ``k`` chosen locations of each query: ``[B, M]``, or ``[M, B]``
        with ``transpose`` (built as CSR directly: scipy's transposed CSC product is ~20x slower)."""
        from scipy.sparse import csr_matrix

        b, k = idx.shape
        ones = np.ones(b * k, dtype=np.int64)
        if transpose:
            rows = np.repeat(np.arange(b), k)
            return csr_matrix((ones, (idx.ravel(), rows)), shape=(self.n_locations, b))
        return csr_matrix((ones, idx.ravel(), np.arange(0, b * k + 1, k)), shape=(b, self.n_locations))

    def read(self, address) -> np.ndarray:
        """Recalled data bits ``[B, D]``: ``sums > 0``."""
        return (self.read_sums(address) > 0).astype(np.int8)

    def iterative_read(self, address, iterations: int = 10) -> np.ndarray:
        """Auto-associative clean-up (``data_bits == address_bits``): read, use the result as the
        next address, until nothing changes or ``iterations`` are done."""
        if self.data_bits != self.address_bits:
            raise InputError("iterative_read needs an auto-associative SDM (data_bits == address_bits)")
        x = self._bits(address, self.address_bits, "address")
        for _ in range(int(iterations)):
            nxt = self.read(x)
            if np.array_equal(nxt, x):
                break
            x = nxt
        return x

    def clear(self) -> None:
        self.counters[:] = 0

    def ablate(self, fraction: float, seed: int = 0) -> np.ndarray:
        """Remove a random ``fraction`` of the hard locations (a lesion, or dead cores): they are
        never activated again and their counters are lost. Returns the indices removed."""
        if not 0.0 <= fraction <= 1.0:
            raise InputError(f"ablation fraction must be in [0, 1], got {fraction}")
        living = np.flatnonzero(self.alive)
        n = int(round(fraction * self.n_locations))
        if self.activation == "topk" and len(living) - n < int(self.k):
            raise InputError(f"ablating {n} of {len(living)} living locations leaves fewer than k={self.k}")
        gone = np.random.default_rng(seed).choice(living, size=min(n, len(living)), replace=False)
        self.alive[gone] = False
        self.counters[gone] = 0
        return gone
