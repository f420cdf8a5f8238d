"""NIR round trips, snnTorch interoperability and bad files."""

import numpy as np
import pytest
import torch

from engram_nm import EngramSpec, LayerSpec, random_spec
from engram_nm.errors import EngramError, NIRFileError, SpecError, UnsupportedNodeError
from engram_nm.projection import ProjectionSpec
from engram_nm.nir_io import export_nir, import_nir, nir_to_spec, spec_to_nir
from engram_nm.backends.reference import simulate
from tests.helpers import random_spikes, snntorch_neuron, snntorch_two_layer

SPECS = {
    "lif-ff": lambda: random_spec(6, [5, 4], seed=1),
    "lif-bias-subtract": lambda: random_spec(6, [5, 4], reset="subtract", bias=0.1, seed=2),
    "cuba-rec-bias": lambda: random_spec(6, [5, 4], neuron="cuba", recurrent=True, bias=0.05, seed=3),
    "per-neuron": lambda: EngramSpec(3, [LayerSpec("p", weight=np.ones((2, 3)), tau_mem=[0.01, 0.03],
                                                  v_threshold=[1.0, 2.0], neuron="cuba", tau_syn=[0.002, 0.004],
                                                  syn_bias=[0.1, -0.2], bias=[0.0, 0.3])]),
    "delayed-reset": lambda: random_spec(6, [5, 4], neuron="cuba", reset="subtract", reset_delay=True, seed=4),
    "bias-onset": lambda: EngramSpec(3, [LayerSpec("late", weight=np.ones((2, 3)), bias=0.2, bias_onset=3)]),
    "if-and-li": lambda: EngramSpec(3, [LayerSpec("integrate", weight=np.ones((2, 3)), tau_mem=np.inf),
                                        LayerSpec("readout", weight=np.ones((2, 2)), v_threshold=np.inf)]),
    "graph-populations-and-projections": lambda: _graph_spec(),
    "projection-fed-biases": lambda: EngramSpec(3, [
        LayerSpec("a", weight=np.ones((2, 3)) * 0.4),
        LayerSpec("cuba", weight=None, size=2, neuron="cuba", tau_syn=4e-3, syn_bias=[0.1, 0.0], bias=[0.0, 0.2]),
        LayerSpec("leaky", weight=None, size=3, bias=[0.1, 0.0, 0.05], tau_mem=[0.02, 0.05, 0.03])],
        projections=[ProjectionSpec("in_to_cuba", "input", "cuba", np.full((2, 3), 0.3)),
                     ProjectionSpec("a_to_leaky", "a", "leaky", np.full((3, 2), 0.5))]),
}


def _graph_spec():
    from tests.equivalence.catalogue import graph_spec

    return graph_spec(0)


@pytest.mark.quick
@pytest.mark.parametrize("name", sorted(SPECS))
def test_round_trip_is_exact(name, tmp_path):
    spec = SPECS[name]()
    spec.metadata["note"] = "kept"
    path = export_nir(spec, tmp_path / "m.nir")
    back = import_nir(path)
    assert back.equals(spec), name
    assert back.dt == spec.dt and back.metadata["note"] == "kept"
    assert [(l.reset, l.reset_delay) for l in back.layers] == [(l.reset, l.reset_delay) for l in spec.layers]


def test_export_leaves_no_temp_files(tmp_path):
    export_nir(random_spec(3, [2]), tmp_path / "m.nir")
    assert [p.name for p in tmp_path.iterdir()] == ["m.nir"]


