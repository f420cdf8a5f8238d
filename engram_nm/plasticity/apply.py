"""Fold learned weights and thresholds back into a spec (to inspect, export or run again)."""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.spec import EngramSpec


def with_learned(spec: EngramSpec, weights: dict, thresholds: dict) -> EngramSpec:
    """Copy of ``spec`` whose weight matrices (:meth:`~engram_nm.spec.EngramSpec.connections`) and
    layer thresholds are replaced.

    ``weights`` is keyed by matrix name, ``thresholds`` by layer name, as in
    :class:`~engram_nm.result.RunResult`. Shapes must match.
    """
    out = spec.copy()
    layers = {layer.name: layer for layer in out.layers}
    for name, w in weights.items():
        try:
            out.connection(name)
        except SpecError as exc:
            raise SpecError(f"learned weights {name!r} match no weight matrix of spec {spec.name!r}") from exc
        try:
            out.set_weight(name, w)
        except SpecError as exc:
            raise SpecError(f"learned weights {name!r}: {exc}") from exc
    for name, thr in thresholds.items():
        if name not in layers:
            raise SpecError(f"learned thresholds for unknown layer {name!r}")
        thr = np.asarray(thr, dtype=np.float64)
        if thr.shape != layers[name].v_threshold.shape or np.any(~(thr > 0)):
            raise SpecError(f"learned thresholds of {name!r} must be {layers[name].v_threshold.shape} and > 0")
        layers[name].v_threshold = thr.copy()
    return out
