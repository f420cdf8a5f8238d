"""Numpy reference simulation of an :class:`EngramSpec` (the truth, docs/architecture.md, rule 1).

The engine's schedule (:mod:`engram_nm.backends.engine`) with the float64 neuron step of
:mod:`engram_nm.backends.float_lif` (Lava's floating-point operation order, so the two agree bit
for bit)::

    u = u * (1 - du) + a_in (+ syn_bias)
    v = v * (1 - dv) + u + bias
    s = v > v_threshold ;  v = 0 | v - v_threshold  where s

with ``a_in[t] = W @ s_src[t-1] + W_rec @ s[t-1] + sum_p W_p @ s_p[t-1]`` (one step of delay
per Dense; ``p`` the spec's extra projections into the layer). A sigma-delta population steps with
:func:`engram_nm.backends.sigma_delta.sigma_delta_step` instead (its ``u`` record is ``sigma``, its
``v`` record the activation, its spikes the payloads). Input spike ``x[t]`` therefore
first moves layer 0 at step ``t + 1`` and layer ``l`` at step ``t + l + 1``.
"""

from __future__ import annotations

import numpy as np

from engram_nm.backends.engine import NumpyRecords, transmitted_weight
from engram_nm.backends.float_lif import lif_step
from engram_nm.backends.sigma_delta import initial_state, sigma_delta_parameters, sigma_delta_step
from engram_nm.backends.run_inputs import check_input, gate_masks, memory_stream
from engram_nm.plasticity.learner import make_learners, step_learners
from engram_nm.result import RunResult
from engram_nm.spec import EngramSpec


class FloatKernel(NumpyRecords):
    """The numpy float64 arithmetic (module docstring) for :func:`engram_nm.backends.engine.step_network`:
    one sample, state ``[n]`` per population, learners and intrinsic plasticity when learning."""

    def __init__(self, spec: EngramSpec, learn: bool = False):
        self.spec = spec
        self.decays = [layer.decays(spec.dt) for layer in spec.layers]
        self.bias_onsets = [layer.bias_onset for layer in spec.layers]
        self.u = [np.zeros(layer.size) for layer in spec.layers]
        self.v = [np.zeros(layer.size) for layer in spec.layers]
        self.spiked = [np.zeros(layer.size, dtype=bool) for layer in spec.layers]
        self.thresholds = [layer.v_threshold.copy() for layer in spec.layers]
        self.intrinsic = [layer.plasticity.intrinsic if learn and layer.plasticity is not None else None
                          for layer in spec.layers]
        compiled = spec.compile()
        self.learners = make_learners(compiled.plastic, spec.dt) if learn else {}
        self.inputs = compiled.inputs
        self.sigma_delta = {i: (initial_state(layer.size), sigma_delta_parameters(layer))
                            for i, layer in enumerate(spec.layers) if layer.graded}

    def synaptic_input(self, i: int, pre) -> np.ndarray:
        # Summing the columns of active sources is what Lava's Dense does for binary spikes, and
        # W.dot(payloads) what it does for graded ones; the same operations keep float64 equal.
        # A delayed projection is Lava's DelayDense, which sums the products of every column.
        a_in = None
        for src, name, fixed, delay in self.inputs[i]:
            w, s = transmitted_weight(self.learners, name, fixed), pre(src, delay)
            if delay > 1:
                part = (w * s).sum(axis=1)
            else:
                part = w.dot(s) if s.dtype != bool else w[:, s].sum(axis=1)
            a_in = part if a_in is None else a_in + part
        return a_in

    def neuron_step(self, i: int, a_in: np.ndarray, bias_on) -> np.ndarray:
        if i in self.sigma_delta:
            state, params = self.sigma_delta[i]
            state, payload = sigma_delta_step(state, a_in, params)
            self.sigma_delta[i] = (state, params)
            self.u[i], self.v[i] = state.sigma, state.act
            return payload
        layer = self.spec.layers[i]
        du, dv = self.decays[i]
        vth = self.thresholds[i]
        self.u[i], self.v[i], s = lif_step(self.u[i], self.v[i], a_in, du, dv, vth, layer.bias, layer.syn_bias,
                                           layer.reset == "subtract", layer.reset_delay, self.spiked[i],
                                           bias_on, layer.max_events)
        self.spiked[i] = s
        return s

    def adapting(self, i: int) -> bool:
        return self.intrinsic[i] is not None

    def adapt_threshold(self, i: int, spikes: np.ndarray) -> None:
        self.thresholds[i] = self.intrinsic[i].step(self.thresholds[i], spikes, self.spec.dt)

    def for_products(self, spikes: np.ndarray, graded: bool = False) -> np.ndarray:
        return np.asarray(spikes, dtype=np.float64) if graded else np.asarray(spikes).astype(bool)

    def recorded_v(self, i: int) -> np.ndarray:
        return self.v[i]

    def recorded_u(self, i: int) -> np.ndarray:
        return self.u[i]

    def after_step(self, t: int, x_t: np.ndarray, spikes: list) -> None:
        step_learners(self.learners, x_t, spikes, t)


