"""The targets ``xylo-sim`` (Rockpool's XyloSim) and ``xylo-emu`` (:mod:`engram_nm.xylo.emulator`).

Both map the spec onto the first Xylo chip that holds it (:func:`engram_nm.xylo.mapping.map_to_xylo`)
and run the same integers. On the chip an input event counts in the step it arrives; in the
spec (and on Loihi) a spike reaches the first population one step later. So the runners hand the
chip the input one step late (``x[t - 1]`` at step ``t``, the last step's input unused, as in the
spec), and the chip's step ``t`` is the spec's step ``t``. Records: per population the events of
each step (integers: a hidden Xylo neuron may fire up to 31 times a step; ``!= 0`` is "spiked"),
and with ``record_v`` the membrane in spec units (the integer over the population's scale).
"""

from __future__ import annotations

import time

import numpy as np

from engram_nm.errors import InputError
from engram_nm.result import RunResult
from engram_nm.spec import EngramSpec


def chip_input(x: np.ndarray) -> np.ndarray:
    """What the chip is handed for the spec's input ``x [..., T, n]``: ``x`` one step late (zeros first)."""
    out = np.zeros_like(x)
    out[..., 1:, :] = x[..., :-1, :]
    return out


def _check_options(o) -> None:
    if o.learn:
        raise InputError("Xylo has no on-chip learning: run with learn=False (train, then deploy the weights)")
    if o.memory_ops is not None or o.memory_data is not None:
        raise InputError("Xylo has no memory stage: memory_ops / memory_data cannot run there")
    if o.tasks is not None:
        raise InputError("Xylo has no engram gates: fold one task into the weights first (engram-nm fold)")


def _runner(name: str, engine):
    def runner(spec: EngramSpec, spikes, o) -> RunResult:
        from engram_nm.backends.run_inputs import check_batch
        from engram_nm.xylo.mapping import map_to_xylo

        t0 = time.perf_counter()
        _check_options(o)
        x = check_batch(spec, spikes)
        if np.ndim(spikes) == 2:
            x = x[0]  # one sample keeps no batch axis
        mapping = map_to_xylo(spec)
        rec = engine(mapping.config, chip_input(x.astype(np.int64)), o.record_v)
        spikes_out, volts = {}, {}
        for pop, first, stop in mapping.config.hidden_populations:
            spikes_out[pop] = rec.hidden_events[..., first:stop].astype(np.uint8)
            if o.record_v:
                volts[pop] = rec.v[..., first:stop] / mapping.scales[pop]
        out = mapping.config.output_population
        spikes_out[out] = rec.output_events.astype(np.uint8)
        if o.record_v:
            volts[out] = rec.v_out / mapping.scales[out]
        # deployable: the mapping succeeded, so these integers are what the chip would run
        return RunResult(name, x.shape[-2], spikes_out, volts, time.perf_counter() - t0, True, {},
                         quantization=mapping.quantization)

    return runner


def _emulate(config, x, record_v: bool):
    from engram_nm.xylo.emulator import emulate_xylo

    return emulate_xylo(config, x, record_state=record_v)


def _simulate(config, x, record_v: bool):
    from engram_nm.xylo.rockpool_sim import simulate_xylo

    return simulate_xylo(config, x)


def _sim_status() -> str:
    from engram_nm.xylo.rockpool_sim import xylo_sim_status

    return xylo_sim_status()


def _refusal(spec: EngramSpec) -> str:
    """Why no Xylo chip holds ``spec`` ("" when one does)."""
    from engram_nm.xylo.mapping import XyloFitError, map_to_xylo

    try:
        map_to_xylo(spec)
    except XyloFitError as exc:
        return str(exc)
    return ""


def register_targets(register, target_class) -> None:
    """Add ``xylo-sim`` and ``xylo-emu`` to the target registry (:mod:`engram_nm.hardware.targets`)."""
    register(target_class("xylo-sim", "Xylo's integer core in Rockpool's XyloSim (the xylosim C++ simulator)",
                          _runner("xylo-sim", _simulate), _sim_status, batched=True, refusal=_refusal,
                          instead="Use 'xylo-emu', the same arithmetic in numpy (equal spike for spike)."))
    register(target_class("xylo-emu", "Xylo's integer core in numpy, batched, equal to xylo-sim",
                          _runner("xylo-emu", _emulate), batched=True, refusal=_refusal))
