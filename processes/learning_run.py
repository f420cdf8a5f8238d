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
from engram_nm.processes.learning_rules import EngineRule, fixed_engine_rule, float_engine_rule
from engram_nm.processes.runtime import lava_session

FLOAT_TAG, FIXED_TAG = "floating_pt", "fixed_pt"
FIXED_WEIGHT_RANGE = 255  # 8-bit weight magnitude of the fixed-point learning engine (W_WEIGHTS_U = 8)


@dataclass
class EngineRun:
    """The weight trajectory in the reference's units, and the engine rule that produced it."""

    run: PlasticityRun
    engine: EngineRule


def default_weight_scale(rule: SynapticRule, w0: np.ndarray) -> float:
    """Integer weight per unit weight for fixed point: a power of two that maps the largest
    weight in sight (initial or bound) to 64..127, leaving room for learning to grow it."""
    reach = max([float(np.max(np.abs(w0))) if w0.size else 0.0]
                + [abs(b) for b in (rule.w_min, rule.w_max) if b is not None])
    return 2.0 ** np.floor(np.log2(127.0 / reach)) if reach > 0 else 64.0


def run_engine_on_spike_trains(rule: SynapticRule, w0, pre, post, dt: float, tag: str = FLOAT_TAG,
                               checkpoints=None, seed: int = 0, weight_scale: float | None = None) -> EngineRun:
    """Weights of ``rule`` on Lava's engine, driven by ``pre [T, n_pre]`` / ``post [T, n_post]``.

    ``fixed_pt`` scales the weights by ``weight_scale`` (default
    :func:`default_weight_scale`) to integers and divides them back when read.
    The run is always stopped, also on error.
    """
    w0, pre, post = check_spike_trains(w0, pre, post)
    cps = checkpoint_steps(pre.shape[0], checkpoints)
    if tag == FLOAT_TAG:
        engine, scale = float_engine_rule(rule, dt), 1.0
        weights = w0.copy()
    elif tag == FIXED_TAG:
        scale = float(weight_scale or default_weight_scale(rule, w0))
        engine = fixed_engine_rule(rule, dt, scale)
        weights = np.clip(np.round(w0 * scale), -FIXED_WEIGHT_RANGE, FIXED_WEIGHT_RANGE).astype(np.int32)
    else:
        from engram_nm.errors import InputError

        raise InputError(f"unknown tag {tag!r}; use {FLOAT_TAG!r} or {FIXED_TAG!r}")
    pre_src = lava.SourceRingBuffer(data=pre.T.copy())
    post_src = lava.SourceRingBuffer(data=post.T.copy())
    dense = lava.LearningDense(weights=weights, learning_rule=engine.to_lava(seed), sign_mode=engine.lava_sign_mode(),
                               name="plastic")
    sink = lava.SinkRingBuffer(shape=(w0.shape[0],), buffer=pre.shape[0])
    pre_src.s_out.connect(dense.s_in)
    post_src.s_out.connect(dense.s_in_bap)
    dense.a_out.connect(sink.a_in)
    out, done = [], 0
    with lava_session(dense, lava.Loihi2SimCfg(select_tag=tag)) as session:
        for step in cps:
            session.run(int(step) - done)
            done = int(step)
            out.append(np.asarray(dense.weights.get(), dtype=np.float64) / scale)
    run = PlasticityRun(steps=cps, weights=np.array(out), traces={})
    return EngineRun(run=run, engine=engine)
