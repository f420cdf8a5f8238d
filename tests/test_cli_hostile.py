"""Hostile invocations of every subcommand: each exits 1 (error) or 2 (usage) with one line on
stderr, no traceback, and leaves no file behind. Nothing here starts a Lava run: every check
happens before the work."""

import os

import numpy as np
import pytest

from engram_nm.cli import main

pytestmark = pytest.mark.quick  # in `make test-py`, the subset run on every Python

# (argv, exit code, a fragment of the message). {m}: a valid model; {t}: the test's folder.
CASES = [
    (["info", "--bogus"], 2, "unrecognized arguments"),
    (["nonsense"], 2, "invalid choice"),
    (["export", "--random", "10,x", "-o", "{t}/m2.nir"], 2, "sizes"),
    (["export", "--random", "10", "-o", "{t}/m2.nir"], 2, "at least one layer"),
    (["export", "--random", "10,-3", "-o", "{t}/m2.nir"], 2, "every size"),
    (["export", "--random", "4,3", "--weight-scale", "nan", "-o", "{t}/m2.nir"], 2, "finite"),
    (["export", "--random", "4,3", "--dt", "-1", "-o", "{t}/m2.nir"], 2, "--dt"),
    (["export", "--random", "4,3", "-o", "/proc/m2.nir"], 1, "cannot write"),
    (["export", "--random", "4,3", "-o", "{t}/a_file/m2.nir"], 1, "is a file"),
    (["export", "--random", "4,3", "-o", "{t}"], 1, "is a folder"),
    (["import", "{t}/missing.nir"], 1, "no such file"),
    (["import", "{t}/empty.nir"], 1, "empty"),
    (["import", "{t}/truncated.nir"], 1, "not a readable NIR file"),
    (["import", "{t}/text.nir"], 1, "not a readable NIR file"),
    (["import", "{t}/nan.nir"], 1, "NaN or inf"),
    (["import", "{t}/conv.nir"], 1, "cannot map"),
    (["import", "{t}/folder.nir"], 1, "is a folder"),
    (["import", "{m}", "-o", "/proc/again.nir"], 1, "cannot write"),
    (["import", "{m}", "--reset", "half"], 2, "invalid choice"),
    (["train", "--epochs", "0", "-o", "{t}/m2.nir"], 2, "--epochs"),
    (["train", "--lr", "inf", "-o", "{t}/m2.nir"], 2, "finite"),
    (["train", "--hidden", "10000000", "-o", "{t}/m2.nir"], 2, "--hidden"),
    (["train", "--steps", "-1", "-o", "{t}/m2.nir"], 2, "--steps"),
    (["train", "-o", "/sys/m2.nir"], 1, "cannot write"),
    (["run", "{m}", "--steps", "-5"], 2, "--steps"),
    (["run", "{m}", "--steps", "0"], 2, "--steps"),
    (["run", "{m}", "--steps", "99999999999"], 2, "--steps"),
    (["run", "{m}", "--steps", "1e3"], 2, "not a whole number"),
    (["run", "{m}", "--rate", "1.5"], 2, "--rate"),
    (["run", "{m}", "--rate", "nan"], 2, "finite"),
    (["run", "{m}", "--seed", "-1"], 2, "--seed"),
    (["run", "{m}", "--target", "gpu"], 2, "unknown target 'gpu'"),
    (["run", "{m}", "--input", "{t}/missing.npy"], 1, "no such input file"),
    (["run", "{m}", "--input", "{t}/wrong_shape.npy"], 1, "shape"),
    (["run", "{m}", "--input", "{t}/four_d.npy"], 1, "shape"),
    (["run", "{m}", "--input", "{t}/batch_wrong_width.npy"], 1, "shape"),
    (["run", "{m}", "--input", "{t}/nan.npy"], 1, "NaN"),
    (["run", "{m}", "--input", "{t}/inf.npy"], 1, "NaN or inf"),
    (["run", "{m}", "--input", "{t}/graded.npy"], 1, "binary"),
    (["run", "{m}", "--input", "{t}/text.npy"], 1, "not a readable .npy"),
    (["run", "{m}", "--input", "{t}/objects.npy"], 1, "not a readable .npy"),
    (["run", "{m}", "--input", "{t}/no_steps.npy"], 1, "shape"),
    (["run", "{m}", "--input", "{t}/strings.npy"], 1, "numbers"),
    (["run", "{m}", "--input", "{t}/wrong_shape.npy", "--steps", "500"], 1, "shape"),
    (["run", "{m}", "--out", "/proc/r.npz"], 1, "cannot write"),
    (["run", "{m}", "--out", "{t}/a_file/r.npz"], 1, "is a file"),
    (["run", "{m}", "--learn", "--learned-model", "/proc/l.nir"], 1, "cannot write"),
    (["run", "{m}", "--learned-model", "{t}/l.nir"], 2, "needs --learn"),
    (["compare", "{m}", "--targets", "cpu-float,gpu"], 2, "unknown target"),
    (["compare", "{m}", "--targets", ","], 2, "at least one target"),
    (["compare", "{m}", "--out", "{t}/a_file"], 1, "is a file"),
    (["compare", "{m}", "--out", "{t}/c", "--profile", "{t}/missing.toml"], 1, "cannot read the energy profile"),
    (["compare", "{m}", "--out", "{t}/c", "--profile", "{t}/bad.toml"], 1, "cannot read the energy profile"),
    (["compare", "{m}", "--out", "{t}/c", "--profile", "{t}/nan.toml"], 1, "picojoules"),
    (["fit", "{t}/missing.nir"], 1, "no such file"),
    (["fit", "{m}", "--dt", "0"], 2, "--dt"),
    (["fit", "{m}", "--chip", "xylo-nano"], 2, "invalid choice"),
    (["fit", "{m}", "--chip", ""], 2, "invalid choice"),
    (["fit", "{t}/missing.nir", "--chip", "xylo-imu"], 1, "no such file"),
    (["run", "{m}", "--target", "xylo-emu"], 1, "does not fit any Xylo chip"),
    (["run", "{m}", "--target", "xylo-sim", "--learn"], 1, "no on-chip learning"),
    (["run", "{m}", "--target", "xylo"], 2, "unknown target 'xylo'"),
    (["verify", "{m}", "--steps", "0"], 2, "--steps"),
    (["verify", "{t}/text.nir"], 1, "not a readable NIR file"),
    (["verify", "{m}", "--input", "{t}/batch.npy"], 1, "one sample"),
    (["data", "check", "{t}/missing.npz"], 1, "no event file"),
    (["data", "check", "{t}/text.npy"], 1, "not an event file"),
    (["data", "check", "{t}/unsorted_events.npz"], 1, "must not decrease"),
    (["data", "check", "{t}/polarity_events.npz"], 1, "polarity"),
    (["data", "check", "{t}/offsensor_events.npz"], 1, "on the 8 x 8 sensor"),
    (["data", "events", "--out", "{t}/a_file", "--limit", "1", "--quiet"], 1, "is a file"),
    (["data", "events", "--out", "/proc/ev", "--limit", "1", "--quiet"], 1, "cannot write"),
    (["data", "events", "--out", "{t}/ev", "--limit", "0"], 2, "--limit"),
    (["data", "events", "--out", "{t}/ev", "--set", "audio"], 2, "--set"),
    (["data"], 2, "required"),
    (["demo", "--out", "{t}/a_file", "--quiet"], 1, "is a file"),
    (["demo", "--out", "/proc/demo", "--quiet"], 1, "cannot write"),
    (["demo", "--epochs", "-1"], 2, "--epochs"),
    (["demo", "--engram-seeds", "0"], 2, "--engram-seeds"),
    (["demo", "--engram-seeds", "21"], 2, "--engram-seeds"),
    (["demo", "--offline-hours", "nan"], 2, "--offline-hours"),
    (["demo", "--offline-hours", "-1"], 2, "--offline-hours"),
    (["train", "--code", "morse", "-o", "{t}/m2.nir"], 2, "invalid choice"),
    (["train", "--threshold", "1.5", "-o", "{t}/m2.nir"], 2, "--threshold"),
    (["train", "--data", "video", "--prune", "1.5", "-o", "{t}/m2.nir"], 2, "--prune"),
    (["train", "--data", "camera", "--neuron", "izhikevich", "-o", "{t}/m2.nir"], 2, "invalid choice"),
    (["train", "--data", "camera", "--sd-threshold", "0", "-o", "{t}/m2.nir"], 2, "--sd-threshold"),
    (["train", "{m}", "--data", "camera", "-o", "{t}/m2.nir"], 1, "does not start from a .nir"),
    (["run", "{m}", "--analog"], 1, "--analog needs --input"),
    (["run", "{m}", "--input", "{t}/wrong_shape.npy", "--analog"], 1, "--analog input must be"),
    (["run", "{m}", "--input", "{t}/analog.npy", "--analog"], 1, "carries no input code"),
    (["fold", "{m}", "-o", "{t}/f.nir"], 2, "--task"),
    (["fold", "{m}", "--task", "0", "-o", "{t}/f.nir"], 1, "no engram gate to fold"),
    (["fold", "{m}", "--task", "0", "-o", "/proc/f.nir"], 1, "cannot write"),
    (["fold", "{t}/missing.nir", "--task", "0", "-o", "{t}/f.nir"], 1, "no such file"),
    (["sweep", "{t}/missing.toml"], 1, "does not exist"),
    (["sweep", "{t}/bad.toml"], 1, "not valid TOML"),
    (["sweep", "{t}/sweep_unknown.toml", "--scheduler", "serial"], 1, "unknown experiment"),
    (["sweep", "{t}/sweep_badkey.toml"], 1, "unknown key"),
    (["sweep", "{t}/sweep_seeds.toml"], 1, "`seeds` must be >= 1"),
    (["sweep", "{t}/sweep_params.toml", "--scheduler", "serial"], 1, "takes no parameter"),
    (["sweep", "{t}/sweep_ok.toml", "--workers", "0"], 2, "--workers"),
    (["sweep", "{t}/sweep_ok.toml", "--out", "/proc/sweep"], 1, "cannot write"),
    (["sweep", "{t}/sweep_ok.toml", "--out", "{t}/a_file"], 1, "is a file"),
    (["sweep", "{t}/sweep_ok.toml", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], 1,
     "--workers sizes a local cluster"),
]


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    """A valid model and every kind of bad file the table uses."""
    import nir

    from engram_nm.nir_io import export_nir
    from engram_nm.spec import random_spec

    t = tmp_path_factory.mktemp("hostile")
    model = export_nir(random_spec(4, [3], seed=0), t / "model.nir")
    (t / "a_file").write_text("not a folder")
    (t / "empty.nir").write_bytes(b"")
    (t / "truncated.nir").write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    (t / "text.nir").write_text("this is not HDF5\n")
    (t / "folder.nir").mkdir()
    nir.write(str(t / "nan.nir"), nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([2])),
               "w": nir.Linear(weight=np.array([[np.nan, 1.0], [1.0, 1.0]])),
               "lif": nir.LIF(tau=np.full(2, 0.01), r=np.full(2, 10.0), v_leak=np.zeros(2),
                              v_threshold=np.ones(2), v_reset=np.zeros(2)),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "w"), ("w", "lif"), ("lif", "output")]))
    nir.write(str(t / "conv.nir"), nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([1, 8])),
               "conv": nir.Conv1d(input_shape=8, weight=np.ones((1, 1, 3)), stride=1, padding=0, dilation=1,
                                  groups=1, bias=np.zeros(1)),
               "output": nir.Output(output_type=np.array([1, 6]))},
        edges=[("input", "conv"), ("conv", "output")]))
    np.save(t / "wrong_shape.npy", np.zeros((20, 7)))
    np.save(t / "analog.npy", np.full(4, 0.5))
    np.save(t / "four_d.npy", np.zeros((2, 2, 20, 4)))
    np.save(t / "batch.npy", np.zeros((2, 20, 4)))
    np.save(t / "batch_wrong_width.npy", np.zeros((2, 20, 5)))
    nan = np.zeros((20, 4))
    nan[3, 1] = np.nan
    np.save(t / "nan.npy", nan)
    np.save(t / "inf.npy", np.where(nan == nan, 0.0, np.inf))
    np.save(t / "graded.npy", np.full((20, 4), 0.5))
    (t / "text.npy").write_text("0 1 0 1\n")
    np.save(t / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(t / "no_steps.npy", np.zeros((0, 4)))
    np.save(t / "strings.npy", np.array([["a", "b", "c", "d"]] * 3))
    from engram_nm.events.files import EVENT_DTYPE

    def events(t_us, x=0, p=1):
        e = np.zeros(len(t_us), dtype=EVENT_DTYPE)
        e["t"], e["x"], e["p"] = t_us, x, p
        return e

    for name, ev in (("unsorted", events([5, 1])), ("polarity", events([1, 2], p=3)), ("offsensor", events([1], x=9))):
        np.savez(t / f"{name}_events.npz", events=ev, width=8, height=8)
    (t / "bad.toml").write_text("name = [unclosed\n")
    (t / "nan.toml").write_text('name = "x"\n[costs.synaptic_op]\npicojoules = nan\nsource = "me"\n')
    (t / "sweep_unknown.toml").write_text('experiment = "no_such_experiment"\nseeds = 1\nout = "never"\n')
    (t / "sweep_badkey.toml").write_text('experiment = "capacity"\nseeds = 1\nworkers = 2\n')
    (t / "sweep_seeds.toml").write_text('experiment = "capacity"\nseeds = 0\n')
    (t / "sweep_params.toml").write_text('experiment = "capacity"\nseeds = 1\nout = "never"\n[grid]\nsize = [64]\n')
    (t / "sweep_ok.toml").write_text('experiment = "capacity"\nseeds = 1\nout = "never"\n[grid]\nn = [64]\n')
    return t


def _listing(folder) -> set:
    return {os.path.join(root, name) for root, dirs, files in os.walk(folder) for name in dirs + files}


@pytest.mark.parametrize("argv, code, message", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_hostile_invocation_fails_cleanly(hostile_files, tmp_path, monkeypatch, capsys, argv, code, message):
    monkeypatch.chdir(tmp_path)  # a default output path would land here, and be seen
    t = str(hostile_files)
    args = [a.replace("{t}", t).replace("{m}", f"{t}/model.nir") for a in argv]
    before = _listing(hostile_files)
    try:
        got = main(args)
    except SystemExit as exc:  # argparse's usage errors
        got = exc.code
    err = capsys.readouterr().err
    assert got == code, err
    assert message in err
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0, f"more than one line: {err!r}"
    assert _listing(hostile_files) == before, "a file was left behind"
    assert _listing(tmp_path) == set()


def test_the_table_covers_every_subcommand():
    from engram_nm.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert commands <= {argv[0] for argv, _, _ in CASES}
    assert len(CASES) >= 30
