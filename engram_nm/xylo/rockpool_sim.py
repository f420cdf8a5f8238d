"""``xylo-sim``: a :class:`~engram_nm.xylo.config.XyloConfig` on Rockpool 3.1's ``XyloSim``
(Xylo Audio 2, ``rockpool.devices.xylo.syns61201``), which runs SynSense's C++ simulator
``xylosim``.

Rockpool's ``rockpool/devices/xylo/__init__.py`` imports every Xylo subpackage, and one of them
(``syns65302``, Xylo Audio 3) imports ``samna`` unguarded; ``samna`` must never be installed here
(the package on the index is a stub that installs from elsewhere when imported). So this adapter
registers a bare package object for ``rockpool.devices.xylo`` (its ``__path__`` only) before it
imports ``syns61201``, which guards its own ``samna`` imports. No installed file is edited.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

import numpy as np

from engram_nm.xylo.config import XyloConfig
from engram_nm.xylo.emulator import XyloRecord

ROCKPOOL_VERSION = "3.1.0"
XYLOSIM_VERSION = "0.1.3"


def xylo_sim_status() -> str:
    """``""`` when Rockpool's XyloSim can run here, else why not."""
    for package in ("rockpool", "xylosim"):
        if importlib.util.find_spec(package) is None:
            return (f"{package} is not installed (make setup installs rockpool=={ROCKPOOL_VERSION} and "
                    f"xylosim=={XYLOSIM_VERSION}; xylosim builds with a C++ compiler)")
    try:
        _syns61201()
    except Exception as exc:  # noqa: BLE001 - any import failure makes the target unavailable, with its reason
        return f"Rockpool's XyloSim does not import: {type(exc).__name__}: {exc}"
    return ""


def _syns61201():
    """``rockpool.devices.xylo.syns61201`` without running ``rockpool.devices.xylo``'s ``__init__``
    (module docstring)."""
    name = "rockpool.devices.xylo"
    if name not in sys.modules:
        devices = importlib.import_module("rockpool.devices")
        bare = types.ModuleType(name)
        bare.__path__ = [os.path.join(os.path.dirname(devices.__file__), "xylo")]
        bare.__package__ = name
        sys.modules[name] = bare
    return importlib.import_module(name + ".syns61201")


def simulate_xylo(config: XyloConfig, events: np.ndarray) -> XyloRecord:
    """Run ``config`` on Rockpool's XyloSim for input counts ``[B, T, n_in]`` (or ``[T, n_in]``),
    each sample from rest: the same :class:`~engram_nm.xylo.emulator.XyloRecord` as the emulator."""
    sim = _syns61201().XyloSim.from_specification(**config.as_specification())
    x = np.asarray(events)
    single = x.ndim == 2
    per = []
    for sample in (x[None] if single else x):
        sim.reset_state()
        out, _, rec = sim(np.rint(sample).astype(np.int64), record=True)
        per.append((rec["Spikes"], out, rec["Vmem"], rec["Isyn"], rec["Vmem_out"], rec["Isyn_out"]))
    stacked = [np.stack([np.asarray(p[k], dtype=np.int64).reshape(x.shape[-2], -1) for p in per])
               for k in range(6)]
    return XyloRecord(*[s[0] if single else s for s in stacked])
