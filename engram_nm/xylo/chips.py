"""The Xylo chips engram_nm maps to, and their limits.

Every limit carries its source. Rockpool 3.1 is the only source reachable from this machine:
its mappers (``rockpool/devices/xylo/<chip>/xylo_mapper.py``: input and output channels, hidden
neurons, synapses per neuron), its configuration code (``syns63300/xylo_samna.py``: at most 128
input- and output-expansion neurons) and the ``xylosim`` simulator it runs
(``src/v2/cpp/XyloIAFNeuron.h``: 16-bit state, 8-bit weights, at most 15 input events and 31
hidden events per channel and step, one output event). The datasheets could not be checked, so
every chip carries status ``"unverified"``. Rockpool states no fan-out limit for any of them:
engram_nm checks none (docs/xylo.md).

All three run the same neuron core (``xylosim.v2``; :mod:`engram_nm.xylo.emulator`).
"""

from __future__ import annotations

from dataclasses import dataclass

STATE_BITS = 16        # xylosim v2 XyloIAFNeuron.h: BITS_STATE
WEIGHT_BITS = 8        # xylosim v2 XyloIAFNeuron.h: BITS_WEIGHT
MAX_INPUT_EVENTS = 15  # xylosim v2 XyloIAFNeuron.h: MAX_NUM_INP_SPIKES, per channel and step
MAX_HIDDEN_EVENTS = 31  # MAX_NUM_SPIKES: a hidden neuron's events per step
MAX_OUTPUT_EVENTS = 1   # MAX_NUM_OUT_SPIKES
MAX_DASH = 15           # a 4-bit bit-shift decay (unverified: Rockpool casts dashes to int8 and states no range)


@dataclass(frozen=True)
class XyloChip:
    """One Xylo variant's limits (module docstring for their sources)."""

    name: str
    part: str
    inputs: int
    hidden: int
    outputs: int
    synapses_per_neuron: int
    expansion_limit: int | None   # neurons that may receive input / send to the read-out; None: not stated
    source: str
    status: str = "unverified"


_MAPPER = "Rockpool 3.1 rockpool/devices/xylo/{}/xylo_mapper.py (mapper defaults and design rules)"

CHIPS = {
    "xylo-audio2": XyloChip("xylo-audio2", "SYNS61201", inputs=16, hidden=1000, outputs=8, synapses_per_neuron=2,
                            expansion_limit=None, source=_MAPPER.format("syns61201")),
    "xylo-audio3": XyloChip("xylo-audio3", "SYNS65302", inputs=16, hidden=992, outputs=16, synapses_per_neuron=2,
                            expansion_limit=128,
                            source=_MAPPER.format("syns65302") + "; outputs: its design rule warns above 16 "
                            "(the mapper's default says 32); expansion: syns65302/xylo_samna.py"),
    "xylo-imu": XyloChip("xylo-imu", "SYNS63300", inputs=16, hidden=496, outputs=16, synapses_per_neuron=1,
                         expansion_limit=128, source=_MAPPER.format("syns63300") + "; expansion: syns63300/xylo_samna.py"),
}
"""Chip name (``engram-nm fit --chip``) -> limits."""


def chip(name: str) -> XyloChip:
    from engram_nm.errors import InputError

    if name not in CHIPS:
        raise InputError(f"unknown Xylo chip {name!r}; choose one of {', '.join(CHIPS)}")
    return CHIPS[name]
