"""EngramGate: multiplies a population's input current by the current task's engram mask.

Ports and Vars only; the maths is in ``models.py`` and equals
:meth:`engram_nm.gating.GateSpec.masks` step for step. Place it between the
Dense processes and the population (``dense.a_out -> gate.a_in``,
``gate.a_out -> pop.a_in``): it adds no delay. Switch tasks at run time with
``gate.task.set(np.array([h]))`` between two runs of the same network.

``fixed_pt`` holds the keep probabilities as 16-bit integers ``round(p * 2**16)``
and compares the same uniform draws with ``p_int / 2**16``: masks equal the
float ones except where a draw falls within ``2**-17`` of ``p`` (or ``p`` is
within ``2**-17`` of 1/2 in deterministic mode).
"""

from __future__ import annotations

import numpy as np

from engram_nm.gating.reference import PROB_BITS, sigmoid
from engram_nm.lava_compat import lava


class EngramGate(lava.AbstractProcess):
    """Gate of ``n`` neurons with ``logits [n_tasks, n]``; ``mode`` deterministic or stochastic."""

    def __init__(self, *, logits: np.ndarray, task: int = 0, mode: str = "deterministic", period: int = 1,
                 seed: int = 0, name: str | None = None) -> None:
        logits = np.asarray(logits, dtype=np.float64)
        n_tasks, n = logits.shape
        super().__init__(mode=mode, period=int(period), seed=int(seed), name=name)
        self.a_in = lava.InPort(shape=(n,))
        self.a_out = lava.OutPort(shape=(n,))
        probs = sigmoid(logits)
        self.probs = lava.Var(shape=(n_tasks, n), init=probs)
        self.probs_int = lava.Var(shape=(n_tasks, n), init=np.round(probs * 2 ** PROB_BITS).astype(np.int64))
        self.task = lava.Var(shape=(1,), init=np.array([int(task)]))
        self.mask = lava.Var(shape=(n,), init=np.zeros(n))
