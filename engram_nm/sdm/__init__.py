"""Sparse Distributed Memory and binary associative memories: numpy references first.

* :class:`KanervaSDM` — hard locations, radius or Top-K activation, counters, read/write;
* :class:`WillshawMemory` — clipped-Hebbian binary memory for capacity analysis;
* :mod:`~engram_nm.sdm.theory` and :mod:`~engram_nm.sdm.capacity` — closed forms and measurements;
* :mod:`~engram_nm.sdm.torch_layers` — the trainable Top-K / L2 layer and its spiking k-WTA variant.
"""

from engram_nm.sdm.capacity import CapacityResult, random_sparse_patterns, sdm_capacity, willshaw_capacity
from engram_nm.sdm.kanerva import KanervaSDM
from engram_nm.sdm.theory import (
    kanerva_optimal_activation, willshaw_capacity_at, willshaw_false_positives, willshaw_load,
    willshaw_optimal_patterns,
)
from engram_nm.sdm.willshaw import WillshawMemory

__all__ = [
    "KanervaSDM", "WillshawMemory", "CapacityResult", "random_sparse_patterns", "sdm_capacity",
    "willshaw_capacity", "kanerva_optimal_activation", "willshaw_capacity_at", "willshaw_false_positives",
    "willshaw_load", "willshaw_optimal_patterns",
]
