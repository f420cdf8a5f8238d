"""Energy profiles with sources, estimates from counts, and the backend comparison."""

import numpy as np
import pytest

from engram_nm import EngramSpec, LayerSpec, random_spec
from engram_nm.analysis.counting import count_run
from engram_nm.analysis.energy import PROFILES, EnergyProfileError, estimate, load_profile


def _tiny_counts():
    spec = EngramSpec(2, [LayerSpec("a", weight=[[2.0, 0.0], [2.0, 2.0]])])
    x = np.array([[1, 1], [0, 1]])
    return count_run(spec, x, {"a": np.array([[0, 0], [1, 1]])})  # ACs 2*1 + 1*2 = 4, dense 8, updates 4, spikes 2


def test_event_driven_and_dense_estimates_by_hand():
    c = _tiny_counts()
    loihi = estimate(c, PROFILES["loihi"])
    assert loihi.picojoules == pytest.approx(4 * 23.6 + 4 * 52.0 + 2 * 1.7)
    dense = estimate(c, PROFILES["cpu-fp32"])
    assert dense.picojoules == pytest.approx(8 * 0.9 + 4 * 4.6)
    ann = estimate(None, PROFILES["cpu-fp32"], ann_macs=4)
    assert ann.picojoules == pytest.approx(4 * 4.6)
    unknown = estimate(c, PROFILES["loihi2"])
    assert unknown.picojoules is None and set(unknown.missing) == {"synaptic_op", "neuron_update", "spike"}


def test_every_cost_names_its_source_and_status():
    for profile in PROFILES.values():
        for op, cost in profile.costs.items():
            assert cost.source and cost.status in ("cited", "unverified", "unknown"), (profile.name, op)
    assert all(c.status == "unverified" for c in PROFILES["loihi"].costs.values())


@pytest.mark.quick
def test_user_profile_from_toml(tmp_path):
    path = tmp_path / "chip.toml"
    path.write_text('name = "my-chip"\nevent_driven = true\n[costs.synaptic_op]\npicojoules = 5.0\n'
                    'source = "bench measurement, 2026"\n[costs.neuron_update]\npicojoules = 1.0\nsource = "same"\n'
                    '[costs.spike]\npicojoules = 0.5\nsource = "same"\n')
    prof = load_profile(path)
    assert estimate(_tiny_counts(), prof).picojoules == pytest.approx(4 * 5 + 4 * 1 + 2 * 0.5)
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[costs.synaptic_op]\npicojoules = 5.0\n')
    with pytest.raises(EnergyProfileError, match="source"):
        load_profile(bad)
    worse = tmp_path / "worse.toml"
    worse.write_text('name = "x"\n[costs.teleport]\npicojoules = 1.0\nsource = "s"\n')
    with pytest.raises(EnergyProfileError, match="unknown operation"):
        load_profile(worse)


@pytest.mark.lava
def test_compare_counts_each_run_and_writes_table_and_plot(tmp_path):
    from engram_nm.analysis.compare import compare

    spec = random_spec(12, [20, 5], weight_scale=0.4, seed=3)
    xs = [(np.random.default_rng(i).random((60, 12)) < 0.2).astype(float) for i in range(2)]
    rep = compare(spec, xs, labels=[0, 1])
    assert [r.target for r in rep.rows] == ["snntorch", "cpu-float", "cpu-fixed"]
    assert rep.rows[0].effective_acs == rep.rows[1].effective_acs > 0
    assert rep.rows[0].energy_pj["loihi2"] is None and rep.rows[0].energy_pj["loihi"] > 0
    assert rep.ann_macs == 20 * 12 + 5 * 20
    table = rep.table()
    assert "unknown" in table and "Horowitz" in table and "unverified" in table
    assert "effective MACs" not in table
    assert rep.plot(tmp_path / "c.png").stat().st_size > 5_000
    with_ann = compare(spec, xs, targets=("snntorch",), ann_effective_macs=150.0)
    assert "| the same ANN, effective MACs (zero inputs skipped) | | 150 MACs |" in with_ann.table()
    assert with_ann.ann_effective_energy_pj["cpu-fp32"] == pytest.approx(150 * 4.6)


@pytest.mark.lava
def test_cli_compare(tmp_path, capsys):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    model = export_nir(random_spec(10, [8, 4], weight_scale=0.5, seed=1), tmp_path / "m.nir")
    assert main(["compare", str(model), "--steps", "40", "--targets", "snntorch,cpu-float",
                 "--out", str(tmp_path / "cmp")]) == 0
    assert "| cpu-float |" in capsys.readouterr().out
    assert (tmp_path / "cmp" / "compare.png").exists() and (tmp_path / "cmp" / "compare.md").exists()
