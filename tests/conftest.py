import os

import numpy as np
import pytest

# Lava forks a child per process; torch's thread pool + fork deadlocks (LAVA_NOTES).
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True, scope="session")
def _single_thread_torch():
    import torch

    torch.set_num_threads(1)
    yield


def random_spikes(steps: int, n: int, rate: float = 0.2, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((steps, n)) < rate).astype(np.float64)


@pytest.fixture
def spikes():
    return random_spikes
