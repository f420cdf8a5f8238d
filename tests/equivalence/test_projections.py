"""Extra projections (ProjectionSpec) run the same on every backend.

Delay convention: every projection is one Dense, so ``a_in_target[t]`` gets
``W @ s_source[t-1]``, as for a layer's recurrent weights; spikes of all
backends are compared at the same step index. Learning on a projection uses
pre = source spikes and post = target spikes of the same step
(:mod:`engram_nm.plasticity.learner`).
"""

import numpy as np
import pytest

from engram_nm.errors import SpecError
from engram_nm.hardware.targets import run
from engram_nm.plasticity.layer import LayerPlasticity
from engram_nm.plasticity.stdp import InhibitorySTDP, PairSTDP
from engram_nm.projection import ProjectionSpec
from engram_nm.backends.reference import simulate
from engram_nm.spec import EngramSpec, LayerSpec
from engram_nm.result import LearningSite
from tests.helpers import random_spikes


def ei_spec(plastic: bool = True, seed: int = 0) -> EngramSpec:
    """input -> E (recurrent, STDP) -> I, plus I -> E (negative, iSTDP): an E/I loop in the chain+projection form."""
    rng = np.random.default_rng(seed)
    n_in, n_e, n_i = 16, 24, 6
    stdp = PairSTDP(a_plus=2 ** -5, a_minus=2 ** -6, w_min=0.0, w_max=0.4, soft_bounds=True)
    e = LayerSpec("E", weight=rng.uniform(0, 0.25, (n_e, n_in)), recurrent_weight=rng.uniform(0, 0.1, (n_e, n_e)),
                  plasticity=LayerPlasticity(recurrent=stdp) if plastic else None)
    i = LayerSpec("I", weight=rng.uniform(0, 0.4, (n_i, n_e)), tau_mem=10e-3)
    ie = ProjectionSpec("I_to_E", "I", "E", -rng.uniform(0, 0.4, (n_e, n_i)),
                        plasticity=InhibitorySTDP(eta=2 ** -6, rho0=12.5) if plastic else None)
    return EngramSpec(n_in, [e, i], projections=[ie], name="ei")


def test_projection_changes_the_dynamics():
    """The I -> E projection is not ignored: removing it changes E's spikes."""
    spec = ei_spec(plastic=False)
    x = random_spikes(150, spec.n_in, 0.15)
    with_inh = simulate(spec, x).spikes["E"].sum()
    spec.projections = []
    without = simulate(spec, x).spikes["E"].sum()
    assert without > with_inh * 1.2


def test_torch_forward_equals_reference():
    from engram_nm.backends.torch_backend import run_torch

    spec = ei_spec(plastic=False)
    x = random_spikes(150, spec.n_in, 0.15)
    ref = simulate(spec, x)
    spikes, _ = run_torch(spec, x)
    for name in ref.spikes:
        assert np.array_equal(spikes[name], ref.spikes[name])


def test_torch_learning_equals_reference():
    from engram_nm.backends.torch_plasticity import learn_torch

    spec = ei_spec()
    x = random_spikes(200, spec.n_in, 0.15)
    ref = simulate(spec, x, learn=True)
    out = learn_torch(spec, x)
    assert set(out.learned_weights) == {"E_rec", "I_to_E"} == set(ref.learned_weights)
    for name in ref.spikes:
        assert np.array_equal(out.spikes[name], ref.spikes[name])
    for name in ref.learned_weights:
        np.testing.assert_allclose(out.learned_weights[name], ref.learned_weights[name], atol=1e-12)
    assert not np.allclose(ref.learned_weights["I_to_E"], spec.projections[0].weight)  # it did learn


@pytest.mark.lava
def test_lava_float_equals_reference_with_learning_on_the_engine():
    spec = ei_spec()
    x = random_spikes(200, spec.n_in, 0.15)
    ref = simulate(spec, x, learn=True)
    res = run(spec, x, "cpu-float", learn=True)
    for name in ref.spikes:
        assert np.array_equal(res.spikes[name], ref.spikes[name]), name
    for name in ref.learned_weights:
        np.testing.assert_allclose(res.learned_weights[name], ref.learned_weights[name], atol=1e-12)
    assert res.learning["I_to_E"].where == LearningSite.ENGINE
    assert res.learning["E_rec"].where == LearningSite.ENGINE
    assert res.deployable


