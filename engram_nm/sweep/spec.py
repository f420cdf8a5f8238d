"""A sweep, as a user writes it in ``SWEEP.toml``, and the trials it expands to.

.. code-block:: toml

    experiment = "capacity"          # a registered name (engram_nm.sweep.registry) or "package.module:function"
    seeds = 5                        # 0..4; or a list [0, 3, 7]
    out = "sweeps/capacity"          # results folder (relative to the TOML file)
    format = "parquet"               # or "csv"
    timeout_s = 600                  # per trial; trials then run in a fresh subprocess each

    [fixed]                          # held constant in every trial
    memory = "willshaw"

    [grid]                           # every combination
    n = [256, 512, 1024]

    [random]                         # plus `samples` draws, each combined with the grid
    samples = 4
    seed = 0                         # of the draws
    k = {int_uniform = [4, 12]}      # or {uniform = [lo, hi]}, {log_uniform = [lo, hi]}, {choice = [...]}

A trial is ``(parameters, seed)``; its key (:func:`trial_key`) is a hash of the experiment, the
parameters and the seed, so a finished trial is recognised in a results folder and never run
again (:mod:`engram_nm.sweep.store`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engram_nm.errors import SweepError

FORMATS = ("parquet", "csv")
DISTRIBUTIONS = ("uniform", "log_uniform", "int_uniform", "choice")
KEYS = {"experiment", "seeds", "out", "format", "timeout_s", "isolate", "fixed", "grid", "random", "name"}


@dataclass(frozen=True)
class Trial:
    """One run of the experiment: ``params`` (fixed, grid and sampled values) and ``seed``;
    ``index`` orders trials as the sweep lists them (grid order, then seeds)."""

    experiment: str
    params: dict
    seed: int
    index: int

    @property
    def key(self) -> str:
        return trial_key(self.experiment, self.params, self.seed)


def plain(value):
    """A value as plain Python, the one conversion of parameters, metrics and rows: numpy
    scalars to ``int``/``float``/``bool``, tuples and arrays to lists (JSON-stable)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    return value


