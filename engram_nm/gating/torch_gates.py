"""Engram gates as torch modules, for training with surrogate gradients.

:class:`TaskGate` holds the gate logits ``W_h [n_tasks, n]`` of one layer;
for the current task ``h`` (set with :meth:`TaskGate.set_task`), ``p = sigmoid(W_h[h])``
and the mask multiplies the layer's input current, one mask per sample for
the whole sequence:

* training (and ``inference="sampled"``): ``m ~ Bernoulli(p)`` with the
  straight-through estimator, ``m + p - stopgrad(p)`` (forward: the 0/1 sample;
  backward: ``dm/dp = 1``; Bengio, Leonard, Courville 2013);
* inference ``"deterministic"``: ``m = [p > 1/2]`` (what Lava's EngramGate does in
  deterministic mode, hence the model that is exported).

``FixedTaskGate`` is the XdG baseline: fixed random masks, nothing learned.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engram_nm.errors import InputError, SpecError
from engram_nm.gating.reference import GateSpec, logits_from_masks, xdg_masks

INFERENCE = ("deterministic", "sampled")


class TaskGate(nn.Module):
    """Learned per-task gate of ``n`` neurons (see the module docstring)."""

    def __init__(self, n_tasks: int, n: int, init_keep: float = 0.5, inference: str = "deterministic",
                 init_logits: np.ndarray | None = None, learnable: bool = True, seed: int = 0):
        super().__init__()
        if inference not in INFERENCE:
            raise SpecError(f"inference must be one of {INFERENCE}, got {inference!r}")
        if init_logits is None:
            if not 0.0 < init_keep < 1.0:
                raise SpecError(f"init_keep must be in (0, 1), got {init_keep}")
            # Small random spread so tasks do not start on identical engrams.
            g = torch.Generator().manual_seed(seed)
            base = float(np.log(init_keep / (1 - init_keep)))
            init = base + 0.5 * torch.randn(n_tasks, n, generator=g, dtype=torch.float64)
        else:
            init = torch.as_tensor(np.asarray(init_logits, dtype=np.float64))
            if init.shape != (n_tasks, n):
                raise SpecError(f"init_logits must be [{n_tasks}, {n}], got {tuple(init.shape)}")
        init = init.to(torch.get_default_dtype())
        if learnable:
            self.logits = nn.Parameter(init)
        else:
            self.register_buffer("logits", init)
        self.inference = inference
        self.task = 0

    @property
    def n_tasks(self) -> int:
        return int(self.logits.shape[0])

    def set_task(self, task: int) -> None:
        if not 0 <= int(task) < self.n_tasks:
            raise InputError(f"task must be in 0..{self.n_tasks - 1}, got {task}")
        self.task = int(task)

    def probabilities(self, task: int | None = None) -> torch.Tensor:
        return torch.sigmoid(self.logits[self.task if task is None else int(task)])

    def forward(self, shape_prefix: tuple = ()) -> torch.Tensor:
        p = self.probabilities()
        if self.training or self.inference == "sampled":
            hard = (torch.rand(*shape_prefix, p.shape[0], dtype=p.dtype) < p).to(p.dtype)
            return hard + (p - p.detach())  # exactly 0/1 forward; gradient of p backward
        return (p > 0.5).to(p.dtype).expand(*shape_prefix, -1)

    def keep_fraction(self) -> float:
        """Mean keep probability of the current task (the engram's relative size)."""
        return float(self.probabilities().mean())

    def to_gate_spec(self, mode: str = "deterministic", period: int = 1, seed: int = 0) -> GateSpec:
        return GateSpec(self.logits.detach().cpu().double().numpy(), mode=mode, period=period, seed=seed)


class FixedTaskGate(TaskGate):
    """XdG baseline (Masse et al. 2018): a fixed random ``keep_fraction`` of neurons per task."""

    def __init__(self, n_tasks: int, n: int, keep_fraction: float = 0.2, seed: int = 0):
        super().__init__(n_tasks, n, init_logits=logits_from_masks(xdg_masks(n_tasks, n, keep_fraction, seed)),
                         learnable=False)

    def forward(self, shape_prefix: tuple = ()) -> torch.Tensor:
        p = self.probabilities()
        return (p > 0.5).to(p.dtype).expand(*shape_prefix, -1)


def gate_from_spec(spec: GateSpec, learnable: bool = True) -> TaskGate:
    """A torch gate holding ``spec``'s logits (deterministic inference)."""
    return TaskGate(spec.n_tasks, spec.size, init_logits=spec.logits, learnable=learnable)
