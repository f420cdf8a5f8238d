"""Sweeps: one experiment over a grid and/or random samples of its parameters and over seeds, on
Dask (a local cluster or any scheduler), resumable, into a tidy Parquet/CSV table with plots.

``engram-nm sweep SWEEP.toml`` or :func:`run_sweep`; the file format is in
:mod:`engram_nm.sweep.spec`, the experiments a sweep can name in :mod:`engram_nm.sweep.registry`
and :mod:`engram_nm.sweep.experiments`, the results folder in :mod:`engram_nm.sweep.store`.
docs/sweeps.md has the how-to (SLURM through dask-jobqueue included).
"""

from engram_nm.sweep.registry import register, resolve
from engram_nm.sweep.runner import SweepResult, run_sweep
from engram_nm.sweep.spec import SweepSpec, Trial, load_sweep, trial_key
from engram_nm.sweep.store import read_table

__all__ = ["SweepResult", "SweepSpec", "Trial", "load_sweep", "read_table", "register", "resolve", "run_sweep",
           "trial_key"]
