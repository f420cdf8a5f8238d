"""A network compiled once for everything that steps, builds or quantises it.

:func:`compile_network` turns a spec's graph (:meth:`engram_nm.spec.EngramSpec.connections`) into
the indices every consumer needs: populations by position (the order they step in), each
population's inputs in the order they sum, and the plastic matrices in the order that seeds the
learning engines (matrix ``j`` of a run seeded ``s`` gets ``s + j``). The engine's kernels
(:mod:`engram_nm.backends`), the emulator's packing, quantisation and the Lava builder read these
lists instead of deriving their own, so a summation or seed order is decided here alone.
"""

from __future__ import annotations

from typing import NamedTuple

from engram_nm.spec import connections_of


class Input(NamedTuple):
    """One matrix into a population: its source's index (``-1``: the network input), name, weight,
    and the steps its source's spikes take to arrive (1: every Dense's step)."""

    source: int
    name: str
    weight: object
    delay: int = 1


class CompiledNetwork(NamedTuple):
    """The indices of one network (module docstring)."""

    names: tuple        # population names, in step order
    index: dict         # population name -> position
    inputs: list        # per population, its Inputs in summation order
    plastic: list       # PlasticMatrix (engram_nm.plasticity.learner) in seed order


def compile_network(layers, projections=()) -> CompiledNetwork:
    """Compile ``layers`` / ``projections`` (a spec's, or the torch module's: anything
    :func:`~engram_nm.spec.connections_of` reads)."""
    from engram_nm.plasticity.learner import plastic_matrices

    projections = list(projections)
    names = tuple(layer.name for layer in layers)
    index = {name: i for i, name in enumerate(names)}
    inputs = [[] for _ in names]
    for c in connections_of(layers, projections):
        inputs[index[c.target]].append(Input(-1 if c.source is None else index[c.source], c.name, c.weight,
                                             c.delay))
    return CompiledNetwork(names, index, inputs, plastic_matrices(layers, projections))
