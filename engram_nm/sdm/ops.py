"""A stream of SDM operations, one per step: what the Lava SDM process executes.

``ops [T]`` holds 0 (idle), 1 (write ``data[t]`` at ``addresses[t]``) or
2 (read at ``addresses[t]``); :func:`run_ops` returns ``reads [T, D]`` with
the recalled bits at read steps and zeros elsewhere. The numpy reference of
the Lava process, step for step.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import InputError
from engram_nm.sdm.kanerva import KanervaSDM

OP_IDLE, OP_WRITE, OP_READ = 0, 1, 2


def check_ops(sdm: KanervaSDM, ops, addresses, data=None):
    ops = np.asarray(ops).astype(np.int64).ravel()
    addresses = np.asarray(addresses)
    data = np.zeros((len(ops), sdm.data_bits)) if data is None else np.asarray(data)
    if addresses.shape != (len(ops), sdm.address_bits) or data.shape != (len(ops), sdm.data_bits):
        raise InputError(f"SDM op stream: ops [T], addresses [T, {sdm.address_bits}], data [T, {sdm.data_bits}] "
                         f"with one T; got {ops.shape}, {addresses.shape}, {data.shape}")
    if not np.all(np.isin(ops, (OP_IDLE, OP_WRITE, OP_READ))):
        raise InputError("SDM ops must be 0 (idle), 1 (write) or 2 (read)")
    for name, arr in (("addresses", addresses), ("data", data)):
        if not np.all((arr == 0) | (arr == 1)):
            raise InputError(f"SDM {name} must be 0/1 bits")
    return ops, addresses.astype(np.int8), data.astype(np.int8)


def run_ops(sdm: KanervaSDM, ops, addresses, data=None) -> np.ndarray:
    """Execute the stream on ``sdm`` (its counters change); returns ``reads [T, D]`` (int8)."""
    ops, addresses, data = check_ops(sdm, ops, addresses, data)
    reads = np.zeros((len(ops), sdm.data_bits), dtype=np.int8)
    for t, op in enumerate(ops):
        if op == OP_WRITE:
            sdm.write(addresses[t], data[t])
        elif op == OP_READ:
            reads[t] = sdm.read(addresses[t])[0]
    return reads


def write_then_read(addresses_w, data_w, addresses_r) -> tuple:
    """An op stream that writes each ``(address, data)`` pair, then reads at each read address."""
    aw, dw, ar = np.asarray(addresses_w), np.asarray(data_w), np.asarray(addresses_r)
    ops = np.concatenate([np.full(len(aw), OP_WRITE), np.full(len(ar), OP_READ)])
    addresses = np.concatenate([aw, ar])
    data = np.concatenate([dw, np.zeros((len(ar), dw.shape[1]), dtype=dw.dtype)])
    return ops, addresses, data
