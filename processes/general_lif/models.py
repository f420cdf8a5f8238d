"""ProcessModels of GeneralLIF: ``floating_pt`` and ``fixed_pt`` (bit-accurate style).

The fixed-point model repeats the arithmetic of Lava's ``PyLifModelBitAcc``
(24-bit u and v, 12-bit decays with ``ds_offset = 1`` on du, activations and
thresholds MSB-aligned by 6 bits, bias = mantissa << exponent) so that with
``reset_subtract == 0`` and shared parameters it is bit-identical to the stock
model (tests/processes/test_general_lif.py pins this).
"""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava
from engram_nm.processes.general_lif.process import GeneralLIF

LavaPyType = lava.LavaPyType
PyInPort = lava.PyInPort
PyOutPort = lava.PyOutPort

# Loihi fixed-point constants (as in lava.proc.lif.models.AbstractPyLifModelFixed).
UV_BITS = 24
MAX_UV = 2 ** (UV_BITS - 1)
DECAY_SHIFT = 12
DECAY_UNITY = 2 ** DECAY_SHIFT
ACT_SHIFT = 6
VTH_SHIFT = 6
DS_OFFSET = 1  # added to du: du = 4095 means "forget u every step"
DM_OFFSET = 0
IP_FRACTION_BITS = 4  # intrinsic plasticity: vth_fine = effective vth * 2**4


def fixed_decay(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``sign(x) * ((|x| * (4096 - d)) >> 12)`` in int64, as Loihi decays u and v."""
    prod = x.astype(np.int64) * (DECAY_UNITY - d.astype(np.int64))
    return (np.sign(prod) * np.right_shift(np.abs(prod), DECAY_SHIFT)).astype(np.int64)


def wrap_24bit(x: np.ndarray) -> np.ndarray:
    """Wrap a current into the signed 24-bit range the way the stock model does."""
    wrapped = np.where(x > MAX_UV, x - 2 * MAX_UV, x)
    return np.where(wrapped <= -MAX_UV, x + 2 * MAX_UV, wrapped)


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
        bias = np.where(on, self.bias, 0.0)
        syn_bias = np.where(on, self.syn_bias, 0.0)
        # Same operation order as lava.proc.lif.models.AbstractPyLifModelFloat.
        self.u[:] = self.u * (1 - self.du)
        self.u[:] += a_in + syn_bias if np.any(syn_bias) else a_in
        self.v[:] = self.v * (1 - self.dv) + self.u + bias
        delayed = self.reset_delay != 0
        late = delayed & (self.spiked != 0)
        self._reset(late)
        spikes = self.v > self.vth
        self._reset(spikes & ~delayed)
        self.spiked[:] = spikes
        adapt = self.ip_eta > 0
        if np.any(adapt):
            moved = np.maximum(self.ip_theta_min, self.vth + self.ip_eta * (spikes - self.ip_target))
            self.vth[:] = np.where(adapt, moved, self.vth)
        self.s_out.send(spikes)

    def _reset(self, where: np.ndarray) -> None:
        subtract = where & (self.reset_subtract != 0)
        self.v[subtract] -= self.vth[subtract]
        self.v[where & ~subtract] = 0.0


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
        on = (self.time_step - 1) >= self.bias_onset
        effective_bias = np.where(
            self.bias_exp >= 0,
            np.left_shift(self.bias.astype(np.int64), np.maximum(self.bias_exp, 0)),
            np.right_shift(self.bias.astype(np.int64), np.maximum(-self.bias_exp, 0)),
        )
        adapt = self.ip_eta > 0
        effective_vth = np.where(adapt, np.right_shift(self.vth_fine.astype(np.int64), IP_FRACTION_BITS),
                                 np.left_shift(self.vth.astype(np.int64), VTH_SHIFT))
        u = fixed_decay(self.u, self.du + DS_OFFSET)
        effective_bias = np.where(on, effective_bias, 0)
        u = u + np.left_shift(np.asarray(a_in).astype(np.int64), ACT_SHIFT) + np.where(on, self.syn_bias, 0)
        self.u[:] = wrap_24bit(u)
        v = fixed_decay(self.v, self.dv + DM_OFFSET) + self.u.astype(np.int64) + effective_bias
        v = np.clip(v, -MAX_UV + 1, MAX_UV - 1)
        delayed = self.reset_delay != 0
        v = self._reset(v, delayed & (self.spiked != 0), effective_vth)
        spikes = v > effective_vth
        v = self._reset(v, spikes & ~delayed, effective_vth)
        self.v[:] = v
        self.spiked[:] = spikes
        if np.any(adapt):
            fine = self.vth_fine.astype(np.int64) + self.ip_eta * spikes - self.ip_target
            self.vth_fine[:] = np.where(adapt, np.maximum(self.ip_theta_min, fine), self.vth_fine)
        self.s_out.send(spikes)

    def _reset(self, v: np.ndarray, where: np.ndarray, effective_vth: np.ndarray) -> np.ndarray:
        subtract = where & (self.reset_subtract != 0)
        v = np.where(subtract, v - effective_vth, v)
        return np.where(where & ~subtract, 0, v)
