"""Bring your own snnTorch model: ``Leaky`` / ``Synaptic`` / ``RLeaky`` networks -> EngramSpec.

The model is exported with snnTorch's own ``export_to_nir`` and read with
:func:`engram_nm.nir_io.nir_to_spec`. What carries over exactly depends on the
snnTorch neuron settings; :func:`spec_from_snntorch` returns the spec and a list
of the semantic differences it found, so nothing changes silently.

Exact on Lava (spikes equal to the snnTorch module's, layer ``l`` shown ``l``
steps later because snnTorch's ``nn.Linear`` has no delay), each layer's reset
carried into the spec (equations in :mod:`engram_nm.spec`):

=========================================  ===============================
snnTorch neuron                            spec layer
=========================================  ===============================
``Leaky``, zero, any ``reset_delay``       ``reset="zero"``: resetting the
                                           state before the decay (snnTorch)
                                           equals resetting after the spike
``Synaptic`` / ``RLeaky``, zero, delay     ``reset="zero", reset_delay=True``
                                           (the next step's input is lost)
any, zero, ``reset_delay=False``           ``reset="zero"``
any, subtract, ``reset_delay=True``        ``reset="subtract", reset_delay=True``
any, subtract, ``reset_delay=False``       ``reset="subtract"``; exact while
                                           no spike leaves ``v`` above the
                                           threshold (snnTorch's next spike
                                           then needs ``v > 2*threshold``;
                                           listed as a difference)
=========================================  ===============================

Biases of the ``nn.Linear`` layers are constant input currents that snnTorch
applies from its step 0, i.e. Lava step ``l``; such layers get
``bias_onset = l``. Delayed resets and late biases run on the CPU-only
GeneralLIF process (``RunResult.deployable`` says so).
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.spec import EngramSpec


def _neuron_modules(module) -> list[tuple[str, object]]:
    import snntorch as snn

    kinds = (snn.Leaky, snn.Synaptic, snn.RLeaky, snn.RSynaptic)
    return [(name or type(sub).__name__, sub) for name, sub in module.named_modules() if isinstance(sub, kinds)]


def _reset_of(neuron) -> tuple[str, bool]:
    """``(reset, reset_delay)`` of the spec layer that reproduces ``neuron`` (module docstring table)."""
    import snntorch as snn

    mech = getattr(neuron, "reset_mechanism", "subtract")
    delay = bool(getattr(neuron, "reset_delay", True))
    if mech == "subtract":
        return "subtract", delay
    # A zero reset before the decay (Leaky) keeps the next input, i.e. is not delayed.
    return "zero", delay and not isinstance(neuron, snn.Leaky)


def snntorch_semantic_differences(module) -> list[str]:
    """Human-readable list of settings in ``module`` that Lava will not reproduce exactly."""
    notes = []
    for label, sub in _neuron_modules(module):
        mech = getattr(sub, "reset_mechanism", "subtract")
        delay = bool(getattr(sub, "reset_delay", True))
        if mech == "none":
            notes.append(f"{label}: reset_mechanism='none' is not supported; imported with zero reset")
        elif mech == "subtract" and not delay:
            notes.append(f"{label}: subtract reset with reset_delay=False: once a spike leaves v above "
                         "threshold, snnTorch's next spike needs v > 2*threshold; engram_nm's needs v > threshold")
    return notes


def spec_from_snntorch(module, n_in: int, dt: float = 1e-4, name: str = "snntorch_model") -> tuple[EngramSpec, list]:
    """Convert an snnTorch ``nn.Module`` (Linear + Leaky/Synaptic/RLeaky layers) to a spec.

    ``dt`` must be snnTorch's exporter's (1e-4 s, hard-coded there). Returns
    ``(spec, differences)``; ``differences`` is empty when Lava reproduces the
    module's spikes exactly (see the module docstring).
    """
    import torch
    from snntorch.export_nir import export_to_nir

    from engram_nm.nir_io import nir_to_spec

    neurons = [m for _, m in _neuron_modules(module)]
    if not neurons:
        raise SpecError("the module has no snnTorch Leaky / Synaptic / RLeaky / RSynaptic layer")
    for m in neurons:
        if np.ndim(m.beta.detach().numpy()) == 0:
            raise SpecError("snnTorch's NIR exporter needs per-neuron beta and threshold tensors "
                            "(e.g. beta=torch.full((n,), 0.9), threshold=torch.ones(n)) to know layer sizes")
    graph = export_to_nir(module, torch.zeros(n_in))
    spec = nir_to_spec(graph, dt=dt)
    if len(spec.layers) != len(neurons):
        raise SpecError(f"the module has {len(neurons)} snnTorch neuron layers but its NIR graph gave "
                        f"{len(spec.layers)} populations; only chains of Linear + neuron layers are supported")
    for neuron, layer in zip(neurons, spec.layers):
        layer.reset, layer.reset_delay = _reset_of(neuron)
    for depth, layer in enumerate(spec.layers, start=1):
        if np.any(layer.bias) or np.any(layer.syn_bias):
            layer.bias_onset = depth  # snnTorch's step 0 is Lava's step `depth`
    spec.name = name
    return spec, snntorch_semantic_differences(module)
