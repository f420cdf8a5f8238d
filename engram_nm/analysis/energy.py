"""Energy per operation, with the source of every number, and energy estimates from counts.

Energy is counts x cost (docs/architecture.md, rule 10): the counts come from the run
(:mod:`engram_nm.analysis.counting`), the per-operation costs from a profile below or a
user's TOML file. Every cost carries its source and a status:

* ``"cited"`` — taken from the named source by the issue that asked for it;
* ``"unverified"`` — widely quoted from the named source, but the primary table
  could not be reached from this machine to check it (say so in reports);
* ``"unknown"`` — no sourced figure: left out of estimates rather than invented.

Operations: ``synaptic_op`` (one effective accumulate), ``neuron_update`` (one
neuron, one step), ``spike`` (one spike sent), ``learning_update`` (one synapse
updated by the learning engine), ``mac`` / ``add`` (dense arithmetic).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from engram_nm.errors import EngramError

OPERATIONS = ("synaptic_op", "neuron_update", "spike", "learning_update", "mac", "add")
STATUSES = ("cited", "unverified", "unknown")


class EnergyProfileError(EngramError, ValueError):
    """An energy profile (e.g. a user's TOML file) is malformed."""


@dataclass(frozen=True)
class Cost:
    picojoules: float | None
    source: str
    status: str = "cited"


@dataclass
class EnergyProfile:
    """Per-operation costs of one chip or arithmetic style. ``event_driven`` profiles are charged
    for effective operations (spikes x fan-out); dense ones for every operation of a dense sweep."""

    name: str
    costs: dict
    event_driven: bool
    note: str = ""
    # Which neuron updates the chip pays for: "every" neuron every step (a time-stepped core), or
    # "reached": only neurons a spike or payload reaches that step (an event-driven neuron update).
    updates: str = "every"
    updates_source: str = "our reading: a time-stepped core updates every compartment each step"

    def cost(self, op: str) -> Cost | None:
        c = self.costs.get(op)
        return None if c is None or c.status == "unknown" or c.picojoules is None else c

    def sources(self) -> list:
        return sorted({f"{op}: {c.picojoules} pJ ({c.status}) — {c.source}" for op, c in self.costs.items()
                       if c is not None})


HOROWITZ = "Horowitz, 'Computing's energy problem', ISSCC 2014, 45 nm, 0.9 V"
DAVIES = "Davies et al., 'Loihi: a neuromorphic manycore processor with on-chip learning', IEEE Micro 38(1), 2018"
MEROLLA = ("Merolla et al., 'A million spiking-neuron integrated circuit with a scalable communication network "
           "and interface', Science 345:668, 2014")

PROFILES = {
    # The issue quotes these 45 nm figures from Horowitz (2014): fp32 add 0.9 pJ, mult 3.7 pJ.
    "cpu-fp32": EnergyProfile("cpu-fp32", {
        "mac": Cost(4.6, HOROWITZ + ": fp32 mult 3.7 + add 0.9"),
        "add": Cost(0.9, HOROWITZ + ": fp32 add"),
    }, event_driven=False, note="arithmetic only: memory traffic, which dominates on CPUs/GPUs, is not counted"),
    "cpu-int32": EnergyProfile("cpu-int32", {
        "mac": Cost(3.2, HOROWITZ + ": int32 mult 3.1 + add 0.1"),
        "add": Cost(0.1, HOROWITZ + ": int32 add"),
    }, event_driven=False, note="arithmetic only"),
    # Loihi (14 nm). Quoted widely from Davies et al. 2018 (Table 2); the paper itself could not be
    # reached from this machine, and one public note disputes that 23.6 pJ is in the primary paper.
    # Whether Table 2 is measured or pre-silicon is what its caption says; we could not read it (a user
    # question on the Nengo forum calls the table "simulated energy consumption"), hence "unverified".
    "loihi": EnergyProfile("loihi", {
        "synaptic_op": Cost(23.6, DAVIES + ", as quoted (min. energy per synaptic spike op)", "unverified"),
        "neuron_update": Cost(52.0, DAVIES + ", as quoted (neuron update, inactive)", "unverified"),
        "spike": Cost(1.7, DAVIES + ", as quoted (within-tile spike energy)", "unverified"),
        "learning_update": Cost(120.0, DAVIES + ", as quoted (synaptic update)", "unverified"),
    }, event_driven=True, note="figures not checked against the primary table here",
        updates_source=DAVIES + ": cores are time-multiplexed and update every enabled compartment each time step "
                                "(our reading, unverified)"),
    # TrueNorth (28 nm): the issue that asked for it quotes 26 pJ per synaptic event from Merolla et al.
    # 2014; no per-neuron-update figure is at hand, so an estimate needs one and reports none without it.
    "truenorth": EnergyProfile("truenorth", {
        "synaptic_op": Cost(26.0, MEROLLA + ": energy per synaptic event, as quoted by issue 18"),
        "neuron_update": Cost(None, "no sourced per-neuron-update figure", "unknown"),
    }, event_driven=True, note="synaptic events only are sourced: no total is estimated without neuron updates"),
    # Loihi 2: no per-operation figures with a primary source at hand; reported as unknown.
    "loihi2": EnergyProfile("loihi2", {op: Cost(None, "no sourced per-operation figure", "unknown")
                                       for op in ("synaptic_op", "neuron_update", "spike", "learning_update")},
                            event_driven=True, note="unknown: no energy is estimated"),
    # Xylo (SynSense): the datasheets and papers with per-operation energies could not be reached
    # from this machine; Rockpool 3.1 has a clock-cycle model only (it needs samna). Unknown.
    "xylo": EnergyProfile("xylo", {op: Cost(None, "no sourced per-operation figure (docs/xylo.md)", "unknown")
                                   for op in ("synaptic_op", "neuron_update", "spike")},
                          event_driven=True, note="unknown: no energy is estimated",
                          updates="every", updates_source="xylosim updates every neuron each step "
                                                          "(src/v2/cpp/XyloLayer.cpp)"),
}


def load_profile(path) -> EnergyProfile:
    """A user profile from TOML::

        name = "my-chip"
        event_driven = true
        [costs.synaptic_op]
        picojoules = 5.0
        source = "our measurement, 2026"
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser, from PyPI (declared with an environment marker)
        import tomli as tomllib

    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EnergyProfileError(f"{path}: cannot read the energy profile ({exc})") from exc
    if not isinstance(data.get("name"), str) or not isinstance(data.get("costs"), dict):
        raise EnergyProfileError(f"{path}: a profile needs 'name' and a [costs.<operation>] table")
    costs = {}
    for op, entry in data["costs"].items():
        if op not in OPERATIONS:
            raise EnergyProfileError(f"{path}: unknown operation {op!r}; use {OPERATIONS}")
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str) or not entry["source"].strip():
            raise EnergyProfileError(f"{path}: costs.{op} needs a 'source' (every number shows where it came from)")
        status = entry.get("status", "cited")
        pj = entry.get("picojoules")
        number = isinstance(pj, (int, float)) and not isinstance(pj, bool) and math.isfinite(pj)
        if status not in STATUSES or (status != "unknown" and not number) or \
                (pj is not None and (not number or pj < 0)):
            raise EnergyProfileError(f"{path}: costs.{op} needs picojoules >= 0 and a status in {STATUSES}")
        costs[op] = Cost(None if pj is None else float(pj), entry["source"], status)
    return EnergyProfile(data["name"], costs, bool(data.get("event_driven", True)), str(data.get("note", "")))


@dataclass
class EnergyEstimate:
    profile: str
    picojoules: float | None        # None when a needed cost is unknown
    terms: dict = field(default_factory=dict)   # operation -> (count, pJ each)
    missing: list = field(default_factory=list)


def estimate(counts, profile: EnergyProfile, ann_macs: int | None = None) -> EnergyEstimate:
    """Energy of one sample from :class:`~engram_nm.analysis.counting.RunCounts`.

    Event-driven profiles: ``synaptic_op x Effective_ACs + neuron_update x updates + spike x spikes``.
    Dense profiles: the spiking network simulated densely (``add x Dense`` plus one ``mac`` per
    neuron update), or, with ``ann_macs``, the equivalent ANN's ``mac x ann_macs``.
    """
    if counts is None and ann_macs is None:
        raise EngramError("estimate needs counts, or ann_macs for a dense ANN")
    if profile.event_driven:
        wanted = {"synaptic_op": counts.effective_acs, "neuron_update": counts.neuron_updates,
                  "spike": counts.spikes}
        if counts.learning_updates:
            wanted["learning_update"] = counts.learning_updates
    elif ann_macs is not None:
        wanted = {"mac": ann_macs}
    else:
        wanted = {"add": counts.dense, "mac": counts.neuron_updates}
    return estimate_operations(wanted, profile)


def estimate_operations(operations: dict, profile: EnergyProfile) -> EnergyEstimate:
    """Energy of ``operations`` (``{operation: count}``, e.g. per-inference means) on ``profile``:
    ``sum count x cost``; ``picojoules`` is None when a needed cost is unknown."""
    terms, missing, total = {}, [], 0.0
    for op, n in operations.items():
        c = profile.cost(op)
        if c is None:
            missing.append(op)
            continue
        terms[op] = (n, c.picojoules)
        total += n * c.picojoules
    return EnergyEstimate(profile.name, None if missing else total, terms, missing)
