"""The animal's clock of an engram experiment: how many hours each phase stands for.

A behavioural session (encoding, conditioning) lasts seconds to minutes for the animal as for the
network, so online phases run at 1:1. The hours between sessions (rest, consolidation, the
interval between two memories) cannot be simulated spike by spike at 1 ms steps on 2 cores, so an
offline phase stands for ``OFFLINE_HOUR_S`` network seconds per hour of the animal's time: a
stated time compression of 36,000 (24 h of consolidation = 2,400 steps at dt = 1 ms). The slow
variables that live on the animal's clock (two-stage synapses, :mod:`engram_nm.plasticity.consolidation`;
the linking protocol's excitability trace) are advanced in these hours; spiking, STDP and the
membrane run in network time. Probes (test trials) do not advance the clock: each test of a
protocol is one group of animals tested at that moment, as in the labs.
"""

from __future__ import annotations

OFFLINE_HOUR_S = 0.1
"""Network seconds per hour of the animal's time in offline phases (module docstring)."""

OFFLINE_KINDS = ("rest", "consolidate", "interval")
"""Phase kinds that stand for hours between sessions."""

PROBE_KINDS = ("test", "recall", "present", "separation")
"""Phase kinds that do not advance the animal's clock (probes of the network as it is)."""


def phase_hours(kind: str, steps: int, dt: float) -> float:
    """Hours of the animal's time a phase of ``kind`` and ``steps`` steps of ``dt`` seconds stands for."""
    if kind in PROBE_KINDS:
        return 0.0
    seconds = steps * dt
    return seconds / OFFLINE_HOUR_S if kind in OFFLINE_KINDS else seconds / 3600.0


def network_seconds_per_hour(kind: str) -> float:
    """Network seconds that one hour of the animal's time takes in a phase of ``kind``."""
    return OFFLINE_HOUR_S if kind in OFFLINE_KINDS else 3600.0
