"""The floating-point LIF / CUBA-LIF step of one population, written once in numpy.

Used by the numpy reference (:class:`engram_nm.backends.reference.FloatKernel`) and by the
``GeneralLIF`` ``floating_pt`` Lava model; the torch backend has its differentiable twin
(:func:`engram_nm.backends.torch_lif.lif_step`, surrogate spikes). Operation order as lava-nc 0.10.0
``lava/proc/lif/models.py`` (``AbstractPyLifModelFloat``), so float64 runs equal Lava's::

    u <- u * (1 - du) + a_in + syn_bias
    v <- v * (1 - dv) + u + bias
    s  = v > theta ;  where s: v <- 0 (zero reset) or v - theta (subtract reset)

``u``, ``v``, ``theta``, biases in membrane units; ``du``, ``dv`` dimensionless per-step
decays (:mod:`engram_nm.units`); ``a_in`` the Dense output of this step (already one step
late). ``bias`` and ``syn_bias`` apply from the step ``bias_on`` says. With ``reset_delay`` the
reset of the previous step's spikes is applied before the threshold test instead.
"""

from __future__ import annotations

import numpy as np


def reset(v: np.ndarray, where: np.ndarray, theta: np.ndarray, subtract) -> None:
    """In place: ``v = 0`` (zero) or ``v -= theta`` (subtract) where ``where``. ``subtract``: a
    bool for the whole population, or one per neuron."""
    if np.ndim(subtract) == 0:
        if subtract:
            v[where] -= theta[where]
        else:
            v[where] = 0.0
        return
    sub = where & subtract
    v[sub] -= theta[sub]
    v[where & ~sub] = 0.0


def lif_step(u, v, a_in, du, dv, theta, bias, syn_bias, subtract, delayed, spiked_before, bias_on):
    """One step (module docstring) on arrays ``[n]``; returns ``(u, v, spikes)`` as new arrays.

    ``subtract``: bool, or one per neuron; ``delayed``: bool, or one per neuron (reset of the
    previous step's spikes ``spiked_before`` before the threshold test); ``bias_on``: bool, or
    one per neuron. ``syn_bias`` None or all zero: no synaptic bias (nothing is added).
    """
    u = u * (1 - du)
    if syn_bias is not None and np.any(syn_bias):
        u += a_in + np.where(bias_on, syn_bias, 0.0)
    else:
        u += a_in
    v = v * (1 - dv) + u + np.where(bias_on, bias, 0.0)
    if np.ndim(delayed) == 0:
        if delayed:
            reset(v, spiked_before, theta, subtract)
            return u, v, v > theta
        spikes = v > theta
        reset(v, spikes, theta, subtract)
        return u, v, spikes
    reset(v, delayed & spiked_before, theta, subtract)
    spikes = v > theta
    reset(v, spikes & ~delayed, theta, subtract)
    return u, v, spikes
