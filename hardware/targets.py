"""Targets: where a spec runs, and one function that runs it there.

=============  ==========================================================
target         what runs
=============  ==========================================================
``snntorch``   the torch backend (float64), same semantics as Lava
``cpu-float``  Lava CPU simulator, ``Loihi2SimCfg(select_tag="floating_pt")``
``cpu-fixed``  Lava CPU simulator, bit-accurate ``fixed_pt`` after quantisation
``fixed-emu``  ``cpu-fixed``'s arithmetic without Lava, batched (:mod:`engram_nm.backends.fixed_emulator`)
``reference``  the numpy float64 reference (:mod:`engram_nm.backends.reference`), the truth
``loihi2``     ``Loihi2HwCfg`` — needs the lava-loihi extension and a board
``xylo-sim``   Xylo's integer core in Rockpool's XyloSim (:mod:`engram_nm.xylo.rockpool_sim`)
``xylo-emu``   the same arithmetic in numpy, batched (:mod:`engram_nm.xylo.emulator`)
=============  ==========================================================

Each target is an entry of :data:`REGISTRY` (:class:`Target`: its runner, whether it can run
here and why not, whether it is a Lava graph or steps a batch in one call); :func:`run` checks
the target and the input once and hands them to the entry's runner, so a new target is one
module that calls :func:`register`. :func:`run` returns the same :class:`RunResult` for every target. With
``learn=True`` the spec's plasticity runs too (snntorch: the torch mirror of
the numpy rules; Lava: the learning engine or CPU-only PlasticDense, see
:mod:`engram_nm.processes.builder`; fixed-emu: the emulated fixed-point engine,
bit-exact to cpu-fixed, :mod:`engram_nm.loihi.learning`), and the result carries the learned
weights and thresholds; :meth:`RunResult.learned_spec` folds them into a spec.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from engram_nm.errors import HardwareUnavailableError, InputError, UnknownTargetError
from engram_nm.backends.run_inputs import check_input
from engram_nm.result import RunResult
from engram_nm.spec import EngramSpec

@dataclass(frozen=True)
class Target:
    """One place a spec runs (an entry of :data:`REGISTRY`).

    ``runner(spec, spikes, options)`` runs one checked sample ``[T, n_in]`` (float64) with
    :class:`RunOptions`, or, for a ``batched`` target, the raw input of :func:`run` (a sample or
    a batch ``[B, T, n_in]``), and returns a :class:`RunResult`. ``status()`` says ``""`` when the
    target can run here, else why not (:func:`run` raises :class:`HardwareUnavailableError` with it
    and ``instead``); ``refusal(spec)`` says ``""`` when it can run ``spec`` (what it supports),
    else why not (:func:`why_not`). ``lava``: it runs a Lava process graph."""

    name: str
    description: str
    runner: Callable
    status: Callable[[], str] = lambda: ""
    lava: bool = False
    batched: bool = False
    instead: str = ""
    refusal: Callable = lambda spec: ""  # why this target cannot run ``spec`` ("" when it can)


@dataclass(frozen=True)
class RunOptions:
    """What :func:`run` asks of a target besides the spec and the input (its docstring)."""

    record_v: bool = False
    learn: bool = False
    seed: int = 0
    memory_ops: object = None
    memory_data: object = None
    tasks: object = None


REGISTRY: dict = {}
"""Target name -> :class:`Target`: every target :func:`run` knows, in the order of the module table."""


def register(target: Target) -> Target:
    """Add ``target`` to :data:`REGISTRY` (a new chip target is one module that calls this, imported
    at the end of this module)."""
    if target.name in REGISTRY:
        raise InputError(f"target {target.name!r} is registered already")
    REGISTRY[target.name] = target
    return target


def loihi2_status() -> tuple[bool, str]:
    """(available, why not): needs the lava-loihi compiler and a board (or NxSDK) environment."""
    why = _lava_status()
    if why:
        return False, why
    try:
        found = importlib.util.find_spec("lava.magma.compiler.subcompilers.nc.ncproc_compiler") is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return False, ("the lava-loihi extension is not installed (Intel's INRC package); "
                       "Loihi 2 runs need it and access to a Loihi 2 system")
    if "NXSDK_HOST" not in os.environ and "LOIHI_GEN" not in os.environ and "PARTITION" not in os.environ:
        return False, "lava-loihi is installed but no Loihi 2 board is configured (set PARTITION / LOIHI_GEN)"
    return True, ""


def _lava_status() -> str:
    try:
        from engram_nm.lava_compat import lava  # noqa: F401 - Lava's packages import only through it
    except Exception as exc:  # noqa: BLE001
        return f"lava-nc not importable: {exc}"
    return ""


def available_targets() -> dict:
    """{target: "" if available else the reason it is not}."""
    return {name: target.status() for name, target in REGISTRY.items()}


def why_not(spec: EngramSpec, target: str) -> str:
    """``""`` when ``target`` is available here and can run ``spec``, else the reason (the spec's
    own limits on that target: a Xylo chip's, Loihi's one spike a step)."""
    entry = REGISTRY[check_target(target)]
    return entry.status() or entry.refusal(spec)


def _loihi_refusal(spec: EngramSpec) -> str:
    from engram_nm.loihi.quantize import one_event_per_step

    return "; ".join(one_event_per_step(layer) for layer in spec.layers if layer.max_events > 1)


def check_target(target: str) -> str:
    if target not in REGISTRY:
        raise UnknownTargetError(f"unknown target {target!r}; choose one of {', '.join(REGISTRY)}")
    return target


def _available(name: str) -> Target:
    """The registered target ``name``, or a clear error if it is unknown or cannot run here."""
    target = REGISTRY[check_target(name)]
    why = target.status()
    if why:
        raise HardwareUnavailableError(f"target {name!r} is not available: {why}." + (
            f" {target.instead}" if target.instead else ""))
    return target


def run(spec: EngramSpec, spikes: np.ndarray, target: str = "cpu-float", record_v: bool = False,
        learn: bool = False, seed: int = 0, memory_ops=None, memory_data=None, tasks=None) -> RunResult:
    """Run ``spec`` on input ``spikes [steps, n_in]``, or a batch ``[B, steps, n_in]``, on ``target``;
    see the module table. A batch keeps its axis in the result (``[B, steps, n]`` per population,
    ``memory_reads [B, steps, data_bits]``): ``fixed-emu`` steps it in one call, the other targets
    run each sample alone (Lava: one graph, state reset between samples, when only spikes are asked
    for). Learning takes one sample, except on ``fixed-emu``, where every sample of a batch learns
    its own weights (learned weights ``[B, n_post, n_pre]``, thresholds ``[B, n]``).

    ``learn`` switches the spec's plasticity on; ``seed`` seeds the learning
    engine's stochastic rounding (fixed point), so learning is reproducible.
    ``memory_ops [steps]`` (0 idle, 1 write, 2 read) and ``memory_data
    [steps, data_bits]`` drive the spec's SDM stage; reads land in
    ``RunResult.memory_reads``. ``tasks`` (an int, or one task per step) selects
    the engram gates' task (default 0).
    """
    entry = _available(target)
    spec.validate()  # fields may have been assigned by hand since the spec was built
    options = RunOptions(record_v, learn, seed, memory_ops, memory_data, tasks)
    if entry.batched:
        return entry.runner(spec, spikes, options)
    if np.ndim(spikes) == 3:
        return _run_batch(spec, np.asarray(spikes), target, record_v, learn, seed, memory_ops, memory_data, tasks)
    return entry.runner(spec, check_input(spec, spikes), options)


def _run_reference(spec: EngramSpec, x: np.ndarray, o: RunOptions) -> RunResult:
    from engram_nm.backends.reference import simulate

    t0 = time.perf_counter()
    ok, why = spec.stock_lava_compatible()
    out = simulate(spec, x, learn=o.learn, memory_ops=o.memory_ops, memory_data=o.memory_data, tasks=o.tasks)
    return dataclasses.replace(out, v=out.v if o.record_v else {}, u=out.u if o.record_v else {},
                               wall_s=time.perf_counter() - t0, deployable=ok, not_deployable_because=why)


def _run_snntorch(spec: EngramSpec, x: np.ndarray, o: RunOptions) -> RunResult:
    from engram_nm.backends.run_inputs import memory_stream

    t0 = time.perf_counter()
    stream = memory_stream(spec, x.shape[0], o.memory_ops, o.memory_data)  # validate before the run
    if o.learn:
        from engram_nm.backends.run_inputs import gate_masks
        from engram_nm.backends.torch_plasticity import learn_torch

        ok, why = spec.stock_lava_compatible()
        out = learn_torch(spec, x, record_v=o.record_v, gate_masks=gate_masks(spec, x.shape[0], o.tasks))
        result = dataclasses.replace(out, wall_s=time.perf_counter() - t0, deployable=ok,
                                     not_deployable_because=why)
    else:
        result = _torch_run(spec, x, o.record_v, o.tasks, t0)
    if stream is not None:
        from engram_nm.sdm.ops import run_ops

        sdm, ops, data = stream  # the memory does not feed back: run it on the recorded spikes
        result.memory_reads = run_ops(sdm, ops, result.spikes[spec.memory_layer().name].astype(np.int8), data)
    return result


def _run_lava(name: str):
    """The runner of the Lava target ``name`` (cpu-float, cpu-fixed, loihi2)."""

    def runner(spec: EngramSpec, x: np.ndarray, o: RunOptions) -> RunResult:
        from engram_nm.processes.builder import FIXED_TAG, FLOAT_TAG, build_network, run_network

        t0 = time.perf_counter()
        quantized = None
        if name in ("cpu-fixed", "loihi2"):
            from engram_nm.loihi.quantize import quantize

            quantized = quantize(spec, learning=o.learn)
        tag = FLOAT_TAG if name == "cpu-float" else FIXED_TAG
        net = build_network(spec, x, tag=tag, quantized=quantized, record_v=o.record_v, learn=o.learn, seed=o.seed,
                            memory_ops=o.memory_ops, memory_data=o.memory_data, tasks=o.tasks)
        run_cfg = None
        if name == "loihi2":  # pragma: no cover - needs a board
            if not net.deployable:
                raise HardwareUnavailableError("these parts use CPU-only models and cannot go to Loihi 2 as they "
                                               f"are: {net.not_deployable_because()}")
            from engram_nm.lava_compat import lava

            run_cfg = lava.Loihi2HwCfg()
        out = run_network(net, run_cfg=run_cfg, target=name)
        return dataclasses.replace(out, wall_s=time.perf_counter() - t0, deployable=net.deployable,
                                   not_deployable_because=net.not_deployable_because(),
                                   process_count=net.process_count,
                                   quantization=None if quantized is None else quantized.report)

    return runner


def _run_emulator(spec: EngramSpec, spikes, o: RunOptions) -> RunResult:
    return _emulated([spec], spikes, o.record_v, o.tasks, o.memory_ops, o.memory_data, one_network=True,
                     learn=o.learn, seed=o.seed)


def _run_batch(spec: EngramSpec, batch: np.ndarray, target: str, record_v: bool, learn: bool, seed: int,
               memory_ops, memory_data, tasks) -> RunResult:
    """A batch ``[B, T, n_in]`` on a target that runs one sample at a time: the samples alone,
    their records stacked on a leading axis."""
    if learn:
        raise InputError("learning runs one sample at a time (each sample would learn its own weights): "
                         "pass spikes [steps, n_in]")
    if batch.shape[0] == 0:
        raise InputError("an input batch [B, steps, n_in] needs at least one sample")
    t0 = time.perf_counter()
    if target == "snntorch" and memory_ops is None and memory_data is None:
        for sample in batch:
            check_input(spec, sample)
        return _torch_run(spec, batch, record_v, tasks, t0)  # the torch module takes the batch at once
    plain = memory_ops is None and memory_data is None and (tasks is None or np.ndim(tasks) == 0)
    if plain and target in ("cpu-float", "cpu-fixed"):
        for sample in batch:
            check_input(spec, sample)
        per = _lava_samples(spec, list(batch), target, None if tasks is None else [tasks] * len(batch), record_v)
        ok, why = spec.stock_lava_compatible()
        spikes = {name: np.stack([p.spikes[name] for p in per]) for name in per[0].spikes}
        volts = {name: np.stack([p.v[name] for p in per]) for name in per[0].v}
        return RunResult(target, batch.shape[1], spikes, volts, time.perf_counter() - t0, ok, why)
    results = [run(spec, sample, target, record_v=record_v, seed=seed, memory_ops=memory_ops,
                   memory_data=memory_data, tasks=tasks) for sample in batch]
    return _stacked(results, time.perf_counter() - t0)


def _torch_run(spec: EngramSpec, x: np.ndarray, record_v: bool, tasks, t0: float) -> RunResult:
    """``snntorch`` without learning on ``[T, n_in]`` or ``[B, T, n_in]``, in one call."""
    from engram_nm.backends.run_inputs import gate_masks
    from engram_nm.backends.torch_backend import run_torch

    ok, why = spec.stock_lava_compatible()
    masks = gate_masks(spec, x.shape[-2], tasks)  # the reference's draws = Lava EngramGate's, every mode
    spikes_out, volts = run_torch(spec, x, record_v=record_v, gate_masks=masks or None)
    return RunResult("snntorch", x.shape[-2], spikes_out, volts, time.perf_counter() - t0, ok, why)


def _stacked(results: list, wall_s: float) -> RunResult:
    """Results of separate runs as one, their records stacked on a new leading axis."""
    first = results[0]
    stack = lambda records: {name: np.stack([r[name] for r in records]) for name in records[0]}  # noqa: E731
    reads = None if first.memory_reads is None else np.stack([r.memory_reads for r in results])
    return RunResult(first.target, first.steps, stack([r.spikes for r in results]),
                     stack([r.v for r in results]) if first.v else {}, wall_s, first.deployable,
                     first.not_deployable_because, first.process_count, first.quantization, memory_reads=reads,
                     learned_weights=stack([r.learned_weights for r in results]) if first.learned_weights else {},
                     learned_thresholds=stack([r.learned_thresholds for r in results])
                     if first.learned_thresholds else {}, learning=first.learning)


def _emulated(specs: list, spikes, record_v: bool = False, tasks=None, memory_ops=None, memory_data=None,
              one_network: bool = False, learn: bool = False, seed=0) -> RunResult:
    """``fixed-emu``: networks of one shape and a sample ``[T, n_in]`` or a batch ``[B, T, n_in]``
    (or ``[K, B, T, n_in]``) in one emulator call. Records (and learned weights and thresholds) are
    ``[K, B, ...]``, less the network axis with ``one_network`` and less the sample axis for a
    single sample."""
    from engram_nm.backends.fixed_emulator import emulate_networks
    from engram_nm.loihi.quantize import quantize

    t0 = time.perf_counter()
    quantized = [quantize(spec, learning=learn) for spec in specs]
    out = emulate_networks(specs, spikes, quantized, record_v=record_v, tasks=tasks, memory_ops=memory_ops,
                           memory_data=memory_data, learn=learn, seed=seed)
    index = (0 if one_network else slice(None),) + ((0,) if np.ndim(spikes) == 2 else ())
    keep = lambda d: {k: a[index] for k, a in d.items()}  # noqa: E731
    reads = None if out.memory_reads is None else out.memory_reads[index]
    ok, why = specs[0].stock_lava_compatible()
    steps = next(iter(out.spikes.values())).shape[2]
    saturated = None if out.memory_saturated is None else out.memory_saturated[index]
    return RunResult("fixed-emu", steps, keep(out.spikes), keep(out.v), time.perf_counter() - t0, ok, why,
                     quantization=quantized[0].report, memory_reads=reads, memory_saturated=saturated,
                     learned_weights=keep(out.learned_weights), learned_thresholds=keep(out.learned_thresholds))


def run_networks(specs, spikes, target: str = "fixed-emu", record_v: bool = False, tasks=None,
                 learn: bool = False, seed=0) -> RunResult:
    """Several networks of one shape (e.g. seeds of a model, each with its own weights) on the same
    input (``[T, n_in]`` or ``[B, T, n_in]``; on fixed-emu also ``[K, B, T, n_in]``, one batch per
    network). Records get a leading network axis (``[K, T, n]``, or ``[K, B, T, n]`` for a batch),
    and so do learned weights and thresholds (``learn``: each network learns its own; ``seed``: one
    for all networks or one per network).
    ``fixed-emu`` runs them in one call; other targets run each network alone. Network ``k`` gives
    exactly what :func:`run` gives for it alone."""
    check_target(target)
    specs = list(specs)
    if not specs:
        raise InputError("run_networks needs at least one network")
    seeds = [int(seed)] * len(specs) if np.ndim(seed) == 0 else [int(s) for s in seed]
    if len(seeds) != len(specs):
        raise InputError(f"seed: one int, or one per network ({len(specs)}), got {len(seeds)}")
    if target == "fixed-emu":
        return _emulated(specs, spikes, record_v, tasks, learn=learn, seed=seeds)
    if np.ndim(spikes) == 4:
        raise InputError("one input batch per network [K, B, T, n_in] is for target 'fixed-emu'")
    t0 = time.perf_counter()
    return _stacked([run(spec, spikes, target, record_v=record_v, tasks=tasks, learn=learn, seed=s)
                     for spec, s in zip(specs, seeds)], time.perf_counter() - t0)


def _run_many_emulated(spec: EngramSpec, samples, tasks) -> list:
    """``run_many`` on ``fixed-emu``: samples of equal length go through the emulator as one batch."""
    from engram_nm.backends.fixed_emulator import emulate
    from engram_nm.loihi.quantize import quantize

    samples = [np.asarray(x) for x in samples]
    per_task = None if tasks is None else [int(t) for t in np.ravel(tasks)]
    if per_task is not None and len(per_task) != len(samples):
        raise InputError(f"tasks: one per sample ({len(samples)}), got {len(per_task)}")
    quantized = quantize(spec)
    out = [None] * len(samples)
    lengths = sorted({x.shape[0] if x.ndim else 0 for x in samples})
    for steps in lengths:
        idx = [i for i, x in enumerate(samples) if (x.shape[0] if x.ndim else 0) == steps]
        batch_tasks = None if per_task is None else np.array([[per_task[i]] * steps for i in idx])
        res = emulate(spec, np.stack([samples[i] for i in idx]), quantized, tasks=batch_tasks)
        for j, i in enumerate(idx):
            out[i] = {name: a[j] for name, a in res.spikes.items()}
    return out


def run_many(spec: EngramSpec, samples, target: str = "cpu-float", tasks=None) -> list:
    """Many samples (each ``[T_i, n_in]``; lengths may differ), one :class:`RunResult` each, with
    the spikes :func:`run` would give them one by one; on Lava through one graph whose state is
    reset between samples (:mod:`engram_nm.processes.batch_run`), on ``fixed-emu`` samples of equal
    length as one batch. ``tasks``: one engram-gate task per sample. Each result's ``wall_s`` is
    its share of the whole call."""
    check_target(target)
    t0 = time.perf_counter()
    if target == "fixed-emu":
        records = _run_many_emulated(spec, samples, tasks)
    elif target in ("snntorch", "reference"):
        per = [None] * len(samples) if tasks is None else list(np.ravel(tasks))
        gated = any(layer.gate is not None for layer in spec.layers)
        records = [run(spec, x, target, tasks=t if gated else None).spikes for x, t in zip(samples, per)]
    else:
        records = [r.spikes for r in _lava_samples(spec, samples, target, tasks)]
    share = (time.perf_counter() - t0) / max(1, len(records))
    ok, why = spec.stock_lava_compatible()
    return [RunResult(target, int(next(iter(r.values())).shape[0]) if r else 0, r, {}, share, ok, why)
            for r in records]


def _lava_samples(spec: EngramSpec, samples, target: str, tasks=None, record_v: bool = False) -> list:
    """Samples through one Lava graph, state reset between them: one
    :class:`~engram_nm.processes.batch_run.SampleRecord` each."""
    if target == "loihi2":
        ok, why = loihi2_status()
        if not ok:
            raise HardwareUnavailableError(f"target 'loihi2' is not available: {why}")
    from engram_nm.processes.batch_run import run_samples
    from engram_nm.processes.builder import FIXED_TAG, FLOAT_TAG

    quantized = None
    if target != "cpu-float":
        from engram_nm.loihi.quantize import quantize

        quantized = quantize(spec)
    return run_samples(spec, samples, FLOAT_TAG if target == "cpu-float" else FIXED_TAG, quantized, tasks, record_v)


for _target in (
        Target("reference", "the numpy float64 reference, the truth", _run_reference),
        Target("snntorch", "the torch backend (float64), same semantics as Lava", _run_snntorch),
        Target("cpu-float", "Lava CPU simulator, floating point", _run_lava("cpu-float"), _lava_status, lava=True,
               refusal=_loihi_refusal),
        Target("cpu-fixed", "Lava CPU simulator, bit-accurate fixed point after quantisation", _run_lava("cpu-fixed"),
               _lava_status, lava=True, refusal=_loihi_refusal),
        Target("fixed-emu", "cpu-fixed's arithmetic without Lava, batched", _run_emulator, batched=True,
               refusal=_loihi_refusal),
        Target("loihi2", "Loihi 2 (Loihi2HwCfg): the lava-loihi extension and a board", _run_lava("loihi2"),
               lambda: loihi2_status()[1], lava=True, refusal=_loihi_refusal,
               instead="Use 'cpu-fixed' to simulate the chip's fixed-point arithmetic bit-accurately.")):
    register(_target)

from engram_nm.xylo.targets import register_targets as _register_xylo  # noqa: E402 - after the Loihi targets

_register_xylo(register, Target)

TARGETS = tuple(REGISTRY)  # the one list of targets, in registry order
LAVA_TARGETS = tuple(name for name, target in REGISTRY.items() if target.lava)  # those that run a Lava graph