def test_failed_export_keeps_previous_file(tmp_path, monkeypatch):
    path = export_nir(random_spec(3, [2], seed=1), tmp_path / "m.nir")
    before = path.read_bytes()
    import nir

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(nir, "write", boom)
    with pytest.raises(OSError):
        export_nir(random_spec(3, [2], seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.nir"]


def _snntorch_run(graph, x):
    from snntorch.import_nir import import_from_nir

    net = import_from_nir(graph)
    state, out = None, []
    with torch.no_grad():
        for t in range(x.shape[0]):
            o, state = net(torch.as_tensor(x[t:t + 1], dtype=torch.float32), state)
            out.append(o[0].numpy() > 0)
    return np.array(out)


@pytest.mark.parametrize("sizes", [[20, 10], [24, 16, 8]])
def test_our_file_runs_in_snntorch_import_nir(tmp_path, sizes):
    """snnTorch's importer loads our file; feed-forward spikes equal ours shifted by one step per layer."""
    import nir

    spec = random_spec(12, sizes, weight_scale=0.3, dt=1e-4, seed=5)  # snnTorch's importer assumes dt = 1e-4
    path = export_nir(spec, tmp_path / "m.nir")
    x = random_spikes(120, 12, seed=6).astype(np.float32)
    theirs = _snntorch_run(nir.read(str(path)), x)
    ours = simulate(spec, x).spikes[spec.layer_names[-1]]
    depth = len(sizes)
    assert ours.sum() > 10
    assert np.array_equal(theirs[: len(x) - depth], ours[depth:])


def test_snntorch_import_nir_cannot_load_any_recurrent_graph():
    """Pins an upstream edge (snnTorch 1.0.0 + nirtorch 2.6): recurrent graphs do not import.

    Not ours alone: snnTorch's own RLeaky export fails the same way, inside
    nirtorch's state construction. When this test fails, upstream fixed it:
    add the recurrent case to test_our_file_runs_in_snntorch_import_nir.
    """
    from snntorch.export_nir import export_to_nir
    from snntorch.import_nir import import_from_nir

    theirs = export_to_nir(snntorch_two_layer(snntorch_neuron("rleaky")), torch.zeros(10))
    ours = spec_to_nir(random_spec(10, [16, 6], recurrent=True, dt=1e-4))
    for graph in (theirs, ours):
        with pytest.raises(AttributeError, match="no attribute 'items'"):
            import_from_nir(graph)


@pytest.mark.lava
@pytest.mark.parametrize("kind", ["leaky", "synaptic"])
def test_snntorch_export_runs_on_lava_with_same_spikes(kind):
    """A graph written by snnTorch's export_to_nir (zero reset, no bias) on Lava cpu-float.

    snnTorch's Linear has no delay, so Lava's layer-l spikes are snnTorch's shifted by l steps.
    """
    from snntorch.export_nir import export_to_nir

    from engram_nm.hardware.targets import run

    net = snntorch_two_layer(snntorch_neuron(kind))
    graph = export_to_nir(net, torch.zeros(10))
    spec = nir_to_spec(graph)
    assert spec.dt == pytest.approx(1e-4)
    x = random_spikes(100, 10, rate=0.3, seed=2)
    with torch.no_grad():
        theirs = np.array([net(torch.as_tensor(x[t:t + 1], dtype=torch.float32))[0].numpy() > 0
                           for t in range(len(x))])
    ours = run(spec, x, "cpu-float").spikes[spec.layer_names[-1]]
    assert ours.sum() > 10
    mismatch = np.mean(theirs[:-2] != ours[2:])
    assert mismatch <= 0.01, f"{mismatch:.4f} (float32 threshold ties only)"


# ------------------------------------------------------------------ bad files and graphs


def test_missing_file(tmp_path):
    with pytest.raises(NIRFileError, match="no such file"):
        import_nir(tmp_path / "nope.nir")


def test_empty_file(tmp_path):
    (tmp_path / "e.nir").write_bytes(b"")
    with pytest.raises(NIRFileError, match="empty"):
        import_nir(tmp_path / "e.nir")


def test_truncated_file(tmp_path):
    path = export_nir(random_spec(3, [2]), tmp_path / "m.nir")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(NIRFileError, match="truncated"):
        import_nir(path)


def test_not_a_nir_file(tmp_path):
    (tmp_path / "t.nir").write_text("hello")
    with pytest.raises(NIRFileError):
        import_nir(tmp_path / "t.nir")


def test_unsupported_node():
    import nir

    g = spec_to_nir(random_spec(4, [3]))
    g.nodes["conv"] = nir.Flatten(input_type={"input": np.array([4])}, start_dim=0, end_dim=-1)
    g.edges.append(("input", "conv"))
    with pytest.raises(UnsupportedNodeError, match="conv.*Flatten"):
        nir_to_spec(g, dt=1e-3)


def test_dangling_edge():
    g = spec_to_nir(random_spec(4, [3]))
    g.edges.append(("layer0", "ghost"))
    with pytest.raises(NIRFileError, match="ghost"):
        nir_to_spec(g)


def test_wrong_shapes():
    g = spec_to_nir(random_spec(4, [3, 2]))
    g.nodes["layer1_w"].weight = np.ones((2, 5))
    with pytest.raises(SpecError, match="layer1_w"):
        nir_to_spec(g)


def test_negative_tau_in_file():
    g = spec_to_nir(random_spec(4, [3]))
    g.nodes["layer0"].tau = -np.ones(3)
    with pytest.raises(SpecError, match="tau"):
        nir_to_spec(g, dt=1e-3)


def test_nonzero_reset_potential():
    g = spec_to_nir(random_spec(4, [3]))
    g.nodes["layer0"].v_reset = np.full(3, 0.5)
    with pytest.raises(UnsupportedNodeError, match="v_reset"):
        nir_to_spec(g)


def test_no_dt_anywhere():
    import nir

    g = nir.NIRGraph(nodes={"input": nir.Input(input_type=np.array([2])), "w": nir.Linear(weight=np.ones((2, 2))),
                            "n": nir.IF(r=np.ones(2), v_threshold=np.ones(2)),
                            "output": nir.Output(output_type=np.array([2]))},
                     edges=[("input", "w"), ("w", "n"), ("n", "output")])
    with pytest.raises(SpecError, match="dt"):
        nir_to_spec(g)
    assert nir_to_spec(g, dt=1e-3).layers[0].weight[0, 0] == pytest.approx(1e-3)  # IF: v += dt * r * I


def test_errors_share_one_root():
    for exc in (NIRFileError, UnsupportedNodeError, SpecError):
        assert issubclass(exc, EngramError)


def test_scale_and_affine_chain_compose():
    import nir

    g = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([2])),
               "a": nir.Affine(weight=np.array([[1.0, 2.0], [3.0, 4.0]]), bias=np.array([0.1, 0.2])),
               "s": nir.Scale(scale=np.array([2.0, 0.5])),
               "n": nir.LIF(tau=np.full(2, 0.01), r=np.full(2, 10.0), v_leak=np.zeros(2), v_threshold=np.ones(2)),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "a"), ("a", "s"), ("s", "n"), ("n", "output")])
    spec = nir_to_spec(g)
    assert spec.dt == pytest.approx(1e-3)
    np.testing.assert_allclose(spec.layers[0].weight, [[2.0, 4.0], [1.5, 2.0]])
    np.testing.assert_allclose(spec.layers[0].bias, [0.2, 0.1])


def test_file_with_every_metadata_kind_still_loads_in_snntorch(tmp_path):
    """docs/architecture.md, rule 3: plasticity, gates and a memory stage ride in metadata; NIR readers still load the graph."""
    import nir
    from snntorch.import_nir import import_from_nir

    from engram_nm.gating import GateSpec
    from engram_nm.plasticity import LayerPlasticity, PairSTDP
    from engram_nm.sdm.memory_spec import MemorySpec

    base = random_spec(12, [20, 8], dt=1e-4, seed=2)
    spec = EngramSpec(12, base.layers, dt=1e-4, memory=MemorySpec(100, 4, k=5))
    spec.layers[0].gate = GateSpec(np.zeros((2, 20)))
    spec.layers[0]._check_gate()
    spec.layers[1].plasticity = LayerPlasticity(feedforward=PairSTDP())
    spec.layers[1]._check_plasticity()
    path = export_nir(spec, tmp_path / "all.nir")
    assert import_nir(path).equals(spec)
    net = import_from_nir(nir.read(str(path)))
    out, _ = net(torch.zeros(12), {})
    assert out.shape == (8,)
