"""Which parts of a spec Lava's stock processes (hence Loihi 2) run exactly, and why the others
need the CPU-only models of this package: the Lava side's check on an
:class:`~engram_nm.spec.EngramSpec` (``LayerSpec.stock_lava_compatible`` and
``EngramSpec.stock_lava_compatible`` delegate here). Imports nothing from Lava."""

from __future__ import annotations

import numpy as np


def stock_layer(layer, dt: float) -> tuple[bool, str]:
    """Whether the stock Lava LIF (hence Loihi 2) runs ``layer`` exactly, and why not; a
    sigma-delta layer: whether Lava's stock ``SigmaDelta`` does (one threshold per population)."""
    if layer.graded:
        same = bool(np.all(layer.v_threshold == layer.v_threshold[0]))
        return same, "" if same else "per-neuron sigma-delta thresholds (SigmaDelta holds one per population)"
    reasons = []
    if layer.reset != "zero":
        reasons.append(f"reset={layer.reset!r} (stock LIF resets to zero)")
    if layer.reset_delay:
        reasons.append("a delayed reset (stock LIF resets right after the spike)")
    if np.any(layer.syn_bias != 0):
        reasons.append("a synaptic-current bias (stock LIF biases v only)")
    if layer.bias_onset and (np.any(layer.bias) or np.any(layer.syn_bias)):
        reasons.append(f"a bias that starts at step {layer.bias_onset} (stock LIF biases from step 0)")
    if not layer.uniform(dt):
        reasons.append("per-neuron tau or threshold (stock LIF holds one du, dv, vth per population)")
    if layer.plasticity is not None and layer.plasticity.intrinsic is not None:
        reasons.append("intrinsic plasticity (thresholds adapt in the CPU-only GeneralLIF)")
    if layer.gate is not None:
        reasons.append("an engram gate (the CPU-only EngramGate process masks the input current)")
    if np.any(np.isinf(layer.v_threshold)):
        reasons.append("an infinite threshold (readout without spikes)")
    return (not reasons, "; ".join(reasons))


def stock_spec(spec) -> tuple[bool, dict]:
    """(all layers stock-compatible, {layer: reason} for those that are not)."""
    why = {}
    for layer in spec.layers:
        ok, reason = stock_layer(layer, spec.dt)
        if not ok:
            why[layer.name] = reason
    return (not why, why)
