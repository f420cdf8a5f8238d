"""Sweeps on Dask: the same table as a serial run, resumable after a killed worker or Ctrl-C,
failures recorded, Lava trials isolated in a subprocess that leaves no process behind."""

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest

from engram_nm.errors import SweepError
from engram_nm.sweep import SweepSpec, load_sweep, read_table, run_sweep, trial_key

FN = "tests.sweep.trial_functions"
BOOKKEEPING = ("wall_s", "worker", "pid")


def _comparable(rows):
    return [{k: v for k, v in r.items() if k not in BOOKKEEPING} for r in rows]


def test_a_spec_expands_to_grid_times_draws_times_seeds_with_stable_keys():
    spec = SweepSpec("capacity", seeds=3, grid={"n": [64, 128]}, fixed={"memory": "willshaw"},
                     random={"samples": 2, "seed": 1, "k": {"int_uniform": [3, 6]}})
    trials = spec.trials()
    assert len(trials) == 2 * 2 * 3 and [t.index for t in trials] == list(range(12))
    assert len({t.key for t in trials}) == 12
    assert all(3 <= t.params["k"] <= 6 and t.params["memory"] == "willshaw" for t in trials)
    assert spec.swept == ["n", "k"]
    again = SweepSpec("capacity", seeds=3, grid={"n": [64, 128]}, fixed={"memory": "willshaw"},
                      random={"samples": 2, "seed": 1, "k": {"int_uniform": [3, 6]}})
    assert [t.key for t in again.trials()] == [t.key for t in trials]  # the same draws, the same keys
    assert trial_key("capacity", {"n": 64}, 0) != trial_key("capacity", {"n": 64}, 1)
    assert trial_key("capacity", {"n": np.int64(64)}, 0) == trial_key("capacity", {"n": 64}, 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(seeds=0), "seeds"),
    (dict(seeds=[1, 1]), "repeats"),
    (dict(seeds=[-1]), "non-negative"),
    (dict(seeds=2, grid={"n": []}), "non-empty list"),
    (dict(seeds=2, grid={"n": [1]}, fixed={"n": 2}), "more than one"),
    (dict(seeds=2, grid={"seed": [1]}), "not a parameter"),
    (dict(seeds=2, random={"k": {"uniform": [0, 1]}}), "samples"),
    (dict(seeds=2, random={"samples": 2, "k": {"gauss": [0, 1]}}), "one of"),
    (dict(seeds=2, random={"samples": 2, "k": {"uniform": [1, 0]}}), "low < high"),
    (dict(seeds=2, format="xlsx"), "format"),
    (dict(seeds=2, timeout_s=-1), "timeout_s"),
])
def test_bad_sweeps_are_refused(kwargs, match):
    with pytest.raises(SweepError, match=match):
        SweepSpec("capacity", **kwargs)


def test_unknown_experiments_and_parameters_are_refused_before_any_trial(tmp_path):
    with pytest.raises(SweepError, match="unknown experiment"):
        run_sweep(SweepSpec("capacityy", seeds=1), tmp_path / "a", scheduler="serial", progress=False)
    with pytest.raises(SweepError, match="cannot import"):
        run_sweep(SweepSpec("no_such_module:f", seeds=1), tmp_path / "b", scheduler="serial", progress=False)
    with pytest.raises(SweepError, match="takes no parameter"):
        run_sweep(SweepSpec("capacity", seeds=1, grid={"size": [64]}), tmp_path / "c", scheduler="serial",
                  progress=False)
    assert not (tmp_path / "c" / "rows").exists() or not list((tmp_path / "c" / "rows").iterdir())


def test_a_results_folder_of_another_sweep_is_not_mixed_into(tmp_path):
    run_sweep(SweepSpec(f"{FN}:square", seeds=1), tmp_path, scheduler="serial", progress=False)
    with pytest.raises(SweepError, match="holds a sweep of"):
        run_sweep(SweepSpec("capacity", seeds=1, grid={"n": [64]}), tmp_path, scheduler="serial", progress=False)


def test_a_two_worker_local_cluster_gives_the_serial_table(tmp_path):
    spec = SweepSpec("capacity", seeds=3, grid={"n": [64, 128, 256]})
    serial = run_sweep(spec, tmp_path / "serial", scheduler="serial", progress=False)
    parallel = run_sweep(spec, tmp_path / "dask", workers=2, progress=False)
    assert serial.ran == parallel.ran == 9 and serial.failed == parallel.failed == 0
    assert _comparable(read_table(serial.table)) == _comparable(read_table(parallel.table))
    assert len({r["worker"] for r in parallel.rows}) == 2  # both workers took trials
    assert all(r["capacity"] > 0 for r in parallel.rows)
    again = run_sweep(spec, tmp_path / "dask", workers=2, progress=False)
    assert again.ran == 0 and again.skipped == 9  # finished trials are never recomputed
    assert (tmp_path / "dask" / "plots" / "capacity_vs_n.png").stat().st_size > 5_000


