import numpy as np
import pytest

from engram_nm import EngramSpec, LayerSpec, SpecError, random_spec

pytestmark = pytest.mark.quick  # in `make test-py`, the subset run on every Python


def layer(**kw):
    base = dict(name="a", weight=np.ones((3, 2)))
    base.update(kw)
    return LayerSpec(**base)


def test_scalars_broadcast_per_neuron():
    lay = layer(tau_mem=0.01, v_threshold=2.0, bias=0.1)
    assert lay.tau_mem.shape == (3,) and np.all(lay.v_threshold == 2.0) and np.all(lay.bias == 0.1)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(tau_mem=-1.0), "tau_mem"),
        (dict(tau_mem=0.0), "tau_mem"),
        (dict(v_threshold=0.0), "v_threshold"),
        (dict(v_threshold=-1.0), "v_threshold"),
        (dict(reset="soft"), "reset"),
        (dict(reset_delay="yes"), "reset_delay"),
        (dict(neuron="izhikevich"), "neuron"),
        (dict(neuron="cuba"), "tau_syn"),
        (dict(tau_syn=0.005), "tau_syn"),
        (dict(tau_mem=np.ones(4)), "shape"),
        (dict(recurrent_weight=np.ones((2, 2))), "recurrent_weight"),
        (dict(weight=np.ones(3)), "2-D"),
        (dict(name="a.b"), "identifier"),
        (dict(weight=np.array([[np.nan, 1.0]])), "NaN"),
    ],
)
def test_bad_layer_values(kw, match):
    with pytest.raises(SpecError, match=match):
        layer(**kw)


def test_shape_mismatch_between_layers():
    with pytest.raises(SpecError, match="columns"):
        EngramSpec(n_in=4, layers=[layer()])


def test_tau_shorter_than_dt():
    with pytest.raises(SpecError, match="shorter than dt"):
        EngramSpec(n_in=2, layers=[layer(tau_mem=1e-4)], dt=1e-3)


@pytest.mark.parametrize("kw", [dict(n_in=0), dict(n_in=2.5), dict(dt=0.0), dict(dt=-1e-3), dict(layers=[])])
def test_bad_spec_values(kw):
    base = dict(n_in=2, layers=[layer()], dt=1e-3)
    base.update(kw)
    with pytest.raises(SpecError):
        EngramSpec(**base)


def test_duplicate_names():
    with pytest.raises(SpecError, match="twice"):
        EngramSpec(n_in=2, layers=[layer(), layer(weight=np.ones((3, 3)))])


def test_stock_compatibility_reasons():
    spec = random_spec(4, [5, 3], reset="subtract")
    ok, why = spec.stock_lava_compatible()
    assert not ok and "subtract" in why["layer0"]
    assert random_spec(4, [5]).stock_lava_compatible()[0]
    ok, why = random_spec(4, [5], reset_delay=True).stock_lava_compatible()
    assert not ok and "delayed reset" in why["layer0"]


def test_lif_current_bias_folds_into_voltage_bias():
    lay = layer(bias=0.1, syn_bias=0.2)
    assert np.allclose(lay.bias, 0.3) and not np.any(lay.syn_bias)


def test_equals_and_copy():
    spec = random_spec(4, [5, 3], recurrent=True, seed=3)
    other = spec.copy()
    assert spec.equals(other)
    other.layers[0].weight[0, 0] += 1e-12
    assert not spec.equals(other)


def test_hand_assigned_fields_are_checked_when_run():
    from engram_nm.errors import SpecError as _SpecError
    from engram_nm.hardware.targets import run
    from engram_nm.plasticity import LayerPlasticity, PairSTDP

    spec = random_spec(4, [3], seed=0)
    spec.layers[0].plasticity = LayerPlasticity(recurrent=PairSTDP())  # no recurrent weight to learn
    with pytest.raises(_SpecError, match="recurrent_weight"):
        run(spec, np.zeros((5, 4)), "snntorch")
    spec.layers[0].plasticity = {"feedforward": PairSTDP().to_dict()}
    assert spec.validate().layers[0].plasticity.feedforward == PairSTDP()


def test_connections_list_every_matrix_as_a_named_projection():
    """The network as populations and named projections: one lookup for every weight matrix."""
    from engram_nm.experiments.engram import build_engram_network
    from engram_nm.plasticity.apply import with_learned

    spec = build_engram_network()
    got = [(c.name, c.source, c.target, c.kind) for c in spec.connections()]
    assert got == [("E_w", None, "E", "feedforward"), ("E_rec", "E", "E", "recurrent"),
                   ("I_to_E", "I", "E", "projection"), ("I_w", "E", "I", "feedforward")]
    rules = {c.name: c.rule for c in spec.connections()}  # plasticity read from the matrix, wherever attached
    assert rules["E_rec"] is spec.layers[0].plasticity.recurrent and rules["I_w"] is None
    learned = with_learned(spec, {"E_rec": np.full((200, 200), 0.1), "I_to_E": -np.ones((200, 50))}, {})
    assert np.all(learned.layers[0].recurrent_weight == 0.1) and np.all(learned.projections[0].weight == -1)
    assert np.all(spec.layers[0].recurrent_weight != 0.1)  # a copy: the spec is untouched
    with pytest.raises(SpecError, match="no weight matrix 'E_nope'"):
        spec.connection("E_nope")
    written = spec.copy()
    written.set_weight("I_to_E", np.full((200, 50), -0.5))  # written back by name, not by where it lives
    assert np.all(written.projection("I_to_E").weight == -0.5) and written.weights()["I_to_E"][0, 0] == -0.5
    with pytest.raises(SpecError, match=r"shape \(3, 3\), the spec's \(200, 50\)"):
        written.set_weight("I_to_E", np.zeros((3, 3)))
    with pytest.raises(SpecError, match="NaN or inf"):
        written.set_weight("E_rec", np.full((200, 200), np.nan))