@pytest.mark.lava
def test_lava_fixed_tracks_float_counts():
    """Fixed point with learning on both projections: per-layer spike counts within 15 % of float,
    as long as the learned weights stay inside the range the quantiser planned (2x the initial
    largest weight for rules without a bound). With input at 0.15/step the iSTDP weights grow
    past it, saturate in 8 bits, and E fires 4x more on cpu-fixed: give such rules a bound."""
    spec = ei_spec()
    x = random_spikes(300, spec.n_in, 0.08)
    ref = simulate(spec, x, learn=True)
    res = run(spec, x, "cpu-fixed", learn=True, seed=1)
    for name in ref.spikes:
        f, q = ref.spikes[name].sum(), res.spikes[name].sum()
        assert abs(q - f) <= 0.15 * f, (name, f, q)
    assert "projection I_to_E" in {e.quantity for e in res.quantization.entries}


def test_nir_round_trip_keeps_projections(tmp_path):
    from engram_nm.nir_io import export_nir, import_nir, read_nir

    spec = ei_spec()
    back = import_nir(export_nir(spec, tmp_path / "ei.nir"))
    assert back.equals(spec)
    graph = read_nir(tmp_path / "ei.nir")
    assert ("I", "I_to_E") in graph.edges and ("I_to_E", "E") in graph.edges  # a plain Linear edge


def test_foreign_nir_graph_with_a_feedback_path_imports_as_a_projection():
    """A graph without our metadata: input -> A -> B, plus B -> fb -> A, becomes a projection."""
    import nir

    from engram_nm.nir_io import nir_to_spec

    rng = np.random.default_rng(0)
    lif = lambda n: nir.LIF(tau=np.full(n, 0.02), r=np.full(n, 20.0), v_leak=np.zeros(n),  # noqa: E731
                            v_threshold=np.ones(n), v_reset=np.zeros(n))
    w1, w2, fb = rng.random((5, 4)), rng.random((3, 5)), -rng.random((5, 3))
    graph = nir.NIRGraph(nodes={"input": nir.Input(np.array([4])), "w1": nir.Linear(w1), "A": lif(5),
                                "w2": nir.Linear(w2), "B": lif(3), "fb": nir.Linear(fb),
                                "output": nir.Output(np.array([3]))},
                         edges=[("input", "w1"), ("w1", "A"), ("A", "w2"), ("w2", "B"), ("B", "fb"), ("fb", "A"),
                                ("B", "output")])
    spec = nir_to_spec(graph, dt=1e-3)
    assert spec.layer_names == ["A", "B"]
    (proj,) = spec.projections
    assert (proj.name, proj.source, proj.target) == ("fb", "B", "A")
    np.testing.assert_allclose(proj.weight, fb)


@pytest.mark.parametrize("bad, message", [
    (dict(source="X"), "source 'X' is not a layer"),
    (dict(weight=np.zeros((3, 6))), "expected (24, 6)"),
    (dict(name="E_rec"), "already a layer or projection name"),
    (dict(name="bad name"), "not an identifier"),
    (dict(plasticity={"rule": "nope"}), "unknown"),
    (dict(weight=np.full((24, 6), np.nan)), "NaN"),
])
def test_bad_projections_are_refused(bad, message):
    spec = ei_spec(plastic=False)
    fields = dict(name="P", source="I", target="E", weight=np.zeros((24, 6)))
    fields.update(bad)
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spec.projections = [ProjectionSpec(**fields)]
        spec.validate()


