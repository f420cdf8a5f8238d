"""The sweep files in examples/sweeps/ are valid: they load, name an experiment that takes their
parameters, and the short one runs."""

from pathlib import Path

import pytest

from engram_nm.sweep import load_sweep, resolve, run_sweep

FILES = sorted((Path(__file__).resolve().parents[2] / "examples" / "sweeps").glob("*.toml"))


def test_there_are_the_four_built_in_sweeps():
    assert {f.stem for f in FILES} == {"capacity", "capacity_k", "protocol_dose", "continual_grid"}


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_a_built_in_sweep_is_valid(path):
    spec, out = load_sweep(path)
    experiment = resolve(spec.experiment)
    experiment.check_params(set(spec.fixed) | set(spec.grid) | set(spec.params_random()))
    assert len(spec.seeds) >= 5 and spec.grid and out.parts[-3:-1] == ("out", "sweeps")


def test_the_capacity_vs_k_sweep_runs_a_slice(tmp_path):
    spec, _ = load_sweep(FILES[[f.stem for f in FILES].index("capacity_k")])
    spec.seeds, spec.grid, spec.fixed = [0, 1], {"k": [4, 8]}, {**spec.fixed, "n": 256}
    result = run_sweep(spec, tmp_path, scheduler="serial", progress=False)
    assert result.failed == 0 and len(result.rows) == 4
    by_k = {k: [r["capacity"] for r in result.rows if r["k"] == k] for k in (4, 8)}
    assert min(by_k[4]) > max(by_k[8])  # fewer active units, more patterns (M* ~ N^2 / K^2)
