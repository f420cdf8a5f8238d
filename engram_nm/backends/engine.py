"""The stepping schedule of a network, written once; the arithmetic comes from a kernel.

One step ``t``, populations in the spec's order (the order of the Lava graph's data flow)::

    for each population i:
        a   = sum over its inputs (feed-forward, recurrent, extra projections) of the
              weights of the sources' spikes of step t - d      (every Dense: d = 1; a delayed
                                                                 projection: its delay d)
        a   = a * gate mask of step t                           (engram gate: no delay)
        on  = t >= bias onset of population i                   (the schedule decides when biases act)
        s_i = the kernel's neuron step (u, v, threshold, reset; its biases where ``on``; a
              sigma-delta population's step returns its graded payloads)
        threshold of i adapts to s_i                            (intrinsic plasticity, when learning)
    then: the kernel's after-step work (learning), the memory stage (read by the address
    population's spikes of step t), and every s_i becomes "previous" for step t + 1 (the schedule
    keeps as many past steps as the longest delay).

Kernels: :class:`engram_nm.backends.reference.FloatKernel` (numpy float64, the truth; equal to Lava
``cpu-float``), :class:`engram_nm.backends.torch_kernel.TorchKernel` (torch, differentiable with
snnTorch surrogates: training) and :class:`engram_nm.backends.fixed_emulator.FixedKernel` (Loihi
integers; equal to Lava ``cpu-fixed``). Arrays carry any leading axes the kernel uses (the fixed kernel:
networks and samples, ``[K, B, n]``); records are ``[..., T, n]``. A kernel returns fresh arrays
from its steps and records (the engine keeps them), and tensors stay tensors (gradients flow
through the schedule).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from engram_nm.spec import EngramSpec


class Kernel(Protocol):
    """The arithmetic of one backend, holding the network's state."""

    def synaptic_input(self, i: int, pre) -> np.ndarray:
        """Population ``i``'s summed input; ``pre(src, delay)`` gives the spikes of source ``src``
        (``-1``: the network input) of step ``t - delay`` (zeros before the run), in the form
        :meth:`for_products` made."""

    bias_onsets: list
    """Per population, the first step of its biases (an int, or one per network ``[K, 1, 1]``)."""

    def neuron_step(self, i: int, a_in: np.ndarray, bias_on) -> np.ndarray:
        """Step population ``i`` with input ``a_in``, its biases applied where ``bias_on`` (the
        schedule's ``t >= onset``: a bool, or one per network); returns its spikes (bool)."""

    def adapting(self, i: int) -> bool:
        """Whether population ``i``'s threshold adapts (intrinsic plasticity, learning on)."""

    def adapt_threshold(self, i: int, spikes) -> None:
        """Adapt population ``i``'s threshold to its ``spikes`` of this step (its rule, once per
        arithmetic: :meth:`~engram_nm.plasticity.intrinsic.IntrinsicPlasticity.step`,
        :func:`engram_nm.loihi.arithmetic.intrinsic_step`)."""

    def for_products(self, spikes: np.ndarray, graded: bool = False) -> np.ndarray:
        """Spikes in the form :meth:`synaptic_input` multiplies (bool, or 0/1 floats); ``graded``:
        a sigma-delta population's payloads, kept as numbers (multiplied, not column-summed)."""

    def recorded_v(self, i: int) -> np.ndarray:
        """``v`` of population ``i`` for the records, in float units."""

    def recorded_u(self, i: int) -> np.ndarray:
        """``u`` of population ``i`` for the records, in float units."""

    def after_step(self, t: int, x_t: np.ndarray, spikes: list) -> None:
        """Work after every population stepped (learning)."""

    def gate(self, a_in, mask):
        """``a_in`` through this step's gate ``mask`` (the engram gate multiplies, adding no delay)."""

    def stack(self, records: list):
        """One record per step, each ``[..., n]`` -> ``[..., T, n]``."""


class NumpyRecords:
    """``gate`` and ``stack`` of the numpy kernels: binary masks, records stacked by numpy."""

    def gate(self, a_in: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.where(mask, a_in, 0.0)

    def stack(self, records: list) -> np.ndarray:
        return np.stack(records, axis=-2)


def sends_numbers(layer) -> bool:
    """Whether a population's records and outputs are numbers, not spikes: sigma-delta payloads,
    or event counts where a neuron may fire several a step (``max_events`` > 1)."""
    return layer.graded or layer.max_events > 1


def transmitted_weight(learners: dict, name: str, weight):
    """The matrix that carries spikes this step: a learning projection's lagged copy
    (:attr:`~engram_nm.plasticity.learner.SynapseLearner.transmit_weight`), else ``weight``."""
    slot = learners.get(name)
    return weight if slot is None else slot.learner.transmit_weight


def step_network(spec: EngramSpec, x: np.ndarray, kernel: Kernel, masks: dict | None = None, memory=None,
                 record_v: bool = False, record_u: bool = False) -> tuple:
    """Run input ``x [..., T, n_in]`` through the schedule (module docstring) with ``kernel``.

    ``masks``: ``{population name: [..., T, n]}`` of the gated populations (0/1, or any factor the
    kernel's ``gate`` multiplies by); ``memory``:
    anything with ``step(t, address_spikes)``, fed by the spec's memory layer. Returns
    ``(spikes, v, u)``, dicts of ``[..., T, n]`` per population (``v``/``u`` empty unless asked).
    """
    masks = {spec.layer_names.index(name): m for name, m in (masks or {}).items()}
    lead, steps = tuple(x.shape[:-2]), x.shape[-2]
    sizes = [layer.size for layer in spec.layers]
    memory_index = spec.layer_names.index(spec.memory_layer().name) if memory is not None else -1
    rec_s = [[] for _ in sizes]
    rec_v = [[] for _ in sizes]
    rec_u = [[] for _ in sizes]
    graded_layers = [sends_numbers(layer) for layer in spec.layers]
    silent = ([kernel.for_products(np.zeros(lead + (n,), dtype=bool)) for n in sizes],
              kernel.for_products(np.zeros(lead + (spec.n_in,), dtype=bool)))
    # past[d - 1]: (the populations' spikes, the input) of step t - d, as far back as the longest delay
    past = [silent] * max((p.delay for p in spec.projections), default=1)
    for t in range(steps):
        def pre(src: int, delay: int = 1):  # the sources this step's inputs carry
            s_then, x_then = past[delay - 1]
            return x_then if src < 0 else s_then[src]

        s_now = []
        for i in range(len(sizes)):
            a_in = kernel.synaptic_input(i, pre)
            if i in masks:
                a_in = kernel.gate(a_in, masks[i][..., t, :])
            s = kernel.neuron_step(i, a_in, t >= kernel.bias_onsets[i])
            if kernel.adapting(i):
                kernel.adapt_threshold(i, s)  # after the step's threshold test: next step's threshold
            rec_s[i].append(s)
            if record_v:
                rec_v[i].append(kernel.recorded_v(i))
            if record_u:
                rec_u[i].append(kernel.recorded_u(i))
            s_now.append(s)
        x_t = x[..., t, :]
        kernel.after_step(t, x_t, s_now)
        if memory is not None:
            memory.step(t, s_now[memory_index])
        past = [([kernel.for_products(s, graded) for s, graded in zip(s_now, graded_layers)],
                 kernel.for_products(x_t))] + past[:-1]
    names = spec.layer_names
    as_dict = lambda records: {n: kernel.stack(r) for n, r in zip(names, records) if r}  # noqa: E731
    return as_dict(rec_s), as_dict(rec_v), as_dict(rec_u)