def trial_key(experiment: str, params: dict, seed: int) -> str:
    """``sha256`` of the canonical JSON of experiment, parameters and seed (16 hex digits)."""
    text = json.dumps({"experiment": experiment, "params": {k: plain(v) for k, v in params.items()},
                       "seed": int(seed)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class SweepSpec:
    """A sweep (module docstring). ``isolate``: run every trial in a fresh subprocess (default:
    only trials that use Lava, or every trial when ``timeout_s`` is set)."""

    experiment: str
    seeds: list
    grid: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    random: dict = field(default_factory=dict)
    out: str = "sweep_results"
    format: str = "parquet"
    timeout_s: float | None = None
    isolate: bool | None = None
    name: str = ""

    def __post_init__(self):
        if not isinstance(self.experiment, str) or not self.experiment:
            raise SweepError("`experiment` must name a registered experiment or 'package.module:function'")
        if isinstance(self.seeds, bool) or not isinstance(self.seeds, (int, list, tuple)):
            raise SweepError(f"`seeds` must be a count or a list of integers, got {self.seeds!r}")
        if isinstance(self.seeds, int):
            if self.seeds < 1:
                raise SweepError(f"`seeds` must be >= 1, got {self.seeds}")
            self.seeds = list(range(self.seeds))
        if not self.seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in self.seeds):
            raise SweepError(f"`seeds` must be non-negative integers, got {self.seeds!r}")
        if len(set(self.seeds)) != len(self.seeds):
            raise SweepError(f"`seeds` has repeats: {self.seeds!r}")
        self.seeds = [int(s) for s in self.seeds]
        for section in ("grid", "fixed", "random"):
            if not isinstance(getattr(self, section), dict):
                raise SweepError(f"[{section}] must be a table of parameters")
        for name, values in self.grid.items():
            if not isinstance(values, (list, tuple)) or not values:
                raise SweepError(f"[grid] {name} must be a non-empty list of values, got {values!r}")
        clash = (set(self.grid) & set(self.fixed)) | (set(self.grid) & set(self.random)) | \
            (set(self.fixed) & set(self.random))
        if clash:
            raise SweepError(f"parameter(s) {sorted(clash)} given in more than one of [fixed], [grid], [random]")
        if "seed" in set(self.grid) | set(self.fixed):
            raise SweepError("`seed` is not a parameter: list seeds in `seeds`")
        self._check_random()
        if self.format not in FORMATS:
            raise SweepError(f"format must be one of {FORMATS}, got {self.format!r}")
        if self.timeout_s is not None and not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            raise SweepError(f"timeout_s must be a positive number of seconds, got {self.timeout_s!r}")

    def _check_random(self):
        if not self.random:
            return
        samples = self.random.get("samples")
        if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
            raise SweepError(f"[random] needs `samples`, a positive integer, got {samples!r}")
        for name, dist in self.params_random().items():
            if not isinstance(dist, dict) or len(dist) != 1 or next(iter(dist)) not in DISTRIBUTIONS:
                raise SweepError(f"[random] {name} must be one of {{{', '.join(DISTRIBUTIONS)} = [...]}}, "
                                 f"got {dist!r}")
            kind, args = next(iter(dist.items()))
            if kind == "choice":
                if not isinstance(args, list) or not args:
                    raise SweepError(f"[random] {name}: choice needs a non-empty list")
            elif not (isinstance(args, list) and len(args) == 2 and all(isinstance(a, (int, float)) for a in args)
                      and args[0] < args[1]):
                raise SweepError(f"[random] {name}: {kind} needs [low, high] with low < high, got {args!r}")
            elif kind == "log_uniform" and args[0] <= 0:
                raise SweepError(f"[random] {name}: log_uniform needs low > 0, got {args!r}")

    def params_random(self) -> dict:
        return {k: v for k, v in self.random.items() if k not in ("samples", "seed")}

    @property
    def swept(self) -> list:
        """The parameters that vary between trials (grid, then random)."""
        return list(self.grid) + list(self.params_random())

    def draws(self) -> list:
        """The random section's samples, ``[{name: value}]`` (one empty dict without it)."""
        if not self.random:
            return [{}]
        rng = np.random.default_rng(int(self.random.get("seed", 0)))
        out = []
        for _ in range(self.random["samples"]):
            draw = {}
            for name, dist in self.params_random().items():
                kind, args = next(iter(dist.items()))
                if kind == "uniform":
                    draw[name] = float(rng.uniform(*args))
                elif kind == "log_uniform":
                    draw[name] = float(math.exp(rng.uniform(math.log(args[0]), math.log(args[1]))))
                elif kind == "int_uniform":
                    draw[name] = int(rng.integers(int(args[0]), int(args[1]) + 1))
                else:
                    draw[name] = plain(args[int(rng.integers(len(args)))])
            out.append(draw)
        return out

    def settings(self) -> list:
        """Every parameter setting (fixed + one grid combination + one draw), in sweep order."""
        names = list(self.grid)
        combos = list(itertools.product(*(self.grid[n] for n in names))) if names else [()]
        return [{**self.fixed, **dict(zip(names, map(plain, combo))), **draw}
                for combo in combos for draw in self.draws()]

    def trials(self) -> list:
        """Every trial, settings x seeds, indexed in that order."""
        out = []
        for setting in self.settings():
            for seed in self.seeds:
                out.append(Trial(self.experiment, setting, seed, len(out)))
        return out


def load_sweep(path) -> tuple[SweepSpec, Path]:
    """``(SweepSpec, results folder)`` from a TOML file; ``out`` is resolved against the file's folder."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    path = Path(path)
    if not path.is_file():
        raise SweepError(f"sweep file {path} does not exist (or is not a file)")
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path} is not valid TOML: {exc}") from None
    unknown = set(data) - KEYS
    if unknown:
        raise SweepError(f"{path}: unknown key(s) {sorted(unknown)}; a sweep file has {sorted(KEYS)}")
    if "experiment" not in data or "seeds" not in data:
        raise SweepError(f"{path}: a sweep needs `experiment` and `seeds`")
    spec = SweepSpec(**data)
    out = Path(spec.out)
    return spec, (out if out.is_absolute() else path.parent / out).resolve()
