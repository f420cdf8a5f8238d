"""ProcessModels of PlasticDense: ``floating_pt`` (the numpy reference) and ``fixed_pt``."""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava
from engram_nm.plasticity.learner import SynapseLearner
from engram_nm.processes.plastic_dense.process import PlasticDense

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort
WEIGHT_LIMIT = 255  # 8-bit weight magnitude, as the Loihi synapse holds it


class _Learning:
    """The learner, built lazily in the worker from the process parameters."""

    def _learner(self, weights_float: np.ndarray) -> SynapseLearner:
        if getattr(self, "_sl", None) is None:
            p = self.proc_params
            self._sl = SynapseLearner(weights_float, p["dt"], rule=p["rule"], structural=p["structural"])
        return self._sl


@lava.implements(proc=PlasticDense, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("floating_pt")
class PyPlasticDenseModelFloat(_Learning, lava.PyLoihiProcessModel):
    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_in_bap: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.a_out.send(self.a_buff)
        pre = self.s_in.recv().astype(bool)
        # Same summation as lava.proc.dense's float model (and the reference).
        self.a_buff = self.weights[:, pre].sum(axis=1)
        post = self.s_in_bap.recv().astype(bool)
        learner = self._learner(self.weights)
        learner.weight = np.array(self.weights, dtype=np.float64)  # honours weights.set() between runs
        learner.step(pre, post, self.time_step - 1)
        self.weights[:] = learner.weight


@lava.implements(proc=PlasticDense, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("fixed_pt")
class PyPlasticDenseModelFixed(_Learning, lava.PyLoihiProcessModel):
    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    s_in_bap: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=16)
    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=9)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=16)

    def run_spk(self) -> None:
        self.a_out.send(self.a_buff)
        pre = self.s_in.recv().astype(bool)
        self.a_buff = self.weights[:, pre].sum(axis=1)
        post = self.s_in_bap.recv().astype(bool)
        scale = float(self.proc_params["weight_scale"])
        learner = self._learner(self.weights / scale)
        if not np.array_equal(self._integer(learner.weight, scale), self.weights):
            learner.weight = self.weights / scale  # changed from outside: restart the shadow there
        learner.step(pre, post, self.time_step - 1)
        self.weights[:] = self._integer(learner.weight, scale)

    @staticmethod
    def _integer(w: np.ndarray, scale: float) -> np.ndarray:
        return np.clip(np.round(w * scale), -WEIGHT_LIMIT, WEIGHT_LIMIT).astype(np.int32)
