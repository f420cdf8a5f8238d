"""Event arrays and event files: one structured dtype, validated on the way in and out.

An event stream is a NumPy structured array of :data:`EVENT_DTYPE`: ``t`` (microseconds since
the recording began, int64, non-decreasing), ``x`` and ``y`` (pixel column and row, uint16, on
the sensor), ``p`` (polarity, uint8: 1 = ON, brighter; 0 = OFF, darker). A file is an ``.npz``
holding ``events`` and the sensor's ``width`` and ``height``; it is written through a temporary
file, so a failed write leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engram_nm.errors import EventDataError

EVENT_DTYPE = np.dtype([("t", "<i8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")])


def validate_events(events, width: int, height: int) -> np.ndarray:
    """``events`` as :data:`EVENT_DTYPE`, or an :class:`~engram_nm.errors.EventDataError` naming
    the first thing wrong (dtype or fields, negative or unsorted times, polarity not 0/1,
    coordinates off a ``width`` x ``height`` sensor)."""
    events = np.asarray(events)
    if events.dtype.names is None or set(events.dtype.names) != set(EVENT_DTYPE.names):
        raise EventDataError(f"events need the fields {EVENT_DTYPE.names}, got {events.dtype}")
    for name in EVENT_DTYPE.names:
        if events.dtype[name].kind not in "iu":
            raise EventDataError(f"event field {name!r} must be an integer, got {events.dtype[name]}")
    if events.ndim != 1:
        raise EventDataError(f"events must be one-dimensional, got shape {events.shape}")
    if int(width) < 1 or int(height) < 1:
        raise EventDataError(f"the sensor needs width and height >= 1, got {width} x {height}")
    t, x, y, p = (events[name].astype(np.int64) for name in EVENT_DTYPE.names)
    if t.size and t.min() < 0:
        raise EventDataError(f"event times must be >= 0 us, got {int(t.min())}")
    if t.size > 1 and np.any(np.diff(t) < 0):
        first = int(np.flatnonzero(np.diff(t) < 0)[0])
        raise EventDataError(f"event times must not decrease: event {first + 1} at {int(t[first + 1])} us "
                             f"follows {int(t[first])} us")
    if p.size and not np.all((p == 0) | (p == 1)):
        raise EventDataError(f"polarity must be 0 (OFF) or 1 (ON), got {sorted(set(p.tolist()) - {0, 1})[:3]}")
    if x.size and (x.min() < 0 or x.max() >= width or y.min() < 0 or y.max() >= height):
        raise EventDataError(f"coordinates must lie on the {width} x {height} sensor, got x {int(x.min())}.."
                             f"{int(x.max())}, y {int(y.min())}..{int(y.max())}")
    return events.astype(EVENT_DTYPE)


def write_events(path, events, width: int, height: int, **metadata) -> Path:
    """Validate ``events`` and write them with the sensor size (and numeric ``metadata``) to
    ``path`` (``.npz``), atomically."""
    from engram_nm.io_utils import atomic_savez

    events = validate_events(events, width, height)
    extra = {k: np.asarray(v) for k, v in metadata.items()}
    return atomic_savez(path, events=events, width=np.int64(width), height=np.int64(height), **extra)


def read_events(path) -> tuple:
    """``(events, width, height)`` of an event file written by :func:`write_events`, validated."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            events, width, height = data["events"], int(data["width"]), int(data["height"])
    except FileNotFoundError:
        raise EventDataError(f"no event file at {path}") from None
    except (KeyError, ValueError, OSError) as exc:
        raise EventDataError(f"{path} is not an event file (need events, width, height in an .npz): {exc}") from None
    return validate_events(events, width, height), width, height


def bin_events(events, width: int, height: int, steps: int, step_us: int) -> np.ndarray:
    """Counts ``[steps, 2, height, width]`` (channel 0: OFF, 1: ON) of the events in each of
    ``steps`` bins of ``step_us`` microseconds from t = 0; later events are dropped."""
    events = validate_events(events, width, height)
    if int(steps) < 1 or int(step_us) < 1:
        raise EventDataError(f"steps and step_us must be >= 1, got {steps}, {step_us}")
    out = np.zeros((int(steps), 2, int(height), int(width)), dtype=np.int32)
    k = events["t"] // int(step_us)
    keep = k < steps
    np.add.at(out, (k[keep], events["p"][keep].astype(np.int64), events["y"][keep].astype(np.int64),
                    events["x"][keep].astype(np.int64)), 1)
    return out
