"""EngramSpec -> Lava process graph (one process per population / projection).

Graph per layer ``l`` (docs/architecture.md, rule 7: few processes)::

    source RingBuffer ─Dense(W_0)─▶ pop_0 ─Dense(W_1)─▶ pop_1 ...
                                     ▲  │
                                     └Dense(W_rec)┘ (recurrent layers)
    pop_l ─▶ sink RingBuffer (spike record)    [+ Monitor on v if asked]
    pop_a ─Dense(W_p)─▶ pop_b                  (each extra projection p: a -> b)

``pop_l`` is the stock ``lava.proc.lif.process.LIF`` whenever the layer is
stock-compatible (zero reset, shared du/dv/vth, voltage bias only), which is
what Loihi 2 runs; otherwise the CPU-only ``GeneralLIF``, and the network
reports that it is not deployable as it is.

Timing: each Dense delays by one step, exactly as the torch backend and the
numpy reference model it, so spikes agree at the same step index.

Learning (``learn=True``): a projection with a synaptic rule becomes a
``LearningDense`` on Lava's learning engine (what Loihi 2 runs) when the
engine holds the rule exactly (``floating_pt``) or always (``fixed_pt``, which
is approximate by nature); otherwise, and for structural plasticity, the
CPU-only ``PlasticDense`` (the numpy rule inside Lava). Post spikes reach
either through ``s_in_bap`` from the population's ``s_out``: Lava 0.10's
``LearningLIF`` models never send on ``s_out_bap`` (a LearningDense wired to
it waits forever; pinned in tests/plasticity/test_network_learning.py), and on
the CPU the population's spikes are the same signal. Layers with intrinsic
plasticity use GeneralLIF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import SpecError, InputError
from engram_nm.lava_compat import lava
from engram_nm.processes.general_lif.process import GeneralLIF
from engram_nm.loihi.arithmetic import IP_FRACTION_BITS, intrinsic_parameters
from engram_nm.processes.engram_gate.process import EngramGate
from engram_nm.processes.plastic_dense.process import PlasticDense
from engram_nm.processes.runtime import lava_session
from engram_nm.backends.run_inputs import check_input
from engram_nm.result import LearningSite, RunResult
from engram_nm.spec import EngramSpec

FLOAT_TAG = "floating_pt"
FIXED_TAG = "fixed_pt"
ENGINE, CPU_ONLY = LearningSite.ENGINE, LearningSite.CPU_ONLY


@dataclass
class ProjectionLearning:
    """How one plastic projection runs: ``where`` is a :class:`~engram_nm.result.LearningSite`; ``weight_scale``
    turns the process' weights back into spec units (1 in float)."""

    projection: str
    where: LearningSite
    reason: str
    weight_scale: float
    engine: object = None  # hardware.learning_rules.EngineRule when on the engine

    @property
    def exact(self) -> bool:
        return self.where == CPU_ONLY if self.engine is None else self.engine.exact


@dataclass
class LavaNetwork:
    """A built Lava graph and what it records."""

    spec: EngramSpec
    tag: str
    steps: int
    source: object
    populations: dict
    dense: dict
    sinks: dict
    monitors: dict = field(default_factory=dict)
    custom_layers: dict = field(default_factory=dict)  # layer -> reason it is not stock
    quantized: object = None
    learning: dict = field(default_factory=dict)      # projection -> ProjectionLearning
    intrinsic_scale: dict = field(default_factory=dict)  # layer -> vth units per spec unit
    memory: object = None                              # the SDM process, when the spec has a memory stage
    memory_sink: object = None
    gates: dict = field(default_factory=dict)          # layer -> EngramGate process
    tasks: np.ndarray | None = None                    # the gates' task per step

    @property
    def process_count(self) -> int:
        memory = 0 if self.memory is None else 4  # SDM, op and data sources, read sink
        return (1 + len(self.populations) + len(self.dense) + len(self.sinks) + len(self.monitors) + memory
                + len(self.gates))

    @property
    def deployable(self) -> bool:
        return not self.custom_layers and all(p.where == ENGINE for p in self.learning.values())

    def not_deployable_because(self) -> dict:
        why = dict(self.custom_layers)
        for name, p in self.learning.items():
            if p.where != ENGINE:
                why[name] = p.reason
        return why


