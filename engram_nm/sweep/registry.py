"""The experiments a sweep can name, and how to call any other function by import path.

An experiment is a function of keyword parameters returning ``{metric: number}``:

* per trial: ``f(**params, seed=int) -> dict``;
* batched (``batched=True``): ``f(**params, seeds=[int, ...]) -> [dict, ...]``, one dict per seed
  in order: the seeds of one setting go to a worker as one task (e.g. one cohort on the fixed-point
  engine, :func:`~engram_nm.experiments.engram.cohort.run_cohort`).

``uses_lava(params)`` says whether a trial runs Lava (its processes fork and keep shared memory):
such trials always run in a fresh subprocess (:mod:`engram_nm.sweep.isolation`).
A user function named ``"package.module:function"`` is per trial, without Lava, unless it carries
the attributes ``sweep_batched = True`` or ``sweep_uses_lava = True``.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Callable

from engram_nm.errors import SweepError


@dataclass(frozen=True)
class Experiment:
    name: str
    function: Callable
    batched: bool = False
    lava: Callable = lambda params: False  # noqa: E731

    def uses_lava(self, params: dict) -> bool:
        return bool(self.lava(params))

    def check_params(self, names) -> None:
        """Refuse parameters the function does not take (before any trial runs)."""
        sig = inspect.signature(self.function)
        if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            return
        takes = set(sig.parameters) - {"seed", "seeds"}
        unknown = sorted(set(names) - takes)
        if unknown:
            raise SweepError(f"experiment {self.name!r} takes no parameter(s) {unknown}; it takes {sorted(takes)}")


REGISTRY: dict = {}


def register(name: str, batched: bool = False, lava: Callable | None = None):
    """Decorator: make ``function`` available to sweeps as ``name``."""
    def wrap(function):
        REGISTRY[name] = Experiment(name, function, batched, lava or (lambda params: False))
        return function
    return wrap


def resolve(name: str) -> Experiment:
    """A registered experiment (importing the built-in ones first) or ``package.module:function``."""
    from engram_nm.sweep import experiments  # noqa: F401  (registers the built-ins)

    if name in REGISTRY:
        return REGISTRY[name]
    if ":" not in name:
        raise SweepError(f"unknown experiment {name!r}; registered: {sorted(REGISTRY)}, or give "
                         "'package.module:function'")
    module_name, _, attr = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SweepError(f"experiment {name!r}: cannot import {module_name!r} ({exc})") from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise SweepError(f"experiment {name!r}: {module_name} has no function {attr!r}")
    uses = bool(getattr(function, "sweep_uses_lava", False))
    return Experiment(name, function, bool(getattr(function, "sweep_batched", False)), lambda params: uses)
