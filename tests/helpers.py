import numpy as np


def random_spikes(steps: int, n: int, rate: float = 0.2, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random((steps, n)) < rate).astype(np.float64)
