"""The numpy reference of a synaptic rule on given pre and post spike trains.

This is the rule alone, with no neuron dynamics: pre spikes ``pre [T, n_pre]``
and post spikes ``post [T, n_post]`` are fixed, and the weight trajectory is
computed with the engine's timing (:mod:`engram_nm.plasticity.base`): at each
step the traces take this step's spikes, then ``w <- bounds(w + dw)``.
Lava's learning engine fed the same trains (``engram_nm.processes.learning_run``)
is tested against it (``tests/plasticity/test_engine_equivalence.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError
from engram_nm.plasticity.base import SynapticRule
from engram_nm.plasticity.learner import SynapseLearner


@dataclass
class PlasticityRun:
    """``weights[k]`` is the weight matrix after ``steps[k]`` steps; ``traces`` the final trace values."""

    steps: np.ndarray
    weights: np.ndarray
    traces: dict

    @property
    def final(self) -> np.ndarray:
        return self.weights[-1]


def check_spike_trains(w0, pre, post) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``w0 [n_post, n_pre]``, ``pre [T, n_pre]``, ``post [T, n_post]`` (0/1)."""
    w0 = np.array(w0, dtype=np.float64)
    pre, post = np.asarray(pre), np.asarray(post)
    if w0.ndim != 2:
        raise InputError(f"initial weights must be [n_post, n_pre], got shape {w0.shape}")
    n_post, n_pre = w0.shape
    if pre.ndim != 2 or pre.shape[1] != n_pre or post.ndim != 2 or post.shape[1] != n_post \
            or pre.shape[0] != post.shape[0] or pre.shape[0] == 0:
        raise InputError(f"spike trains must be pre [T, n_pre={n_pre}] and post [T, n_post={n_post}] with the "
                         f"same T > 0; got pre {pre.shape}, post {post.shape}")
    for name, arr in (("pre", pre), ("post", post)):
        if not np.all((arr == 0) | (arr == 1)):
            raise InputError(f"{name} spikes must be 0/1")
    return w0, pre.astype(np.float64), post.astype(np.float64)


def checkpoint_steps(steps: int, checkpoints) -> np.ndarray:
    """Sorted unique step counts in ``1..steps`` at which to record (default: every step)."""
    cps = np.arange(1, steps + 1) if checkpoints is None else np.unique(np.asarray(checkpoints, dtype=int))
    if cps.size == 0 or cps[0] < 1 or cps[-1] > steps:
        raise InputError(f"checkpoints must lie in 1..{steps}, got {checkpoints!r}")
    return cps


def run_on_spike_trains(rule: SynapticRule, w0, pre, post, dt: float, checkpoints=None) -> PlasticityRun:
    """Weights of ``rule`` driven by ``pre``/``post`` spike trains, recorded at ``checkpoints``."""
    w, pre, post = check_spike_trains(w0, pre, post)
    cps = checkpoint_steps(pre.shape[0], checkpoints)
    learner = SynapseLearner(w, dt, rule=rule)
    out, wanted = [], set(cps.tolist())
    for t in range(pre.shape[0]):
        learner.step(pre[t], post[t], t)
        if t + 1 in wanted:
            out.append(learner.weight.copy())
    traces = {k: v.ravel().copy() for k, v in learner.traces.items()}
    return PlasticityRun(steps=cps, weights=np.array(out), traces=traces)