def simulate(spec: EngramSpec, spikes: np.ndarray, learn: bool = False, memory_ops=None,
             memory_data=None, tasks=None) -> RunResult:
    """Run ``spec`` on input ``spikes [steps, n_in]`` (0/1): a :class:`~engram_nm.result.RunResult`
    with every layer's spikes, ``v`` and ``u`` of every step.

    ``learn=True`` turns the layers' plasticity on (module docstring); the spec
    itself is not changed: read the learned values from the result.
    ``memory_ops [steps]`` / ``memory_data [steps, data_bits]`` drive the spec's
    SDM stage (:mod:`engram_nm.sdm.memory_spec`), addressed at step ``t`` by its
    address layer's spikes of step ``t``. ``tasks`` (an int or one per step) selects
    the engram gates' task; a gate multiplies its layer's input current by the mask.
    Stepped by :func:`engram_nm.backends.engine.step_network` with :class:`FloatKernel`.
    """
    from engram_nm.backends.engine import step_network

    x = check_input(spec, spikes)
    steps = x.shape[0]
    memory = _memory(spec, steps, memory_ops, memory_data)
    masks = gate_masks(spec, steps, tasks)
    kernel = FloatKernel(spec, learn)
    rec_s, rec_v, rec_u = step_network(spec, x, kernel, masks, memory,
                                       record_v=True, record_u=True)
    weights = {name: slot.learner.weight.copy() for name, slot in kernel.learners.items()}
    learned_thr = {layer.name: kernel.thresholds[i].copy() for i, layer in enumerate(spec.layers)
                   if kernel.intrinsic[i] is not None}
    return RunResult("reference", steps, rec_s, rec_v, u=rec_u, learned_weights=weights,
                     learned_thresholds=learned_thr, memory_reads=None if memory is None else memory.reads,
                     memory_counters=None if memory is None else memory.sdm.counters)


class _MemoryStream:
    """The spec's SDM stage executing one op per step (the reference of the Lava SDM process)."""

    def __init__(self, sdm, ops, data):
        self.sdm, self.ops, self.data = sdm, ops, data
        self.reads = np.zeros((len(ops), sdm.data_bits), dtype=np.int8)

    def step(self, t: int, address: np.ndarray) -> None:
        from engram_nm.sdm.ops import OP_READ, OP_WRITE

        if self.ops[t] == OP_WRITE:
            self.sdm.write(address.astype(np.int8), self.data[t])
        elif self.ops[t] == OP_READ:
            self.reads[t] = self.sdm.read(address.astype(np.int8))[0]


def _memory(spec, steps, ops, data):
    stream = memory_stream(spec, steps, ops, data)
    return None if stream is None else _MemoryStream(*stream)
