"""ProcessModels of SDM: ``floating_pt`` (exact) and ``fixed_pt`` (saturating integer counters)."""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava
from engram_nm.sdm.kanerva import hamming_distances, saturating_add, topk_locations
from engram_nm.processes.sdm.process import OP_READ, OP_WRITE, SDM

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort


class _SDMMaths:
    """Activation shared by both models: the same integer distances and tie rule as the reference."""

    def _active(self, address: np.ndarray) -> np.ndarray:
        """Indices of the locations ``address`` activates: the reference's rules
        (:func:`~engram_nm.sdm.kanerva.hamming_distances`, :func:`~engram_nm.sdm.kanerva.topk_locations`)."""
        if getattr(self, "_addr_f", None) is None:  # hard-location addresses are fixed: convert them once
            self._addr_f = self.addresses.astype(np.float32)
            self._pop = self.addresses.sum(axis=1).astype(np.int32)
        q = address.astype(np.int8)[None, :]
        alive = self.alive > 0
        if self.proc_params["activation"] == "radius":
            return np.flatnonzero(hamming_distances(q, self._addr_f, self._pop, alive)[0] <= self.proc_params["radius"])
        return topk_locations(q, self._addr_f, self._pop, alive, int(self.proc_params["k"]))[0]

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
        new, saturated = saturating_add(self.counters[idx], bipolar[None, :],
                                        2 ** (self.proc_params["counter_bits"] - 1) - 1)
        self.saturated[0] += saturated
        self.counters[idx] = new