def feedforward_inhibition_spec(plastic: bool = True, seed: int = 3) -> EngramSpec:
    """input -> E -> I (chain) plus input -> I straight (``source="input"``, soft-bounded STDP when
    ``plastic``) and I -> E: feed-forward inhibition, where the input reaches both populations."""
    rng = np.random.default_rng(seed)
    base = ei_spec(plastic=False, seed=seed)
    n_i = base.layer("I").size
    direct = ProjectionSpec("input_to_I", "input", "I", rng.uniform(0, 0.3, (n_i, base.n_in)),
                            plasticity=PairSTDP(a_plus=2 ** -5, a_minus=2 ** -6, w_min=0.0, w_max=0.5, soft_bounds=True)
                            if plastic else None)
    base.projections = base.projections + [direct]
    return base.validate()


def test_input_projection_drives_its_target_on_the_engine_and_torch():
    """The input projection is real input: without it I fires less, and torch equals the reference."""
    from engram_nm.backends.torch_backend import run_torch

    spec = feedforward_inhibition_spec(plastic=False)
    x = random_spikes(200, spec.n_in, 0.15)
    ref = simulate(spec, x)
    assert ref.spikes["I"].sum() >= 20 and ref.spikes["E"].sum() >= 20
    spikes, _ = run_torch(spec, x)
    for name in ref.spikes:
        assert np.array_equal(spikes[name], ref.spikes[name]), name
    cut = spec.copy()
    cut.projections = [p for p in cut.projections if p.name != "input_to_I"]
    assert simulate(cut, x).spikes["I"].sum() < 0.9 * ref.spikes["I"].sum()  # 294 vs 361 measured


def test_input_projection_learns_the_same_on_torch_and_the_engine():
    from engram_nm.backends.torch_plasticity import learn_torch

    spec = feedforward_inhibition_spec()
    x = random_spikes(200, spec.n_in, 0.15)
    ref = simulate(spec, x, learn=True)
    out = learn_torch(spec, x)
    assert "input_to_I" in ref.learned_weights
    assert not np.allclose(ref.learned_weights["input_to_I"], spec.projection("input_to_I").weight)
    np.testing.assert_allclose(out.learned_weights["input_to_I"], ref.learned_weights["input_to_I"], atol=1e-12)


@pytest.mark.lava
def test_input_projection_on_lava_equals_the_engine_float_and_fixed():
    """cpu-float == reference and cpu-fixed == fixed-emu, spike for spike, with the input
    projection learning on the engine."""
    spec = feedforward_inhibition_spec()
    x = random_spikes(200, spec.n_in, 0.15)
    ref = simulate(spec, x, learn=True)
    flt = run(spec, x, "cpu-float", learn=True)
    for name in ref.spikes:
        assert np.array_equal(flt.spikes[name], ref.spikes[name]), name
    np.testing.assert_allclose(flt.learned_weights["input_to_I"], ref.learned_weights["input_to_I"], atol=1e-12)
    assert flt.learning["input_to_I"].where == LearningSite.ENGINE
    fixed = run(spec, x, "cpu-fixed", learn=True, seed=2)
    emu = run(spec, x, "fixed-emu", learn=True, seed=2)
    assert fixed.spikes["I"].sum() >= 20
    for name in fixed.spikes:
        assert np.array_equal(emu.spikes[name], fixed.spikes[name]), name
    np.testing.assert_array_equal(emu.learned_weights["input_to_I"], fixed.learned_weights["input_to_I"])


def test_nir_round_trip_keeps_an_input_projection(tmp_path):
    from engram_nm.nir_io import export_nir, import_nir, read_nir

    spec = feedforward_inhibition_spec()
    back = import_nir(export_nir(spec, tmp_path / "ffi.nir"))
    assert back.equals(spec)
    assert back.projection("input_to_I").from_input
    graph = read_nir(tmp_path / "ffi.nir")
    assert ("input", "input_to_I") in graph.edges and ("input_to_I", "I") in graph.edges


def test_an_input_projection_must_fit_the_input():
    spec = feedforward_inhibition_spec(plastic=False)
    spec.projection("input_to_I").weight = np.zeros((6, spec.n_in + 1))
    with pytest.raises(SpecError, match=r"expected \(6, 16\)"):
        spec.validate()
