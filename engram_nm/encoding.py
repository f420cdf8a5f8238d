"""Input codes: how an analog input in [0, 1] becomes spikes, chosen once and carried with the network.

An :class:`InputCode` turns ``x [n, features]`` (or ``[features]``) into spikes
``[steps, n, features]`` (float32, 0/1). Per feature of value ``x``:

* ``"rate"``: Bernoulli, ``P(spike at a step) = x * max_rate`` (spikes per step), independent
  steps (:func:`rate_encode`); expected count ``steps * x * max_rate``;
* ``"regular"``: the same rate without sampling noise, ``round((t + 1) p) - round(t p)`` with
  ``p = x * max_rate`` (:func:`regular_encode`);
* ``"latency"`` (time to first spike): **at most one spike**, earlier for brighter inputs,
  ``t = round((1 - x) / (1 - threshold) * (steps - 1))`` for ``x > threshold``, none otherwise;
* ``"delta"`` (an event sensor watching the input switch on at step 0): ON events for the
  change from 0 to ``x`` in units of the sensor's contrast ``threshold``, one per step from
  step 0: ``floor(x / threshold)`` events (at most ``steps``), none for ``x < threshold``.

The code is part of the network's contract: :func:`attach` stores it in ``spec.metadata
["input_code"]`` (carried through NIR), :func:`code_of` reads it back, and
:func:`encode_for` encodes analog input for any backend the way the network was trained.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engram_nm.errors import InputError

KINDS = ("rate", "regular", "latency", "delta")
META_KEY = "input_code"


def rate_encode(x: np.ndarray, steps: int, max_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli rate code: ``x [n, features]`` in [0, 1] -> spikes ``[steps, n, features]`` (float32).

    Each step a feature spikes with probability ``x * max_rate`` (per step, dimensionless).
    """
    p = np.clip(x, 0.0, 1.0) * max_rate
    return (rng.random((steps,) + np.shape(x)) < p).astype(np.float32)


def regular_encode(x: np.ndarray, steps: int, max_rate: float) -> np.ndarray:
    """Deterministic (regular) rate code: ``x [..., features]`` in [0, 1] -> spikes
    ``[..., steps, features]`` (float32), the integrate-and-fire encoder of a constant rate.

    A feature of rate ``p = x * max_rate`` (spikes per step) has emitted ``round(t * p)`` spikes
    after ``t`` steps: ``s[t] = round((t + 1) * p) - round(t * p)`` (rounding half up). The count
    over ``T`` steps is ``round(T * p)`` with no sampling noise, unlike :func:`rate_encode`.
    """
    p = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0) * max_rate
    counts = np.floor(np.arange(steps + 1)[:, None] * p[..., None, :] + 0.5)  # [..., steps + 1, features]
    return np.diff(counts, axis=-2).astype(np.float32)


@dataclass(frozen=True)
class InputCode:
    """One input code (module docstring): ``kind``, ``steps``, ``max_rate`` (spikes per step at
    ``x = 1``; rate and regular codes), ``threshold`` (latency: inputs at or below it stay silent;
    delta: the sensor's contrast step)."""

    kind: str = "rate"
    steps: int = 25
    max_rate: float = 0.5
    threshold: float = 0.1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InputError(f"unknown input code {self.kind!r}; choose one of {', '.join(KINDS)}")
        if int(self.steps) != self.steps or self.steps < 1:
            raise InputError(f"steps must be a positive integer, got {self.steps}")
        if not 0 < self.max_rate <= 1:
            raise InputError(f"max_rate must be in (0, 1] spikes per step, got {self.max_rate}")
        if not 0 < self.threshold < 1:
            raise InputError(f"threshold must be in (0, 1), got {self.threshold}")

    def encode(self, x, seed: int = 0) -> np.ndarray:
        """Spikes ``[steps, *x.shape]`` (float32) of ``x`` (values clipped to [0, 1]); ``seed``:
        the rate code's draws (the other codes are deterministic)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0 or x.size == 0:
            raise InputError(f"input must have at least one feature, got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise InputError("input values must be finite (NaN or inf found)")
        x = np.clip(x, 0.0, 1.0)
        steps = int(self.steps)
        if self.kind == "rate":
            return rate_encode(x, steps, self.max_rate, np.random.default_rng(seed))
        if self.kind == "regular":
            return np.moveaxis(regular_encode(x, steps, self.max_rate), -2, 0)
        t = np.arange(steps).reshape((steps,) + (1,) * x.ndim)
        if self.kind == "latency":
            first = np.rint((1.0 - x) / (1.0 - self.threshold) * (steps - 1))
            return ((t == first) & (x > self.threshold)).astype(np.float32)
        events = np.minimum(np.floor(x / self.threshold + 1e-9), steps)
        return (t < events).astype(np.float32)

    def to_metadata(self) -> dict:
        return asdict(self)

    @classmethod
    def from_metadata(cls, meta) -> "InputCode":
        if not isinstance(meta, dict):
            raise InputError(f"input code metadata must be a dict, got {type(meta).__name__}")
        unknown = set(meta) - {"kind", "steps", "max_rate", "threshold"}
        if unknown:
            raise InputError(f"input code metadata has unknown fields {sorted(unknown)}")
        return cls(**meta)


def attach(spec, code: InputCode):
    """A copy of ``spec`` whose metadata carries ``code`` (``spec.metadata["input_code"]``)."""
    out = spec.copy()
    out.metadata = {**out.metadata, META_KEY: code.to_metadata()}
    return out


def code_of(spec) -> InputCode | None:
    """The input code stored in ``spec`` (None if the network was made without one)."""
    meta = spec.metadata.get(META_KEY)
    return None if meta is None else InputCode.from_metadata(meta)


def encode_for(spec, x, seed: int = 0) -> np.ndarray:
    """Encode analog ``x`` with the code the network carries (error if it carries none)."""
    code = code_of(spec)
    if code is None:
        raise InputError(f"network {spec.name!r} carries no input code (engram_nm.encoding.attach)")
    return code.encode(x, seed)
