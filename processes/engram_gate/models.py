"""ProcessModels of EngramGate: ``floating_pt`` and ``fixed_pt``."""

from __future__ import annotations

import numpy as np

from engram_nm.gating.reference import gate_step
from engram_nm.lava_compat import lava
from engram_nm.processes.engram_gate.process import PROB_BITS, EngramGate

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort


class _Gate:
    def _keep(self, task: int) -> np.ndarray:
        """This step's mask: :func:`~engram_nm.gating.reference.gate_step`, as GateSpec.masks draws it
        (the held draw lives in the ``mask`` Var)."""
        if getattr(self, "_rng", None) is None:
            self._rng = np.random.default_rng(self.proc_params["seed"])
        keep, held = gate_step(self._probability(task), self.proc_params["mode"], self.time_step - 1,
                               self.proc_params["period"], self._rng, self.mask != 0)
        self.mask[:] = held
        return keep

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        keep = self._keep(int(self.task[0]))
        self.a_out.send(np.where(keep, a_in, 0))


@lava.implements(proc=EngramGate, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("floating_pt")
class PyEngramGateModelFloat(_Gate, lava.PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    probs: np.ndarray = LavaPyType(np.ndarray, float)
    probs_int: np.ndarray = LavaPyType(np.ndarray, int)
    task: np.ndarray = LavaPyType(np.ndarray, int)
    mask: np.ndarray = LavaPyType(np.ndarray, float)

    def _probability(self, task: int) -> np.ndarray:
        return self.probs[task]


@lava.implements(proc=EngramGate, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("fixed_pt")
class PyEngramGateModelFixed(_Gate, lava.PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=16)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=16)
    probs: np.ndarray = LavaPyType(np.ndarray, float)  # unused in fixed point; kept for inspection
    probs_int: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    task: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    mask: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)

    def _probability(self, task: int) -> np.ndarray:
        return self.probs_int[task] / 2.0 ** PROB_BITS
