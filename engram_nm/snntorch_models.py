"""Bring your own snnTorch model: ``Leaky`` / ``Synaptic`` / ``RLeaky`` networks -> EngramSpec.

The model is exported with snnTorch's own ``export_to_nir`` and read with
:func:`engram_nm.nir_io.nir_to_spec`. What carries over exactly depends on the
snnTorch neuron settings; :func:`spec_from_snntorch` returns the spec and a list
of the semantic differences it found, so nothing changes silently.

Exact on Lava (spikes equal to the snnTorch module's, layer ``l`` shown ``l``
steps later because snnTorch's ``nn.Linear`` has no delay):

* ``Leaky(reset_mechanism="zero")``, with ``reset_delay`` True or False: resetting
  the state on the next step (snnTorch) or right after the spike (Lava) gives
  the same spikes, because the next step adds only that step's input either way;
* ``Synaptic`` and ``RLeaky`` with ``reset_mechanism="zero", reset_delay=False``;
* biases of the ``nn.Linear`` layers: a bias is a constant input current, which
  snnTorch applies from its step 0, i.e. Lava step ``l``; the spec therefore
  gets ``bias_onset = l`` for such layers, which runs on the CPU-only
  GeneralLIF process (the stock LIF biases from step 0).

Everything else (subtract reset, delayed reset of Synaptic/RLeaky, biases)
still imports and runs, with the differences listed.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.spec import EngramSpec


def snntorch_semantic_differences(module) -> list[str]:
    """Human-readable list of settings in ``module`` that Lava will not reproduce exactly."""
    import snntorch as snn
    import torch

    notes = []
    for name, sub in module.named_modules():
        label = name or type(sub).__name__
        if isinstance(sub, (snn.Leaky, snn.Synaptic, snn.RLeaky, snn.RSynaptic)):
            mech = getattr(sub, "reset_mechanism", "subtract")
            delay = bool(getattr(sub, "reset_delay", True))
            if mech == "subtract":
                notes.append(f"{label}: snnTorch subtract reset (m = beta*m + I - thr*s[t-1]) runs as "
                             "engram_nm 'subtract' (v -= thr right after the spike)")
            elif mech == "none":
                notes.append(f"{label}: reset_mechanism='none' is not supported; imported with zero reset")
            elif delay and isinstance(sub, (snn.Synaptic, snn.RLeaky, snn.RSynaptic)):
                notes.append(f"{label}: reset_delay=True drops the next step's input in {type(sub).__name__}; "
                             "Lava keeps it")
    return notes


def spec_from_snntorch(module, n_in: int, dt: float = 1e-4, name: str = "snntorch_model") -> tuple[EngramSpec, list]:
    """Convert an snnTorch ``nn.Module`` (Linear + Leaky/Synaptic/RLeaky layers) to a spec.

    ``dt`` must be snnTorch's exporter's (1e-4 s, hard-coded there). Returns
    ``(spec, differences)``; ``differences`` is empty when Lava reproduces the
    module's spikes exactly (see the module docstring).
    """
    import snntorch as snn
    import torch
    from snntorch.export_nir import export_to_nir

    from engram_nm.nir_io import nir_to_spec

    neurons = [m for m in module.modules() if isinstance(m, (snn.Leaky, snn.Synaptic, snn.RLeaky, snn.RSynaptic))]
    if not neurons:
        raise SpecError("the module has no snnTorch Leaky / Synaptic / RLeaky / RSynaptic layer")
    resets = {getattr(m, "reset_mechanism", "subtract") for m in neurons}
    if len(resets) > 1:
        raise SpecError(f"layers mix reset mechanisms {sorted(resets)}; convert them one by one")
    reset = "subtract" if resets == {"subtract"} else "zero"
    for m in neurons:
        if np.ndim(m.beta.detach().numpy()) == 0:
            raise SpecError("snnTorch's NIR exporter needs per-neuron beta and threshold tensors "
                            "(e.g. beta=torch.full((n,), 0.9), threshold=torch.ones(n)) to know layer sizes")
    graph = export_to_nir(module, torch.zeros(n_in))
    spec = nir_to_spec(graph, dt=dt, reset=reset)
    for depth, layer in enumerate(spec.layers, start=1):
        if np.any(layer.bias) or np.any(layer.syn_bias):
            layer.bias_onset = depth  # snnTorch's step 0 is Lava's step `depth`
    spec.name = name
    return spec, snntorch_semantic_differences(module)
