"""Run a sweep's trials on Dask (a local cluster, or any scheduler's address) or serially, into a
results folder that a rerun completes (:mod:`engram_nm.sweep.store`).

Scheduling:

* one task per trial; a batched experiment's seeds of one setting go as one task (one cohort);
* a task runs in the worker's process, or in a fresh subprocess of it
  (:func:`~engram_nm.sweep.isolation.run_isolated`) when it uses Lava, when the sweep sets
  ``isolate = true``, or when it sets ``timeout_s`` (only a process can be killed on time); a
  Lava task without ``timeout_s`` gets :data:`LAVA_TIMEOUT_S`;
* a trial that raises, times out or loses its worker is recorded with its error (``status``
  ``"failed"`` / ``"timeout"``) and the sweep goes on; Dask retries a task whose worker died
  (``distributed.scheduler.allowed-failures``, 3 by default) before it counts as failed;
* rows are written by the client as tasks finish, one atomic file each; the table is rewritten
  every few seconds and at the end, also after Ctrl-C or an error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from dataclasses import dataclass, field

from engram_nm.errors import SweepError
from engram_nm.sweep.registry import resolve
from engram_nm.sweep.spec import SweepSpec, plain
from engram_nm.sweep.store import ROW_FIELDS, TAIL_FIELDS, ResultStore

TABLE_EVERY_S = 5.0
# A Lava trial without a sweep timeout still gets one: a Lava run can hang (a child process that
# died without a word; docs/lava_edges.md), and a hung trial would hold its worker forever.
LAVA_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class Task:
    """What one worker runs: the trials of one setting (one, or every seed of a batched one)."""

    experiment: str
    params: dict
    trials: tuple
    batched: bool
    isolated: bool
    timeout_s: float | None


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the table, the rows, and counts of trials run now."""

    table: object
    rows: list
    ran: int
    skipped: int
    failed: int
    seconds: float
    interrupted: bool = False
    plots: list = field(default_factory=list)


