"""Pure, differentiable step functions of the stock Lava LIF / CUBA-LIF neuron.

Norse-style: NamedTuple parameters and state, an explicit per-step decay
(computed once from ``dt`` by :mod:`engram_nm.units`), no hidden module state.
The spike nonlinearity is snnTorch's surrogate-gradient Heaviside, so training
uses snnTorch's machinery while the forward pass is exactly Lava's update::

    u' = u * (1 - du) + a_in + syn_bias
    v' = v * (1 - dv) + u' + bias
    s  = H(v' - v_threshold)         (strict: spikes when v' > v_threshold)
    v' = v' * (1 - s)                reset="zero"
    v' = v' - v_threshold * s        reset="subtract"

With ``reset_delay`` the reset uses the previous step's spikes ``state.s`` and
is applied before the threshold test (snnTorch's default; :mod:`engram_nm.spec`).

The reset uses ``s`` detached from the graph (as snnTorch does), so the
gradient flows through the spike and the subthreshold path only.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch

SpikeFn = Callable[[torch.Tensor], torch.Tensor]


class LIFParameters(NamedTuple):
    """Per-neuron tensors ``[n]``: decays (dimensionless), threshold and biases (membrane units)."""

    du: torch.Tensor
    dv: torch.Tensor
    v_threshold: torch.Tensor
    bias: torch.Tensor
    syn_bias: torch.Tensor
    subtract_reset: bool = False
    reset_delay: bool = False


class LIFState(NamedTuple):
    """Synaptic current ``u``, membrane voltage ``v`` and last spikes ``s``, each ``[batch, n]``."""

    u: torch.Tensor
    v: torch.Tensor
    s: torch.Tensor


def default_spike_fn() -> SpikeFn:
    """snnTorch's fast-sigmoid surrogate (slope 25) around the Heaviside step."""
    from snntorch import surrogate

    return surrogate.fast_sigmoid(slope=25)


def lif_step(
    a_in: torch.Tensor, state: LIFState, p: LIFParameters, spike_fn: SpikeFn
) -> tuple[torch.Tensor, LIFState]:
    """One step of the stock Lava LIF update; returns ``(spikes, new_state)``.

    ``a_in`` is the synaptic input of this step, already delayed by the Dense.
    """
    u = state.u * (1 - p.du) + (a_in + p.syn_bias)
    v = state.v * (1 - p.dv) + u + p.bias
    if p.reset_delay:
        v = _reset(v, state.s, p)
    # snnTorch's Heaviside returns float32 whatever the input dtype.
    spikes = spike_fn(v - p.v_threshold).to(v.dtype)
    fired = spikes.detach()
    if not p.reset_delay:
        v = _reset(v, fired, p)
    return spikes, LIFState(u=u, v=v, s=fired)


def _reset(v: torch.Tensor, fired: torch.Tensor, p: LIFParameters) -> torch.Tensor:
    return v - p.v_threshold * fired if p.subtract_reset else v * (1 - fired)
