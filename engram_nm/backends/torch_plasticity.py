"""The plasticity rules in the torch simulation: unsupervised phases between gradient steps.

:func:`plasticity_phase` runs a :class:`~engram_nm.backends.torch_backend.SpecNetwork`
on one sample with its layers' rules switched on and writes the learned
weights and thresholds into the module (no gradients). It is the engine's schedule
(:mod:`engram_nm.backends.engine`) with the torch kernel's learners on: the reference's
:class:`~engram_nm.plasticity.learner.SynapseLearner` on torch tensors, the same lag between
learning and transmission and the same trace timing, so float64 runs match the reference.
"""

from __future__ import annotations

import numpy as np
import torch

from engram_nm.errors import InputError
from engram_nm.result import RunResult
from engram_nm.spec import connections_of
from engram_nm.backends.torch_backend import SpecNetwork, build_torch


def learn_torch(spec_or_net, spikes: np.ndarray, record_v: bool = False, dtype: torch.dtype = torch.float64,
                update: bool = False, gate_masks: dict | None = None) -> RunResult:
    """Run one sample ``[steps, n_in]`` with plasticity on: a :class:`~engram_nm.result.RunResult`
    (target ``snntorch``) with the spikes, ``v`` if recorded, and the learned weights and thresholds.

    ``update=True`` (with a ``SpecNetwork``) writes the learned weights and
    thresholds into the module. ``gate_masks`` (layer -> ``[steps, n]``) gate the
    layers' input currents as :func:`engram_nm.backends.reference.simulate` does.
    """
    net = spec_or_net if isinstance(spec_or_net, SpecNetwork) else build_torch(spec_or_net, dtype=dtype)
    x = torch.as_tensor(np.asarray(spikes, dtype=np.float64), dtype=net.dtype)
    if x.ndim != 2 or x.shape[1] != net.n_in:
        raise InputError(f"input must be [steps, n_in={net.n_in}], got {tuple(x.shape)}")
    with torch.no_grad():
        masks = {k: torch.as_tensor(np.asarray(v), dtype=net.dtype) for k, v in (gate_masks or {}).items()}
        out = _run(net, x, record_v, masks)
        if update:
            _write_back(net, out)
    return out


def plasticity_phase(net: SpecNetwork, spikes: np.ndarray) -> RunResult:
    """Unsupervised phase: learn on one sample and keep the result in ``net``."""
    return learn_torch(net, spikes, update=True)


def _run(net: SpecNetwork, x: torch.Tensor, record_v: bool, masks: dict) -> RunResult:
    """One sample through the engine with the torch kernel's learners on."""
    from engram_nm.backends.engine import sends_numbers, step_network
    from engram_nm.backends.torch_kernel import TorchKernel

    kernel = TorchKernel(net, x, (), learn=True)
    rec_s, rec_v, _ = step_network(net, x, kernel, masks, record_v=record_v)
    numpy = lambda a: a.cpu().numpy().astype(np.float64)  # noqa: E731
    return RunResult(
        "snntorch", int(x.shape[0]), {k: numpy(a) if sends_numbers(layer) else a.cpu().numpy() > 0.5
                                      for (k, a), layer in zip(rec_s.items(), net.layers)},
        {k: numpy(a) for k, a in rec_v.items()},
        learned_weights={name: numpy(slot.learner.weight) for name, slot in kernel.learners.items()},
        learned_thresholds={layer.name: numpy(kernel.thresholds[i]) for i, layer in enumerate(net.layers)
                            if kernel.intrinsic[i] is not None})


def _write_back(net: SpecNetwork, out: RunResult) -> None:
    for c in connections_of(net.layers, net.projections):
        if c.name in out.learned_weights:  # c.weight is the module's parameter: copied into in place
            c.weight.copy_(torch.as_tensor(out.learned_weights[c.name], dtype=c.weight.dtype))
    for layer in net.layers:
        if layer.name in out.learned_thresholds:
            layer.v_threshold.copy_(torch.as_tensor(out.learned_thresholds[layer.name], dtype=layer.v_threshold.dtype))
