"""Run an SDM op stream (:mod:`engram_nm.sdm.ops`) on the Lava SDM process."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError
from engram_nm.lava_compat import lava
from engram_nm.processes.runtime import lava_session
from engram_nm.processes.sdm.process import SDM
from engram_nm.sdm.kanerva import KanervaSDM
from engram_nm.sdm.ops import check_ops


@dataclass
class SDMRun:
    reads: np.ndarray            # [T, D] recalled bits at read steps
    counters: np.ndarray | None  # final counters, when asked for (Var.get is ~20 us per element)
    saturated: int               # fixed_pt: counter updates that hit the limit


def sdm_process(sdm: KanervaSDM, tag: str, counter_bits: int = 8, name: str = "sdm") -> SDM:
    """A Lava SDM process holding ``sdm``'s addresses, counters and ablations."""
    counters = sdm.counters.astype(np.float64 if tag == "floating_pt" else np.int32)
    proc = SDM(addresses=sdm.addresses.astype(np.int32), data_bits=sdm.data_bits, activation=sdm.activation,
               k=sdm.k, radius=sdm.radius or 0, counters=counters, counter_bits=counter_bits, name=name)
    if not np.all(sdm.alive):
        proc.alive.init = sdm.alive.astype(np.int32)
    return proc


def run_sdm_ops(sdm: KanervaSDM, ops, addresses, data=None, tag: str = "floating_pt", counter_bits: int = 8,
                read_counters: bool = False) -> SDMRun:
    """The op stream on Lava (``sdm`` itself is not changed); always stopped, also on error."""
    if tag not in ("floating_pt", "fixed_pt"):
        raise InputError(f"unknown tag {tag!r}; use 'floating_pt' or 'fixed_pt'")
    ops, addresses, data = check_ops(sdm, ops, addresses, data)
    steps = len(ops)
    kind = float if tag == "floating_pt" else np.int32
    src_op = lava.SourceRingBuffer(data=ops[None, :].astype(kind))
    src_addr = lava.SourceRingBuffer(data=addresses.T.astype(kind))
    src_data = lava.SourceRingBuffer(data=data.T.astype(kind))
    proc = sdm_process(sdm, tag, counter_bits)
    sink = lava.SinkRingBuffer(shape=(sdm.data_bits,), buffer=steps)
    src_op.s_out.connect(proc.op_in)
    src_addr.s_out.connect(proc.addr_in)
    src_data.s_out.connect(proc.data_in)
    proc.data_out.connect(sink.a_in)
    with lava_session(proc, lava.Loihi2SimCfg(select_tag=tag)) as session:
        session.run(steps)
        reads = (sink.data.get().T > 0).astype(np.int8)
        counters = np.asarray(proc.counters.get()) if read_counters else None
        saturated = int(np.asarray(proc.saturated.get()).ravel()[0])
    return SDMRun(reads=reads, counters=counters, saturated=saturated)
