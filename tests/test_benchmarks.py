"""Benchmark scripts run and write their JSON + markdown (no timing is asserted)."""

import json

import pytest


@pytest.mark.lava
def test_lava_step_cost_writes_results(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "lava_step_cost.py"
    spec = importlib.util.spec_from_file_location("lava_step_cost", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    result = mod.main(["--sizes", "50", "--steps", "20", "--out", str(tmp_path)])
    data = json.loads((tmp_path / "lava_step_cost.json").read_text())
    assert data == json.loads(json.dumps(result))
    row = data["rows"][0]
    assert row["N"] == 50 and row["ratio_lava_over_numpy"] > 0 and row["lava_startup_s"] > 0
    assert "| 50 |" in (tmp_path / "lava_step_cost.md").read_text()
