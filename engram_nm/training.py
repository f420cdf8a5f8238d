"""Surrogate-gradient training of a :class:`~engram_nm.backends.torch_backend.SpecNetwork` classifier.

Loss: cross-entropy on the output layer's spike counts over the window (a
count is a logit up to a learned-free scale; ``count_scale`` sets it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm


@dataclass
class TrainHistory:
    loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)


def spike_count_logits(net, x: torch.Tensor, count_scale: float = 1.0) -> torch.Tensor:
    out = net(x, record_v=False)
    last = list(out.spikes)[-1]
    return out.spikes[last].sum(dim=0) * count_scale


def accuracy(net, x: np.ndarray, y: np.ndarray, batch: int = 256) -> float:
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            logits = spike_count_logits(net, torch.as_tensor(x[:, i:i + batch]))
            correct += int((logits.argmax(dim=1).numpy() == y[i:i + batch]).sum())
    return correct / len(y)


def train_classifier(net, x: np.ndarray, y: np.ndarray, epochs: int = 3, batch: int = 64, lr: float = 2e-3,
                     count_scale: float = 0.5, seed: int = 0, quiet: bool = False, penalty=None, logits=None,
                     record_v: bool = False, after_step=None) -> TrainHistory:
    """Train ``net`` on spikes ``x [T, n, n_in]`` with labels ``y [n]``; progress bar per epoch.

    ``penalty`` (e.g. :class:`~engram_nm.sparsity.SparsityPenalty`) is added to the
    cross-entropy: ``penalty(net, output)``. ``logits(output)``: the class scores (default: the
    output layer's spike counts times ``count_scale``; ``record_v`` when they need voltages);
    ``after_step(net)`` runs after every optimiser step (e.g. keeping pruned weights at zero).
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    history = TrainHistory()
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        losses, correct = [], 0
        bar = tqdm(range(0, len(y), batch), desc=f"epoch {epoch + 1}/{epochs}", disable=quiet, leave=False)
        for i in bar:
            idx = order[i:i + batch]
            xb, yb = torch.as_tensor(x[:, idx]), torch.as_tensor(y[idx])
            out = net(xb, record_v=record_v)
            scores = logits(out) if logits is not None else out.spikes[list(out.spikes)[-1]].sum(dim=0) * count_scale
            loss = torch.nn.functional.cross_entropy(scores, yb)
            if penalty is not None:
                loss = loss + penalty(net, out)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if after_step is not None:
                after_step(net)
            losses.append(float(loss.detach()))
            correct += int((scores.argmax(dim=1) == yb).sum())
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
        history.loss.append(float(np.mean(losses)))
        history.train_accuracy.append(correct / len(y))
    return history
