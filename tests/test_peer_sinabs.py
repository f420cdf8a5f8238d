"""Interoperability with Sinabs 3.1.3, a NIR peer (installed by `make setup` with --no-deps).

Conventions, measured here:

* Sinabs' time unit is one step (its ``tau_mem`` is in steps) and its LIF steps
  NIR's ODE exactly: ``v = a v + (1 - a) I`` with ``a = exp(-1/tau)``
  (``norm_input=True``), exported as ``LIF(tau, r=1)``. Import with ``dt=1.0``
  and ``discretization="exact"``; the Euler reading (Lava's, snnTorch's) is off by
  ``exp(-1/tau)`` vs ``1 - 1/tau`` and disagrees on ~17 % of spike bins.
* Sinabs layers act within the step; every Lava Dense delays by one, so Sinabs'
  layer-``l`` spikes at step ``t`` are ours at step ``t + l + 1``.
* Sinabs -> engram_nm: same spikes (``SingleSpike``, ``MembraneReset``).
* engram_nm -> Sinabs: not possible with Sinabs 3.1.3. Its ``from_nir`` maps
  ``Affine`` but not ``Linear`` (our weight nodes without bias), and reads a LIF's
  ``tau`` as steps while ignoring ``r`` and ``dt``. Pinned below.
"""

import numpy as np
import pytest
import sinabs  # installed by `make setup` (--no-deps, see the Makefile)
import torch

from engram_nm.hardware.targets import run
from engram_nm.nir_io import nir_to_spec, spec_to_nir
from engram_nm.backends.reference import simulate


def sinabs_model(seed: int = 0):
    import sinabs.layers as sl
    from sinabs.activation import MembraneReset, SingleSpike

    torch.manual_seed(seed)
    lif = lambda: sl.LIF(tau_mem=torch.tensor(20.0), spike_fn=SingleSpike, reset_fn=MembraneReset(),  # noqa: E731
                         norm_input=True)
    model = torch.nn.Sequential(torch.nn.Linear(10, 16, bias=False), lif(), torch.nn.Linear(16, 6, bias=False), lif())
    for m in model:
        if isinstance(m, torch.nn.Linear):
            m.weight.data = (m.weight.data.abs() * 0.8 + 0.05) * 8
    return model


def sinabs_spikes(model, x: np.ndarray) -> list:
    out, cur = [], torch.as_tensor(x, dtype=torch.float32).unsqueeze(0)
    for m in model:
        cur = m(cur)
        if not isinstance(m, torch.nn.Linear):
            out.append(cur[0].detach().numpy() > 0)
    return out


@pytest.fixture(scope="module")
def case():
    model = sinabs_model()
    graph = sinabs.to_nir(model, torch.zeros(1, 10))
    x = (np.random.default_rng(0).random((200, 10)) < 0.3).astype(float)
    return model, graph, x, sinabs_spikes(model, x)


@pytest.mark.lava
def test_sinabs_export_runs_on_lava_with_sinabs_spikes(case):
    model, graph, x, theirs = case
    spec = nir_to_spec(graph, dt=1.0, discretization="exact")
    assert spec.sizes == [16, 6]  # Sinabs writes scalar tau/threshold: sizes come from the weights
    res = run(spec, x, "cpu-float")
    for depth, (name, s) in enumerate(zip(spec.layer_names, theirs), start=1):
        ours = res.spikes[name][depth:]
        np.testing.assert_array_equal(ours, s[: len(x) - depth], err_msg=name)
        assert s.sum() > 50


def test_euler_reading_of_a_sinabs_graph_differs(case):
    _, graph, x, theirs = case
    spec = nir_to_spec(graph, dt=1.0)  # the default, Euler
    agree = (simulate(spec, x).spikes[spec.layer_names[0]][1:] == theirs[0][:-1]).mean()
    assert agree < 0.95


def test_sinabs_cannot_load_our_plain_linear_nodes():
    """Pinned upstream limit: notice when Sinabs' from_nir learns nir.Linear."""
    from engram_nm import random_spec

    graph = spec_to_nir(random_spec(10, [16, 6], seed=2))
    with pytest.raises(KeyError, match="layer0_w"):
        sinabs.from_nir(graph, batch_size=1)


def test_discretization_must_be_known(case):
    from engram_nm.errors import SpecError

    with pytest.raises(SpecError, match="discretization must be 'euler' or 'exact'"):
        nir_to_spec(case[1], dt=1.0, discretization="rk4")
