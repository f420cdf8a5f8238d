import numpy as np
import pytest

from engram_nm.experiments.engram.manipulations import (Ablation, ExcitabilityChange, OptogeneticActivation,
                                            OptogeneticSilencing, SynapseLoss, SynapseScaling, apply_transient)
from engram_nm.experiments.engram.network import EngramNetworkConfig, build_engram_network
from engram_nm.errors import ManipulationError, SpecError
from engram_nm.backends.reference import simulate
from engram_nm.spec import EngramSpec, LayerSpec


@pytest.fixture(scope="module")
def spec():
    return build_engram_network(EngramNetworkConfig(n_exc=40, n_inh=10, n_channels=40))


def test_network_shape_and_rules(spec):
    assert spec.layer_names == ["E", "I"] and spec.n_in == 40
    assert spec.layers[0].plasticity.recurrent.name == "pair_stdp"
    (proj,) = spec.projections
    assert (proj.source, proj.target, proj.plasticity.name) == ("I", "E", "inhibitory_stdp")
    assert np.all(proj.weight <= 0) and np.all(np.diag(spec.layers[0].recurrent_weight) == 0)
    assert np.array_equal(spec.layers[0].weight, 0.6 * np.eye(40))  # one private channel per E cell


def test_network_config_refuses_nonsense():
    with pytest.raises(SpecError, match="n_channels must equal"):
        EngramNetworkConfig(n_exc=10, n_channels=20)
    with pytest.raises(SpecError, match="probability"):
        EngramNetworkConfig(p_ee=1.5)


def test_optogenetic_pulses_at_the_light_frequency(spec):
    steps = 300
    m = OptogeneticActivation(cells=(1, 2), start=50, stop=250, pulse_hz=20.0)
    train = m.train(steps, spec.dt)
    assert train.sum() == 4 and np.flatnonzero(train)[0] == 50 and np.all(np.diff(np.flatnonzero(train)) == 50)
    edited, x = apply_transient(spec, np.zeros((steps, spec.n_in), bool), [m])
    assert edited.n_in == spec.n_in + 1 and x.shape == (steps, spec.n_in + 1)
    col = edited.layers[0].weight[:, -1]
    assert col[1] == col[2] == 2.0 and np.count_nonzero(col) == 2
    assert spec.n_in == 40  # the original spec is untouched


def test_optogenetic_activation_forces_a_spike_per_pulse(spec):
    steps = 200
    m = OptogeneticActivation(cells=(3,), pulse_hz=20.0)
    edited, x = apply_transient(spec, np.zeros((steps, spec.n_in), bool), [m])
    s = simulate(edited, x).spikes["E"]
    assert s[:, 3].sum() == 4  # 20 Hz for 0.2 s; each pulse fires the cell one step later (Dense delay)
    assert np.array_equal(np.flatnonzero(s[:, 3]), np.flatnonzero(m.train(steps, spec.dt)) + 1)


def test_silencing_blocks_a_driven_cell(spec):
    steps = 200
    x = np.zeros((steps, spec.n_in), bool)
    x[:, 5] = True  # its private channel at 1 kHz: the cell fires a lot
    driven = simulate(spec, x).spikes["E"][:, 5].sum()
    edited, x2 = apply_transient(spec, x, [OptogeneticSilencing(cells=(5,), start=0)])
    assert driven > 50 and simulate(edited, x2).spikes["E"][:, 5].sum() == 0


def test_excitability_change_is_a_bias_shift_one_step_late():
    """For LIF (du = 1) a current c every step of [0, T) equals bias c from step 1 on."""
    layer = LayerSpec("E", weight=np.zeros((3, 2)), tau_mem=20e-3, v_threshold=10.0)
    spec = EngramSpec(2, [layer])
    steps, c = 50, 0.05
    edited, x = apply_transient(spec, np.zeros((steps, 2), bool), [ExcitabilityChange(cells=(0, 1, 2), current=c)])
    v_channel = simulate(edited, x).v["E"]
    biased = spec.copy()
    biased.layers[0].bias = np.full(3, c)
    v_bias = simulate(biased, np.zeros((steps, 2))).v["E"]
    dv = layer.decays(spec.dt)[1][0]
    expected_gap = c * (1 - dv) ** np.arange(steps)  # the bias' head start at step 0, decaying
    np.testing.assert_allclose(v_bias - v_channel, np.repeat(expected_gap[:, None], 3, axis=1), atol=1e-12)


def test_ablation_of_an_isolated_cell_leaves_the_rest_unchanged(spec):
    s = spec.copy()
    s.layers[0].recurrent_weight[:, 7] = 0.0  # cell 7 sends nothing to E ...
    s.layers[1].weight[:, 7] = 0.0            # ... nor to I
    x = np.random.default_rng(0).random((150, s.n_in)) < 0.05
    x[:, :] |= False
    before = simulate(s, x).spikes
    cut = Ablation(cells=(7,)).edit(s)
    assert cut.layers[0].size == 39 and cut.projections[0].weight.shape == (39, 10)
    after = simulate(cut, x).spikes
    keep = np.arange(40) != 7
    assert np.array_equal(after["E"], before["E"][:, keep]) and np.array_equal(after["I"], before["I"])


def test_synapse_loss_removes_about_the_fraction_inside_the_block(spec):
    post = tuple(range(10))
    cut = SynapseLoss(projection="E_rec", fraction=0.5, post=post, seed=1).edit(spec)
    w0, w1 = spec.layers[0].recurrent_weight, cut.layers[0].recurrent_weight
    existed = w0[:10] != 0
    lost = existed & (w1[:10] == 0)
    assert 0.35 < lost.sum() / existed.sum() < 0.65
    assert np.array_equal(w0[10:], w1[10:])  # outside the block: untouched
    again = SynapseLoss(projection="E_rec", fraction=0.5, post=post, seed=1).edit(spec)
    assert np.array_equal(again.layers[0].recurrent_weight, w1)  # seeded


def test_synapse_scaling_is_exact(spec):
    out = SynapseScaling(projection="I_to_E", factor=3.0, post=(0, 1)).edit(spec)
    w0, w1 = spec.projections[0].weight, out.projections[0].weight
    np.testing.assert_array_equal(w1[:2], 3.0 * w0[:2])
    np.testing.assert_array_equal(w1[2:], w0[2:])


@pytest.mark.parametrize("make, message", [
    (lambda s: apply_transient(s, np.zeros((10, s.n_in), bool), [OptogeneticActivation(cells=(99,))]),
     "cell indices must be in 0..39"),
    (lambda s: apply_transient(s, np.zeros((10, s.n_in), bool), [OptogeneticSilencing(cells=(1,), start=5, stop=20)]),
     "does not fit a phase of 10 steps"),
    (lambda s: OptogeneticActivation(cells=(1,), pulse_hz=2000.0).train(10, 1e-3), "at most one pulse per step"),
    (lambda s: apply_transient(s, np.zeros((10, s.n_in), bool), [Ablation(cells=(1,))]), "not a transient"),
    (lambda s: Ablation(cells=tuple(range(40))).edit(s), "every neuron"),
    (lambda s: SynapseLoss(projection="nope").edit(s), "no weight matrix 'nope'"),
    (lambda s: SynapseLoss(fraction=2.0).edit(s), r"fraction must be in \[0, 1\]"),
    (lambda s: SynapseScaling(factor=-1.0).edit(s), "factor must be >= 0"),
])
def test_bad_manipulations_say_what_is_wrong(spec, make, message):
    with pytest.raises(ManipulationError, match=message):
        make(spec)
