"""ProcessModels of SDM: ``floating_pt`` (exact) and ``fixed_pt`` (saturating integer counters)."""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava
from engram_nm.processes.sdm.process import OP_READ, OP_WRITE, SDM

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort


class _SDMMaths:
    """Activation shared by both models: the same integer distances and tie rule as the reference."""

    def _active(self, address: np.ndarray) -> np.ndarray:
        if getattr(self, "_addr", None) is None:  # hard-location addresses are fixed: convert them once
            self._addr = self.addresses.astype(np.int64)
            self._pop = self._addr.sum(axis=1)
        q = address.astype(np.int64)
        d = q.sum() + self._pop - 2 * (self._addr @ q)
        d = np.where(self.alive > 0, d, self._addr.shape[1] + 1)
        if self.proc_params["activation"] == "radius":
            return np.flatnonzero(d <= self.proc_params["radius"])
        m, k = len(d), self.proc_params["k"]
        key = d * m + np.arange(m)
        return np.argpartition(key, k - 1)[:k] if k < m else np.arange(m)

    def run_spk(self) -> None:
        address = np.asarray(self.addr_in.recv()) > 0
        data = np.asarray(self.data_in.recv()) > 0
        op = int(np.asarray(self.op_in.recv()).ravel()[0])
        out = np.zeros(self.data_out.shape, dtype=bool)
        if op == OP_WRITE:
            idx = self._active(address)
            self._add(idx, np.where(data, 1, -1))
        elif op == OP_READ:
            idx = self._active(address)
            out = self.counters[idx].sum(axis=0) > 0
        self.data_out.send(out)


@lava.implements(proc=SDM, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("floating_pt")
class PySDMModelFloat(_SDMMaths, lava.PyLoihiProcessModel):
    addr_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    data_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    op_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    data_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    addresses: np.ndarray = LavaPyType(np.ndarray, int)
    counters: np.ndarray = LavaPyType(np.ndarray, float)
    alive: np.ndarray = LavaPyType(np.ndarray, int)
    saturated: np.ndarray = LavaPyType(np.ndarray, int)

    def _add(self, idx: np.ndarray, bipolar: np.ndarray) -> None:
        self.counters[idx] += bipolar[None, :]


@lava.implements(proc=SDM, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("fixed_pt")
class PySDMModelFixed(_SDMMaths, lava.PyLoihiProcessModel):
    addr_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    data_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    op_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    data_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=1)
    addresses: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    counters: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=16)
    alive: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    saturated: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def _add(self, idx: np.ndarray, bipolar: np.ndarray) -> None:
        limit = 2 ** (self.proc_params["counter_bits"] - 1) - 1
        new = self.counters[idx].astype(np.int64) + bipolar[None, :]
        self.saturated[0] += int(np.sum(np.abs(new) > limit))
        self.counters[idx] = np.clip(new, -limit, limit)
