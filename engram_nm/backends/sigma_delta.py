"""The sigma-delta neuron (graded spikes), one step, written once for float and integer arrays.

A sigma-delta neuron (O'Connor & Welling 2016; Loihi 2's graded-spike neuron, Lava's
``lava.proc.sdn.SigmaDelta``) integrates the changes it receives and sends only the changes of its
own activation, as a graded spike whose payload is the change. With input ``a[t]`` (the sum of
incoming payloads times weights), per neuron::

    sigma[t]   = sigma[t-1] + a[t]                       (sigma: reconstruct the input)
    act[t]     = relu(sigma[t] + bias)                   (or sigma + bias, ``relu=False``)
    delta      = act[t] - act[t-1] + residue[t-1]
    s[t]       = delta  where |delta| >= vth, else 0     (the graded spike; its payload)
    residue[t] = delta - s[t]                            (what was held back is sent later)

and, in integer arithmetic, the payload leaves as ``s[t] >> state_exp`` (Lava's fixed-point model;
``state_exp = 0``: unchanged). Units: ``sigma``, ``act``, ``bias``, ``vth`` and the payload are in
the same (dimensionless) activation units; ``vth`` is the smallest change worth a spike.
Lava's ``cum_error`` mode is not modelled. :func:`sigma_delta_step` is the one implementation;
``tests/processes/test_sigma_delta.py`` holds it to Lava's ``SigmaDelta`` once per tag.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engram_nm.errors import InputError


class SigmaDeltaParameters(NamedTuple):
    """``vth`` (>= 0), ``bias``, ``relu`` (ReLU activation, else the identity) and ``state_exp``
    (integer arithmetic: the payload's right shift, a number or one per neuron / network; 0 in float)."""

    vth: float | np.ndarray = 0.0
    bias: float | np.ndarray = 0.0
    relu: bool = True
    state_exp: int | np.ndarray = 0


class SigmaDeltaState(NamedTuple):
    """Per neuron: the integrated input, the last activation and the change held back."""

    sigma: np.ndarray
    act: np.ndarray
    residue: np.ndarray


def sigma_delta_parameters(layer, state_exp: int = 0) -> SigmaDeltaParameters:
    """The parameters of a sigma-delta :class:`~engram_nm.spec.LayerSpec` (threshold: its
    ``v_threshold``)."""
    return SigmaDeltaParameters(vth=np.asarray(layer.v_threshold), bias=np.asarray(layer.bias),
                                relu=layer.activation == "relu", state_exp=int(state_exp))


def initial_state(n: int, integer: bool = False) -> SigmaDeltaState:
    """Everything at zero, as ``int64`` (integer arithmetic) or ``float64``."""
    dtype = np.int64 if integer else np.float64
    return SigmaDeltaState(np.zeros(n, dtype), np.zeros(n, dtype), np.zeros(n, dtype))


def sigma_delta_step(state: SigmaDeltaState, a_in, p: SigmaDeltaParameters) -> tuple:
    """One step (module docstring): ``(new state, payload)``. Integer arrays stay integer."""
    if np.any(np.asarray(p.vth) < 0) or np.any(np.asarray(p.state_exp) < 0):
        raise InputError(f"sigma-delta needs vth >= 0 and state_exp >= 0, got {p.vth}, {p.state_exp}")
    sigma = state.sigma + a_in
    act = sigma + p.bias
    if p.relu:
        act = np.maximum(act, 0)
    delta = act - state.act + state.residue
    s = np.where(np.abs(delta) >= p.vth, delta, 0).astype(delta.dtype)
    residue = delta - s
    if np.issubdtype(s.dtype, np.integer) and np.any(p.state_exp):
        s = np.right_shift(s, np.asarray(p.state_exp, dtype=s.dtype))
    return SigmaDeltaState(sigma, act, residue), s


def run_sigma_delta(a_in, p: SigmaDeltaParameters) -> np.ndarray:
    """Payloads ``[T, n]`` of ``a_in [T, n]`` from rest (integer input: integer arithmetic)."""
    a_in = np.asarray(a_in)
    if a_in.ndim != 2:
        raise InputError(f"a_in must be [steps, n], got shape {a_in.shape}")
    integer = np.issubdtype(a_in.dtype, np.integer)
    state = initial_state(a_in.shape[1], integer)
    out = np.zeros(a_in.shape, dtype=np.int64 if integer else np.float64)
    for t in range(a_in.shape[0]):
        state, out[t] = sigma_delta_step(state, a_in[t].astype(out.dtype), p)
    return out
