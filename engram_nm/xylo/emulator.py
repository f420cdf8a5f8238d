"""``xylo-emu``: Xylo's neuron core in numpy, for a batch at once, equal to ``xylo-sim`` bit for bit.

The arithmetic of ``xylosim.v2`` (the C++ simulator Rockpool's ``XyloSim`` runs:
``src/v2/cpp/XyloIAFNeuron.cpp`` and ``XyloLayer.cpp``), on integer arrays ``[B, n]``. One step::

    i      <- i (+) w  for each input event of this step          (every input channel, in order)
    i      <- i (+) w  for each hidden event of the previous step  (weights_rec; weights_out into
                                                                    the read-out's current)
    i      <- i - decay(i, dash_syn)                    the current decays before it integrates
    v      <- v (+) (i - decay(v, dash_mem))            (+): add, saturating at 16 bits
    events <- while v >= threshold (at most 31 a step; the read-out: 1): v <- v - threshold

    decay(x, dash) = x >> dash, or sign(x) when that is 0    (a floor shift with a minimum step)

Input events are counts per channel and step (at most 15 are used); hidden events feed the
next step. Each event adds its weight on its own, saturating at every addition (in the order
of the source index), which is what a sum clipped once equals unless the running sum touches a
bound: such neurons are replayed source by source (one source's events all add the same weight,
so they clip once), the rest use one matrix product.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engram_nm.xylo.chips import MAX_HIDDEN_EVENTS, MAX_INPUT_EVENTS, MAX_OUTPUT_EVENTS
from engram_nm.xylo.config import STATE_MAX, STATE_MIN, XyloConfig


def bitshift_decay(x: np.ndarray, dash: np.ndarray) -> np.ndarray:
    """How much ``x`` decays in one step: ``x >> dash`` (a floor), at least one unit toward zero."""
    d = np.right_shift(x, dash)
    return np.where((d == 0) & (x != 0), np.sign(x), d)


def saturate(x: np.ndarray) -> np.ndarray:
    """Clip to the 16-bit state."""
    return np.clip(x, STATE_MIN, STATE_MAX)


class Synapses(NamedTuple):
    """One weight matrix ``[n_pre, n_post]`` as the emulator uses it: integers, and its positive and
    negative parts as floats for BLAS products, which are exact while every sum stays below the
    float's integer range: float32 (2**24) up to 31 events x 128 x 4227 sources, so on every Xylo
    chip; float64 beyond."""

    weights: np.ndarray
    positive: np.ndarray
    negative: np.ndarray

    @classmethod
    def of(cls, weights) -> "Synapses":
        w = np.asarray(weights, dtype=np.int64)
        largest = MAX_HIDDEN_EVENTS * 128 * max(1, w.shape[0])
        kind = np.float32 if largest < 2 ** 24 else np.float64
        return cls(w, np.maximum(w, 0).astype(kind), np.minimum(w, 0).astype(kind))


def deliver(current: np.ndarray, events: np.ndarray, synapses) -> np.ndarray:
    """``current [B, n_post]`` after ``events [B, n_pre]`` (counts) through ``synapses``
    (:class:`Synapses`, or a weight matrix ``[n_pre, n_post]``), one saturating addition per event
    in the order of the source index."""
    if not isinstance(synapses, Synapses):
        synapses = Synapses.of(synapses)
    if not events.any():
        return current
    active = np.flatnonzero(events.any(axis=0))
    few = active.size * 2 < events.shape[1]  # most sources silent this step: multiply only the active rows
    e = (events[:, active] if few else events).astype(synapses.positive.dtype)
    positive = (e @ (synapses.positive[active] if few else synapses.positive)).astype(np.int64)
    negative = (e @ (synapses.negative[active] if few else synapses.negative)).astype(np.int64)
    out = current + positive + negative
    touches = (current + positive > STATE_MAX) | (current + negative < STATE_MIN)
    if touches.any():  # the running sum may hit a bound: replay these neurons event by event
        rows, cols = np.nonzero(touches)
        x = current[rows, cols].copy()
        counts = events[rows]  # [k, n_pre]
        w = synapses.weights[:, cols].T  # [k, n_pre]
        for pre in np.flatnonzero(counts.any(axis=0)):
            x = saturate(x + counts[:, pre] * w[:, pre])  # one source's events all push one way: one clip
        out[rows, cols] = x
    return out


def neuron_step(current, v, dash_syn, dash_mem, threshold, max_events: int):
    """One step of Xylo neurons after delivery (module docstring): ``(current, v, events)``."""
    current = current - bitshift_decay(current, dash_syn)
    v = saturate(v + saturate(current - bitshift_decay(v, dash_mem)))
    events = np.where(v >= threshold, np.minimum((v - threshold) // threshold + 1, max_events), 0)
    return current, v - events * threshold, events


class XyloRecord(NamedTuple):
    """Counts and states of a run, ``[B, T, n]`` each (integers)."""

    hidden_events: np.ndarray
    output_events: np.ndarray
    v: np.ndarray
    current: np.ndarray
    v_out: np.ndarray
    current_out: np.ndarray


def emulate_xylo(config: XyloConfig, events: np.ndarray, max_hidden_events: int = MAX_HIDDEN_EVENTS,
                 record_state: bool = True) -> XyloRecord:
    """Run ``config`` on input event counts ``[B, T, n_in]`` (or ``[T, n_in]``) from rest;
    ``record_state`` False: the events only (voltages and currents come back empty).
    ``max_hidden_events``: the chip's 31; fewer is a what-if, not the chip (``benchmarks/chips.py``
    asks how much of the chip's difference from the float model its several events a step make)."""
    x = np.asarray(events)
    single = x.ndim == 2
    x = np.minimum(np.rint(x[None] if single else x).astype(np.int64), MAX_INPUT_EVENTS)
    batch, steps = x.shape[:2]
    c = {k: np.asarray(getattr(config, k), dtype=np.int64) for k in
         ("threshold", "threshold_out", "dash_mem", "dash_syn", "dash_mem_out", "dash_syn_out")}
    c.update({k: Synapses.of(getattr(config, k)) for k in ("weights_in", "weights_rec", "weights_out")})
    i = np.zeros((batch, config.n_hidden), dtype=np.int64)
    v = np.zeros_like(i)
    i_out = np.zeros((batch, config.n_out), dtype=np.int64)
    v_out = np.zeros_like(i_out)
    hidden = np.zeros_like(i)
    records = [[] for _ in XyloRecord._fields]
    for t in range(steps):
        i = deliver(deliver(i, x[:, t], c["weights_in"]), hidden, c["weights_rec"])
        i_out = deliver(i_out, hidden, c["weights_out"])
        i, v, hidden = neuron_step(i, v, c["dash_syn"], c["dash_mem"], c["threshold"], max_hidden_events)
        i_out, v_out, out = neuron_step(i_out, v_out, c["dash_syn_out"], c["dash_mem_out"], c["threshold_out"],
                                        MAX_OUTPUT_EVENTS)
        for rec, value in zip(records, (hidden, out, v, i, v_out, i_out) if record_state else (hidden, out)):
            rec.append(value)
    stacked = [np.stack(r, axis=1) if r else np.zeros((batch, steps, 0), dtype=np.int64) for r in records]
    return XyloRecord(*[s[0] if single else s for s in stacked])
