"""PlasticDense: a CPU-only Dense whose weights learn with engram_nm's numpy rules.

Ports and Vars only; the maths is in ``models.py``. Used where Lava's learning
engine cannot run a projection's plasticity exactly: structural plasticity
(prune and grow, which the engine has no form for) and, on ``floating_pt``,
synaptic rules whose engine form is approximate (hard bounds other than the
sign, products below the engine's smallest scale). The ``floating_pt`` model
runs :class:`engram_nm.plasticity.learner.SynapseLearner`, i.e. the numpy
reference itself; ``fixed_pt`` learns in a float shadow and transmits the
integer weights ``round(weight_scale * w)``.

Timing equals LearningDense: ``a_out`` at step ``t + 1`` carries the weights
before learning at step ``t`` applied to the pre spikes of step ``t``; the
post spikes arrive on ``s_in_bap`` (connect the population's ``s_out``).
"""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava


class PlasticDense(lava.AbstractProcess):
    """``weights [n_post, n_pre]`` learning under ``rule`` and/or ``structural`` with step ``dt`` (s)."""

    def __init__(self, *, weights: np.ndarray, dt: float, rule=None, structural=None, weight_scale: float = 1.0,
                 name: str | None = None) -> None:
        super().__init__(weights=weights, dt=dt, rule=rule, structural=structural, weight_scale=weight_scale,
                         name=name)
        n_post, n_pre = np.shape(weights)
        self.s_in = lava.InPort(shape=(n_pre,))
        self.s_in_bap = lava.InPort(shape=(n_post,))
        self.a_out = lava.OutPort(shape=(n_post,))
        self.weights = lava.Var(shape=(n_post, n_pre), init=np.array(weights))
        self.a_buff = lava.Var(shape=(n_post,), init=np.zeros(n_post))
