"""Every example runs (at reduced size) and says what it should: called in-process in the default
tier (no interpreter start, no second import of torch and Lava), and as a script, as a user runs
it, in the slow tier."""

import contextlib
import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["in-process", pytest.param("script", marks=pytest.mark.slow)])
def run_example(request, monkeypatch):
    """``run_example(name, argv, env=None)`` -> ``(returncode, stdout, stderr)`` of
    ``examples/<name>.py``: its ``main(argv)`` in this process, or the script in a new one."""

    def in_process(name, argv, env=None):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                result = module.main([str(a) for a in argv])
                code = result if isinstance(result, int) else 0  # example 06 returns its counts
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
        return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())

    def script(name, argv, env=None):
        return subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), *map(str, argv)],
                              capture_output=True, text=True, timeout=900, env=env)

    return in_process if request.param == "in-process" else script


@pytest.mark.lava
def test_example_01_define_once(run_example, tmp_path):
    proc = run_example("01_define_once", ["--steps", "80",
                           "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exact = True" in proc.stdout
    assert "spike for spike: yes" in proc.stdout
    assert "| engram |" in proc.stdout and "| readout |" in proc.stdout
    assert (tmp_path / "define_once.nir").exists()


@pytest.mark.lava
def test_example_02_onchip_stdp(run_example, tmp_path):
    import re

    proc = run_example("02_onchip_stdp", ["--epochs", "1",
                           "--samples", "10", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "rule re-created on import: True" in out
    assert "| hidden_w | learning engine | yes |" in out
    gap = float(re.search(r"max \|w difference\| = ([0-9.e+-]+)", out).group(1))
    assert gap < 1e-12
    fixed_corr = float(re.search(r"cpu-float learned change: correlation ([0-9.-]+)", out).group(1))
    pixel_corr = float(re.search(r"mean image of digit 3: correlation ([0-9.-]+)", out).group(1))
    assert fixed_corr > 0.9 and pixel_corr > 0.5  # STDP strengthened the shown digit's pixels
    assert (tmp_path / "weight_change.png").stat().st_size > 10_000
    assert (tmp_path / "learned.nir").exists()


@pytest.mark.lava
def test_example_03_continual_gating(run_example, tmp_path):
    import re

    proc = run_example("03_continual_gating", ["--tasks", "2",
                           "--train-images", "60", "--lava-train", "8", "--lava-test", "4", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    finals = dict(re.findall(r"^([\w ]+): final average accuracy ([0-9.]+)", proc.stdout, flags=re.M))
    assert float(finals["gated"]) > float(finals["ungated twin"]) + 0.3
    assert proc.stdout.count("stored training data: 0 bytes") == 2
    assert "cpu-fixed: learned on {'readout_w': 'engine'}" in proc.stdout
    assert "Lava cpu-fixed learned the same readout as fixed-emu: yes" in proc.stdout
    assert (tmp_path / "engram_learner.nir").stat().st_size > 0
    assert (tmp_path / "continual_learner.png").stat().st_size > 10_000


@pytest.mark.lava
def test_example_04_energy_compare(run_example, tmp_path):
    proc = run_example("04_energy_compare", ["--steps", "40",
                           "--samples", "1", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| cpu-fixed |" in proc.stdout and "Horowitz" in proc.stdout and "unverified" in proc.stdout
    assert "Loihi 2: 2 cores, fits: yes" in proc.stdout
    assert (tmp_path / "energy.png").exists()


@pytest.mark.slow
def test_example_05_engram_lifecycle(run_example, tmp_path):
    """The script end to end on the engine (three seeds, three protocols); that Lava runs the same
    day spike for spike is tests/engram/test_conditioning.py's job."""
    import json
    import re

    proc = run_example("05_engram_lifecycle", ["--quick",
                           "--seeds", "3", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout

    def freezing(arm, condition):
        row = re.search(rf"^\| {re.escape(arm)} \| {re.escape(condition)} \| ([0-9.]+) \[", out, flags=re.M)
        return float(row.group(1))

    assert freezing("conditioned", "A 0.5") > freezing("conditioned", "B 0.5")
    assert freezing("no learning (plasticity off while conditioning)", "A 0.5") == 0.0
    assert freezing("conditioned", "silence engram 0.5") < freezing("conditioned", "cue alone")
    assert freezing("saline", "natural cue") > freezing("protein-synthesis inhibitor", "natural cue")
    record = json.loads((tmp_path / "protocols.json").read_text())
    row = record["protocols"]["fear memory"]["conditioned: A 0.5"]
    assert row["n_seeds"] == 3 and set(row) >= {"mean", "ci95", "chance", "freezing", "e_rate_hz"}
    def load_row(count, arm):
        return re.search(rf"^\| {count} \| {re.escape(arm)} \| ([0-9.]+) \[.*\| ([0-9.]+) \[[^|]*\|$", out, flags=re.M)

    stored, control = load_row(8, "stored (plasticity on)"), load_row(8, "shown, plasticity off after A")
    assert float(stored.group(2)) > 10 * float(control.group(2))  # offline E rate: ignition only with learning
    assert "| prune below 0.06 | 24 |" in out and "| no structural plasticity (control) | 24 |" in out
    pruning = json.loads((tmp_path / "load_and_pruning.json").read_text())["refinement"]["refinement by pruning"]
    assert (pruning["prune below 0.06"]["24 h"]["responding_cells"]["mean"]
            < pruning["no structural plasticity (control)"]["24 h"]["responding_cells"]["mean"])
    for name in ("trial_rasters", "memory_load", "refinement"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000, name
    assert (tmp_path / "engram.nir").exists()


@pytest.mark.lava
@pytest.mark.parametrize("seed", [0, 1])
def test_example_06_our_processes_in_a_hand_built_lava_graph(run_example, tmp_path, seed):
    """EngramGate + GeneralLIF + SDM wired by hand to stock Dense/LIF/RingBuffers == the numpy reference."""
    import re

    proc = run_example("06_lava_processes", ["--seed", str(seed),
                           "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    counts = {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)$", proc.stdout, flags=re.M)}
    assert counts["hidden_mismatches"] == counts["readout_mismatches"] == counts["read_mismatches"] == 0
    # Enough activity for a wrong gate, reset or address to show, and no saturation (200 steps).
    assert 0.1 * 200 * 24 < counts["hidden_spikes"] < 0.6 * 200 * 24
    assert 0.1 * 200 * 6 < counts["readout_spikes"] < 0.6 * 200 * 6
    assert counts["reads_with_ones"] >= 20  # of 30 reads
    assert "hand-built Lava graph == numpy reference: yes" in proc.stdout
    assert (tmp_path / "raster.png").stat().st_size > 5_000


@pytest.mark.slow  # ~13 s in-process (3 s of network time per arm); tests/engram/test_imaging_sessions.py covers the path
def test_example_07_calcium_imaging(run_example, tmp_path):
    proc = run_example("07_calcium_imaging", ["--seeds", "2",
                           "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "GCaMP6f: tau_rise 17.5 ms, tau_decay 178 ms (45 ms to peak, 142 ms half-decay)" in out
    assert "| normal 3000 |" in out and "| blocked 3000 |" in out and "| sham nmf GCaMP6f 30 Hz 200 ph |" in out
    assert (tmp_path / "calcium_imaging.png").stat().st_size > 20_000


@pytest.mark.lava
@pytest.mark.slow
def test_example_08_event_camera(run_example, tmp_path):
    import os
    import re

    env = {**os.environ, "ENGRAM_NM_CACHE": str(tmp_path / "cache")}
    proc = run_example("08_event_camera", ["--train", "200",
                           "--test", "60", "--epochs", "3", "--out", str(tmp_path)], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    mlp = float(re.search(r"frame MLP 2048-64-10: accuracy ([0-9.]+)", out).group(1))
    lif = float(re.search(r"LIF 2048-64-10, first layer pruned 90 %: accuracy ([0-9.]+)", out).group(1))
    assert mlp > 0.5 and lif > 0.5  # chance 0.10, 200 training recordings
    fewer = float(re.search(r"LIF .*?([0-9.]+)x fewer than the dense MLP", out).group(1))
    assert fewer > 10  # the pruned spiking network against every weight of the frame MLP, every frame
    assert "Lava cpu-fixed equals fixed-emu spike for spike on 3 recordings: yes" in out
    assert (tmp_path / "event_camera.png").stat().st_size > 10_000


def test_example_09_xylo(run_example, tmp_path):
    import re

    proc = run_example("09_xylo", ["--epochs", "3", "--out", str(tmp_path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "xylo-audio2: fits NO\n  * 10 output neurons: xylo-audio2 has 8" in out and "xylo-audio3: fits yes" in out
    assert "xylo-emu == xylo-sim (every event of every digit): yes" in out
    accuracy = {t: float(a) for t, a in re.findall(r"\| (reference|xylo-sim) \| ([0-9.]+) \|", out)}
    assert accuracy["reference"] > 0.3 and accuracy["xylo-sim"] > 0.2  # chance 0.10
    assert (tmp_path / "xylo_digits.nir").exists()
