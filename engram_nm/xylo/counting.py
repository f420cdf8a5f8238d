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

from engram_nm.xylo.chips import MAX_INPUT_EVENTS
from engram_nm.xylo.config import XyloConfig


def hidden_events(config: XyloConfig, spikes: dict) -> np.ndarray:
    """A Xylo target's records (``RunResult.spikes``) as the chip's hidden array ``[..., T, n_hidden]``."""
    return np.concatenate([spikes[name] for name, _, _ in config.hidden_populations], axis=-1).astype(np.int64)


def xylo_operations(config: XyloConfig, input_spikes: np.ndarray, spikes: dict) -> dict:
    """Mean operations per sample (module docstring) of a Xylo target's run: ``input_spikes [B, T,
    n_in]`` as given to the run (the spec's timeline), ``spikes`` its records."""
    from engram_nm.xylo.targets import chip_input

    x = np.minimum(chip_input(np.asarray(input_spikes, dtype=np.int64)), MAX_INPUT_EVENTS)
    fan_in = (np.asarray(config.weights_in) != 0).sum(axis=1)  # per input channel
    fan_hidden = (np.asarray(config.weights_rec) != 0).sum(axis=1) + (np.asarray(config.weights_out) != 0).sum(axis=1)
    hidden, out = hidden_events(config, spikes), np.asarray(spikes[config.output_population], dtype=np.int64)
    samples, steps = hidden.shape[0], hidden.shape[1]
    synaptic = float((x.sum(axis=(0, 1)) * fan_in).sum() + (hidden.sum(axis=(0, 1)) * fan_hidden).sum())
    return {"synaptic_op": synaptic / samples, "neuron_update": float((config.n_hidden + config.n_out) * steps),
            "spike": float(hidden.sum() + out.sum()) / samples}
