"""The Loihi 2 fit report: cores from neurons and synaptic memory, flags for what does not fit."""

import numpy as np

from engram_nm import EngramSpec, LayerSpec, random_spec
from engram_nm.analysis.fit import LOIHI2, CoreLimits, fit_report

SMALL = CoreLimits("toy", neurons_per_core=10, synaptic_memory_bytes=100, cores_per_chip=4, bytes_per_synapse=1.0,
                   source="test", status="cited")


def test_cores_follow_neurons_and_memory():
    spec = EngramSpec(8, [LayerSpec("a", weight=np.ones((25, 8))), LayerSpec("b", weight=np.ones((2, 25)))])
    report = fit_report(spec, SMALL, quantize_weights=False)
    a, b = report.layers
    assert (a.neurons, a.synapses, a.cores) == (25, 200, 3)      # 3 cores for 25 neurons; 2 for 200 B
    assert (b.synapses, b.cores) == (50, 1)
    assert report.cores == 4 and report.fits


def test_flags_a_neuron_too_big_for_a_core_and_a_chip_too_small():
    wide = EngramSpec(150, [LayerSpec("wide", weight=np.ones((3, 150)))])
    report = fit_report(wide, SMALL, quantize_weights=False)
    assert not report.fits and "more than one core" in report.problems[0]
    many = EngramSpec(8, [LayerSpec("many", weight=np.ones((60, 8)))])
    assert any("a chip has 4" in p for p in fit_report(many, SMALL, quantize_weights=False).problems)


def test_flags_values_that_clip_and_weights_that_vanish():
    spec = random_spec(10, [6], weight_scale=0.3, seed=1)
    spec.layers[0].bias[:] = 1e6                       # beyond the 13-bit mantissa << 7
    report = fit_report(spec)
    assert not report.fits and any("bias" in p and "clip" in p for p in report.problems)
    fine = random_spec(10, [6], weight_scale=0.3, seed=1)
    fine.layers[0].weight[0, :5] = 1e-5                 # 1/100000 of the largest weight: below one LSB
    report = fit_report(fine)
    assert report.fits and any("round to 0" in w for w in report.warnings)  # precision, not a misfit
    assert "Quantisation" in report.table()


def test_default_limits_are_marked_unverified():
    assert LOIHI2.status == "unverified" and "Loihi 2" in LOIHI2.source
    report = fit_report(random_spec(10, [6], weight_scale=0.3, seed=2))
    assert report.fits and report.cores == 1 and "unverified" in report.table()


def test_cli_fit_exit_codes(tmp_path, capsys):
    from engram_nm.cli import main
    from engram_nm.nir_io import export_nir

    ok = export_nir(random_spec(10, [6], weight_scale=0.3, seed=2), tmp_path / "ok.nir")
    assert main(["fit", str(ok)]) == 0 and "fits: yes" in capsys.readouterr().out
    bad = random_spec(10, [6], weight_scale=0.3, seed=2)
    bad.layers[0].bias[:] = 1e6
    assert main(["fit", str(export_nir(bad, tmp_path / "bad.nir"))]) == 1
    assert "fits: NO" in capsys.readouterr().out


def test_fit_counts_every_matrix_into_a_layer_extra_projections_included():
    from engram_nm.experiments.engram import build_engram_network

    spec = build_engram_network()
    exc = {layer.name: layer for layer in fit_report(spec, quantize_weights=False).layers}["E"]
    e = spec.layers[0]
    expected = sum(int(np.count_nonzero(w)) for w in (e.weight, e.recurrent_weight, spec.projections[0].weight))
    assert exc.synapses == expected and np.count_nonzero(spec.projections[0].weight) > 1000
