"""The plasticity rules in the torch simulation: unsupervised phases between gradient steps.

:func:`plasticity_phase` runs a :class:`~engram_nm.torch_backend.SpecNetwork`
on one sample with its layers' rules switched on and writes the learned
weights and thresholds into the module (no gradients). It steps exactly like
the numpy reference with ``learn=True`` (same lag between learning and
transmission, same trace timing; :mod:`engram_nm.plasticity.learner`), using
the same :class:`~engram_nm.plasticity.learner.SynapseLearner` on torch tensors,
so float64 runs match the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engram_nm.errors import InputError
from engram_nm.plasticity.learner import make_learners, step_learners
from engram_nm.reference import projection_name
from engram_nm.torch_backend import SpecNetwork, build_torch, projections_into
from engram_nm.torch_lif import initial_state, lif_step


@dataclass
class LearnOutput:
    """Spikes ``{layer: bool [T, size]}``, voltages if recorded, and what was learned (spec units)."""

    spikes: dict
    v: dict
    weights: dict
    thresholds: dict


def learn_torch(spec_or_net, spikes: np.ndarray, record_v: bool = False, dtype: torch.dtype = torch.float64,
                update: bool = False, gate_masks: dict | None = None) -> LearnOutput:
    """Run one sample ``[steps, n_in]`` with plasticity on.

    ``update=True`` (with a ``SpecNetwork``) writes the learned weights and
    thresholds into the module. ``gate_masks`` (layer -> ``[steps, n]``) gate the
    layers' input currents as :func:`engram_nm.reference.simulate` does.
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


def plasticity_phase(net: SpecNetwork, spikes: np.ndarray) -> LearnOutput:
    """Unsupervised phase: learn on one sample and keep the result in ``net``."""
    return learn_torch(net, spikes, update=True)


def _run(net: SpecNetwork, x: torch.Tensor, record_v: bool, masks: dict) -> LearnOutput:
    layers, dt = list(net.layers), net.dt
    learners = make_learners(layers, dt, list(net.projections))  # the reference's learners, on tensors
    into = projections_into(net)
    ff_names = [projection_name(layer.name, "feedforward") for layer in layers]
    rec_names = [projection_name(layer.name, "recurrent") for layer in layers]
    intrinsic = {i: layer.plasticity.intrinsic for i, layer in enumerate(layers)
                 if layer.plasticity is not None and layer.plasticity.intrinsic is not None}
    params = [layer.parameters_tuple() for layer in layers]
    thresholds = [p.v_threshold.clone() for p in params]
    states = [initial_state(1, layer.size, x) for layer in layers]
    prev = [torch.zeros(layer.size, dtype=x.dtype) for layer in layers]
    x_prev = torch.zeros(net.n_in, dtype=x.dtype)
    rec_s = {layer.name: [] for layer in layers}
    rec_v = {layer.name: [] for layer in layers}

    def weight(name, fixed):
        slot = learners.get(name)
        return fixed if slot is None else slot.learner.transmit_weight

    for t in range(x.shape[0]):
        source, now = x_prev, []
        for i, layer in enumerate(layers):
            a_in = weight(ff_names[i], layer.weight) @ source
            if layer.recurrent_weight is not None:
                a_in = a_in + weight(rec_names[i], layer.recurrent_weight) @ prev[i]
            for j, proj in into[i]:
                a_in = a_in + weight(proj.name, proj.weight.detach()) @ prev[j]
            if layer.name in masks:
                a_in = a_in * masks[layer.name][t]
            p = params[i]._replace(v_threshold=thresholds[i])
            if t < layer.bias_onset:
                p = p._replace(bias=torch.zeros_like(p.bias), syn_bias=torch.zeros_like(p.syn_bias))
            s, states[i] = lif_step(a_in.unsqueeze(0), states[i], p, net.spike_fn)
            s = s[0]
            if i in intrinsic:
                ip = intrinsic[i]
                thresholds[i] = torch.clamp(thresholds[i] + ip.eta * (s - ip.target_rate * dt), min=ip.theta_min)
            rec_s[layer.name].append(s > 0.5)
            if record_v:
                rec_v[layer.name].append(states[i].v[0].clone())
            now.append(s)
            source = prev[i]
        step_learners(learners, x[t], now, t)
        prev, x_prev = now, x[t]
    spikes = {k: torch.stack(v).cpu().numpy() for k, v in rec_s.items()}
    volts = {k: torch.stack(v).cpu().numpy().astype(np.float64) for k, v in rec_v.items()} if record_v else {}
    weights = {name: slot.learner.weight.cpu().numpy().astype(np.float64) for name, slot in learners.items()}
    thr = {layers[i].name: thresholds[i].cpu().numpy().astype(np.float64) for i in intrinsic}
    return LearnOutput(spikes=spikes, v=volts, weights=weights, thresholds=thr)


def _write_back(net: SpecNetwork, out: LearnOutput) -> None:
    for layer in net.layers:
        ff, rec = projection_name(layer.name, "feedforward"), projection_name(layer.name, "recurrent")
        if ff in out.weights:
            layer.weight.copy_(torch.as_tensor(out.weights[ff], dtype=layer.weight.dtype))
        if rec in out.weights:
            layer.recurrent_weight.copy_(torch.as_tensor(out.weights[rec], dtype=layer.recurrent_weight.dtype))
        if layer.name in out.thresholds:
            layer.v_threshold.copy_(torch.as_tensor(out.thresholds[layer.name], dtype=layer.v_threshold.dtype))
    for proj in net.projections:
        if proj.name in out.weights:
            proj.weight.copy_(torch.as_tensor(out.weights[proj.name], dtype=proj.weight.dtype))
