"""GeneralLIF: a CPU-only LIF / CUBA-LIF population for what the stock Lava LIF cannot hold.

Ports and Vars only; the maths is in ``models.py`` (one model per tag).

Same update as the stock Lava LIF, but every parameter is per neuron and the
reset may subtract::

    u[t] = u[t-1] * (1 - du) + a_in[t] + syn_bias
    v[t] = v[t-1] * (1 - dv) + u[t] + bias
    s[t] = v[t] > vth
    v[t] = 0 (reset_subtract == 0)   or   v[t] - vth (reset_subtract == 1)   where s[t]

With ``reset_delay == 1`` the same reset is applied one step late: to the new
``v[t]``, where ``s[t-1]`` (held in ``spiked``), before the threshold test
(snnTorch's ``reset_delay=True``; equations in :mod:`engram_nm.spec`).

``bias`` and ``syn_bias`` apply from step ``bias_onset`` (0-based; 0 = always).

Intrinsic plasticity (where ``ip_eta > 0``), after the spike decision::

    vth[t+1] = max(ip_theta_min, vth[t] + ip_eta * (s[t] - ip_target))

with ``ip_target = target_rate * dt`` (expected spikes per step). In ``fixed_pt``
the adapting threshold lives in ``vth_fine`` = effective threshold * 16 (4
fractional bits below Loihi's ``vth << 6``), with ``ip_*`` in the same units.

All Vars are arrays (docs/lava_edges.md: scalar float Vars hang on ``get``). For the
``fixed_pt`` model the Vars hold Loihi integers (du, dv 12-bit, vth 17-bit,
bias mantissa 13-bit with exponent) exactly as the stock bit-accurate LIF.
Not deployable to Loihi 2 as it is: it exists so that networks with subtract
reset, synaptic-current bias or per-neuron decays still run in a Lava graph.
"""

from __future__ import annotations

import numpy as np

from engram_nm.lava_compat import lava


class GeneralLIF(lava.AbstractProcess):
    """Population of ``shape`` LIF neurons with per-neuron parameters (see module docstring)."""

    def __init__(
        self,
        *,
        shape: tuple,
        du,
        dv,
        vth,
        bias=0,
        bias_exp=0,
        syn_bias=0,
        reset_subtract=0,
        reset_delay=0,
        bias_onset=0,
        ip_eta=0,
        ip_target=0,
        ip_theta_min=0,
        vth_fine=0,
        u=0,
        v=0,
        name: str | None = None,
    ) -> None:
        super().__init__(shape=shape, name=name)
        full = lambda x: np.broadcast_to(np.asarray(x), shape).copy()  # noqa: E731
        self.a_in = lava.InPort(shape=shape)
        self.s_out = lava.OutPort(shape=shape)
        self.u = lava.Var(shape=shape, init=full(u))
        self.v = lava.Var(shape=shape, init=full(v))
        self.du = lava.Var(shape=shape, init=full(du))
        self.dv = lava.Var(shape=shape, init=full(dv))
        self.vth = lava.Var(shape=shape, init=full(vth))
        self.bias = lava.Var(shape=shape, init=full(bias))
        self.bias_exp = lava.Var(shape=shape, init=full(bias_exp))
        self.syn_bias = lava.Var(shape=shape, init=full(syn_bias))
        self.reset_subtract = lava.Var(shape=shape, init=full(reset_subtract))
        self.reset_delay = lava.Var(shape=shape, init=full(reset_delay))
        self.spiked = lava.Var(shape=shape, init=np.zeros(shape))
        self.bias_onset = lava.Var(shape=shape, init=full(bias_onset))
        self.ip_eta = lava.Var(shape=shape, init=full(ip_eta))
        self.ip_target = lava.Var(shape=shape, init=full(ip_target))
        self.ip_theta_min = lava.Var(shape=shape, init=full(ip_theta_min))
        self.vth_fine = lava.Var(shape=shape, init=full(vth_fine))