def _intrinsic(layer, dt: float, learn: bool, qlayer) -> dict:
    """GeneralLIF keyword arguments for the layer's intrinsic plasticity (empty when off)."""
    ip = layer.plasticity.intrinsic if learn and layer.plasticity is not None else None
    if ip is None:
        return {}
    if qlayer is None:
        return dict(ip_eta=ip.eta, ip_target=ip.target_rate * dt, ip_theta_min=ip.theta_min)
    return intrinsic_parameters(ip.eta, ip.target_rate, ip.theta_min, dt, qlayer.scale, qlayer.vth)


def _sigma_delta(layer, tag: str, qlayer):
    """Lava's own ``SigmaDelta`` process for a sigma-delta population (one threshold per population;
    fixed point: the quantised integers and ``state_exp``, engram_nm/loihi/quantize.py)."""
    vth = layer.v_threshold if qlayer is None else qlayer.vth
    if not np.all(vth == vth[0]):
        raise InputError(f"layer {layer.name!r}: Lava's SigmaDelta holds one threshold per population, "
                         "this layer has one per neuron")
    mode = lava.ActivationMode.RELU if layer.activation == "relu" else lava.ActivationMode.UNIT
    if tag == FLOAT_TAG:
        return lava.SigmaDelta(shape=(layer.size,), vth=float(vth[0]), bias=layer.bias.copy(), act_mode=mode,
                               name=layer.name)
    shift = int(qlayer.state_exp)  # Lava multiplies vth and bias by 2**state_exp itself
    return lava.SigmaDelta(shape=(layer.size,), vth=int(vth[0]) >> shift,
                           bias=(qlayer.bias_mant.astype(np.int32) >> shift).copy(), act_mode=mode,
                           state_exp=shift, name=layer.name)


def _population(layer, dt: float, tag: str, qlayer, learn: bool = False) -> tuple[object, str]:
    """Create the population process; returns (process, reason-if-custom or '')."""
    if layer.max_events > 1:
        from engram_nm.loihi.quantize import one_event_per_step

        raise SpecError(one_event_per_step(layer))
    if layer.graded:
        return _sigma_delta(layer, tag, qlayer), ""
    ok, reason = layer.stock_lava_compatible(dt)
    ip = _intrinsic(layer, dt, learn, qlayer)
    if not learn and layer.plasticity is not None and layer.plasticity.intrinsic is not None:
        # Without learning the thresholds stay put: the stock model can hold the layer.
        ok, reason = _stock_without_intrinsic(layer, dt)
    shape = (layer.size,)
    subtract = int(layer.reset == "subtract")
    if tag == FLOAT_TAG:
        du, dv = layer.decays(dt)
        if ok:
            return lava.LIF(shape=shape, du=float(du[0]), dv=float(dv[0]), vth=float(layer.v_threshold[0]),
                            bias_mant=layer.bias.copy(), name=layer.name), ""
        return GeneralLIF(shape=shape, du=du, dv=dv, vth=layer.v_threshold, bias=layer.bias,
                          syn_bias=layer.syn_bias, reset_subtract=subtract, reset_delay=int(layer.reset_delay),
                          bias_onset=layer.bias_onset, name=layer.name, **ip), reason
    q = qlayer
    uniform_ints = bool(np.all(q.du == q.du[0]) and np.all(q.dv == q.dv[0]) and np.all(q.vth == q.vth[0]))
    if ok and uniform_ints:
        return lava.LIF(shape=shape, du=int(q.du[0]), dv=int(q.dv[0]), vth=int(q.vth[0]),
                        bias_mant=q.bias_mant.copy(), bias_exp=q.bias_exp.copy(), name=layer.name), ""
    return GeneralLIF(shape=shape, du=q.du, dv=q.dv, vth=q.vth, bias=q.bias_mant, bias_exp=q.bias_exp,
                      syn_bias=q.syn_bias, reset_subtract=subtract, reset_delay=int(layer.reset_delay),
                      bias_onset=layer.bias_onset, name=layer.name, **ip), (
        reason or "per-neuron fixed-point decays or thresholds")


