"""Run a synaptic rule on Lava's learning engine with given pre and post spike trains.

The counterpart of :func:`engram_nm.plasticity.run_on_spike_trains`: a
``LearningDense`` whose pre spikes come from one ring buffer and whose
back-propagated post spikes (``s_in_bap``) from another, so the rule is tested
alone, without neuron dynamics. Both trains arrive in the same Lava step, as
pre and post spikes of step ``t`` do in the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.lava_compat import lava
from engram_nm.plasticity.base import SynapticRule
from engram_nm.plasticity.simulate import PlasticityRun, check_spike_trains, checkpoint_steps
from engram_nm.loihi.learning_rules import EngineRule, fixed_engine_start, float_engine_rule
from engram_nm.processes.runtime import lava_session

FLOAT_TAG, FIXED_TAG = "floating_pt", "fixed_pt"


@dataclass
class EngineRun:
    """The weight trajectory in the reference's units, and the engine rule that produced it."""

    run: PlasticityRun
    engine: EngineRule


def run_engine_on_spike_trains(rule: SynapticRule, w0, pre, post, dt: float, tag: str = FLOAT_TAG,
                               checkpoints=None, seed: int = 0, weight_scale: float | None = None) -> EngineRun:
    """Weights of ``rule`` on Lava's engine, driven by ``pre [T, n_pre]`` / ``post [T, n_post]``.

    ``fixed_pt`` scales the weights by ``weight_scale`` (default
    :func:`~engram_nm.loihi.learning_rules.default_weight_scale`) to integers and divides them
    back when read; :func:`engram_nm.loihi.learning.emulate_engine_on_spike_trains` gives
    the same weights without Lava.
    The run is always stopped, also on error.
    """
    w0, pre, post = check_spike_trains(w0, pre, post)
    cps = checkpoint_steps(pre.shape[0], checkpoints)
    if tag == FLOAT_TAG:
        engine, scale = float_engine_rule(rule, dt), 1.0
        weights = w0.copy()
    elif tag == FIXED_TAG:
        engine, scale, weights = fixed_engine_start(rule, w0, dt, weight_scale)
    else:
        from engram_nm.errors import InputError

        raise InputError(f"unknown tag {tag!r}; use {FLOAT_TAG!r} or {FIXED_TAG!r}")
    weights_seen = run_engine_rule(engine, weights, pre, post, cps, tag, seed)
    run = PlasticityRun(steps=cps, weights=weights_seen / scale, traces={})
    return EngineRun(run=run, engine=engine)


def run_engine_rule(engine: EngineRule, weights, pre, post, checkpoints, tag: str = FLOAT_TAG,
                    seed: int = 0) -> np.ndarray:
    """The weights a ``LearningDense`` holding ``engine`` reads at each of ``checkpoints`` (sorted
    step counts), in the process' units, driven by ``pre [T, n_pre]`` / ``post [T, n_post]``."""
    pre_src = lava.SourceRingBuffer(data=np.asarray(pre).T.copy())
    post_src = lava.SourceRingBuffer(data=np.asarray(post).T.copy())
    dense = lava.LearningDense(weights=weights, learning_rule=engine.to_lava(seed), sign_mode=engine.lava_sign_mode(),
                               name="plastic")
    sink = lava.SinkRingBuffer(shape=(np.shape(weights)[0],), buffer=np.shape(pre)[0])
    pre_src.s_out.connect(dense.s_in)
    post_src.s_out.connect(dense.s_in_bap)
    dense.a_out.connect(sink.a_in)
    out, done = [], 0
    with lava_session(dense, lava.Loihi2SimCfg(select_tag=tag)) as session:
        for step in checkpoints:
            session.run(int(step) - done)
            done = int(step)
            out.append(np.asarray(dense.weights.get(), dtype=np.float64))
    return np.array(out)
