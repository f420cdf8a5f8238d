"""Fold learned weights and thresholds back into a spec (to inspect, export or run again)."""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.spec import EngramSpec


def with_learned(spec: EngramSpec, weights: dict, thresholds: dict) -> EngramSpec:
    """Copy of ``spec`` whose ``L_w`` / ``L_rec`` / extra-projection weights and layer thresholds are replaced.

    ``weights`` is keyed by projection name, ``thresholds`` by layer name, as
    in :class:`~engram_nm.hardware.targets.RunResult`. Shapes must match.
    """
    out = spec.copy()
    layers = {layer.name: layer for layer in out.layers}
    extra = {proj.name: proj for proj in out.projections}
    for name, w in weights.items():
        if name in extra:
            w = np.asarray(w, dtype=np.float64)
            if w.shape != extra[name].weight.shape:
                raise SpecError(f"learned weights {name!r} have shape {w.shape}, the spec's {extra[name].weight.shape}")
            extra[name].weight = w.copy()
            continue
        layer_name, _, kind = name.rpartition("_")
        layer = layers.get(layer_name)
        if layer is None or kind not in ("w", "rec"):
            raise SpecError(f"learned weights {name!r} match no projection of spec {spec.name!r}")
        attr = "weight" if kind == "w" else "recurrent_weight"
        current = getattr(layer, attr)
        w = np.asarray(w, dtype=np.float64)
        if current is None or current.shape != w.shape:
            raise SpecError(f"learned weights {name!r} have shape {w.shape}, the spec's "
                            f"{None if current is None else current.shape}")
        setattr(layer, attr, w.copy())
    for name, thr in thresholds.items():
        if name not in layers:
            raise SpecError(f"learned thresholds for unknown layer {name!r}")
        thr = np.asarray(thr, dtype=np.float64)
        if thr.shape != layers[name].v_threshold.shape or np.any(~(thr > 0)):
            raise SpecError(f"learned thresholds of {name!r} must be {layers[name].v_threshold.shape} and > 0")
        layers[name].v_threshold = thr.copy()
    return out
