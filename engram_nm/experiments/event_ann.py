"""The frame-based ANN baseline on event and video data, run dense or as a delta network.

A frame-based classifier sees a recording as ``T`` frames (binned events: counts per polarity and
pixel in each step, :func:`event_frames`; or video frames) and answers with the mean of its
per-frame logits. The MLP ``features -> hidden (ReLU) -> 10`` is trained with Adam on the
cross-entropy of those mean logits (:func:`train_frame_mlp`); :func:`evaluate` runs it through
:func:`~engram_nm.analysis.delta.delta_mlp`, so one call gives the accuracy and the dense,
effective and delta MACs per frame (threshold 0: the frame-based answer exactly).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError


def event_frames(events, offsets, steps: int = 30, step_us: int = 10_000, size: int = 32) -> np.ndarray:
    """``[n, steps, 2 * size * size]`` float32: each recording of an
    :func:`~engram_nm.events.digits.event_digits` stream binned
    (:func:`~engram_nm.events.files.bin_events`, channel 0 OFF, 1 ON)."""
    from engram_nm.events.digits import recording
    from engram_nm.events.files import bin_events

    n = np.asarray(offsets).size - 1
    out = np.empty((n, int(steps), 2 * size * size), dtype=np.float32)
    for i in range(n):
        out[i] = bin_events(recording(events, offsets, i), size, size, steps, step_us).reshape(int(steps), -1)
    return out


@dataclass
class FrameMLP:
    """Trained weights ``[W1 (hidden x features), W2 (10 x hidden)]`` and biases (float64);
    ``dense_macs``: per layer, the MACs of a dense step when not ``W.size`` (a convolution's)."""

    weights: list
    biases: list
    epochs: int
    dense_macs: list | None = None


def train_frame_mlp(x, y, hidden: int = 128, epochs: int = 30, lr: float = 2e-3, batch: int = 32,
                    seed: int = 0, prune: float = 0.0, finetune_epochs: int = 15) -> FrameMLP:
    """Train on ``x [n, T, features]`` (float) and labels ``y [n]`` (module docstring). ``prune``:
    the spiking networks' trick for the ANN too (:func:`~engram_nm.experiments.frontier.prune_smallest`):
    after training, that fraction of the first layer's smallest weights is zeroed and kept at zero
    while the rest is fine-tuned for ``finetune_epochs``; a zero weight costs no MAC."""
    import torch

    from engram_nm.experiments.frontier import prune_smallest

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.int64)
    if x.ndim != 3 or y.shape != (x.shape[0],) or int(hidden) < 1 or int(epochs) < 1:
        raise InputError("train_frame_mlp needs x [n, steps, features], one label per recording, hidden and "
                         "epochs >= 1")
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[2], int(hidden)), torch.nn.ReLU(),
                                torch.nn.Linear(int(hidden), 10))
    if not 0 <= prune < 1:
        raise InputError(f"prune must be in [0, 1), got {prune}")
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    gen = torch.Generator().manual_seed(seed)

    def fit(n_epochs, masks=None):
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(int(n_epochs)):
            order = torch.randperm(len(xt), generator=gen)
            for i in range(0, len(order), batch):
                idx = order[i:i + batch]
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(xt[idx]).mean(dim=1), yt[idx])
                loss.backward()
                opt.step()
                if masks is not None:
                    with torch.no_grad():
                        model[0].weight.mul_(masks[0])

    fit(epochs)
    if prune:
        fit(finetune_epochs, prune_smallest([model[0]], [prune]))
    return FrameMLP([model[0].weight.detach().double().numpy(), model[2].weight.detach().double().numpy()],
                    [model[0].bias.detach().double().numpy(), model[2].bias.detach().double().numpy()], int(epochs))


def evaluate(model: FrameMLP, x, y, threshold: float = 0.0) -> dict:
    """Accuracy (the class of the mean logits over frames) and MACs per frame of ``model`` run as a
    delta network with ``threshold`` on ``x [n, T, features]``."""
    from engram_nm.analysis.delta import delta_mlp

    run = delta_mlp(model.weights, model.biases, x, threshold, dense_macs=model.dense_macs)
    accuracy = float(np.mean(run.outputs.mean(axis=1).argmax(axis=1) == np.asarray(y)))
    return {"accuracy": accuracy, "dense_macs": run.dense, "effective_macs": run.effective,
            "delta_macs": run.delta, "threshold": float(threshold)}


def unrolled_conv(conv, height: int, width: int) -> tuple:
    """A ``torch.nn.Conv2d`` on ``[channels, height, width]`` inputs as the matrix it applies to the
    flattened input: ``(W [out, in] float64, bias per output, the kernel's MACs per image)``. Each
    column is the convolution of one unit input, so the matrix is exact and its non-zeros are the
    synapses a delta network or a zero-skipping count charges."""
    import torch

    n_in = conv.in_channels * height * width
    with torch.no_grad():
        basis = torch.eye(n_in, dtype=torch.float64).reshape(n_in, conv.in_channels, height, width)
        weight, bias = conv.weight.double(), conv.bias.double()
        columns = torch.nn.functional.conv2d(basis, weight, None, conv.stride, conv.padding)
        structure = torch.nn.functional.conv2d(basis, torch.ones_like(weight), None, conv.stride, conv.padding)
        out_shape = columns.shape[1:]
        matrix = columns.reshape(n_in, -1).T.numpy().copy()
        macs = float((structure.reshape(n_in, -1) != 0).sum())
        per_output = bias[:, None, None].expand(out_shape).reshape(-1).numpy().copy()
    return matrix, per_output, macs


def train_frame_cnn(x, y, channels: int = 8, hidden: int = 64, epochs: int = 30, lr: float = 2e-3, batch: int = 32,
                    seed: int = 0, size: int = 32) -> FrameMLP:
    """The small CNN baseline on ``x [n, T, in_channels * size * size]`` (binned events: channel 0 OFF,
    1 ON; video: one channel): per frame ``conv 3x3 stride 2 (-> channels) -> ReLU -> hidden ReLU -> 10``, the mean of its
    per-frame logits, trained like :func:`train_frame_mlp`. Returned as the equivalent MLP (the
    convolution unrolled, :func:`unrolled_conv`) with the convolution's own dense MACs, so
    :func:`evaluate` counts it dense, effective and as a delta network."""
    import torch

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.int64)
    if x.ndim != 3 or x.shape[2] % (size * size) or y.shape != (x.shape[0],):
        raise InputError(f"train_frame_cnn needs x [n, steps, in_channels * {size} * {size}] and one label per "
                         "recording")
    in_channels = x.shape[2] // (size * size)
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(in_channels, int(channels), 3, stride=2, padding=1)
    side = (size + 2 - 3) // 2 + 1
    head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(int(channels) * side * side,
                                                                                  int(hidden)),
                               torch.nn.ReLU(), torch.nn.Linear(int(hidden), 10))
    params = list(conv.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(int(epochs)):
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            frames = xt[idx].reshape(-1, in_channels, size, size)
            logits = head(conv(frames)).reshape(len(idx), x.shape[1], 10).mean(dim=1)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(logits, yt[idx]).backward()
            opt.step()
    w0, b0, conv_macs = unrolled_conv(conv, size, size)
    w1, w2 = head[2].weight.detach().double().numpy(), head[4].weight.detach().double().numpy()
    b1, b2 = head[2].bias.detach().double().numpy(), head[4].bias.detach().double().numpy()
    return FrameMLP([w0, w1, w2], [b0, b1, b2], int(epochs), dense_macs=[conv_macs, float(w1.size), float(w2.size)])
