"""SDM: Kanerva's Sparse Distributed Memory as a Lava process (ports and Vars only).

Each step the process reads ``op_in`` (0 idle, 1 write, 2 read), the address
bits on ``addr_in`` and, for writes, the data bits on ``data_in``; a read sends
the recalled bits on ``data_out`` in the same step (zeros otherwise). The
maths (:class:`engram_nm.sdm.KanervaSDM`, radius or Top-K activation) is in
``models.py``:

* ``floating_pt``: counters are float64 holding integers, so every write and
  read equals the numpy reference exactly;
* ``fixed_pt``: counters are ``counter_bits``-bit signed integers that
  saturate at ``+-(2**(counter_bits-1) - 1)`` (as a synaptic memory of that
  width would); equal to the reference until a counter saturates, which the
  ``saturated`` Var counts.

The hard-location ``addresses`` are fixed for the life of the process (the
models convert them once); counters and ``alive`` may be set between runs.
``addr_in`` can be fed by a population's spikes (address = which neurons
spiked this step) or by a ring buffer.
"""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava

OP_IDLE, OP_WRITE, OP_READ = 0, 1, 2


class SDM(lava.AbstractProcess):
    """``n_locations`` hard locations with ``addresses [M, N]`` (0/1) and ``counters [M, D]``."""

    def __init__(self, *, addresses: np.ndarray, data_bits: int, activation: str = "topk", k: int = 10,
                 radius: int = 0, counters: np.ndarray | None = None, counter_bits: int = 8,
                 name: str | None = None) -> None:
        addresses = np.asarray(addresses)
        m, n = addresses.shape
        counters = np.zeros((m, data_bits)) if counters is None else np.asarray(counters)
        super().__init__(activation=activation, k=int(k), radius=int(radius), counter_bits=int(counter_bits),
                         name=name)
        self.addr_in = lava.InPort(shape=(n,))
        self.data_in = lava.InPort(shape=(data_bits,))
        self.op_in = lava.InPort(shape=(1,))
        self.data_out = lava.OutPort(shape=(data_bits,))
        self.addresses = lava.Var(shape=(m, n), init=addresses)
        self.counters = lava.Var(shape=(m, data_bits), init=counters)
        self.alive = lava.Var(shape=(m,), init=np.ones(m))
        self.saturated = lava.Var(shape=(1,), init=np.zeros(1))
