"""Same-budget baselines of the continual learner (engram_nm/experiments/continual_baselines.py)."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.experiments import continual_baselines as cb
from engram_nm.experiments.continual import Task


def _blobs(seed=0, n=40, classes=(0, 1, 2, 3)):
    """Well-separated clusters in 64 pixels: class c lights pixels 16c .. 16c + 15."""
    rng = np.random.default_rng(seed)
    x, y = [], []
    for c in classes:
        base = np.zeros(64)
        base[16 * (c % 4): 16 * (c % 4) + 16] = 10.0
        x.append(base + rng.uniform(0, 2, (n, 64)))
        y.append(np.full(n, c))
    return np.vstack(x), np.concatenate(y)


def _tasks():
    x, y = _blobs()
    xt, yt = _blobs(seed=1, n=10)
    return [Task((a, b), x[np.isin(y, (a, b))], y[np.isin(y, (a, b))], xt[np.isin(yt, (a, b))], yt[np.isin(yt, (a, b))])
            for a, b in ((0, 1), (2, 3))]


@pytest.mark.parametrize("method", [cb.CosineNearestNeighbour, cb.NearestClassMean, cb.ClassKMeans, cb.StreamingLDA])
def test_class_wise_baselines_learn_separable_classes_task_by_task(method):
    row = cb.run_baseline(method(0), _tasks())
    assert row["final_average"] == 1.0 and len(row["per_task"]) == 2
    assert row["total_bytes"] == row["parameter_bytes"] + row["image_bytes"] + row["average_bytes"] > 0


def test_memory_is_counted_at_four_bytes_a_number_and_by_what_is_kept():
    tasks = _tasks()
    nn, ncm, km = cb.CosineNearestNeighbour(), cb.NearestClassMean(), cb.ClassKMeans(0, per_class=3)
    for m in (nn, ncm, km):
        cb.run_baseline(m, tasks)
    n_train = sum(len(t.x_train) for t in tasks)
    assert nn.memory() == cb.Memory(images=n_train * 65 * 4)           # every image and its label
    assert ncm.memory() == cb.Memory(averages=4 * 65 * 4)              # four class means and labels
    assert km.memory() == cb.Memory(averages=4 * 3 * 65 * 4)
    assert np.allclose(np.linalg.norm(km.centroids, axis=1), 1.0)


def test_streaming_lda_keeps_exact_class_means_and_a_pooled_covariance():
    x, y = _blobs(n=60)
    slda = cb.StreamingLDA()
    slda.learn_task(x, y)
    for c in range(4):
        assert np.allclose(slda.mu[c], x[y == c].mean(axis=0))
    pooled = sum(np.cov(x[y == c].T, bias=True) * (y == c).sum() for c in range(4)) / len(y)
    assert np.allclose(slda.cov, pooled)  # exact, in any order of images
    with pytest.raises(InputError):
        cb.StreamingLDA(shrinkage=0.0)


def test_a_replay_buffer_stays_within_its_budget_and_keeps_every_class(monkeypatch):
    monkeypatch.setitem(cb.CONVERGED, "max_epochs", 2)
    replay = cb.ReplayMLP(0, budget_bytes=20 * 65 * 4)
    cb.run_baseline(replay, _tasks())
    assert replay.memory().images <= 20 * 65 * 4 and set(replay.by.tolist()) == {0, 1, 2, 3}


def test_the_float_readout_of_prototypes_is_the_nearest_prototype_s_class():
    protos = np.zeros((40, 64))
    allocated = np.zeros(40, dtype=bool)
    for cls in range(4):  # block `cls` (cells 10 cls .. 10 cls + 9): two allocated prototypes each
        for j in range(2):
            protos[10 * cls + j, 16 * cls:16 * cls + 16] = 1.0 / 4.0
            allocated[10 * cls + j] = True
    learner = SimpleNamespace(prototypes=protos, allocated=allocated, config=SimpleNamespace(cells_per_unit=10))
    x, y = _blobs(n=5)
    assert np.array_equal(cb.prototype_readout(learner, x), y)
    memory = cb.learner_memory(SimpleNamespace(prototypes=protos, allocated=allocated, readout=np.zeros((10, 40))))
    assert memory == cb.Memory(parameters=(400 + 40) * 4, averages=40 * 64 * 4)


@pytest.mark.slow
def test_the_benchmark_writes_its_table_and_merges_it_into_the_continual_results(tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "continual_baselines.py"
    spec = importlib.util.spec_from_file_location("continual_baselines_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    (tmp_path / "continual.json").write_text(json.dumps({"benchmark": "continual"}))
    (tmp_path / "continual.md").write_text("# Continual\n\n## Targets\n\n| a | b |\n")
    result = bench.main(["--quick", "--out", str(tmp_path)])
    methods = {t["method"] for t in result["summary"]["table"]}
    assert {"engram_learner", "engram_learner_prototypes_float", "cosine_1nn", "class_kmeans", "slda"} <= methods
    merged = json.loads((tmp_path / "continual.json").read_text())
    assert merged["same_budget_baselines"]["seeds"] == [0, 1]
    page = (tmp_path / "continual.md").read_text()
    assert page.count(bench.SECTION) == 1 and "## Targets" in page
    bench.merge_into_continual(tmp_path)  # a second merge replaces the section, never repeats it
    assert (tmp_path / "continual.md").read_text().count(bench.SECTION) == 1
