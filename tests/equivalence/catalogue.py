"""Specs shared by the equivalence tests: each exercises several features at once, small enough
for a Lava run of a second (tests/equivalence/test_lava_matrix.py runs each once per tag)."""

import numpy as np

from engram_nm.gating import GateSpec
from engram_nm.projection import ProjectionSpec
from engram_nm.spec import EngramSpec, LayerSpec, random_spec


def projection_gate_spec(mode: str, seed: int = 0) -> EngramSpec:
    """E (recurrent, gated) -> I, plus I -> E inhibition: projections, mixed-sign weights and a gate."""
    rng = np.random.default_rng(seed)
    n_in, n_e, n_i = 16, 24, 8
    gate = GateSpec(logits=rng.normal(1.0, 2.0, (2, n_e)), mode=mode, period=7, seed=seed + 3)
    e = LayerSpec("E", weight=rng.uniform(0, 0.3, (n_e, n_in)), recurrent_weight=rng.uniform(-0.05, 0.1, (n_e, n_e)),
                  reset="subtract", gate=gate, bias=rng.uniform(0, 0.02, n_e), bias_onset=5)
    i = LayerSpec("I", weight=rng.uniform(0, 0.3, (n_i, n_e)), tau_mem=10e-3)
    ie = ProjectionSpec("I_to_E", "I", "E", -rng.uniform(0, 0.3, (n_e, n_i)))
    return EngramSpec(n_in, [e, i], projections=[ie], name="ei_gated")


def plastic_spec(seed: int, neuron: str = "lif", reset: str = "zero", weight_scale: float = 0.25) -> EngramSpec:
    """Every learning path of cpu-fixed that the emulator takes: engine STDP (unbounded: mixed
    signs) and bounded STDP on feed-forward matrices, inhibitory STDP on a recurrent one, Hebbian
    on an extra projection, intrinsic plasticity on the last layer."""
    from engram_nm.plasticity import Hebbian, InhibitorySTDP, IntrinsicPlasticity, LayerPlasticity, PairSTDP

    spec = random_spec(12, [16, 8], recurrent=[False, True], weight_scale=weight_scale, seed=seed, neuron=neuron,
                       reset=reset)
    l0, l1 = spec.layers
    l0.plasticity = LayerPlasticity(feedforward=PairSTDP(a_plus=0.01, a_minus=0.012, tau_plus=5e-3, tau_minus=8e-3))
    l1.plasticity = LayerPlasticity(
        feedforward=PairSTDP(a_plus=0.01, a_minus=0.012, w_min=-1.0, w_max=1.0),
        recurrent=InhibitorySTDP(eta=2 ** -6, rho0=12.5, weight_sign=-1, w_max=0.0),
        intrinsic=IntrinsicPlasticity(eta=0.02, target_rate=60.0))
    l1.recurrent_weight = -np.abs(l1.recurrent_weight)
    spec.projections.append(ProjectionSpec("l0_to_l1", "layer0", "layer1",
                                           np.abs(np.random.default_rng(seed).normal(0, 0.1, (8, 16))),
                                           plasticity=Hebbian(mu=1e-4, tau_pre=10e-3, tau_post=10e-3)))
    spec.validate()
    return spec


def sigma_delta_chain(vth: float, activation: str, seed: int = 2) -> EngramSpec:
    """input -> sigma-delta -> sigma-delta -> LIF: graded spikes into graded and spiking populations."""
    rng = np.random.default_rng(seed)
    return EngramSpec(20, [
        LayerSpec("sd", weight=rng.normal(0, 0.5, (15, 20)), neuron="sigma_delta", v_threshold=vth,
                  bias=rng.normal(0, 0.1, 15), activation=activation),
        LayerSpec("sd2", weight=rng.normal(0, 0.4, (12, 15)), neuron="sigma_delta", v_threshold=vth / 2,
                  bias=rng.normal(0, 0.05, 12)),
        LayerSpec("out", weight=rng.normal(0, 0.6, (5, 12)))], name="sd_chain")


