"""Interoperability with Norse 1.1.0, a NIR peer (installed by `make setup` from its pinned sdist).

Conventions, measured here:

* Norse's LIF (``LIFBoxCell``) steps NIR's ODE with Euler, like Lava:
  ``v += dt/tau (v_leak - v + i)``, spikes where ``v > v_th``, reset to ``v_reset``.
  Its ``from_nir`` ignores ``r`` (warns), so our files go to Norse with
  ``export_nir(..., unit_r=True)``: ``r = 1`` and the factor folded into the
  weights, the same network in NIR's semantics.
* Norse layers act within the step; our layer ``l`` shows Norse's step ``t`` at
  ``t + l + 1``.
* engram_nm -> Norse: same spikes (tested).
* Norse -> engram_nm: Norse 1.1.0's ``to_nir`` writes ``tau = dt / tau_mem_inv``,
  i.e. ``dt * tau``, not ``tau`` (its own round trip turns tau_mem_inv = 50 into
  5e4). Pinned below; with tau corrected by hand its graph runs on Lava with
  Norse's spikes, so the rest of the path is right.
"""

import numpy as np
import pytest
import torch

import norse.torch as nt
from engram_nm import random_spec
from engram_nm.hardware.targets import run
from engram_nm.nir_io import import_nir, nir_to_spec, spec_to_nir


def norse_spikes(module, x: np.ndarray) -> np.ndarray:
    state, out = None, []
    for t in range(len(x)):
        o, state = module(torch.as_tensor(x[t:t + 1], dtype=torch.float32), state)
        out.append(o.detach().numpy()[0] > 0)
    return np.array(out)


@pytest.mark.lava
def test_our_file_runs_in_norse_with_our_spikes(tmp_path):
    from engram_nm.nir_io import export_nir, read_nir

    spec = random_spec(10, [16, 6], weight_scale=0.6, seed=2, dt=1e-3, tau_mem=20e-3)
    path = export_nir(spec, tmp_path / "for_norse.nir", unit_r=True)
    back = import_nir(path)  # our reader takes the unit-r form too
    for a, b in zip(back.layers, spec.layers):
        np.testing.assert_allclose(a.weight, b.weight, rtol=1e-12)
    x = (np.random.default_rng(0).random((200, 10)) < 0.3).astype(np.float32)
    theirs = norse_spikes(nt.from_nir(read_nir(path), dt=spec.dt), x)
    ours = run(spec, x, "cpu-float").spikes["layer1"]
    depth = 2
    np.testing.assert_array_equal(ours[depth:], theirs[:-depth])
    assert theirs.sum() > 100


def test_unit_r_refuses_cuba_layers():
    from engram_nm.errors import SpecError

    with pytest.raises(SpecError, match="unit_r: layer 'layer0' is a CubaLIF"):
        spec_to_nir(random_spec(4, [3], neuron="cuba"), unit_r=True)


def norse_model():
    from norse.torch.module.lif_box import LIFBoxCell, LIFBoxParameters

    torch.manual_seed(0)
    cell = lambda: LIFBoxCell(LIFBoxParameters(tau_mem_inv=torch.tensor(50.0)))  # noqa: E731
    model = nt.SequentialState(torch.nn.Linear(10, 16, bias=False), cell(), torch.nn.Linear(16, 6, bias=False), cell())
    for m in model:
        if isinstance(m, torch.nn.Linear):
            m.weight.data = (m.weight.data.abs() * 0.8 + 0.05) * 20
    return model


def test_norse_exporter_writes_dt_times_tau():
    """Pinned upstream bug: notice when Norse's to_nir writes tau itself."""
    import nir

    graph = nt.to_nir(norse_model(), torch.zeros(1, 10), dt=1e-3)
    taus = [np.asarray(n.tau) for n in graph.nodes.values() if isinstance(n, nir.LIF)]
    np.testing.assert_allclose(taus[0], 1e-3 / 50.0, rtol=1e-6)  # dt * tau, where tau = 1/50 s


@pytest.mark.lava
def test_norse_graph_with_tau_corrected_runs_on_lava_with_norse_spikes():
    import dataclasses

    import nir

    model = norse_model()
    graph = nt.to_nir(model, torch.zeros(1, 10), dt=1e-3)
    for name, node in list(graph.nodes.items()):
        if isinstance(node, nir.LIF):
            graph.nodes[name] = dataclasses.replace(node, tau=np.full(np.asarray(node.tau).shape, 1 / 50.0))
    spec = nir_to_spec(graph, dt=1e-3)
    x = (np.random.default_rng(1).random((200, 10)) < 0.3).astype(np.float32)
    theirs = norse_spikes(model, x)
    ours = run(spec, x, "cpu-float").spikes[spec.layer_names[-1]]
    np.testing.assert_array_equal(ours[2:], theirs[:-2])
    assert theirs.sum() > 50
