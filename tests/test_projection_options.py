"""A projection's options: ``delay`` (steps from a source spike to the target's input) and
``structural`` (prune and grow under a mask). Equivalence with Lava is in the matrix
(tests/equivalence/test_lava_matrix.py, case ``graph-delayed-projections``); here: the timing each
backend gives, the control where the option is off, refusals, NIR and the counts."""

import numpy as np
import pytest

from engram_nm.analysis.counting import count_run, footprint_bytes
from engram_nm.errors import SpecError, UnsupportedNodeError
from engram_nm.hardware.targets import run
from engram_nm.nir_io import export_nir, import_nir, nir_to_spec, spec_to_nir
from engram_nm.plasticity import PairSTDP, StructuralPlasticity
from engram_nm.projection import MAX_DELAY, ProjectionSpec
from engram_nm.spec import EngramSpec, LayerSpec, graph, population
from tests.equivalence.catalogue import delayed_spec
from tests.helpers import random_spikes


def _relay(delay: int, n: int = 3):
    """The input straight into a population that spikes on any input, through ``delay`` steps."""
    return graph(n, [population("R", n, tau_mem=np.inf, v_threshold=0.5, reset="zero")],
                 [ProjectionSpec("in_to_R", "input", "R", 2.0 * np.eye(n), delay=delay)])


@pytest.mark.parametrize("target", ["reference", "snntorch", "fixed-emu"])
@pytest.mark.parametrize("delay", [1, 2, 7, MAX_DELAY])
def test_an_input_spike_arrives_delay_steps_later_on_every_engine_backend(target, delay):
    steps = MAX_DELAY + 6
    x = np.zeros((steps, 3), dtype=bool)
    x[0, 0] = x[2, 1] = True
    s = run(_relay(delay), x, target).spikes["R"]
    assert s.sum() == 2, "each input spike makes exactly one output spike"
    assert np.flatnonzero(s[:, 0]).tolist() == [delay] and np.flatnonzero(s[:, 1]).tolist() == [2 + delay]


def test_the_delays_change_the_network_and_setting_them_to_one_undoes_it():
    spec = delayed_spec(0)
    x = random_spikes(100, spec.n_in, rate=0.25, seed=1)
    delayed = run(spec, x, "reference").spikes
    for p in spec.projections:
        p.delay = 1
    undelayed = run(spec, x, "reference").spikes
    assert np.count_nonzero(delayed["E"]) > 100 and np.count_nonzero(undelayed["E"]) > 100
    changed = sum(int(np.sum(delayed[n] != undelayed[n])) for n in delayed)
    assert changed > 50, f"only {changed} spikes moved: the delays did nothing measurable"


@pytest.mark.parametrize("delay", [0, MAX_DELAY + 1, 2.0, True, "3", -1])
def test_a_delay_outside_whole_steps_1_to_64_is_refused(delay):
    with pytest.raises(SpecError, match="delay must be a whole number of steps from 1 to 64"):
        ProjectionSpec("p", "input", "A", np.ones((2, 2)), delay=delay)


def test_a_delayed_projection_cannot_learn_nor_carry_graded_payloads():
    with pytest.raises(SpecError, match="cannot learn: Lava's LearningDense has no delay"):
        ProjectionSpec("p", "A", "A", np.ones((2, 2)), delay=3, plasticity=PairSTDP())
    with pytest.raises(SpecError, match="cannot learn"):
        ProjectionSpec("p", "A", "A", np.ones((2, 2)), delay=3, structural=StructuralPlasticity())
    with pytest.raises(SpecError, match="from the sigma-delta population 'S' is not supported"):
        graph(2, [population("S", 2, neuron="sigma_delta", v_threshold=0.1), population("A", 2)],
              [ProjectionSpec("in_to_S", "input", "S", np.eye(2)),
               ProjectionSpec("S_to_A", "S", "A", np.eye(2), delay=2)])


def test_the_name_of_a_delayed_projections_nir_delay_node_is_reserved():
    with pytest.raises(SpecError, match="reserved for the NIR Delay nodes"):
        graph(2, [population("A", 2), population("p_delay", 2)],
              [ProjectionSpec("p", "input", "A", np.eye(2), delay=2),
               ProjectionSpec("q", "input", "p_delay", np.eye(2))])