def plastic_spec_more_rules(seed: int = 0) -> EngramSpec:
    """The engine's other rules on one network: SPaSS on a feed-forward matrix, anti-Hebbian on the
    next, Outstar on an extra projection (rule parameters the engine holds exactly, as in
    tests/plasticity/test_engine_equivalence.py)."""
    from engram_nm.plasticity import SPaSS, AntiHebbian, LayerPlasticity, Outstar

    spec = random_spec(12, [16, 8], weight_scale=0.2, seed=seed)  # at 0.3 SPaSS's w**2 term diverges
    l0, l1 = spec.layers
    l0.plasticity = LayerPlasticity(feedforward=SPaSS(mu=2 ** -12, gamma=0.5, v_target=15.625, tau_pre=10e-3,
                                                      tau_post=10e-3))
    l1.plasticity = LayerPlasticity(feedforward=AntiHebbian(mu=1e-4, tau_pre=10e-3, tau_post=10e-3))
    spec.projections.append(ProjectionSpec("l0_to_l1", "layer0", "layer1",
                                           np.abs(np.random.default_rng(seed).normal(0, 0.1, (8, 16))),
                                           plasticity=Outstar(mu=2 ** -11, gamma=2 ** -4, tau_pre=10e-3,
                                                              tau_post=10e-3)))
    spec.validate()
    return spec


def graph_spec(seed: int = 0) -> EngramSpec:
    """A network declared as populations and projections only (no chain weight): E fed by the
    input and itself (STDP), I by E, O (a read-out fed only by projections) by E (Hebbian) and
    I; I -> E inhibits."""
    from engram_nm.plasticity import Hebbian, PairSTDP
    from engram_nm.spec import graph, population

    rng = np.random.default_rng(seed)
    n_in, n_e, n_i, n_o = 14, 24, 8, 6
    rec = rng.uniform(0, 0.12, (n_e, n_e))
    np.fill_diagonal(rec, 0.0)
    return graph(n_in, [population("E", n_e, bias=0.005), population("I", n_i, tau_mem=10e-3, neuron="cuba",
                                                                       tau_syn=4e-3),
                        population("O", n_o, reset="subtract")], [
        ProjectionSpec("in_to_E", "input", "E", rng.uniform(0, 0.35, (n_e, n_in))),
        ProjectionSpec("E_to_E", "E", "E", rec, plasticity=PairSTDP(a_plus=0.01, a_minus=0.012, w_min=0.0,
                                                                    w_max=0.2)),
        ProjectionSpec("E_to_I", "E", "I", rng.uniform(0, 0.3, (n_i, n_e))),
        ProjectionSpec("I_to_E", "I", "E", -rng.uniform(0, 0.2, (n_e, n_i))),
        ProjectionSpec("E_to_O", "E", "O", rng.uniform(0, 0.25, (n_o, n_e)),
                       plasticity=Hebbian(mu=1e-4, tau_pre=10e-3, tau_post=10e-3)),
        ProjectionSpec("I_to_O", "I", "O", -rng.uniform(0, 0.1, (n_o, n_i)))], name="graph")


def delayed_spec(seed: int = 0) -> EngramSpec:
    """Projection options on a graph: the input reaches E after 4 steps (besides its one-step
    path), E excites itself after 3, I inhibits E after 2; E -> O carries a structural rule
    (prune and grow under a mask) and the default one-step delay."""
    from engram_nm.plasticity import StructuralPlasticity
    from engram_nm.spec import graph, population

    rng = np.random.default_rng(seed)
    n_in, n_e, n_i, n_o = 12, 20, 8, 6
    rec = rng.uniform(0, 0.1, (n_e, n_e))
    np.fill_diagonal(rec, 0.0)
    return graph(n_in, [population("E", n_e, bias=0.004), population("I", n_i, tau_mem=10e-3),
                        population("O", n_o, neuron="cuba", tau_syn=4e-3)], [
        ProjectionSpec("in_to_E", "input", "E", rng.uniform(0, 0.3, (n_e, n_in))),
        ProjectionSpec("in_to_E_late", "input", "E", rng.uniform(0, 0.2, (n_e, n_in)), delay=4),
        ProjectionSpec("E_to_E", "E", "E", rec, delay=3),
        ProjectionSpec("E_to_I", "E", "I", rng.uniform(0, 0.3, (n_i, n_e))),
        ProjectionSpec("I_to_E", "I", "E", -rng.uniform(0, 0.25, (n_e, n_i)), delay=2),
        ProjectionSpec("E_to_O", "E", "O", rng.uniform(-0.1, 0.3, (n_o, n_e)),
                       structural=StructuralPlasticity(prune_below=0.08, grow_probability=0.02, w_init=0.2,
                                                       interval=10, seed=seed + 5))], name="delayed")
