import os

import pytest

# budget: the per-test time limit of the default tier; pytester: tests/test_budget_guard.py runs pytest with it
pytest_plugins = ("tests.budget", "pytester")

# Lava forks a child per process; torch's thread pool + fork deadlocks (docs/lava_edges.md).
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True, scope="session")
def _single_thread_torch():
    import torch

    torch.set_num_threads(1)
    yield

