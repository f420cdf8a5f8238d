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
With ``max_events`` > 1 (subtract reset) a neuron fires up to that many events a step, one
surrogate spike per threshold crossed (:func:`engram_nm.backends.float_lif.event_count`)::

    s  = sum over k in 1..max_events of H(v' - k v_threshold) ;   v' = v' - v_threshold * s

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
    max_events: int = 1


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
    if p.max_events > 1:  # one surrogate spike per threshold crossed, all k in one call
        k = torch.arange(1, p.max_events + 1, dtype=v.dtype, device=v.device)
        spikes = spike_fn(v.unsqueeze(-1) - k * p.v_threshold.unsqueeze(-1)).to(v.dtype).sum(-1)
        fired = spikes.detach()
        return spikes, LIFState(u=u, v=_reset(v, fired, p), s=fired)
    # snnTorch's Heaviside returns float32 whatever the input dtype.
    spikes = spike_fn(v - p.v_threshold).to(v.dtype)
    fired = spikes.detach()
    if not p.reset_delay:
        v = _reset(v, fired, p)
    return spikes, LIFState(u=u, v=v, s=fired)


def _reset(v: torch.Tensor, fired: torch.Tensor, p: LIFParameters) -> torch.Tensor:
    if p.subtract_reset:
        # where(), not v_threshold * fired: an infinite threshold (a read-out that never fires) times
        # 0 would be NaN, which the numpy reference, resetting only where a neuron fired, never makes
        return v - torch.where(fired > 0, p.v_threshold * fired, torch.zeros_like(v))  # fired: 0/1 or counts
    return v * (1 - fired)
