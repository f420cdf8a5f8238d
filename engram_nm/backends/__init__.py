"""Backends: the arithmetic that steps an :class:`~engram_nm.spec.EngramSpec`.

* :mod:`engram_nm.backends.fixed_point` — Loihi's integer neuron and synapse arithmetic, written
  once: used by the ``fixed-emu`` emulator and by the ``GeneralLIF`` fixed-point Lava model.
* :mod:`engram_nm.backends.fixed_emulator` — ``fixed-emu``: a batched, Lava-free emulator of what
  the ``cpu-fixed`` target (Lava's bit-accurate ``fixed_pt`` models) computes, spike for spike.

The float64 reference (:mod:`engram_nm.reference`) and the torch backend
(:mod:`engram_nm.torch_backend`) still have their own loops; folding them into one
schedule is the next step (docs/architecture.md).
"""