def _number(value):
    value = plain(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SweepError(f"a metric must be a number, bool, text or None, got {type(value).__name__}")


def _metrics(out, params: dict) -> dict:
    if not isinstance(out, dict):
        raise SweepError(f"an experiment must return {{metric: value}}, got {type(out).__name__}")
    reserved = set(ROW_FIELDS) | set(TAIL_FIELDS) | {"seed"} | set(params)
    clash = sorted(set(out) & reserved)
    if clash:
        raise SweepError(f"metric name(s) {clash} clash with the table's parameter or bookkeeping columns")
    return {str(k): _number(v) for k, v in out.items()}


def call_experiment(name: str, params: dict, seed=None, seeds=None):
    """The experiment's metrics for one seed (a dict), or for ``seeds`` (a list of dicts, batched)."""
    experiment = resolve(name)
    if seeds is not None:
        out = experiment.function(**params, seeds=list(seeds))
        if not isinstance(out, (list, tuple)) or len(out) != len(seeds):
            raise SweepError(f"batched experiment {name!r} must return one dict per seed ({len(seeds)})")
        return [_metrics(o, params) for o in out]
    return _metrics(experiment.function(**params, seed=seed), params)


def _rows(task: Task, status: str, error: str | None, metrics, wall_s: float, worker: str) -> list:
    per = metrics if isinstance(metrics, list) else [metrics] * len(task.trials)
    return [{"key": t.key, "experiment": t.experiment, "index": t.index, **t.params, "seed": t.seed,
             **(m or {}), "status": status, "error": error, "wall_s": wall_s / len(task.trials),
             "worker": worker, "batch_size": len(task.trials)} for t, m in zip(task.trials, per)]


def execute(task: Task) -> list:
    """Run one task (module docstring) and return its rows; never raises for the trial's own errors."""
    from engram_nm.sweep.isolation import TrialTimeout, run_isolated

    worker = f"{socket.gethostname()}:{os.getpid()}"
    seeds = [t.seed for t in task.trials] if task.batched else None
    seed = None if task.batched else task.trials[0].seed
    t0 = time.perf_counter()
    try:
        if task.isolated:
            metrics = run_isolated(task.experiment, task.params, seed=seed, seeds=seeds, timeout_s=task.timeout_s)
        else:
            metrics = call_experiment(task.experiment, task.params, seed=seed, seeds=seeds)
        status, error = "ok", None
    except TrialTimeout as exc:
        metrics, status, error = None, "timeout", str(exc)
    except Exception as exc:  # noqa: BLE001 - a failed trial is a row, not the end of the sweep
        metrics, status, error = None, "failed", f"{type(exc).__name__}: {exc}"
    return _rows(task, status, error, metrics, time.perf_counter() - t0, worker)


def plan(spec: SweepSpec, todo: list) -> list:
    """The tasks for the trials still to run (module docstring)."""
    experiment = resolve(spec.experiment)
    isolate_all = bool(spec.isolate) or (spec.isolate is None and spec.timeout_s is not None)
    groups: dict = {}
    for trial in todo:
        key = repr(sorted(trial.params.items())) if experiment.batched else trial.key
        groups.setdefault(key, []).append(trial)
    tasks = []
    for trials in groups.values():
        lava = experiment.uses_lava(trials[0].params)
        timeout = spec.timeout_s if spec.timeout_s is not None else (LAVA_TIMEOUT_S if lava else None)
        tasks.append(Task(spec.experiment, trials[0].params, tuple(trials), experiment.batched,
                          isolate_all or lava, timeout))
    return tasks


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: of the scheduler at ``scheduler`` (``tcp://HOST:8786``), or of a new local
    cluster of ``workers`` single-threaded worker processes (default: one per core), closed after."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    # One task at a time per worker (its one thread): trials are long, so nothing is gained by
    # queueing on workers, and a worker that dies then takes only its running trial with it
    # (Dask counts a death against every task assigned to that worker).
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def run_sweep(spec: SweepSpec, out, scheduler: str | None = None, workers: int | None = None,
              progress: bool = True, plots: bool = True, on_row=None) -> SweepResult:
    """Run every trial of ``spec`` not yet finished in ``out`` (module docstring).

    ``scheduler``: ``None`` (a local Dask cluster of ``workers`` processes), ``"serial"`` (in this
    process, one task after another: no Dask) or a scheduler address. ``on_row(row)`` is called
    for every row as it is stored. Returns a :class:`SweepResult`; after Ctrl-C it returns with
    ``interrupted=True`` and the table holds every row finished by then."""
    import multiprocessing

    from tqdm.auto import tqdm

    if getattr(multiprocessing.current_process(), "_inheriting", False) and scheduler != "serial":
        # A local cluster's workers are spawned: each re-imports the main script, and a script that
        # calls run_sweep at import would start a cluster inside every worker, and so on.
        raise SweepError("run_sweep was called while a new process imported your script: in a script, call it "
                         "under `if __name__ == \"__main__\":` (docs/sweeps.md)")
    experiment = resolve(spec.experiment)
    experiment.check_params(set(spec.fixed) | set(spec.grid) | set(spec.params_random()))
    if workers is not None and workers < 1:
        raise SweepError(f"workers must be >= 1, got {workers}")
    store = ResultStore(out, spec.experiment, spec.swept, spec.format)
    trials = spec.trials()
    done = store.finished()
    todo = [t for t in trials if t.key not in done]
    tasks = plan(spec, todo)
    t0 = time.perf_counter()
    counts = {"ran": 0, "failed": 0}
    bar = tqdm(total=len(trials), initial=len(trials) - len(todo), unit="trial", disable=not progress,
               desc=f"sweep {spec.name or spec.experiment}")
    last_table = [time.monotonic()]

    def collect(rows):
        for row in rows:
            store.write_row(row)
            counts["ran"] += 1
            counts["failed"] += row["status"] != "ok"
            if on_row is not None:
                on_row(row)
        bar.update(len(rows))
        bar.set_postfix(done=counts["ran"] - counts["failed"], failed=counts["failed"])
        if time.monotonic() - last_table[0] > TABLE_EVERY_S:
            store.write_table()
            last_table[0] = time.monotonic()

    interrupted = False
    try:
        if scheduler == "serial" or not tasks:
            for task in tasks:
                collect(execute(task))
        else:
            from dask.distributed import as_completed

            with dask_client(scheduler, workers) as client:
                futures = {client.submit(execute, task, pure=False, key=f"trial-{task.trials[0].key}"): task
                           for task in tasks}
                try:
                    for future in as_completed(list(futures)):
                        task = futures.pop(future)
                        try:
                            rows = future.result()
                        except Exception as exc:  # noqa: BLE001 - the worker died or the task was lost
                            rows = _rows(task, "failed", f"{type(exc).__name__}: {exc}", None, 0.0, "")
                        # Released once stored: a worker lost later would otherwise make Dask
                        # recompute the results it still held.
                        future.release()
                        collect(rows)
                finally:
                    client.cancel(list(futures))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        table = store.write_table()
    rows = store.rows()
    made = []
    if plots and not interrupted:
        from engram_nm.sweep.plots import plot_sweep

        made = plot_sweep(rows, spec.swept, store.folder / "plots")
    return SweepResult(table, rows, counts["ran"], len(trials) - len(todo), counts["failed"],
                       time.perf_counter() - t0, interrupted, made)