def _stock_without_intrinsic(layer, dt: float) -> tuple[bool, str]:
    import dataclasses

    rest = dataclasses.replace(layer.plasticity, intrinsic=None)
    probe = dataclasses.replace(layer, plasticity=rest if rest.any else None)
    return probe.stock_lava_compatible(dt)


def _projection(name: str, weights: np.ndarray, rule, structural, tag: str, qlayer, dt: float, seed: int):
    """A plastic projection: (process, ProjectionLearning)."""
    from engram_nm.loihi.learning_rules import fixed_engine_rule, float_engine_rule

    scale = 1.0 if qlayer is None else qlayer.weight_scale
    engine, reason = None, ""
    if structural is not None:
        reason = "structural plasticity (prune/grow has no learning-engine form)"
    elif tag == FLOAT_TAG:
        engine = float_engine_rule(rule, dt)
        if not engine.exact:
            reason = "the engine form is approximate: " + "; ".join(
                engine.limits or [f"scales rounded by up to {engine.max_relative_error:.1%}"])
            engine = None
    else:
        engine = fixed_engine_rule(rule, dt, scale)
    if engine is not None:
        proc = lava.LearningDense(weights=weights.copy(), learning_rule=engine.to_lava(seed),
                                  sign_mode=engine.lava_sign_mode(), name=name,
                                  **({} if tag == FLOAT_TAG else dict(weight_exp=0, num_weight_bits=8)))
        return proc, ProjectionLearning(name, ENGINE, "", scale, engine)
    proc = PlasticDense(weights=weights.copy(), dt=dt, rule=rule, structural=structural, weight_scale=scale,
                        name=name)
    return proc, ProjectionLearning(name, CPU_ONLY, reason, scale)


def _dense(weights: np.ndarray, tag: str, weight_exp: int, name: str, message_bits: int = 0, delay: int = 1):
    """A Dense; ``message_bits`` > 0: its source sends graded spikes of that many bits; ``delay`` > 1
    steps: a ``DelayDense`` with ``delays = delay - 1`` (its delay 0 is the Dense's own step)."""
    if delay > 1:
        kind, extra = lava.DelayDense, {"delays": int(delay - 1)}
    else:
        kind, extra = lava.Dense, {}
    if tag == FLOAT_TAG:
        return kind(weights=weights.copy(), name=name, num_message_bits=int(message_bits), **extra)
    return kind(weights=weights.astype(np.int32).copy(), weight_exp=int(weight_exp), num_weight_bits=8,
                num_message_bits=int(message_bits), name=name, **extra)


