"""The exception tree of engram_nm.

Every error a user can provoke with bad input is an :class:`EngramError`
subclass whose message says what was wrong and what to do about it.
"""

from __future__ import annotations


class EngramError(Exception):
    """Root of all engram_nm errors."""


class SpecError(EngramError, ValueError):
    """An :class:`~engram_nm.spec.EngramSpec` (or a value for one) is invalid."""


class UnsupportedNodeError(EngramError):
    """A NIR graph contains a node type (or configuration) we cannot map."""


class NIRFileError(EngramError):
    """A ``.nir`` file is missing, empty, truncated or not a NIR graph."""


class QuantizationError(EngramError):
    """A float network cannot be mapped to Loihi fixed-point ranges."""


class HardwareUnavailableError(EngramError):
    """A requested target (e.g. Loihi 2) is not available on this machine."""


class LavaRunError(EngramError, RuntimeError):
    """A Lava run failed; carries the child process' exception when known."""


class InputError(EngramError, ValueError):
    """Input spikes or run arguments have the wrong shape, type or range."""


class UnknownTargetError(InputError):
    """A target name that engram_nm does not know."""


class PlasticityError(EngramError, ValueError):
    """A plasticity rule has invalid parameters or cannot go where it was sent."""


class OutputPathError(EngramError, OSError):
    """An output file or folder cannot be written (read-only, virtual file system, a file
    where a folder is needed, ...); checked before any work starts."""


class ManipulationError(EngramError, ValueError):
    """An in-silico manipulation (stimulation, silencing, ablation, ...) names cells,
    synapses or a window that the network or the phase does not have."""


class SweepError(EngramError, ValueError):
    """A sweep file or its parameters are invalid (unknown experiment, empty grid, a parameter the
    experiment does not take, a results folder that holds another sweep)."""


__all__ = [
    "SweepError",
    "ManipulationError",
    "OutputPathError",
    "EngramError",
    "SpecError",
    "UnsupportedNodeError",
    "NIRFileError",
    "QuantizationError",
    "HardwareUnavailableError",
    "UnknownTargetError",
    "LavaRunError",
    "InputError",
    "PlasticityError",
]


class EventDataError(EngramError, ValueError):
    """An event file or event array is malformed: negative or unsorted times, a polarity that is
    not 0/1, coordinates off the sensor, a wrong dtype or missing fields."""
