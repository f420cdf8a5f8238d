"""An MLP run as a delta network over a sequence of frames, and what it costs.

The fair temporal-sparsity baseline for event and video inputs: a frame-based ANN recomputes every
layer at every frame; a **delta network** (Neil, Lee, Delbruck & Liu, ICML 2017; the same idea as
the sigma-delta networks of O'Connor & Welling, 2016) sends only the changes. Each layer ``k``
keeps the input it last transmitted, ``xhat``, and its pre-activation ``a``; at step ``t``::

    d      = x_t - xhat,   zeroed where |d| <= threshold
    xhat  += d
    a     += W d                       (MACs: sum_j [d_j != 0] * nnz(W[:, j]))
    h_t    = relu(a + b)               (no ReLU after the last layer)

and ``h_t`` is the next layer's ``x_t``. At ``threshold = 0`` every output equals the frame-based
MLP's exactly (tested); above it, changes smaller than the threshold are held back (and sent
later once they add up), which trades accuracy for operations. Counted per step, like
:func:`~engram_nm.analysis.counting.ann_macs`: **dense** MACs (every weight, every step),
**effective** MACs (zero inputs skipped, NeuroBench's count for a frame-based ANN) and **delta**
MACs (unchanged inputs skipped too). The first step's delta is the whole input (``xhat`` starts at 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError


@dataclass(frozen=True)
class DeltaRun:
    """Outputs ``[n, T, classes]`` of the last layer at every step and the MACs per step (means
    over samples and steps): ``dense``, ``effective`` (nonzero inputs) and ``delta`` (changed
    inputs), each summed over layers."""

    outputs: np.ndarray
    dense: float
    effective: float
    delta: float


def delta_mlp(weights, biases, x, threshold: float = 0.0, dense_macs=None) -> DeltaRun:
    """Run the MLP ``(weights, biases)`` (``W_k [out, in]``) as a delta network over ``x``
    ``[n, T, features]`` (module docstring). ``dense_macs``: per layer, what a dense step costs when
    it is not ``W_k.size`` (a convolution unrolled into a matrix costs its kernel's MACs, not the
    matrix's zeros)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or not weights or len(weights) != len(biases):
        raise InputError("delta_mlp needs x [n, steps, features] and one bias per weight matrix")
    if not threshold >= 0:
        raise InputError(f"threshold must be >= 0, got {threshold}")
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    bs = [np.asarray(b, dtype=np.float64) for b in biases]
    n, steps, _ = x.shape
    for k, w in enumerate(ws):
        expected = x.shape[2] if k == 0 else ws[k - 1].shape[0]
        if w.ndim != 2 or w.shape[1] != expected or bs[k].shape != (w.shape[0],):
            raise InputError(f"layer {k}: weight {w.shape} and bias {bs[k].shape} do not take {expected} inputs")
    fan_out = [(w != 0).sum(axis=0).astype(np.float64) for w in ws]
    per_layer_dense = [float(w.size) for w in ws] if dense_macs is None else [float(d) for d in dense_macs]
    if len(per_layer_dense) != len(ws):
        raise InputError(f"dense_macs needs one count per layer ({len(ws)}), got {len(per_layer_dense)}")
    xhat = [np.zeros((n, w.shape[1])) for w in ws]
    pre = [np.zeros((n, w.shape[0])) for w in ws]
    outputs = np.empty((n, steps, ws[-1].shape[0]))
    dense = effective = delta = 0.0
    for t in range(steps):
        h = x[:, t]
        for k, (w, b) in enumerate(zip(ws, bs)):
            d = h - xhat[k]
            d[np.abs(d) <= threshold] = 0.0
            xhat[k] += d
            pre[k] += d @ w.T
            dense += per_layer_dense[k] * n
            effective += float(((h != 0) @ fan_out[k]).sum())
            delta += float(((d != 0) @ fan_out[k]).sum())
            h = pre[k] + b
            if k < len(ws) - 1:
                h = np.maximum(h, 0.0)
        outputs[:, t] = h
    per = float(n * steps)
    return DeltaRun(outputs, dense / per, effective / per, delta / per)