def build_network(spec: EngramSpec, spikes: np.ndarray, tag: str = FLOAT_TAG, quantized=None,
                  record_v: bool = False, learn: bool = False, seed: int = 0, memory_ops=None,
                  memory_data=None, tasks=None) -> LavaNetwork:
    """Build the Lava graph of ``spec`` fed by ``spikes [steps, n_in]``.

    ``tag`` is ``"floating_pt"`` or ``"fixed_pt"``; the latter needs
    ``quantized`` (:func:`engram_nm.loihi.quantize.quantize`). ``learn``
    turns the layers' plasticity on (module docstring); ``seed`` seeds the
    engine's stochastic rounding (each plastic matrix gets ``seed +`` its position in
    :attr:`~engram_nm.compiled.CompiledNetwork.plastic`).
    ``memory_ops``/``memory_data`` drive the spec's SDM stage, whose address
    port is fed by the last population's spikes in the same step. ``tasks`` (an
    int or one per step) selects the engram gates' task; :func:`run_network`
    switches it between run segments without rebuilding.
    """
    x = check_input(spec, spikes)
    steps = x.shape[0]
    if tag not in (FLOAT_TAG, FIXED_TAG):
        raise InputError(f"unknown process-model tag {tag!r}; use {FLOAT_TAG!r} or {FIXED_TAG!r}")
    if tag == FIXED_TAG and quantized is None:
        raise InputError("fixed_pt needs the quantized spec (engram_nm.loihi.quantize.quantize(spec))")
    data = x.T.copy() if tag == FLOAT_TAG else x.T.astype(np.int32)
    source = lava.SourceRingBuffer(data=data)
    populations, dense, sinks, monitors, custom, learning, ip_scale, gates = {}, {}, {}, {}, {}, {}, {}, {}
    from engram_nm.backends.run_inputs import gate_masks

    gate_masks(spec, steps, tasks)  # validates tasks against the gated layers
    task_schedule = None if tasks is None else (np.full(steps, tasks) if np.ndim(tasks) == 0 else np.asarray(tasks))
    inputs = {}  # layer -> the port its synaptic input goes to (its gate or itself)
    for i, layer in enumerate(spec.layers):
        q = quantized.layers[i] if quantized is not None else None
        pop, reason = _population(layer, spec.dt, tag, q, learn)
        if reason:
            custom[layer.name] = reason
        target_port = pop.a_in
        if layer.gate is not None:
            g = layer.gate
            first = 0 if task_schedule is None else int(task_schedule[0])
            gate = EngramGate(logits=g.logits, task=first, mode=g.mode, period=g.period, seed=g.seed,
                              name=f"{layer.name}_gate")
            gate.a_out.connect(pop.a_in)
            target_port = gate.a_in
            gates[layer.name] = gate
        inputs[layer.name] = target_port
        if learn and layer.plasticity is not None and layer.plasticity.intrinsic is not None:
            ip_scale[layer.name] = 1.0 if q is None else q.scale * 2 ** IP_FRACTION_BITS
        sink = lava.SinkRingBuffer(shape=(layer.size,), buffer=steps)
        pop.s_out.connect(sink.a_in)
        populations[layer.name] = pop
        sinks[layer.name] = sink
        if record_v:
            mon = lava.Monitor()
            mon.probe(pop.act if layer.graded else pop.v, steps)
            monitors[layer.name] = mon
    # Every weight matrix is one projection (its own Dense); into each population they connect in
    # the order the reference sums them (EngramSpec.connections), which Lava keeps.
    compiled = spec.compile()  # matrix j of compiled.plastic: its engine is seeded seed + j
    plastic = {m.name: (j, m) for j, m in enumerate(compiled.plastic)} if learn else {}
    index = compiled.index
    for c in spec.connections():
        q = quantized.layers[index[c.target]] if quantized is not None else None
        w = c.weight if q is None else q.matrix(c.name)
        pre_port = source.s_out if c.source is None else populations[c.source].s_out
        post = populations[c.target]
        if c.name not in plastic:
            bits = 0 if c.source is None or not spec.layers[index[c.source]].graded else \
                spec.layers[index[c.source]].payload_bits
            proc = _dense(w, tag, 0 if q is None else q.matrix_exp(c.name), c.name, bits, c.delay)
        else:
            j, m = plastic[c.name]
            proc, learning[c.name] = _projection(c.name, w, m.rule, m.structural, tag, q, spec.dt, seed + j)
            post.s_out.connect(proc.s_in_bap)
        pre_port.connect(proc.s_in)
        proc.a_out.connect(inputs[c.target])
        dense[c.name] = proc
    memory, memory_sink = _memory_stage(spec, steps, tag, None if spec.memory is None else
                                        populations[spec.memory_layer().name].s_out, memory_ops, memory_data)
    return LavaNetwork(spec=spec, tag=tag, steps=steps, source=source, populations=populations, dense=dense,
                       sinks=sinks, monitors=monitors, custom_layers=custom, quantized=quantized,
                       learning=learning, intrinsic_scale=ip_scale, memory=memory, memory_sink=memory_sink,
                       gates=gates, tasks=task_schedule)


