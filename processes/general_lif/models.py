"""ProcessModels of GeneralLIF: ``floating_pt`` and ``fixed_pt`` (bit-accurate style).

The floating-point model steps with :func:`engram_nm.backends.float_lif.lif_step`, the numpy
reference's own step (Lava's float operation order). The fixed-point model steps with :func:`engram_nm.loihi.arithmetic.lif_step`, the
arithmetic of Lava's ``PyLifModelBitAcc`` written once (24-bit u and v, 12-bit decays with
``ds_offset = 1`` on du, activations and thresholds MSB-aligned by 6 bits, bias = mantissa <<
exponent), so that with ``reset_subtract == 0`` and shared parameters it is bit-identical to
the stock model (tests/processes/test_general_lif.py pins this) and to the ``fixed-emu``
emulator.
"""

from __future__ import annotations

import numpy as np

from engram_nm.backends import float_lif
from engram_nm.lava_compat import lava
from engram_nm.loihi.arithmetic import (effective_bias, effective_threshold, intrinsic_step, intrinsic_threshold,
                                        lif_step)
from engram_nm.plasticity.intrinsic import threshold_step
from engram_nm.processes.general_lif.process import GeneralLIF

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort


@lava.implements(proc=GeneralLIF, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("floating_pt")
class PyGeneralLIFModelFloat(lava.PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    u: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    du: np.ndarray = LavaPyType(np.ndarray, float)
    dv: np.ndarray = LavaPyType(np.ndarray, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    syn_bias: np.ndarray = LavaPyType(np.ndarray, float)
    reset_subtract: np.ndarray = LavaPyType(np.ndarray, int)
    reset_delay: np.ndarray = LavaPyType(np.ndarray, int)
    spiked: np.ndarray = LavaPyType(np.ndarray, float)
    bias_onset: np.ndarray = LavaPyType(np.ndarray, int)
    ip_eta: np.ndarray = LavaPyType(np.ndarray, float)
    ip_target: np.ndarray = LavaPyType(np.ndarray, float)
    ip_theta_min: np.ndarray = LavaPyType(np.ndarray, float)
    vth_fine: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        on = (self.time_step - 1) >= self.bias_onset  # Lava counts steps from 1
        self.u[:], self.v[:], spikes = float_lif.lif_step(
            self.u, self.v, a_in, self.du, self.dv, self.vth, self.bias, self.syn_bias, self.reset_subtract != 0,
            self.reset_delay != 0, self.spiked != 0, on)
        self.spiked[:] = spikes
        adapt = self.ip_eta > 0
        if np.any(adapt):
            moved = threshold_step(self.vth, spikes.astype(float), self.ip_eta, self.ip_target, self.ip_theta_min)
            self.vth[:] = np.where(adapt, moved, self.vth)
        self.s_out.send(spikes)


@lava.implements(proc=GeneralLIF, protocol=lava.LoihiProtocol)
@lava.requires(lava.CPU)
@lava.tag("fixed_pt")
class PyGeneralLIFModelFixed(lava.PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=12)
    dv: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=12)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=17)
    bias: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    syn_bias: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    reset_subtract: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    reset_delay: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    spiked: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=1)
    bias_onset: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    ip_eta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    ip_target: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    ip_theta_min: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=28)
    vth_fine: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=28)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        adapt = self.ip_eta > 0
        theta = intrinsic_threshold(self.vth_fine.astype(np.int64), adapt, effective_threshold(self.vth))
        u, v, spikes = lif_step(self.u, self.v, a_in, self.du, self.dv, theta,
                                effective_bias(self.bias, self.bias_exp), self.syn_bias, self.reset_subtract != 0,
                                self.reset_delay != 0, self.spiked != 0, (self.time_step - 1) >= self.bias_onset)
        self.u[:] = u
        self.v[:] = v
        self.spiked[:] = spikes
        if np.any(adapt):
            self.vth_fine[:] = intrinsic_step(self.vth_fine.astype(np.int64), spikes, adapt, self.ip_eta,
                                              self.ip_target, self.ip_theta_min)
        self.s_out.send(spikes)
