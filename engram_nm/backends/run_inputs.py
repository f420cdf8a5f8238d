"""The inputs of a run, checked once for every backend and target: input spikes, the engram
gates' task per step (and the gate masks they draw), the memory stage's op and data streams.
Each raises an :class:`~engram_nm.errors.InputError` naming what is wrong."""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError
from engram_nm.spec import EngramSpec


def check_input(spec: EngramSpec, spikes: np.ndarray) -> np.ndarray:
    """Validate an input spike array ``[steps, n_in]`` and return it as float64."""
    arr = np.asarray(spikes)
    if arr.ndim != 2 or arr.shape[1] != spec.n_in or arr.shape[0] == 0:
        raise InputError(
            f"input spikes must be an array [steps, n_in={spec.n_in}], got shape {arr.shape}"
        )
    if arr.dtype != bool and not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"input spikes must be numbers (0/1) or booleans, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr.astype(np.float64))):
        raise InputError("input spikes contain NaN or inf")
    if not np.all((arr == 0) | (arr == 1)):
        raise InputError("input spikes must be binary (0/1 or bool); graded input is not supported yet")
    return arr.astype(np.float64)


def check_batch(spec: EngramSpec, spikes) -> np.ndarray:
    """Validate one sample ``[steps, n_in]`` or a batch ``[B, steps, n_in]`` (every sample as
    :func:`check_input` does) and return it as float64 ``[B, steps, n_in]``."""
    arr = np.asarray(spikes)
    if arr.ndim == 3:
        if arr.shape[0] == 0:
            raise InputError("an input batch [B, steps, n_in] needs at least one sample")
        check_input(spec, arr.reshape(-1, arr.shape[-1]) if arr.shape[1] else arr[0])
        return arr.astype(np.float64)
    return check_input(spec, arr)[None]


def gate_masks(spec: EngramSpec, steps: int, tasks=None, fixed_point: bool = False) -> dict:
    """``{layer: bool [steps, size]}`` for the spec's gated layers, for ``tasks`` (an int, or one
    task per step; default 0), drawn as the Lava EngramGate draws them (``fixed_point``: its
    ``fixed_pt`` model)."""
    gated = [layer for layer in spec.layers if layer.gate is not None]
    if not gated:
        if tasks is not None:
            raise InputError("a task was given but no layer of the spec has an engram gate")
        return {}
    per_step = np.full(steps, 0 if tasks is None else tasks) if np.ndim(tasks) == 0 else np.asarray(tasks)
    if per_step.shape != (steps,):
        raise InputError(f"tasks must be one int or one task per step ({steps}), got shape {per_step.shape}")
    return {layer.name: layer.gate.masks(per_step, fixed_point) for layer in gated}


def memory_stream(spec: EngramSpec, steps: int, ops, data):
    """Validated ``(ops, data)`` for the spec's memory stage (None when there is nothing to do)."""
    if ops is None and data is None:
        return None
    if spec.memory is None:
        raise InputError("memory_ops were given but the spec has no memory stage (EngramSpec.memory)")
    from engram_nm.sdm.ops import check_ops

    sdm = spec.memory.build(spec.memory_layer().size)
    if ops is None:
        raise InputError("memory_data needs memory_ops (0 idle, 1 write, 2 read per step)")
    ops = np.asarray(ops)
    if ops.shape != (steps,):
        raise InputError(f"memory_ops must have one op per step: shape ({steps},), got {ops.shape}")
    ops, _, data = check_ops(sdm, ops, np.zeros((steps, sdm.address_bits), dtype=np.int8), data)
    return sdm, ops, data