def _memory_stage(spec, steps, tag, last_spikes, ops, data):
    """The SDM process fed by ``last_spikes`` and two ring buffers (op, data), or (None, None)."""
    from engram_nm.processes.sdm_run import sdm_process
    from engram_nm.backends.run_inputs import memory_stream

    stream = memory_stream(spec, steps, ops, data)
    if stream is None:
        return None, None
    sdm, ops, data = stream
    kind = float if tag == FLOAT_TAG else np.int32
    proc = sdm_process(sdm, tag, spec.memory.counter_bits, name="memory")
    op_src = lava.SourceRingBuffer(data=ops[None, :].astype(kind))
    data_src = lava.SourceRingBuffer(data=data.T.astype(kind))
    sink = lava.SinkRingBuffer(shape=(sdm.data_bits,), buffer=steps)
    last_spikes.connect(proc.addr_in)
    op_src.s_out.connect(proc.op_in)
    data_src.s_out.connect(proc.data_in)
    proc.data_out.connect(sink.a_in)
    return proc, sink


def _task_segments(net: LavaNetwork) -> list:
    """``[(start, stop), ...]``: runs of steps with one gate task (the whole run without gates)."""
    if not net.gates or net.tasks is None:
        return [(0, net.steps)]
    edges = [0] + [t for t in range(1, net.steps) if net.tasks[t] != net.tasks[t - 1]] + [net.steps]
    return list(zip(edges, edges[1:]))


def read_voltages(net: LavaNetwork) -> dict:
    """The monitored ``v`` of every population, ``{layer: [steps, size]}`` in float units: a
    fixed-point voltage is divided by its layer's scale (the quantiser's ``K``). Call it while the
    runtime is still up (monitors read through it)."""
    volts = {}
    names = [layer.name for layer in net.spec.layers]
    for name, mon in net.monitors.items():
        pop = net.populations[name]
        var = pop.act if net.spec.layers[names.index(name)].graded else pop.v  # sigma-delta: its activation
        v = np.asarray(mon.get_data()[pop.name][var.name], dtype=np.float64).reshape(net.steps, -1)
        if net.quantized is not None:
            v = v / net.quantized.layers[names.index(name)].scale
        volts[name] = v
    return volts


def run_network(net: LavaNetwork, run_cfg=None, target: str | None = None) -> RunResult:
    """Run a built network for its ``steps``: a :class:`~engram_nm.result.RunResult` (``target``
    defaults to ``cpu-float`` / ``cpu-fixed`` by the tag) with spikes and ``v`` (dicts of
    ``[steps, size]``), learned weights and thresholds, memory reads. Always stops the runtime,
    also on error (:func:`lava_session`). ``v`` is in float units for both tags
    (fixed-point voltages are divided by the layer scale); so are the learned
    weights and thresholds.
    """
    cfg = run_cfg or lava.Loihi2SimCfg(select_tag=net.tag)
    first = next(iter(net.populations.values()))
    spikes, volts = {}, {}
    result = RunResult(target or ("cpu-float" if net.tag == FLOAT_TAG else "cpu-fixed"), net.steps, spikes, volts,
                       learning=dict(net.learning))
    with lava_session(first, cfg) as session:
        for start, stop in _task_segments(net):
            if start and net.gates:  # the first task is the gates' init (Var.set needs a started runtime)
                for gate in net.gates.values():
                    gate.task.set(np.array([int(net.tasks[start])]))
            session.run(stop - start)
        graded = {layer.name for layer in net.spec.layers if layer.graded}
        for name, sink in net.sinks.items():
            data = sink.data.get().T
            # payloads stay numbers: floats, or the fixed-point integers (units: QuantizedLayer.payload_scale)
            spikes[name] = (data.astype(np.float64) if net.tag == FLOAT_TAG else data.astype(np.int64)) \
                if name in graded else data.astype(bool)
        volts.update(read_voltages(net))
        for name, info in net.learning.items():
            weights = np.asarray(net.dense[name].weights.get(), dtype=np.float64)
            result.learned_weights[name] = weights / info.weight_scale
        for name, scale in net.intrinsic_scale.items():
            pop = net.populations[name]
            raw = pop.vth.get() if net.tag == FLOAT_TAG else pop.vth_fine.get()
            result.learned_thresholds[name] = np.asarray(raw, dtype=np.float64) / scale
        if net.memory_sink is not None:
            result.memory_reads = (net.memory_sink.data.get().T > 0).astype(np.int8)
    return result
