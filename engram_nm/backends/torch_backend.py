"""snnTorch backend: an :class:`EngramSpec` as a trainable ``torch.nn.Module``.

"Train what you deploy" (docs/architecture.md, rule 4): the module runs the stock Lava update
(:mod:`engram_nm.backends.torch_lif`) with one step of delay per Dense and the bias from
step 0, so its spikes equal those of the Lava graph built from the same spec
*at the same step index* (no realignment is needed). Surrogate gradients come
from :mod:`snntorch.surrogate`.

Input and outputs are time-major ``[T, batch, n]``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from engram_nm.errors import InputError
from engram_nm.spec import EngramSpec, LayerSpec
from engram_nm.backends.torch_lif import LIFParameters, SpikeFn, default_spike_fn


@dataclass
class NetworkOutput:
    """``spikes[name]`` and ``v[name]``: ``[T, batch, size]`` per layer."""

    spikes: dict
    v: dict


_POPULATION_FIELDS = ("name", "neuron", "activation", "payload_bits", "reset", "reset_delay", "bias_onset",
                      "plasticity", "gate", "tau_mem", "tau_syn", "metadata", "max_events")
"""Fields the module reads from its population's :class:`LayerSpec` (not trained): a new neuron field
of the spec reaches the module, and its export, without a line here."""


class SpecLayer(nn.Module):
    """One population: trainable ``weight``, ``recurrent_weight``, ``bias``; the rest (decays, reset,
    rules, gate...) read from the population's spec, kept as ``population``."""

    def __init__(self, layer: LayerSpec, dt: float, dtype: torch.dtype):
        super().__init__()
        self.population = copy.deepcopy(layer)  # its initial arrays; the trained ones are the parameters
        self.n_neurons = layer.size
        du, dv = layer.decays(dt)
        t = lambda a: torch.as_tensor(np.asarray(a), dtype=dtype)  # noqa: E731
        self.weight = nn.Parameter(t(layer.weight)) if layer.fed_forward else None
        self.recurrent_weight = (
            nn.Parameter(t(layer.recurrent_weight)) if layer.recurrent_weight is not None else None
        )
        self.bias = nn.Parameter(t(layer.bias))
        self.register_buffer("syn_bias", t(layer.syn_bias))
        self.register_buffer("du", t(du))
        self.register_buffer("dv", t(dv))
        self.register_buffer("v_threshold", t(layer.v_threshold))

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)  # parameters, buffers, sub-modules
        except AttributeError:
            if name in _POPULATION_FIELDS and "population" in self.__dict__:
                return getattr(self.__dict__["population"], name)
            raise

    @property
    def size(self) -> int:
        return self.n_neurons

    @property
    def graded(self) -> bool:
        """True for a sigma-delta population (its spikes are payloads)."""
        return self.neuron == "sigma_delta"

    def parameters_tuple(self) -> LIFParameters:
        return LIFParameters(
            du=self.du, dv=self.dv, v_threshold=self.v_threshold, bias=self.bias,
            syn_bias=self.syn_bias, subtract_reset=self.reset == "subtract",
            reset_delay=self.reset_delay, max_events=self.max_events,
        )

    def to_layer_spec(self) -> LayerSpec:
        """The population's spec with the trained values in (float64 copies)."""
        npy = lambda x: None if x is None else x.detach().cpu().to(torch.float64).numpy().copy()  # noqa: E731
        out = copy.deepcopy(self.population)
        out.weight, out.recurrent_weight = npy(self.weight), npy(self.recurrent_weight)
        out.bias, out.syn_bias, out.v_threshold = npy(self.bias), npy(self.syn_bias), npy(self.v_threshold)
        return out.validate()


