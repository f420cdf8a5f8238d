"""Experiments for the sweep tests, named by import path (``tests.sweep.trial_functions:NAME``)
as a user's own functions would be: importable by Dask workers and by isolated trials."""

import os
import signal
import time
from pathlib import Path


def square(x: float = 1.0, seed: int = 0, marker_dir: str = "") -> dict:
    """``x^2 + seed``; every execution leaves a file in ``marker_dir`` (to count how often it ran)."""
    if marker_dir:
        Path(marker_dir, f"{x}_{seed}_{time.monotonic_ns()}").touch()
    return {"value": x * x + seed, "pid": os.getpid()}


def fails_at_three(x: float = 1.0, seed: int = 0) -> dict:
    if x == 3:
        raise RuntimeError(f"x = {x} is refused by this experiment")
    return {"value": x}


def dies_if(x: float = 1.0, seed: int = 0, kill_file: str = "", marker_dir: str = "") -> dict:
    """Kills its own process (the Dask worker) when ``x == 2`` and ``kill_file`` exists."""
    if x == 2 and kill_file and Path(kill_file).exists():
        os.kill(os.getpid(), signal.SIGKILL)
    return square(x, seed, marker_dir)


def sleeps(x: float = 1.0, seed: int = 0, pid_dir: str = "") -> dict:
    """Sleeps ``x`` seconds, after forking a child that sleeps 60 s and would outlive it (an
    orphan, unless its process group is killed); the child's pid is left in ``pid_dir``."""
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    if pid_dir:
        Path(pid_dir, str(child)).touch()
    time.sleep(x)
    return {"slept": x}


def batched_pids(x: float = 1.0, seeds=(0,)) -> list:
    return [{"value": x + s, "pid": os.getpid()} for s in seeds]


batched_pids.sweep_batched = True