def test_plastic_matrices_keep_the_seed_order_and_connections_the_summation_order():
    """Connections list a target's inputs together; the learning engines' seeds follow the layers'
    own matrices, then the extra projections in the spec's order (a fixed order: changing it would
    change every fixed-point learning result)."""
    from engram_nm.plasticity import Hebbian, LayerPlasticity
    from engram_nm.plasticity.learner import plastic_matrices
    from engram_nm.projection import ProjectionSpec

    spec = random_spec(6, [5, 4, 3], seed=0)
    spec.layers[1].plasticity = LayerPlasticity(feedforward=Hebbian(mu=1e-4))
    spec.projections.append(ProjectionSpec("p_late", "layer0", "layer2", np.full((3, 5), 0.1), plasticity=Hebbian()))
    spec.projections.append(ProjectionSpec("p_early", "layer2", "layer0", np.full((5, 3), 0.1), plasticity=Hebbian()))
    spec.validate()
    assert [c.name for c in spec.connections()] == ["layer0_w", "p_early", "layer1_w", "layer2_w", "p_late"]
    assert [m.name for m in plastic_matrices(spec.layers, spec.projections)] == ["layer1_w", "p_late", "p_early"]


@pytest.mark.quick
def test_every_public_name_is_importable_from_the_top_and_listed_by_dir():
    import engram_nm

    listed = dir(engram_nm)
    for name in engram_nm.__all__:
        assert name in listed, name
        assert getattr(engram_nm, name) is not None, name
    spec = engram_nm.random_spec(4, [3, 2], seed=0)
    spec.projections.append(engram_nm.ProjectionSpec("skip", "input", "layer1", np.zeros((2, 4)),
                                                     plasticity=engram_nm.PairSTDP()))
    spec.validate()
    assert engram_nm.GateSpec(np.zeros((2, 3))).n_tasks == 2


def test_a_population_fed_only_by_projections_needs_its_size_and_an_input():
    """No dummy zero matrix: a population without chain weight says its size, and must receive
    some matrix; ``graph()`` takes populations and projections only."""
    from engram_nm.projection import ProjectionSpec
    from engram_nm.spec import graph, population

    with pytest.raises(SpecError, match="needs size="):
        LayerSpec("O", weight=None)
    with pytest.raises(SpecError, match="size=3 but weight has 2 rows"):
        LayerSpec("O", weight=np.ones((2, 4)), size=3)
    with pytest.raises(SpecError, match="size must be a positive whole number"):
        population("O", 0)
    with pytest.raises(SpecError, match=r"\['O'\] receive no weight matrix"):
        EngramSpec(4, [LayerSpec("A", weight=np.ones((3, 4))), population("O", 2)])
    with pytest.raises(SpecError, match="carry a chain weight"):
        graph(4, [LayerSpec("A", weight=np.ones((3, 4)))], [])
    net = graph(4, [population("A", 3), population("O", 2, tau_mem=0.01)],
                [ProjectionSpec("in_to_A", "input", "A", np.full((3, 4), 0.6)),
                 ProjectionSpec("A_to_O", "A", "O", np.full((2, 3), 0.7))])
    assert [(c.name, c.source, c.target) for c in net.connections()] == [("in_to_A", None, "A"), ("A_to_O", "A", "O")]
    assert net.layer("O").size == 2 and "fed by projections only" in net.summary()
    assert net.copy().validate().equals(net)


@pytest.mark.parametrize("which", ["graph", "sigma_delta", "gate"])
def test_the_torch_module_reads_neuron_fields_from_the_spec_and_exports_it_unchanged(which):
    """The torch module trains weights, biases and thresholds and keeps every other field in the
    population's spec (no field-by-field mirror): spec -> module -> spec is exact."""
    import torch

    from engram_nm.backends.torch_backend import build_torch
    from tests.equivalence.catalogue import graph_spec, projection_gate_spec, sigma_delta_chain

    spec = {"graph": lambda: graph_spec(0), "sigma_delta": lambda: sigma_delta_chain(0.2, "identity"),
            "gate": lambda: projection_gate_spec("deterministic")}[which]()
    net = build_torch(spec, dtype=torch.float64)
    for layer, module in zip(spec.layers, net.layers):
        assert "neuron" not in module.__dict__ and module.neuron == layer.neuron and module.size == layer.size
    assert net.to_spec().equals(spec)


def test_compile_gives_every_consumer_one_index_summation_and_seed_order():
    """One compiled view (engram_nm/compiled.py) for the kernels, the emulator, quantisation and
    the Lava builder: populations by position, inputs in summation order, plastic matrices in
    seed order (the chain's own matrices first, then projections in the spec's order)."""
    from tests.equivalence.catalogue import graph_spec, plastic_spec

    g = graph_spec(0).compile()
    assert g.names == ("E", "I", "O") and g.index == {"E": 0, "I": 1, "O": 2}
    assert [[(i.source, i.name) for i in into] for into in g.inputs] == [
        [(-1, "in_to_E"), (0, "E_to_E"), (1, "I_to_E")], [(0, "E_to_I")], [(0, "E_to_O"), (1, "I_to_O")]]
    assert [m.name for m in g.plastic] == ["E_to_E", "E_to_O"]
    assert [m.name for m in plastic_spec(0).compile().plastic] == ["layer0_w", "layer1_w", "layer1_rec", "l0_to_l1"]
