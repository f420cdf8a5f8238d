"""Trainable SDM layers for torch / snnTorch models (Bricken et al., "Sparse Distributed Memory
is a Continual Learner", ICLR 2023).

:class:`TopKSDMLayer` is the SDMLP hidden layer: inputs and weight rows are
L2-normalised, there is no bias, and only the ``k`` largest (ReLU'd)
activations pass::

    a = (W / |W|_rows) (x / |x|)        cosine similarity of x to each neuron's address
    y = ReLU(a) * TopK_mask(a, k)

Dead-neuron guard ("GABA switch", our reading of the paper's mechanism): in
training, the number of winners starts at all neurons and falls linearly to
``k`` over ``gaba_steps`` forward passes, so every neuron receives gradient
before inhibition becomes strict. ``activity`` counts each neuron's wins.

:class:`SpikingKWTA` is the spiking variant: leaky integration of the same
normalised input current and a k-winners-take-all on the membrane potential,
``s = H(v - thr) * TopK_mask(v, k)``; winners reset to zero. Its numpy twin
:func:`kwta_step` is the reference the torch module is tested against.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engram_nm.errors import SpecError


def _topk_mask(a: torch.Tensor, k: int) -> torch.Tensor:
    idx = torch.topk(a, k, dim=-1).indices
    return torch.zeros_like(a).scatter_(-1, idx, 1.0)


def _check(n_in: int, n_neurons: int, k: int) -> None:
    if n_in < 1 or n_neurons < 1 or not 1 <= k <= n_neurons:
        raise SpecError(f"need n_in >= 1, n_neurons >= 1 and 1 <= k <= n_neurons; got {n_in}, {n_neurons}, {k}")


class TopKSDMLayer(nn.Module):
    """SDMLP layer ``[batch, n_in] -> [batch, n_neurons]`` with exactly ``k`` non-negative winners."""

    def __init__(self, n_in: int, n_neurons: int, k: int, gaba_steps: int = 0, eps: float = 1e-8):
        super().__init__()
        _check(n_in, n_neurons, k)
        self.k, self.gaba_steps, self.eps = int(k), int(gaba_steps), eps
        self.weight = nn.Parameter(torch.randn(n_neurons, n_in) / np.sqrt(n_in))
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("activity", torch.zeros(n_neurons, dtype=torch.long))

    def current_k(self) -> int:
        """Winners allowed now: all neurons at step 0, ``k`` from step ``gaba_steps`` on (and in eval)."""
        n = self.weight.shape[0]
        if not self.training or self.gaba_steps <= 0 or int(self.steps) >= self.gaba_steps:
            return self.k
        frac = int(self.steps) / self.gaba_steps
        return max(self.k, int(round(n - frac * (n - self.k))))

    def similarities(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight / (self.weight.norm(dim=1, keepdim=True) + self.eps)
        return (x / (x.norm(dim=-1, keepdim=True) + self.eps)) @ w.T

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.similarities(x)
        mask = _topk_mask(a.detach(), self.current_k())
        y = torch.relu(a) * mask
        if self.training:
            self.steps += 1
            self.activity += (mask.reshape(-1, mask.shape[-1]) > 0).sum(dim=0)
        return y

    def dead_fraction(self) -> float:
        """Fraction of neurons that never won since the counters were reset."""
        return float((self.activity == 0).float().mean())


def kwta_step(v: np.ndarray, current: np.ndarray, beta: float, threshold: float, k: int):
    """Numpy reference of one :class:`SpikingKWTA` step: returns ``(spikes, v)``.

    ``v = beta * v + current``; among neurons with ``v > threshold`` the ``k``
    largest ``v`` spike (ties to the lower index); spikers reset to 0.
    """
    v = beta * v + current
    key = np.where(v > threshold, v, -np.inf)
    order = np.argsort(-key, axis=-1, kind="stable")[..., :k]
    win = np.zeros(v.shape, dtype=bool)
    np.put_along_axis(win, order, True, axis=-1)
    spikes = win & (v > threshold)
    return spikes, np.where(spikes, 0.0, v)


class SpikingKWTA(nn.Module):
    """Leaky k-winners-take-all layer over time: ``[T, batch, n_in] -> [T, batch, n_neurons]`` spikes."""

    def __init__(self, n_in: int, n_neurons: int, k: int, beta: float = 0.9, threshold: float = 0.5,
                 eps: float = 1e-8):
        super().__init__()
        _check(n_in, n_neurons, k)
        if not 0.0 <= beta < 1.0 or threshold <= 0:
            raise SpecError(f"need 0 <= beta < 1 and threshold > 0; got beta={beta}, threshold={threshold}")
        self.k, self.beta, self.threshold, self.eps = int(k), float(beta), float(threshold), eps
        self.weight = nn.Parameter(torch.randn(n_neurons, n_in) / np.sqrt(n_in))
        from snntorch import surrogate

        self.spike_fn = surrogate.fast_sigmoid(slope=25)

    def currents(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight / (self.weight.norm(dim=1, keepdim=True) + self.eps)
        return (x / (x.norm(dim=-1, keepdim=True) + self.eps)) @ w.T

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cur = self.currents(x)
        v = torch.zeros_like(cur[0])
        out = []
        for t in range(cur.shape[0]):
            v = self.beta * v + cur[t]
            above = v.detach() > self.threshold
            key = torch.where(above, v.detach(), torch.full_like(v, -float("inf")))
            win = _topk_mask(key, self.k) * above
            s = self.spike_fn(v - self.threshold) * win
            v = v * (1 - s.detach())
            out.append(s)
        return torch.stack(out)
