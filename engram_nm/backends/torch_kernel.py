"""The torch arithmetic of the engine: differentiable, for training with snnTorch surrogates.

:class:`TorchKernel` steps a :class:`~engram_nm.backends.torch_backend.SpecNetwork`'s populations in
the engine's schedule (:mod:`engram_nm.backends.engine`) with the stock Lava update of
:func:`engram_nm.backends.torch_lif.lif_step` (sigma-delta populations:
:func:`engram_nm.backends.torch_sigma_delta.sigma_delta_step_torch`); tensors stay tensors, so gradients flow from any record
back to the weights through the surrogate spikes. In float64 its spikes equal the numpy
reference's (``tests/equivalence/test_torch_lava_float.py``). With ``learn=True`` the
layers' rules run as :class:`~engram_nm.plasticity.learner.SynapseLearner` on tensors (the
reference's learners) and intrinsic plasticity as
:meth:`~engram_nm.plasticity.intrinsic.IntrinsicPlasticity.step`; that path is single-sample
(state ``[n]``) and gradient-free, like the reference.
"""

from __future__ import annotations

import numpy as np
import torch

from engram_nm.backends.engine import transmitted_weight
from engram_nm.compiled import compile_network
from engram_nm.plasticity.learner import make_learners, step_learners
from engram_nm.backends.torch_lif import LIFState, lif_step
from engram_nm.backends.torch_sigma_delta import TorchSigmaDeltaState, sigma_delta_step_torch


class TorchKernel:
    """Arithmetic on tensors ``[..., n]`` for :func:`engram_nm.backends.engine.step_network`.

    Args:
        net: the :class:`~engram_nm.backends.torch_backend.SpecNetwork` whose parameters are used.
        like: a tensor whose dtype and device the state takes.
        lead: the leading axes of the state (``(B,)`` for a batch, ``()`` for one sample).
        learn: run the layers' plasticity (``lead`` must be ``()``).
    """

    def __init__(self, net, like: torch.Tensor, lead: tuple, learn: bool = False):
        self.net, self.dtype, self.device = net, like.dtype, like.device
        layers = list(net.layers)
        self.layers = layers
        self.bias_onsets = [layer.bias_onset for layer in layers]
        zeros = lambda n: torch.zeros(tuple(lead) + (n,), dtype=like.dtype, device=like.device)  # noqa: E731
        self.states = [LIFState(u=zeros(layer.size), v=zeros(layer.size), s=zeros(layer.size)) for layer in layers]
        self.params = [layer.parameters_tuple() for layer in layers]
        self.before_onset = [p._replace(bias=torch.zeros_like(p.bias), syn_bias=torch.zeros_like(p.syn_bias))
                             for p in self.params]
        self.thresholds = [p.v_threshold for p in self.params]
        self.intrinsic = [layer.plasticity.intrinsic if learn and layer.plasticity is not None else None
                          for layer in layers]
        compiled = compile_network(layers, net.projections)
        self.learners = make_learners(compiled.plastic, net.dt) if learn else {}
        self.inputs = compiled.inputs
        self.sigma_delta = {i: TorchSigmaDeltaState(zeros(layer.size), zeros(layer.size), zeros(layer.size))
                            for i, layer in enumerate(layers) if layer.graded}

    def synaptic_input(self, i: int, pre) -> torch.Tensor:
        a_in = None
        for src, name, weight, delay in self.inputs[i]:
            part = pre(src, delay) @ transmitted_weight(self.learners, name, weight).T
            a_in = part if a_in is None else a_in + part
        return a_in

    def neuron_step(self, i: int, a_in: torch.Tensor, bias_on) -> torch.Tensor:
        if i in self.sigma_delta:
            layer = self.layers[i]
            s, state = sigma_delta_step_torch(a_in, self.sigma_delta[i], layer.v_threshold, layer.bias,
                                              layer.activation == "relu")
            self.sigma_delta[i] = state
            self.states[i] = LIFState(u=state.sigma, v=state.act, s=s)
            return s
        p = self.params[i] if bias_on else self.before_onset[i]
        if self.intrinsic[i] is not None:
            p = p._replace(v_threshold=self.thresholds[i])
        s, self.states[i] = lif_step(a_in, self.states[i], p, self.net.spike_fn)
        return s

    def adapting(self, i: int) -> bool:
        return self.intrinsic[i] is not None

    def adapt_threshold(self, i: int, spikes: torch.Tensor) -> None:
        self.thresholds[i] = self.intrinsic[i].step(self.thresholds[i], spikes, self.net.dt)

    def for_products(self, spikes, graded: bool = False) -> torch.Tensor:
        if isinstance(spikes, torch.Tensor):
            return spikes.to(self.dtype)  # surrogate spikes keep their gradient
        return torch.as_tensor(np.asarray(spikes, dtype=np.float64), dtype=self.dtype, device=self.device)

    def recorded_v(self, i: int) -> torch.Tensor:
        return self.states[i].v

    def recorded_u(self, i: int) -> torch.Tensor:
        return self.states[i].u

    def after_step(self, t: int, x_t: torch.Tensor, spikes: list) -> None:
        step_learners(self.learners, x_t, spikes, t)

    def gate(self, a_in: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return a_in * mask  # gates may be continuous (hard-concrete L0 gates while training)

    def stack(self, records: list) -> torch.Tensor:
        return torch.stack(records, dim=-2)