def test_a_trial_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = SweepSpec(f"{FN}:fails_at_three", seeds=2, grid={"x": [1, 2, 3, 4]})
    result = run_sweep(spec, tmp_path, workers=2, progress=False)
    failed = [r for r in result.rows if r["status"] != "ok"]
    assert result.failed == 2 and len(result.rows) == 8 and {r["x"] for r in failed} == {3}
    assert all("RuntimeError: x = 3 is refused" in r["error"] for r in failed)
    assert sorted(r["value"] for r in result.rows if r["status"] == "ok") == [1, 1, 2, 2, 4, 4]


def test_a_worker_killed_mid_sweep_loses_no_finished_row_and_a_rerun_runs_only_the_missing(tmp_path):
    kill, marks = tmp_path / "kill", tmp_path / "marks"
    kill.touch()
    marks.mkdir()
    spec = SweepSpec(f"{FN}:dies_if", seeds=2, grid={"x": [1, 2, 3]},
                     fixed={"kill_file": str(kill), "marker_dir": str(marks)})
    first = run_sweep(spec, tmp_path / "out", workers=2, progress=False)
    by_x = {}
    for r in first.rows:
        by_x.setdefault(r["x"], []).append(r)
    assert all(r["status"] == "ok" for x in (1, 3) for r in by_x[x])  # finished rows kept
    assert all(r["status"] == "failed" and "KilledWorker" in r["error"] for r in by_x[2])
    ran_before = len(list(marks.iterdir()))
    assert ran_before >= 4
    kill.unlink()
    second = run_sweep(spec, tmp_path / "out", workers=2, progress=False)
    assert second.ran == 2 and second.skipped == 4 and second.failed == 0  # only x = 2 again
    assert len(list(marks.iterdir())) == ran_before + 2
    assert [r["status"] for r in read_table(second.table)] == ["ok"] * 6


def test_ctrl_c_leaves_a_consistent_table_that_a_rerun_completes(tmp_path):
    spec = SweepSpec(f"{FN}:square", seeds=1, grid={"x": [1, 2, 3, 4, 5]})
    seen = []

    def interrupt_after_two(row):
        seen.append(row)
        if len(seen) == 2:
            raise KeyboardInterrupt

    result = run_sweep(spec, tmp_path, scheduler="serial", progress=False, on_row=interrupt_after_two)
    assert result.interrupted and [r["x"] for r in read_table(result.table)] == [1, 2]
    assert not [p for p in tmp_path.rglob("*.tmp")]  # nothing half-written
    rest = run_sweep(spec, tmp_path, scheduler="serial", progress=False)
    assert rest.ran == 3 and [r["value"] for r in read_table(rest.table)] == [1, 4, 9, 16, 25]


def test_seeds_of_a_batched_experiment_go_as_one_task(tmp_path):
    spec = SweepSpec(f"{FN}:batched_pids", seeds=4, grid={"x": [10, 20]})
    result = run_sweep(spec, tmp_path, workers=2, progress=False)
    for x in (10, 20):
        rows = [r for r in result.rows if r["x"] == x]
        assert [r["value"] for r in rows] == [x, x + 1, x + 2, x + 3]
        assert {r["batch_size"] for r in rows} == {4} and len({r["pid"] for r in rows}) == 1


