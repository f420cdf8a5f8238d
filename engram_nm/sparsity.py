"""Sparsity regularisers for training spiking (and rate) networks in torch.

Each is a small function or module with its equation; :class:`SparsityPenalty`
plugs them into training with one coefficient each.

* L1 on weights: ``sum |w|`` over the given parameters.
* L1 on activity: mean spike count per neuron and sample, ``mean_{b,j} sum_t s[t,b,j]``.
* KL sparsity (Ng, "Sparse autoencoder", CS294A notes 2011): with ``rho_hat_j`` the
  mean firing probability per step of neuron ``j``,
  ``sum_j rho log(rho/rho_hat_j) + (1 - rho) log((1 - rho)/(1 - rho_hat_j))``.
* L0 via hard-concrete gates (Louizos, Welling, Kingma, ICLR 2018, eqs. 10-12):
  ``s = sigmoid((log u - log(1 - u) + log_alpha) / beta)``, ``z = min(1, max(0, s (zeta - gamma) + gamma))``,
  expected L0 ``sum_j sigmoid(log_alpha_j - beta log(-gamma / zeta))``; with the paper's
  ``beta = 2/3, gamma = -0.1, zeta = 1.1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from engram_nm.errors import SpecError


def l1_weights(parameters) -> torch.Tensor:
    """``sum |w|`` over ``parameters`` (an iterable of tensors)."""
    terms = [p.abs().sum() for p in parameters]
    return torch.stack(terms).sum() if terms else torch.zeros(())


def l1_activity(spikes: torch.Tensor) -> torch.Tensor:
    """Mean spike count per neuron and sample for ``spikes [T, batch, n]``."""
    return spikes.sum(dim=0).mean()


def kl_sparsity(spikes: torch.Tensor, rho: float = 0.05, eps: float = 1e-6) -> torch.Tensor:
    """``sum_j KL(rho || rho_hat_j)`` with ``rho_hat_j`` the firing probability per step (``[T, batch, n]``)."""
    if not 0.0 < rho < 1.0:
        raise SpecError(f"KL target rate rho must be in (0, 1) spikes per step, got {rho}")
    rho_hat = spikes.mean(dim=(0, 1)).clamp(eps, 1 - eps)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


class HardConcreteGate(nn.Module):
    """One hard-concrete gate per unit: ``z in [0, 1]``, exactly 0 with positive probability."""

    def __init__(self, n: int, init_keep: float = 0.9, beta: float = 2.0 / 3.0, gamma: float = -0.1,
                 zeta: float = 1.1):
        super().__init__()
        if not 0.0 < init_keep < 1.0 or not gamma < 0.0 < 1.0 < zeta or beta <= 0:
            raise SpecError("need 0 < init_keep < 1, beta > 0 and gamma < 0 < 1 < zeta")
        self.beta, self.gamma, self.zeta = beta, gamma, zeta
        self.log_alpha = nn.Parameter(torch.full((n,), math.log(init_keep / (1 - init_keep))))

    def forward(self, shape_prefix: tuple = ()) -> torch.Tensor:
        """A gate vector ``[*shape_prefix, n]``: sampled in training, the deterministic mean gate in eval."""
        if self.training:
            u = torch.rand(*shape_prefix, self.log_alpha.shape[0]).clamp(1e-6, 1 - 1e-6)
            s = torch.sigmoid((torch.log(u) - torch.log(1 - u) + self.log_alpha) / self.beta)
        else:
            s = torch.sigmoid(self.log_alpha).expand(*shape_prefix, -1)
        return (s * (self.zeta - self.gamma) + self.gamma).clamp(0.0, 1.0)

    def expected_l0(self) -> torch.Tensor:
        """``sum_j P(z_j != 0) = sum_j sigmoid(log_alpha_j - beta log(-gamma/zeta))``."""
        return torch.sigmoid(self.log_alpha - self.beta * math.log(-self.gamma / self.zeta)).sum()


@dataclass
class SparsityPenalty:
    """``l1_weight * L1(w) + l1_activity * L1(s) + kl * KL + l0 * E[L0]``, each off at 0."""

    l1_weight: float = 0.0
    l1_activity: float = 0.0
    kl: float = 0.0
    kl_target: float = 0.05
    l0: float = 0.0

    def __post_init__(self) -> None:
        for name in ("l1_weight", "l1_activity", "kl", "l0"):
            if getattr(self, name) < 0:
                raise SpecError(f"sparsity coefficient {name} must be >= 0, got {getattr(self, name)}")

    def __call__(self, net, out) -> torch.Tensor:
        """Penalty for a :class:`~engram_nm.backends.torch_backend.SpecNetwork` and its output (hidden layers'
        spikes count for activity; the readout layer is left free)."""
        total = torch.zeros(())
        hidden = list(out.spikes)[:-1] or list(out.spikes)
        if self.l1_weight:
            total = total + self.l1_weight * l1_weights(layer.weight for layer in net.layers if layer.weight is not None)
        if self.l1_activity:
            total = total + self.l1_activity * sum(l1_activity(out.spikes[k]) for k in hidden)
        if self.kl:
            total = total + self.kl * sum(kl_sparsity(out.spikes[k], self.kl_target) for k in hidden)
        if self.l0:
            gates = [g for g in net.input_gates.values() if isinstance(g, HardConcreteGate)]
            total = total + self.l0 * sum((g.expected_l0() for g in gates), torch.zeros(()))
        return total