class SpecProjection(nn.Module):
    """One extra projection (:class:`~engram_nm.projection.ProjectionSpec`) with a trainable ``weight``."""

    def __init__(self, proj, dtype: torch.dtype):
        super().__init__()
        self.name, self.source, self.target = proj.name, proj.source, proj.target
        self.plasticity, self.structural, self.delay = proj.plasticity, proj.structural, proj.delay
        self.projection_metadata = dict(proj.metadata)
        self.weight = nn.Parameter(torch.as_tensor(proj.weight, dtype=dtype))

    def to_projection_spec(self):
        from engram_nm.projection import ProjectionSpec

        return ProjectionSpec(name=self.name, source=self.source, target=self.target,
                              weight=self.weight.detach().cpu().to(torch.float64).numpy().copy(),
                              plasticity=self.plasticity, metadata=dict(self.projection_metadata),
                              delay=self.delay, structural=self.structural)


class SpecNetwork(nn.Module):
    """The spec's chain of populations, stepped in time with Lava's semantics.

    Args:
        spec: the network.
        dtype: ``torch.float64`` reproduces Lava's floating-point model bit for
            bit (up to summation order); ``float32`` is faster for training.
        spike_fn: surrogate spike function (default: snnTorch fast sigmoid).
    """

    def __init__(self, spec: EngramSpec, dtype: torch.dtype = torch.float32, spike_fn: SpikeFn | None = None):
        super().__init__()
        self.n_in = spec.n_in
        self.dt = spec.dt
        self.model_name = spec.name
        self.spec_metadata = dict(spec.metadata)
        self.memory = spec.memory
        self.dtype = dtype
        self.spike_fn = spike_fn or default_spike_fn()
        self.layers = nn.ModuleList([SpecLayer(layer, spec.dt, dtype) for layer in spec.layers])
        self.projections = nn.ModuleList([SpecProjection(p, dtype) for p in spec.projections])
        # Multiplicative gates on a layer's input current, by layer name: engram gates
        # (engram_nm.gating.torch_gates) or hard-concrete L0 gates (engram_nm.sparsity).
        self.input_gates = nn.ModuleDict()
        for layer in spec.layers:
            if layer.gate is not None:
                from engram_nm.gating.torch_gates import gate_from_spec

                gate = gate_from_spec(layer.gate).to(dtype)
                with torch.no_grad():  # the spec's logits exactly, not through the module's float32 start
                    gate.logits.copy_(torch.as_tensor(layer.gate.logits, dtype=dtype))
                self.input_gates[layer.name] = gate

    def set_task(self, task: int) -> None:
        """Select task ``task`` in every engram gate of the network."""
        for gate in self.input_gates.values():
            if hasattr(gate, "set_task"):
                gate.set_task(task)

    def _masks(self, batch: int, steps: int, gate_masks) -> dict:
        """Per gated population, a mask ``[batch|1, T, n]``: the gate modules' (one per sample,
        constant in time) or, replacing them, the given ``[T, n]`` masks (one per step)."""
        masks = {}
        for name, gate in self.input_gates.items():
            masks[name] = gate((batch,)).unsqueeze(1).expand(-1, steps, -1)
        for name, m in (gate_masks or {}).items():
            m = torch.as_tensor(m, dtype=self.dtype)
            if m.ndim != 2 or m.shape[0] != steps:
                raise InputError(f"gate_masks[{name!r}] must be [T={steps}, n], got {tuple(m.shape)}")
            masks[name] = m.unsqueeze(0)
        return masks

    def forward(self, x: torch.Tensor, record_v: bool = True, gate_masks: dict | None = None) -> NetworkOutput:
        """Run input spikes ``x [T, batch, n_in]``; returns per-layer spikes and voltages.

        Stepped by :func:`engram_nm.backends.engine.step_network` with
        :class:`~engram_nm.backends.torch_kernel.TorchKernel`. ``gate_masks`` (layer name ->
        ``[T, n]``) replaces the gate modules' masks step by step (to replay the masks a Lava
        EngramGate draws).
        """
        from engram_nm.backends.engine import step_network
        from engram_nm.backends.torch_kernel import TorchKernel

        if x.ndim != 3 or x.shape[2] != self.n_in:
            raise InputError(f"input must be [T, batch, n_in={self.n_in}], got {tuple(x.shape)}")
        x = x.to(self.dtype).transpose(0, 1)  # the engine's layout: [batch, T, n_in]
        batch, steps, _ = x.shape
        kernel = TorchKernel(self, x, (batch,))
        spikes, volts, _ = step_network(self, x, kernel, self._masks(batch, steps, gate_masks), record_v=record_v)
        time_major = lambda d: {k: a.transpose(0, 1) for k, a in d.items()}  # noqa: E731
        return NetworkOutput(spikes=time_major(spikes), v=time_major(volts))

    @property
    def layer_names(self) -> list:
        return [layer.name for layer in self.layers]

    def to_spec(self) -> EngramSpec:
        """The (trained) network as a spec, parameters in float64.

        Engram gates become the layer's ``GateSpec`` (deterministic); an L0
        gate's deterministic value ``z`` is folded into the rows of the layer's
        weights (``z * (W s) = (z W) s``), so the exported network needs no gate.
        """
        from engram_nm.gating.torch_gates import TaskGate
        from engram_nm.sparsity import HardConcreteGate

        layers = []
        for layer in self.layers:
            spec_layer = layer.to_layer_spec()
            gate = self.input_gates[layer.name] if layer.name in self.input_gates else None
            if isinstance(gate, TaskGate):
                declared = layer.gate  # a deterministic gate of the spec keeps its period and seed
                keep = {} if declared is None or declared.mode != "deterministic" else \
                    dict(period=declared.period, seed=declared.seed)
                spec_layer.gate = gate.to_gate_spec(**keep)
                spec_layer._check_gate()
            elif isinstance(gate, HardConcreteGate):
                z = gate.eval()(()).detach().cpu().double().numpy()
                gate.train(self.training)
                if spec_layer.weight is not None:
                    spec_layer.weight = spec_layer.weight * z[:, None]
                if spec_layer.recurrent_weight is not None:
                    spec_layer.recurrent_weight = spec_layer.recurrent_weight * z[:, None]
            layers.append(spec_layer)
        return EngramSpec(n_in=self.n_in, layers=layers, dt=self.dt, name=self.model_name, memory=self.memory,
                          projections=[p.to_projection_spec() for p in self.projections],
                          metadata=dict(self.spec_metadata))