def _still_running(select, wait_s: float = 5.0) -> list:
    """The processes ``select(proc)`` picks that are neither gone nor zombies (killed, waiting for
    init to reap them) after up to ``wait_s`` seconds (a SIGKILL takes effect when the kernel
    next schedules the process)."""
    import time

    import psutil

    deadline = time.monotonic() + wait_s
    while True:
        alive = []
        for proc in psutil.process_iter(["pid", "status"]):
            try:
                if proc.info["status"] != psutil.STATUS_ZOMBIE and select(proc):
                    alive.append(proc.info["pid"])
            except (ProcessLookupError, psutil.Error):
                continue
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def test_a_timed_out_trial_is_killed_with_everything_it_forked(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    spec = SweepSpec(f"{FN}:sleeps", seeds=1, grid={"x": [0.1, 30]}, fixed={"pid_dir": str(pids)}, timeout_s=5)
    result = run_sweep(spec, tmp_path / "out", scheduler="serial", progress=False)
    fast, slow = result.rows
    assert fast["status"] == "ok" and fast["slept"] == 0.1
    assert slow["status"] == "timeout" and "timeout of 5 s" in slow["error"] and slow["wall_s"] < 20
    children = [int(p.name) for p in pids.iterdir()]
    assert len(children) == 2  # each trial forked a 60 s sleeper; neither outlives its trial
    assert _still_running(lambda proc: proc.pid in children) == []


def test_dask_workers_are_daemonic_processes():
    """The edge that isolation exists for: a local cluster's workers are daemonic, and
    multiprocessing (which Lava uses to start its processes) refuses children to those."""
    from engram_nm.sweep.runner import dask_client

    with dask_client(workers=1) as client:
        daemonic = client.run(lambda: multiprocessing.current_process().daemon)
    assert list(daemonic.values()) == [True]


@pytest.mark.lava
def test_a_lava_trial_in_a_worker_runs_in_its_own_process_and_leaves_none_behind(tmp_path):
    spec = SweepSpec("network", seeds=1, grid={"target": ["reference", "cpu-float"]},
                     fixed={"steps": 60, "input_rate": 0.3, "weight_scale": 1.5})
    result = run_sweep(spec, tmp_path, workers=1, progress=False)
    reference, lava = result.rows
    assert lava["status"] == "ok", lava["error"]
    assert lava["rate_layer0"] > 0.02  # the network is active
    assert lava["rate_layer0"] == reference["rate_layer0"] and lava["rate_layer1"] == reference["rate_layer1"]
    worker_pid = int(lava["worker"].rsplit(":", 1)[1])
    assert lava["pid"] != worker_pid  # ran in a subprocess of the worker
    # its process group (Lava's processes with it) is gone
    assert _still_running(lambda proc: os.getpgid(proc.pid) == lava["pid"]) == []


def test_the_cli_runs_a_sweep_file_to_csv_and_plots(tmp_path, capsys):
    from engram_nm.cli import main

    sweep = tmp_path / "s.toml"
    sweep.write_text(f'experiment = "{FN}:square"\nseeds = 2\nout = "res"\n[grid]\nx = [1.0, 2.0, 3.0]\n')
    assert main(["sweep", str(sweep), "--scheduler", "serial", "--csv", "--quiet"]) == 0
    rows = read_table(tmp_path / "res" / "results.csv")
    assert [r["value"] for r in rows] == [1.0, 2.0, 4.0, 5.0, 9.0, 10.0]
    assert (tmp_path / "res" / "plots" / "value_vs_x.png").exists()
    spec, out = load_sweep(sweep)
    assert out == tmp_path / "res" and spec.seeds == [0, 1]
    bad = tmp_path / "bad.toml"
    bad.write_text('experiment = "capacity"\nseeds = 2\n[grid]\nx = [1]\n')
    assert main(["sweep", str(bad), "--scheduler", "serial", "--quiet"]) == 1
    assert "takes no parameter" in capsys.readouterr().err


def test_the_capacity_exponent_recovers_a_known_power_law():
    from engram_nm.sdm.capacity import scaling_exponent

    rng = np.random.default_rng(0)
    n = np.repeat([256, 512, 1024, 2048], 5)
    seeds = np.tile(np.arange(5), 4)
    m = 3.0 * (n / np.log2(n)) ** 2 * np.exp(rng.normal(0, 0.02, n.size))
    b, (low, high) = scaling_exponent(n, m, seeds)
    assert low < 2.0 < high and abs(b - 2.0) < 0.05 and high - low < 0.1
    with pytest.raises(ValueError):
        scaling_exponent([256, 256], [1.0, 2.0], [0, 1])


def test_lava_trials_are_isolated_with_a_timeout_and_others_run_in_the_worker():
    from engram_nm.sweep.runner import LAVA_TIMEOUT_S, plan

    spec = SweepSpec("network", seeds=1, grid={"target": ["reference", "cpu-fixed"]})
    plain, lava = plan(spec, spec.trials())
    assert (plain.isolated, plain.timeout_s) == (False, None)
    assert (lava.isolated, lava.timeout_s) == (True, LAVA_TIMEOUT_S)
    timed = SweepSpec("network", seeds=1, grid={"target": ["reference"]}, timeout_s=7)
    (task,) = plan(timed, timed.trials())
    assert (task.isolated, task.timeout_s) == (True, 7)
