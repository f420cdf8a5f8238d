"""Engram gating, numpy reference: task-specific sparse subsets of neurons.

Per layer and task ``h``, gate logits ``W_h [n]`` give keep probabilities
``p = sigmoid(W_h)``. A mask over the layer's neurons multiplies their input
current (a neuron with mask 0 receives nothing that step):

* ``mode="deterministic"``: ``mask = p > 1/2`` (the engram of task ``h``);
* ``mode="stochastic"``: ``mask ~ Bernoulli(p)``, redrawn every ``period`` steps
  (at steps ``t % period == 0``) from ``numpy.random.default_rng(seed)`` with one
  ``rng.random(n)`` per draw, so Lava's EngramGate makes the same draws.

XdG (context-dependent gating, Masse, Grant, Freedman, PNAS 115:E10467, 2018)
is the fixed baseline: for each task a random ``keep_fraction`` of the neurons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError, SpecError

MODES = ("deterministic", "stochastic")
PROB_BITS = 16  # fixed point: keep probabilities as round(p * 2**16) / 2**16 (EngramGate fixed_pt)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def fixed_point_probability(p: np.ndarray) -> np.ndarray:
    """The keep probability the fixed-point gate holds: ``round(p * 2**16)``, as a fraction."""
    return np.round(np.asarray(p, dtype=np.float64) * 2 ** PROB_BITS) / 2 ** PROB_BITS


def gate_step(p: np.ndarray, mode: str, t: int, period: int, rng: np.random.Generator, held):
    """One step of a gate: ``(mask, held)`` for keep probabilities ``p [n]`` at step ``t``.

    ``deterministic``: ``mask = p > 1/2``. ``stochastic``: at ``t % period == 0`` a new draw
    ``rng.random(n) < p`` (one call per draw, so every implementation that calls this with the same
    generator makes the same draws), held (``held``) until the next. The one rule of
    :meth:`GateSpec.masks` and the Lava EngramGate models."""
    if mode == "deterministic":
        return p > 0.5, held
    if t % period == 0:
        held = rng.random(p.shape[-1]) < p
    return held, held


def xdg_masks(n_tasks: int, n: int, keep_fraction: float = 0.2, seed: int = 0) -> np.ndarray:
    """``[n_tasks, n]`` bool: for each task exactly ``round(keep_fraction * n)`` random neurons kept."""
    if not 0.0 < keep_fraction <= 1.0:
        raise SpecError(f"keep_fraction must be in (0, 1], got {keep_fraction}")
    rng = np.random.default_rng(seed)
    keep = max(1, int(round(keep_fraction * n)))
    masks = np.zeros((n_tasks, n), dtype=bool)
    for h in range(n_tasks):
        masks[h, rng.choice(n, size=keep, replace=False)] = True
    return masks


def logits_from_masks(masks: np.ndarray, confidence: float = 6.0) -> np.ndarray:
    """Gate logits that reproduce fixed masks: ``+confidence`` where kept, ``-confidence`` elsewhere."""
    return np.where(np.asarray(masks, bool), confidence, -confidence).astype(np.float64)


@dataclass
class GateSpec:
    """The gate of one layer: ``logits [n_tasks, n]``, ``mode``, redraw ``period`` (steps), ``seed``."""

    logits: np.ndarray
    mode: str = "deterministic"
    period: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        self.logits = np.array(self.logits, dtype=np.float64)
        if self.logits.ndim != 2 or 0 in self.logits.shape or not np.all(np.isfinite(self.logits)):
            raise SpecError(f"gate logits must be a finite [n_tasks, n] matrix, got shape {self.logits.shape}")
        if self.mode not in MODES:
            raise SpecError(f"gate mode must be one of {MODES}, got {self.mode!r}")
        if int(self.period) != self.period or self.period < 1:
            raise SpecError(f"gate period must be a whole number of steps >= 1, got {self.period}")
        self.period = int(self.period)

    @property
    def n_tasks(self) -> int:
        return self.logits.shape[0]

    @property
    def size(self) -> int:
        return self.logits.shape[1]

    def probabilities(self, task: int, fixed_point: bool = False) -> np.ndarray:
        """Keep probabilities of ``task``; ``fixed_point``: as the fixed-point gate holds them."""
        p = sigmoid(self.logits[self.check_task(task)])
        return fixed_point_probability(p) if fixed_point else p

    def check_task(self, task) -> int:
        if isinstance(task, bool) or not isinstance(task, (int, np.integer)) or not 0 <= task < self.n_tasks:
            raise InputError(f"task must be an integer in 0..{self.n_tasks - 1}, got {task!r}")
        return int(task)

    def masks(self, tasks, fixed_point: bool = False) -> np.ndarray:
        """Masks ``[T, n]`` for a task per step (``tasks [T]``), drawn as the Lava process draws them
        (``fixed_point``: compared with the fixed-point gate's probabilities)."""
        tasks = np.asarray(tasks).ravel()
        out = np.zeros((len(tasks), self.size), dtype=bool)
        rng = np.random.default_rng(self.seed)
        held = None
        for t, task in enumerate(tasks):  # t = 0 always draws
            out[t], held = gate_step(self.probabilities(int(task), fixed_point), self.mode, t, self.period, rng, held)
        return out

    def to_dict(self) -> dict:
        return {"logits": self.logits.copy(), "mode": self.mode, "period": self.period, "seed": int(self.seed)}

    @classmethod
    def from_dict(cls, data: dict) -> "GateSpec":
        plain = {k: (v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v) for k, v in dict(data).items()}
        if isinstance(plain.get("mode"), bytes):
            plain["mode"] = plain["mode"].decode()
        return cls(**plain)
