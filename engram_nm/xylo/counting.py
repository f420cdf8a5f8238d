"""Operations of a run on Xylo, counted as :mod:`engram_nm.analysis.counting` counts them on Loihi.

Per sample::

    synaptic_op   = sum over steps and sources of events x fan-out
                    (input events x non-zero weights_in of the channel; hidden events x non-zero
                    weights_rec and weights_out of the neuron: an event of count k adds its weight
                    k times)
    neuron_update = (hidden + output neurons) x steps   (xylosim updates every neuron every step)
    spike         = hidden + output events

An input event is counted in the step the chip receives it (the targets hand the chip the input
one step late: :mod:`engram_nm.xylo.targets`), so the last step's input, which the chip never
receives, is not counted; every hidden event is, the last step's included (as
:func:`~engram_nm.analysis.counting.count_run` charges every spike on Loihi).
"""

from __future__ import annotations

import numpy as np

from engram_nm.xylo.config import XyloConfig
from engram_nm.xylo.emulator import XyloRecord


def xylo_operations(config: XyloConfig, input_events: np.ndarray, record: XyloRecord) -> dict:
    """Mean operations per sample (module docstring): ``input_events [B, T, n_in]`` as the chip got
    them, ``record`` the run's :class:`~engram_nm.xylo.emulator.XyloRecord` (``[B, T, n]``)."""
    x = np.minimum(np.asarray(input_events, dtype=np.int64), 15)
    fan_in = (np.asarray(config.weights_in) != 0).sum(axis=1)  # per input channel
    fan_hidden = (np.asarray(config.weights_rec) != 0).sum(axis=1) + (np.asarray(config.weights_out) != 0).sum(axis=1)
    hidden, out = record.hidden_events, record.output_events
    samples, steps = hidden.shape[0], hidden.shape[1]
    synaptic = float((x.sum(axis=(0, 1)) * fan_in).sum() + (hidden.sum(axis=(0, 1)) * fan_hidden).sum())
    return {"synaptic_op": synaptic / samples, "neuron_update": float((config.n_hidden + config.n_out) * steps),
            "spike": float(hidden.sum() + out.sum()) / samples}
