"""What every synaptic plasticity rule shares: traces, sum-of-products terms, bounds.

The vocabulary is the one of Loihi's learning engine (Davies et al., IEEE Micro
2018, sec. "Learning"; Lava's ``Loihi2FLearningRule``), so that a rule written
once runs in the numpy reference, in torch and on the chip's engine:

* spike dependencies ``x0`` (pre neuron spiked this step), ``y0`` (post neuron
  spiked), ``u`` (every step);
* traces ``x1, x2`` (pre) and ``y1, y2, y3`` (post), each decaying with its own
  time constant and bumped by an impulse on its neuron's spikes::

      x[t] = x[t-1] * exp(-dt / tau) + impulse * s[t]                (1)

* the weight itself ``w``.

Timing convention (the engine's, with a learning epoch of one step): at step
``t`` the traces are updated with the spikes of step ``t`` first, then the rule
is evaluated with those traces, so a pre and a post spike in the same step see
each other's impulse. On Lava the post spike at ``t`` answers a pre spike at
``t - 1`` (one step of Dense delay), a causal pair one step apart.

A rule states its equation twice: :meth:`SynapticRule.dw` (the reference,
written as the equation reads) and :meth:`SynapticRule.terms` (the same sum of
products for the engine). Tests hold the two against each other through Lava.
"""

from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from engram_nm.errors import PlasticityError

PRE_TRACES = ("x1", "x2")
POST_TRACES = ("y1", "y2", "y3")
TRACE_NAMES = PRE_TRACES + POST_TRACES
DEPENDENCIES = ("x0", "y0", "u")
FACTORS = TRACE_NAMES + ("w",)


@dataclass(frozen=True)
class Trace:
    """An exponential spike trace, eq. (1): ``tau`` in s, ``impulse`` added per spike."""

    tau: float
    impulse: float = 1.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.tau) or self.tau <= 0:
            raise PlasticityError(f"trace tau must be a finite time > 0 s, got {self.tau!r}")
        if not np.isfinite(self.impulse) or self.impulse < 0:
            raise PlasticityError(f"trace impulse must be finite and >= 0, got {self.impulse!r}")

    def tau_steps(self, dt: float) -> float:
        """Time constant in steps, as the engine takes it."""
        return self.tau / dt

    def decay(self, dt: float) -> float:
        """Per-step factor ``exp(-1 / tau_steps)``, computed as Lava computes it."""
        return float(np.exp(-1.0 / self.tau_steps(dt)))


class Term(NamedTuple):
    """One product of the engine's sum: ``coefficient * dependency * prod(factors)``."""

    coefficient: float
    dependency: str
    factors: tuple

    def describe(self) -> str:
        return " * ".join([f"{self.coefficient:.6g}", self.dependency, *self.factors])


def check_positive(name: str, value: float, allow_zero: bool = False) -> None:
    ok = np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise PlasticityError(f"{name} must be finite and {bound}, got {value!r}")


@dataclass(frozen=True)
class SynapticRule(abc.ABC):
    """Base of rules that change a weight matrix ``w [n_post, n_pre]`` from spikes.

    Subclasses set ``name``, define :meth:`traces`, :meth:`dw` and :meth:`terms`.
    ``w_min`` / ``w_max`` are hard bounds applied after every update (None = none).
    """

    name: ClassVar[str] = "synaptic_rule"
    w_min: float | None = None
    w_max: float | None = None

    def __post_init__(self) -> None:
        for bound in ("w_min", "w_max"):
            value = getattr(self, bound)
            if value is not None and not np.isfinite(value):
                raise PlasticityError(f"{self.name}: {bound} must be finite or None, got {value!r}")
        if self.w_min is not None and self.w_max is not None and self.w_min >= self.w_max:
            raise PlasticityError(f"{self.name}: w_min ({self.w_min}) must be below w_max ({self.w_max})")
        self.traces()  # builds each Trace, which validates its tau and impulse

    # -- the equation ---------------------------------------------------------------------------
    @abc.abstractmethod
    def traces(self) -> dict:
        """``{trace name: Trace}`` for the traces the rule reads."""

    @abc.abstractmethod
    def dw(self, w, x0, y0, tr: dict, dt: float):
        """Weight change of one step. ``x0 [1, n_pre]``, ``y0 [n_post, 1]`` (0/1), traces
        shaped alike, ``w [n_post, n_pre]``. Only arithmetic, so numpy and torch both work."""

    @abc.abstractmethod
    def terms(self, dt: float) -> list:
        """The same ``dw`` as a list of :class:`Term` (the engine's sum of products)."""

    def apply_bounds(self, w):
        """Hard bounds: clip to ``[w_min, w_max]`` (works on numpy arrays and torch tensors)."""
        if self.w_min is None and self.w_max is None:
            return w
        if hasattr(w, "clamp"):
            return w.clamp(min=self.w_min, max=self.w_max)
        return np.clip(w, self.w_min, self.w_max)

    # -- where it can run -----------------------------------------------------------------------
    def sign_mode(self) -> str | None:
        """The engine's sign bound: 'excitatory' (w >= 0), 'inhibitory' (w <= 0), or None (mixed)."""
        if self.w_min == 0:
            return "excitatory"
        if self.w_max == 0:
            return "inhibitory"
        return None

    def engine_limits(self) -> list:
        """Reasons the Loihi learning engine cannot run this rule exactly (empty: exact)."""
        other = [b for b in (self.w_min, self.w_max) if b is not None and b != 0]
        if other:
            return [f"hard bounds [{self.w_min}, {self.w_max}]: the engine clips only at 0 (sign mode) and at "
                    "its 8-bit weight range (in fixed point the layer scale maps the bound to that range)"]
        return []

    # -- serialisation (NIR metadata) -----------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain values only, None left out (HDF5 cannot hold it; it is every default)."""
        return {"rule": self.name, **{k: v for k, v in dataclasses.asdict(self).items() if v is not None}}


RULES: dict = {}


def register(cls):
    """Class decorator: make ``cls`` loadable by :func:`rule_from_dict` under ``cls.name``."""
    RULES[cls.name] = cls
    return cls


def rule_from_dict(data: dict) -> Any:
    """Inverse of ``to_dict``; unknown rule names or fields raise :class:`PlasticityError`."""
    if not isinstance(data, dict) or "rule" not in data:
        raise PlasticityError(f"a plasticity rule entry needs a 'rule' name, got {data!r}")
    kind = str(data["rule"])
    if kind not in RULES:
        raise PlasticityError(f"unknown plasticity rule {kind!r}; known: {sorted(RULES)}")
    cls = RULES[kind]
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k != "rule"}
    unknown = set(kwargs) - names
    if unknown:
        raise PlasticityError(f"rule {kind!r} has no parameter(s) {sorted(unknown)}")
    clean = {k: _plain(v) for k, v in kwargs.items()}
    return cls(**clean)


def _plain(value):
    """NIR/HDF5 hands numbers back as numpy scalars or 0-d arrays; rules want Python values."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode()
    return value

