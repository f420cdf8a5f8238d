"""Two-stage synapses with tag and capture (engram_nm/plasticity/consolidation.py) and the animal's
clock they run on (engram_nm/experiments/engram/timescale.py)."""

import numpy as np
import pytest

from engram_nm.errors import InputError
from engram_nm.experiments.engram.timescale import OFFLINE_HOUR_S, phase_hours
from engram_nm.plasticity.consolidation import SynapseState, TwoStageSynapses

MODEL = TwoStageSynapses(tau_early_h=2.0, tau_capture_h=0.5, tag_threshold=0.01, trigger_threshold=0.05)


def _euler(model, late, early, hours, protein_synthesis=True, steps=200_000):
    g = model.gates(early) if protein_synthesis else np.zeros(early.shape, dtype=bool)
    h = hours / steps
    late, early = late.copy(), early.copy()
    for _ in range(steps):
        flow = g * early / model.tau_capture_h
        late, early = late + h * flow, early + h * (-early / model.tau_early_h - flow)
    return late, early


def test_the_exact_phase_solution_equals_a_fine_integration_of_the_ode():
    rng = np.random.default_rng(0)
    late = rng.uniform(0, 0.05, (6, 8))
    early = rng.normal(0, 0.02, (6, 8))
    early[0] = 0.03  # one post neuron with strong, tagged potentiation: triggered
    for ps in (True, False):
        exact = MODEL.evolve(late, early, 1.5, protein_synthesis=ps)
        approx = _euler(MODEL, late, early, 1.5, ps, steps=20_000)
        assert np.allclose(exact[0], approx[0], atol=1e-6) and np.allclose(exact[1], approx[1], atol=1e-6)


def test_only_tagged_synapses_of_triggered_neurons_are_captured_and_a_psi_blocks_it():
    early = np.zeros((3, 10))
    early[0, :] = 0.02   # tagged (> 0.01), sum 0.2 > 0.05: triggered
    early[1, :2] = 0.02  # tagged, sum 0.04: not triggered
    early[2, :] = 0.005  # untagged, though its sum (0.05) is at the trigger
    late = np.zeros_like(early)
    g = MODEL.gates(early)
    assert g[0].all() and not g[1].any() and not g[2].any()
    long = 50.0  # hours: the early part is gone
    new_late, new_early = MODEL.evolve(late, early, long)
    share = (1 / MODEL.tau_capture_h) / (1 / MODEL.tau_early_h + 1 / MODEL.tau_capture_h)  # 0.8
    assert new_late[0] == pytest.approx(0.02 * share) and np.all(new_late[1:] == 0)
    assert np.abs(new_early).max() < 1e-9
    blocked_late, blocked_early = MODEL.evolve(late, early, 2.0, protein_synthesis=False)
    assert np.all(blocked_late == 0) and blocked_early == pytest.approx(early * np.exp(-1.0))
    # depression is labile too: a negative early change fades back towards the late weight
    late2, early2 = MODEL.evolve(np.full((1, 2), 0.05), np.full((1, 2), -0.002), 10.0)
    assert np.allclose(late2 + early2, 0.05, atol=1e-4)


def test_a_synapse_state_takes_learned_changes_as_early_and_follows_edits():
    state = SynapseState(MODEL, {"W": np.full((2, 3), 0.01)})
    after = np.array([[0.05, 0.05, 0.05], [0.01, 0.01, 0.012]])
    w = state.after_phase({"W": np.full((2, 3), 0.01)}, {"W": after}, hours=0.0)
    assert np.allclose(w["W"], after) and np.allclose(state.early["W"], after - 0.01)
    lesioned = w["W"].copy()
    lesioned[:, 1] = 0.0
    halved = lesioned * 0.5
    state.follow({"W": halved})
    assert np.all(state.late["W"][:, 1] == 0) and np.all(state.early["W"][:, 1] == 0)
    assert np.allclose(state.weights()["W"], halved)
    twin = state.copy()
    twin.early["W"][0, 0] = 9.0
    assert state.early["W"][0, 0] != 9.0
    with pytest.raises(InputError, match="Lesion"):
        state.follow({"W": np.zeros((1, 3))})


def test_bad_parameters_are_refused():
    with pytest.raises(InputError):
        TwoStageSynapses(tau_early_h=0.0)
    with pytest.raises(InputError):
        TwoStageSynapses(tag_threshold=-1.0)
    with pytest.raises(InputError):
        MODEL.evolve(np.zeros(2), np.zeros(2), -1.0)


def test_offline_phases_stand_for_hours_and_probes_for_none():
    assert phase_hours("consolidate", int(round(OFFLINE_HOUR_S / 1e-3)), 1e-3) == pytest.approx(1.0)
    assert phase_hours("encode", 500, 1e-3) == pytest.approx(0.5 / 3600)
    assert phase_hours("test", 500, 1e-3) == 0.0