def test_a_structural_rule_must_be_one():
    with pytest.raises(SpecError, match="structural must be a StructuralPlasticity"):
        ProjectionSpec("p", "input", "A", np.ones((2, 2)), structural=PairSTDP())


def test_delays_and_structural_rules_survive_nir_and_the_file_runs_the_same(tmp_path):
    spec = delayed_spec(0)
    path = tmp_path / "delayed.nir"
    export_nir(spec, path)
    back = import_nir(path)
    assert back.equals(spec)
    assert [p.delay for p in back.projections] == [1, 4, 3, 1, 2, 1]
    assert back.projection("E_to_O").structural == spec.projection("E_to_O").structural
    x = random_spikes(80, spec.n_in, rate=0.25, seed=2)
    a, b = run(spec, x, "reference"), run(back, x, "reference")
    assert np.count_nonzero(a.spikes["E"]) > 0
    for name in spec.layer_names:
        np.testing.assert_array_equal(a.spikes[name], b.spikes[name], err_msg=name)


def test_a_nir_delay_is_read_only_where_engram_nm_can_run_it():
    import nir

    graph_ = spec_to_nir(_relay(3))
    graph_.nodes["in_to_R_delay"] = nir.Delay(delay=np.array([2e-3, 2e-3, 1e-3]))
    with pytest.raises(UnsupportedNodeError, match="per-channel delays"):
        nir_to_spec(graph_)
    graph_.nodes["in_to_R_delay"] = nir.Delay(delay=np.full(3, 1.5e-3))
    with pytest.raises(UnsupportedNodeError, match="not a whole number of steps"):
        nir_to_spec(graph_)
    chain = spec_to_nir(EngramSpec(3, [LayerSpec("A", np.eye(3))]))
    chain.nodes["held"] = nir.Delay(delay=np.full(3, 1e-3))
    chain.edges = [("input", "held"), ("held", "A_w")] + [e for e in chain.edges if e != ("input", "A_w")]
    with pytest.raises(UnsupportedNodeError, match="delays only extra projections"):
        nir_to_spec(chain)


def test_counts_deliver_a_delayed_spike_late_and_the_footprint_holds_its_pending_inputs():
    x = np.zeros((10, 3), dtype=bool)
    x[0, 0] = True
    for delay in (1, 4):
        spec = _relay(delay)
        counts = count_run(spec, x, run(spec, x, "reference").spikes)
        assert counts.effective_acs == 1
        assert counts.layers[0].active_updates == 1  # the one neuron the spike reaches, once
    assert footprint_bytes(_relay(4)) - footprint_bytes(_relay(1)) == 4 * 3 * 3  # 3 pending steps of 3 inputs


def test_a_structural_rule_on_a_projection_prunes_and_grows_it_and_without_the_rule_nothing_changes():
    spec = delayed_spec(0)
    x = random_spikes(100, spec.n_in, rate=0.25, seed=1)
    before = spec.projection("E_to_O").weight
    learned = run(spec, x, "reference", learn=True).learned_weights["E_to_O"]
    pruned = (before != 0) & (learned == 0)
    assert pruned.sum() > 5 and np.all(np.abs(before[pruned]) < 0.08)  # exactly the weak synapses went
    spec.projection("E_to_O").structural = None
    assert "E_to_O" not in run(spec, x, "reference", learn=True).learned_weights


@pytest.mark.lava
def test_a_structural_rule_on_a_projection_learns_the_same_weights_on_lava_cpu_float():
    spec = delayed_spec(0)
    x = random_spikes(100, spec.n_in, rate=0.25, seed=1)
    ref, lava = run(spec, x, "reference", learn=True), run(spec, x, "cpu-float", learn=True)
    assert np.count_nonzero(lava.spikes["O"]) > 20
    for name in spec.layer_names:
        np.testing.assert_array_equal(ref.spikes[name], lava.spikes[name], err_msg=name)
    np.testing.assert_array_equal(ref.learned_weights["E_to_O"], lava.learned_weights["E_to_O"])
