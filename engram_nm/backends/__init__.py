"""Backends: the arithmetic that steps an :class:`~engram_nm.spec.EngramSpec`.

* :mod:`engram_nm.backends.engine` — the schedule of one step, written once; a kernel supplies
  the arithmetic: :class:`engram_nm.backends.reference.FloatKernel` (numpy float64, the truth),
  :class:`engram_nm.backends.torch_kernel.TorchKernel` (torch, differentiable: training) and
  :class:`engram_nm.backends.fixed_emulator.FixedKernel` (Loihi integers).
* :mod:`engram_nm.backends.float_lif` — the float64 LIF step, written once: used by the numpy
  reference and by the ``GeneralLIF`` floating-point Lava model.
* :mod:`engram_nm.loihi.arithmetic` — Loihi's integer neuron and synapse arithmetic, written
  once: used by the ``fixed-emu`` emulator and by the ``GeneralLIF`` fixed-point Lava model.
* :mod:`engram_nm.backends.fixed_emulator` — ``fixed-emu``: a batched, Lava-free emulator of what
  the ``cpu-fixed`` target (Lava's bit-accurate ``fixed_pt`` models) computes, spike for spike.
"""
