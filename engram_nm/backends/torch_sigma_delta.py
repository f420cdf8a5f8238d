"""The sigma-delta neuron's step on torch tensors, trainable: the equations of
:mod:`engram_nm.backends.sigma_delta` (float arithmetic), with a straight-through gradient.

Forward, per neuron (payloads ``s`` in the activation's units)::

    sigma' = sigma + a_in
    act'   = relu(sigma' + bias)             (identity when ``relu`` is False)
    delta  = act' - act + residue
    s      = delta * [|delta| >= vth]        (forward: exactly the numpy step)
    residue' = delta - s

Backward: ``ds/d delta = 1`` (straight through the threshold), and ``residue`` and ``act`` of the
previous step are detached. Why: the payloads sent up to step ``t`` add up to ``act[t]`` minus
what is held back (less than ``vth``), so the network trains as the ReLU network it approximates
(the usual way to train sigma-delta networks, e.g. Lava-dl's SDNN blocks), while the forward pass
is the one the chip runs. In float64 the payloads equal the numpy step's
(``tests/backends/test_sigma_delta_population.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class TorchSigmaDeltaState(NamedTuple):
    """``sigma``, ``act`` and ``residue``, each ``[batch, n]``."""

    sigma: torch.Tensor
    act: torch.Tensor
    residue: torch.Tensor


def sigma_delta_step_torch(a_in: torch.Tensor, state: TorchSigmaDeltaState, vth: torch.Tensor, bias: torch.Tensor,
                           relu: bool = True) -> tuple:
    """One step (module docstring): ``(payloads, new state)``."""
    sigma = state.sigma + a_in
    act = sigma + bias
    if relu:
        act = torch.relu(act)
    delta = act - state.act.detach() + state.residue.detach()
    sent = (delta.detach().abs() >= vth).to(delta.dtype)
    s = delta + (delta * sent - delta).detach()  # forward delta * sent; gradient of delta
    return s, TorchSigmaDeltaState(sigma, act, (delta - s).detach())
