"""The plotting helpers write real PNGs, atomically."""

import numpy as np

from engram_nm.analysis.plots import plot_accuracy_matrix, plot_raster, plot_recall_curves, plot_weight_change


def test_every_plot_writes_a_png(tmp_path):
    rng = np.random.default_rng(0)
    paths = [
        plot_weight_change(rng.normal(size=(5, 16)), rng.normal(size=(5, 16)), tmp_path / "w.png",
                           input_shape=(4, 4)),
        plot_raster({"a": rng.random((30, 10)) < 0.2, "b": rng.random((30, 3)) < 0.2}, tmp_path / "r.png", dt=1e-3),
        plot_accuracy_matrix(np.tril(rng.random((4, 4))), tmp_path / "m.png", title="R"),
        plot_recall_curves({"noise": ([0, 0.1, 0.2], [1, 0.8, 0.3])}, tmp_path / "c.png"),
    ]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 3_000
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written files left behind
