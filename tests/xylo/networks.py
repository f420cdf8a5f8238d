"""Networks the Xylo tests share: random integer configurations and specs within a chip's limits."""

import numpy as np

from engram_nm.spec import EngramSpec, LayerSpec
from engram_nm.xylo.config import XyloConfig


def random_config(seed: int, n_in: int = 16, n_hidden: int = 60, n_out: int = 8, thresholds=(50, 800)) -> XyloConfig:
    """Sparse signed 8-bit weights, thresholds in ``thresholds``, bit shifts 0-7 (synapse: 1-5)."""
    rng = np.random.default_rng(seed)

    def sparse(shape, p):
        return np.where(rng.random(shape) < p, rng.integers(-64, 128, shape), 0)

    return XyloConfig(weights_in=sparse((n_in, n_hidden), 0.5), weights_rec=sparse((n_hidden, n_hidden), 0.2),
                      weights_out=sparse((n_hidden, n_out), 0.4), threshold=rng.integers(*thresholds, n_hidden),
                      threshold_out=rng.integers(*thresholds, n_out), dash_mem=rng.integers(0, 8, n_hidden),
                      dash_syn=rng.integers(1, 6, n_hidden), dash_mem_out=rng.integers(0, 8, n_out),
                      dash_syn_out=rng.integers(1, 6, n_out), hidden_populations=(("H", 0, n_hidden),),
                      output_population="O", dt=1e-3)


def xylo_spec(seed: int = 0, n_in: int = 16, hidden=(40, 20), n_out: int = 8, recurrent: bool = True) -> EngramSpec:
    """CUBA populations with subtractive reset and no bias: hidden chain (the first recurrent) -> read-out."""
    rng = np.random.default_rng(seed)
    layers, n_src = [], n_in
    for k, n in enumerate(hidden):
        rec = rng.normal(0, 0.05, (n, n)) if recurrent and k == 0 else None
        layers.append(LayerSpec(f"H{k}", rng.normal(0.15, 0.25, (n, n_src)), neuron="cuba", tau_syn=4e-3,
                                tau_mem=16e-3 * (k + 1), reset="subtract", recurrent_weight=rec))
        n_src = n
    layers.append(LayerSpec("O", rng.normal(0.1, 0.3, (n_out, n_src)), neuron="cuba", tau_syn=8e-3, tau_mem=16e-3,
                            reset="subtract"))
    return EngramSpec(n_in, layers, dt=1e-3, name="xylo_test")
