"""The floating-point LIF / CUBA-LIF step of one population, written once in numpy.

Used by the numpy reference (:class:`engram_nm.backends.reference.FloatKernel`) and by the
``GeneralLIF`` ``floating_pt`` Lava model; the torch backend has its differentiable twin
(:func:`engram_nm.backends.torch_lif.lif_step`, surrogate spikes). Operation order as lava-nc 0.10.0
``lava/proc/lif/models.py`` (``AbstractPyLifModelFloat``), so float64 runs equal Lava's::

    u <- u * (1 - du) + a_in + syn_bias
    v <- v * (1 - dv) + u + bias
    s  = v > theta ;  where s: v <- 0 (zero reset) or v - theta (subtract reset)

A population that may fire ``max_events`` > 1 events a step (subtract reset, no delayed reset;
:mod:`engram_nm.spec`) counts them and takes one ``theta`` off per event::

    s  = #{k in 1..max_events : v - k theta > 0} ;  v <- v - s theta

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


def event_count(v: np.ndarray, theta: np.ndarray, max_events: int) -> np.ndarray:
    """Events of one step: ``#{k in 1..max_events : v - k theta > 0}`` (float64 counts); the torch
    twin sums a surrogate spike per ``k`` of the same differences."""
    k = np.arange(1, max_events + 1, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf thresholds: inf * k is inf, v - inf never > 0
        return np.sum(v[..., None] - k * theta[..., None] > 0, axis=-1).astype(np.float64)


def lif_step(u, v, a_in, du, dv, theta, bias, syn_bias, subtract, delayed, spiked_before, bias_on,
             max_events: int = 1):
    """One step (module docstring) on arrays ``[n]``; returns ``(u, v, spikes)`` as new arrays.

    ``subtract``: bool, or one per neuron; ``delayed``: bool, or one per neuron (reset of the
    previous step's spikes ``spiked_before`` before the threshold test); ``bias_on``: bool, or
    one per neuron. ``syn_bias`` None or all zero: no synaptic bias (nothing is added).
    ``max_events`` > 1 (subtract reset, not delayed): ``spikes`` are event counts.
    """
    u = u * (1 - du)
    if syn_bias is not None and np.any(syn_bias):
        u += a_in + np.where(bias_on, syn_bias, 0.0)
    else:
        u += a_in
    v = v * (1 - dv) + u + np.where(bias_on, bias, 0.0)
    if max_events > 1:
        counts = event_count(v, theta, max_events)
        return u, v - np.where(counts > 0, counts * theta, 0.0), counts
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
