"""The engram-nm command line: exit codes 0 / 1 / 2, outputs on disk, clear errors."""

import re
import subprocess
import sys

import numpy as np
import pytest

from engram_nm.cli import main


def cli(*args):
    return subprocess.run([sys.executable, "-m", "engram_nm.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_info_lists_targets(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "cpu-float" in out and "available" in out
    assert "loihi2" in out


def test_usage_error_exit_2():
    proc = cli("run")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, "a usage error is one line"
    assert "required" in proc.stderr and "--help" in proc.stderr


def test_missing_model_exit_1():
    proc = cli("run", "/nonexistent/model.nir")
    assert proc.returncode == 1
    assert "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.lava
def test_export_run_and_result_file(tmp_path, capsys):
    model = tmp_path / "m.nir"
    assert main(["export", "--random", "10,12,4", "--seed", "2", "-o", str(model), "--quiet"]) == 0
    x = (np.random.default_rng(0).random((50, 10)) < 0.3).astype(np.float64)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "r.npz"
    assert main(["run", str(model), "--target", "cpu-fixed", "--input", str(tmp_path / "x.npy"), "--steps", "40",
                 "--out", str(out)]) == 0
    data = np.load(out)
    assert set(data.files) == {"layer0", "layer1"}
    assert data["layer0"].shape == (40, 12) and data["layer1"].shape == (40, 4)


def test_unknown_target_is_a_usage_error(tmp_path, capsys):
    model = tmp_path / "m.nir"
    main(["export", "--random", "4,3", "-o", str(model), "--quiet"])
    with pytest.raises(SystemExit) as info:
        main(["run", str(model), "--target", "gpu"])
    assert info.value.code == 2
    assert "unknown target 'gpu'" in capsys.readouterr().err


def test_loihi2_unavailable_is_explained(tmp_path, capsys):
    model = tmp_path / "m.nir"
    main(["export", "--random", "4,3", "-o", str(model), "--quiet"])
    assert main(["run", str(model), "--target", "loihi2", "--steps", "5"]) == 1
    assert "not available" in capsys.readouterr().err


def test_bad_input_shape(tmp_path, capsys):
    model = tmp_path / "m.nir"
    main(["export", "--random", "4,3", "-o", str(model), "--quiet"])
    np.save(tmp_path / "x.npy", np.zeros((10, 5)))
    assert main(["run", str(model), "--input", str(tmp_path / "x.npy")]) == 1
    assert "n_in=4" in capsys.readouterr().err


@pytest.mark.lava
def test_verify_prints_agreement(tmp_path, capsys):
    model = tmp_path / "m.nir"
    main(["export", "--random", "8,10,4", "--neuron", "cuba", "--recurrent", "-o", str(model), "--quiet"])
    assert main(["verify", str(model), "--steps", "60"]) == 0
    out = capsys.readouterr().out
    assert "identical spikes): yes" in out and "| layer0 |" in out


@pytest.mark.slow
@pytest.mark.lava
def test_demo_small(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--epochs", "1", "--n-eval", "2", "--quiet",
                 "--engram-seeds", "3", "--offline-hours", "2", "--store-per-class", "2",
                 "--memory-test", "4"]) == 0
    report = (tmp_path / "report.md").read_text()
    assert "spike mismatches over 2 digits: **0**" in report
    assert "vs Lava cpu-fixed spike mismatches over the same digits: **0**" in report
    full = re.search(r"\| fixed-emu, all (\d+) \| ([0-9.]+) \|", report)
    assert full and int(full.group(1)) == 449 and float(full.group(2)) > 0.1  # the whole test split, above chance
    fixed = re.search(r"\| cpu-fixed \| ([0-9.]+) \|", report).group(1)
    assert re.search(r"\| fixed-emu \| ([0-9.]+) \|", report).group(1) == fixed  # same digits, same answers
    assert re.search(r"on Lava cpu-float: spikes equal the numpy reference in every phase \(E, I and the "
                     r"read-out, [1-9]\d* spikes\): \*\*True\*\*", report)  # a busy network, equal spikes
    fear = re.search(r"^\| conditioned \| ([0-9.]+) \[.*\| ([0-9.]+) \[.*\| ([0-9.]+) \[", report, flags=re.M)
    control = re.search(r"^\| plasticity off while conditioning \(control\) \| ([0-9.]+) \[", report, flags=re.M)
    assert fear and control and float(control.group(1)) == 0.0  # no learning, no fear
    assert "| A vs B, conditioned |" in report
    assert "Lava cpu-float reads equal the numpy reference: **True**" in report  # the SDM stage
    assert (tmp_path / "model_with_memory.nir").exists()
    assert (tmp_path / "model.nir").exists() and (tmp_path / "engram.nir").exists()
    assert "effective ACs" in report and "Loihi 2 fit" in report
    assert "| the same ANN, effective MACs (zero inputs skipped) |" in report
    assert "frontier's best point within 1 point of the ANN" in report and "membrane readout" in report
    assert "readout spikes over every run below: **0**" in report  # the finite threshold is never reached
    assert "mismatches over the same digits: **0** (largest voltage difference 0.0e+00)" in report
    for name in ("energy", "raster", "engram_raster", "labels_vs_occlusion"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000, name


@pytest.mark.lava
def test_run_keys_results_by_nir_node_name(tmp_path):
    """A foreign file whose node names are not identifiers ('0', 'lif.lif') keeps them in the .npz."""
    import nir

    from engram_nm import random_spec
    from engram_nm.nir_io import spec_to_nir

    g = spec_to_nir(random_spec(4, [3]))
    g = nir.NIRGraph(nodes={("1" if k == "layer0" else k): v for k, v in g.nodes.items()},
                     edges=[tuple("1" if n == "layer0" else n for n in e) for e in g.edges], metadata=g.metadata)
    nir.write(str(tmp_path / "f.nir"), g)
    assert main(["run", str(tmp_path / "f.nir"), "--steps", "10", "--out", str(tmp_path / "r.npz"), "--quiet"]) == 0
    assert np.load(tmp_path / "r.npz").files == ["1"]


@pytest.mark.lava
def test_run_with_learning_writes_the_learned_model(tmp_path, capsys):
    from engram_nm import random_spec
    from engram_nm.nir_io import export_nir, import_nir
    from engram_nm.plasticity import LayerPlasticity, PairSTDP

    spec = random_spec(10, [8], weight_scale=0.5, seed=1)
    spec.layers[0].plasticity = LayerPlasticity(feedforward=PairSTDP(a_plus=2 ** -5, a_minus=2 ** -6, w_min=0.0))
    spec.layers[0]._check_plasticity()
    spec.layers[0].weight = np.abs(spec.layers[0].weight)
    model = export_nir(spec, tmp_path / "plastic.nir")
    learned = tmp_path / "learned.nir"
    assert main(["run", str(model), "--learn", "--steps", "120", "--seed", "4", "--learned-model", str(learned)]) == 0
    out = capsys.readouterr().out
    assert "| layer0_w | learning engine | yes |" in out
    back = import_nir(learned)
    assert not np.array_equal(back.layers[0].weight, spec.layers[0].weight)
    assert back.layers[0].plasticity == spec.layers[0].plasticity


def test_learned_model_needs_learn():
    proc = cli("run", "m.nir", "--learned-model", "x.nir")
    assert proc.returncode == 2 and "--learned-model needs --learn" in proc.stderr


def test_train_then_import(tmp_path, capsys):
    model = tmp_path / "digits.nir"
    assert main(["train", "--epochs", "1", "--hidden", "16", "-o", str(model), "--quiet"]) == 0
    assert main(["import", str(model), "-o", str(tmp_path / "again.nir")]) == 0
    out = capsys.readouterr().out
    assert "hidden: 16 x lif" in out and "stock Lava neurons, LIF or SigmaDelta (Loihi 2): yes" in out
    assert (tmp_path / "again.nir").exists()
    assert main(["train", str(model), "--epochs", "1", "-o", str(tmp_path / "more.nir"), "--quiet"]) == 0


def test_train_a_sigma_delta_network_on_the_digit_video_and_run_it_in_fixed_point(tmp_path, capsys, monkeypatch):
    from engram_nm.nir_io import import_nir

    monkeypatch.setenv("ENGRAM_NM_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "video.nir"
    assert main(["train", "--data", "video", "--neuron", "sigma_delta", "--limit", "60", "--epochs", "1",
                 "--hidden", "16", "-o", str(model)]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and "effective synaptic operations" in out
    spec = import_nir(model)
    assert spec.n_in == 2048 and spec.layers[0].graded and spec.metadata["input"]["dataset"] == "video"
    assert main(["run", str(model), "--target", "fixed-emu", "--steps", "20", "--quiet"]) == 0


def test_train_with_an_input_code_and_run_analog_input_with_it(tmp_path, capsys):
    from engram_nm.encoding import code_of
    from engram_nm.nir_io import import_nir

    model = tmp_path / "latency.nir"
    assert main(["train", "--epochs", "1", "--hidden", "16", "--code", "latency", "--steps", "10", "-o", str(model),
                 "--quiet"]) == 0
    code = code_of(import_nir(model))
    assert (code.kind, code.steps) == ("latency", 10)
    images = tmp_path / "img.npy"
    np.save(images, np.linspace(0, 1, 3 * 64).reshape(3, 64))
    out = tmp_path / "spikes.npz"
    assert main(["run", str(model), "--input", str(images), "--analog", "--target", "fixed-emu", "--out", str(out),
                 "--quiet"]) == 0
    with np.load(out) as spikes:
        assert all(a.shape[:2] == (3, 10) for a in spikes.values())  # a batch of 3, 10 steps each
    plain = tmp_path / "plain.nir"
    assert main(["export", "--random", "64,8,10", "-o", str(plain), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["run", str(plain), "--input", str(images), "--analog", "--quiet"]) == 1
    assert "carries no input code" in capsys.readouterr().err


def test_train_refuses_a_model_of_the_wrong_shape(tmp_path, capsys):
    model = tmp_path / "m.nir"
    assert main(["export", "--random", "10,8,3", "-o", str(model), "--quiet"]) == 0
    assert main(["train", str(model), "-o", str(tmp_path / "x.nir"), "--quiet"]) == 1
    assert "64 inputs" in capsys.readouterr().err
