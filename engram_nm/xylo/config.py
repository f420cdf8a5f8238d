"""XyloConfig: one network in Xylo's integers, what ``xylo-sim`` and ``xylo-emu`` both run.

Xylo has one hidden population of recurrently connected neurons (engram_nm's hidden populations
side by side, in the spec's order) and one read-out population::

    input [n_in] --weights_in--> hidden [n_hidden] --weights_out--> output [n_out]
                                    ^---weights_rec---'

All weights are signed 8-bit integers; thresholds and state are signed 16-bit; time constants are
bit shifts (``dash``). The arrays follow Rockpool's ``XyloSim.from_specification``: ``weights_in
[n_in, n_hidden]``, ``weights_rec [n_hidden, n_hidden]`` and ``weights_out [n_hidden, n_out]`` are
indexed ``[pre, post]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.xylo.chips import MAX_DASH, STATE_BITS, WEIGHT_BITS

W_MAX = 2 ** (WEIGHT_BITS - 1) - 1
W_MIN = -(2 ** (WEIGHT_BITS - 1))
STATE_MAX = 2 ** (STATE_BITS - 1) - 1
STATE_MIN = -(2 ** (STATE_BITS - 1))


@dataclass(frozen=True)
class XyloConfig:
    """The integer network (module docstring). ``hidden_populations``: ``(name, first, stop)`` of
    each spec population inside the hidden array; ``output_population``: the read-out's name;
    ``dt``: the step (s)."""

    weights_in: np.ndarray
    weights_rec: np.ndarray
    weights_out: np.ndarray
    threshold: np.ndarray
    threshold_out: np.ndarray
    dash_mem: np.ndarray
    dash_syn: np.ndarray
    dash_mem_out: np.ndarray
    dash_syn_out: np.ndarray
    hidden_populations: tuple
    output_population: str
    dt: float
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_in, n_hidden = np.shape(self.weights_in)
        n_out = np.shape(self.weights_out)[1]
        shapes = {"weights_rec": (n_hidden, n_hidden), "weights_out": (n_hidden, n_out), "threshold": (n_hidden,),
                  "dash_mem": (n_hidden,), "dash_syn": (n_hidden,), "threshold_out": (n_out,),
                  "dash_mem_out": (n_out,), "dash_syn_out": (n_out,)}
        for name, shape in shapes.items():
            if np.shape(getattr(self, name)) != shape:
                raise SpecError(f"XyloConfig.{name} has shape {np.shape(getattr(self, name))}, expected {shape}")
        for name in ("weights_in", "weights_rec", "weights_out"):
            w = np.asarray(getattr(self, name))
            if w.size and (w.min() < W_MIN or w.max() > W_MAX or np.any(w != np.round(w))):
                raise SpecError(f"XyloConfig.{name}: weights must be {WEIGHT_BITS}-bit integers [{W_MIN}, {W_MAX}]")
        for name in ("threshold", "threshold_out"):
            th = np.asarray(getattr(self, name))
            if np.any(th < 1) or np.any(th > STATE_MAX) or np.any(th != np.round(th)):
                raise SpecError(f"XyloConfig.{name}: thresholds must be integers in [1, {STATE_MAX}]")
        for name in ("dash_mem", "dash_syn", "dash_mem_out", "dash_syn_out"):
            d = np.asarray(getattr(self, name))
            if np.any(d < 0) or np.any(d > MAX_DASH) or np.any(d != np.round(d)):
                raise SpecError(f"XyloConfig.{name}: bit shifts must be integers in [0, {MAX_DASH}]")

    @property
    def n_in(self) -> int:
        return int(np.shape(self.weights_in)[0])

    @property
    def n_hidden(self) -> int:
        return int(np.shape(self.weights_in)[1])

    @property
    def n_out(self) -> int:
        return int(np.shape(self.weights_out)[1])

    def as_specification(self) -> dict:
        """The keyword arguments of Rockpool's ``XyloSim.from_specification`` (one synapse per
        neuron, no biases, no weight shifts, no aliases)."""
        as_int = lambda a: np.asarray(a, dtype=np.int64)  # noqa: E731
        return {"weights_in": as_int(self.weights_in), "weights_rec": as_int(self.weights_rec),
                "weights_out": as_int(self.weights_out), "dash_mem": as_int(self.dash_mem),
                "dash_mem_out": as_int(self.dash_mem_out), "dash_syn": as_int(self.dash_syn),
                "dash_syn_2": as_int(self.dash_syn), "dash_syn_out": as_int(self.dash_syn_out),
                "threshold": as_int(self.threshold), "threshold_out": as_int(self.threshold_out),
                "weight_shift_in": 0, "weight_shift_rec": 0, "weight_shift_out": 0, "dt": self.dt}
