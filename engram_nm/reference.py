"""Numpy reference simulation of an :class:`EngramSpec` (the truth, DESIGN rule 1).

Implements exactly the discrete update documented in :mod:`engram_nm.spec`,
in float64, in the same operation order as Lava's floating-point LIF model so
that the two agree bit for bit::

    u = u * (1 - du) + a_in (+ syn_bias)
    v = v * (1 - dv) + u + bias
    s = v > v_threshold ;  v = 0 | v - v_threshold  where s

or, for layers with ``reset_delay``, the reset of the previous step's spikes
applied to the new ``v`` before the threshold test (see :mod:`engram_nm.spec`).

with ``a_in[t] = W @ s_src[t-1] + W_rec @ s[t-1]`` (one step of delay per
Dense). Input spike ``x[t]`` therefore first moves layer 0 at step ``t + 1``
and layer ``l`` at step ``t + l + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError
from engram_nm.spec import EngramSpec


@dataclass
class SimulationResult:
    """Per-layer records, each ``[steps, size]``: spikes (bool), ``v`` and ``u`` after the step."""

    spikes: dict
    v: dict
    u: dict


def check_input(spec: EngramSpec, spikes: np.ndarray) -> np.ndarray:
    """Validate an input spike array ``[steps, n_in]`` and return it as float64."""
    arr = np.asarray(spikes)
    if arr.ndim != 2 or arr.shape[1] != spec.n_in or arr.shape[0] == 0:
        raise InputError(
            f"input spikes must be an array [steps, n_in={spec.n_in}], got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr.astype(np.float64))):
        raise InputError("input spikes contain NaN or inf")
    if not np.all((arr == 0) | (arr == 1)):
        raise InputError("input spikes must be binary (0/1 or bool); graded input is not supported yet")
    return arr.astype(np.float64)


def _reset(v: np.ndarray, fired: np.ndarray, layer) -> None:
    """In place: ``v = 0`` (zero) or ``v -= v_threshold`` (subtract) where ``fired``."""
    if layer.reset == "zero":
        v[fired] = 0.0
    else:
        v[fired] -= layer.v_threshold[fired]


def simulate(spec: EngramSpec, spikes: np.ndarray) -> SimulationResult:
    """Run ``spec`` on input ``spikes [steps, n_in]`` (0/1); returns per-layer records."""
    x = check_input(spec, spikes)
    steps = x.shape[0]
    params = []
    for layer in spec.layers:
        du, dv = layer.decays(spec.dt)
        params.append((layer, du, dv))
    u = [np.zeros(layer.size) for layer in spec.layers]
    v = [np.zeros(layer.size) for layer in spec.layers]
    s_prev = [np.zeros(layer.size, dtype=bool) for layer in spec.layers]
    x_prev = np.zeros(spec.n_in, dtype=bool)
    zero_bias = [np.zeros(layer.size) for layer in spec.layers]
    rec_s = {layer.name: np.zeros((steps, layer.size), dtype=bool) for layer in spec.layers}
    rec_v = {layer.name: np.zeros((steps, layer.size)) for layer in spec.layers}
    rec_u = {layer.name: np.zeros((steps, layer.size)) for layer in spec.layers}
    for t in range(steps):
        source_prev = x_prev
        s_now = []
        for i, (layer, du, dv) in enumerate(params):
            # Summing the columns of active sources is what Lava's Dense does
            # for binary spikes; the same summation order keeps float64 equal.
            a_in = layer.weight[:, source_prev].sum(axis=1)
            if layer.recurrent_weight is not None:
                a_in = a_in + layer.recurrent_weight[:, s_prev[i]].sum(axis=1)
            on = t >= layer.bias_onset
            bias, syn_bias = (layer.bias, layer.syn_bias) if on else (zero_bias[i], zero_bias[i])
            u[i] = u[i] * (1 - du)
            u[i] += a_in + syn_bias if np.any(syn_bias) else a_in
            v[i] = v[i] * (1 - dv) + u[i] + bias
            if layer.reset_delay:
                _reset(v[i], s_prev[i], layer)
                s = v[i] > layer.v_threshold
            else:
                s = v[i] > layer.v_threshold
                _reset(v[i], s, layer)
            rec_s[layer.name][t] = s
            rec_v[layer.name][t] = v[i]
            rec_u[layer.name][t] = u[i]
            s_now.append(s)
            source_prev = s_prev[i]
        s_prev = s_now
        x_prev = x[t].astype(bool)
    return SimulationResult(spikes=rec_s, v=rec_v, u=rec_u)
