"""What every benchmark shares: machine info and writing JSON + markdown atomically."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine_info() -> dict:
    import numpy as np

    return {"machine": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}


def stat_over_seeds(values) -> dict:
    """Mean, 95 % t interval, number of seeds and the per-seed values of one measure."""
    import numpy as np

    from engram_nm.analysis.statistics import t_ci95

    v = np.asarray(values, dtype=float)
    half = t_ci95(v) if v.size > 1 else float("nan")
    return {"mean": float(v.mean()), "ci95": [float(v.mean() - half), float(v.mean() + half)], "n_seeds": int(v.size),
            "per_seed": [float(x) for x in v]}


def write_results(out: Path, name: str, result: dict, markdown: list) -> None:
    """``<out>/<name>.json`` and ``<out>/<name>.md``, each written through a temporary file."""
    from engram_nm.io_utils import atomic_write_text

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / f"{name}.json", json.dumps(result, indent=2, default=float) + "\n")
    atomic_write_text(out / f"{name}.md", "\n".join(markdown) + "\n")


def publish(out: Path, name: str, result: dict, markdown: list) -> dict:
    """:func:`write_results`, then the table on stdout; returns ``result`` (what ``main`` returns)."""
    write_results(out, name, result, markdown)
    print("\n".join(markdown))
    return result


def load_module(name: str):
    """Import a benchmark script as a module (tests call their ``main``)."""
    import importlib.util

    path = Path(__file__).resolve().parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