def build_torch(spec: EngramSpec, dtype: torch.dtype = torch.float32, spike_fn: SpikeFn | None = None) -> SpecNetwork:
    """spec -> ``SpecNetwork`` (an ``nn.Module``)."""
    return SpecNetwork(spec, dtype=dtype, spike_fn=spike_fn)


def run_torch(spec_or_net, spikes: np.ndarray, dtype: torch.dtype = torch.float64,
              record_v: bool = False, gate_masks: dict | None = None) -> tuple[dict, dict]:
    """Run one sample ``[steps, n_in]`` or a batch ``[B, steps, n_in]`` without gradients, in one
    call (``gate_masks``: see ``SpecNetwork.forward``; the same for every sample).

    Returns ``(spikes, v)``: ``{layer: bool [steps, size]}`` (``[B, steps, size]`` for a batch; a
    sigma-delta layer's: its float payloads; a multi-event layer's: its counts) and, if ``record_v``, the voltages alike (else empty).
    """
    net = spec_or_net if isinstance(spec_or_net, SpecNetwork) else build_torch(spec_or_net, dtype=dtype)
    arr = np.asarray(spikes, dtype=np.float64)
    batched = arr.ndim == 3
    x = torch.as_tensor(arr)
    with torch.no_grad():
        out = net(x.transpose(0, 1) if batched else x.unsqueeze(1), record_v=record_v, gate_masks=gate_masks)
    layout = (lambda a: a.transpose(0, 1)) if batched else (lambda a: a[:, 0])  # back from [T, B, n]
    from engram_nm.backends.engine import sends_numbers

    graded = {layer.name for layer in net.layers if sends_numbers(layer)}
    spikes_out = {k: layout(v).cpu().numpy().astype(np.float64) if k in graded else layout(v).cpu().numpy() > 0.5
                  for k, v in out.spikes.items()}
    volts = {k: layout(v).cpu().numpy().astype(np.float64) for k, v in out.v.items()}
    return spikes_out, volts
