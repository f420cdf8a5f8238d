"""The bundled digits as event-camera recordings and as a temporally redundant video.

**Event-camera digits** (:func:`event_digits`): each 8x8 digit (scikit-learn's bundled set) is
upsampled to 24x24 (bilinear), placed at the centre of a 32x32 scene (intensity 0.05 background
to 1.0 ink) and moved along three straight saccades forming a triangle, 100 ms each, as N-MNIST
was recorded (Orchard et al., Front. Neurosci. 9:437, 2015: an ATIS camera on a pan-tilt unit, three
saccades of about 100 ms); the vertices (0, 0) -> (1.5, 3) -> (3, 0) -> (0, 0) pixels are our
choice. The scene is rendered every 1 ms (bilinear shifts) and recorded by
:class:`~engram_nm.events.sensor.EventSensor`.

**Digit video** (:func:`digit_video`): the same scenes as a frame video, 10 ms per frame, the digit
drifting slowly (0.5 px over the clip) with a small jitter (0.1 px s.d. per frame): consecutive
frames are nearly identical, the case where a frame-based network recomputes everything every
frame and a delta or sigma-delta network sends only changes. Drift and jitter are our choices.

Both are deterministic given the split's seed: :func:`dataset_checksum` hashes the arrays and a
test holds a fixed value (``tests/events/test_event_digits.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from engram_nm.errors import EventDataError
from engram_nm.events.files import EVENT_DTYPE
from engram_nm.events.sensor import EventSensor

SCENE = 32
DIGIT = 24
SACCADES = ((0.0, 0.0), (1.5, 3.0), (3.0, 0.0), (0.0, 0.0))  # (dx, dy) vertices in pixels
SACCADE_S = 0.1
FRAME_S = 1e-3
RECORDING_US = 310_000  # one recording per 310 ms of the stream: 300 ms of saccades, 10 ms apart
BACKGROUND, INK = 0.05, 1.0


def scene(image: np.ndarray) -> np.ndarray:
    """A digit (64 values in [0, 1]) upsampled to ``DIGIT`` x ``DIGIT`` at the centre of a
    ``SCENE`` x ``SCENE`` scene, intensities from ``BACKGROUND`` to ``INK``."""
    from scipy.ndimage import zoom

    img = np.clip(np.asarray(image, dtype=np.float64).reshape(8, 8), 0, 1)
    big = np.clip(zoom(img, DIGIT / 8, order=1), 0, 1)
    out = np.zeros((SCENE, SCENE))
    a = (SCENE - DIGIT) // 2
    out[a:a + DIGIT, a:a + DIGIT] = big
    return BACKGROUND + (INK - BACKGROUND) * out


def saccade_path(frame_s: float = FRAME_S) -> np.ndarray:
    """``[T, 2]``: the scene's (dx, dy) at every frame along the three saccades."""
    per = int(round(SACCADE_S / frame_s))
    legs = [np.linspace(a, b, per, endpoint=False) for a, b in zip(np.array(SACCADES[:-1]), np.array(SACCADES[1:]))]
    return np.concatenate(legs + [np.array([SACCADES[-1]])])


def moving_frames(image: np.ndarray, path: np.ndarray) -> np.ndarray:
    """``[T, SCENE, SCENE]``: the digit's scene shifted by each (dx, dy) of ``path`` (bilinear;
    uncovered pixels take the background)."""
    from scipy.ndimage import shift

    base = scene(image)
    return np.stack([shift(base, (dy, dx), order=1, mode="constant", cval=BACKGROUND) for dx, dy in path])


def event_digits(split: str = "train", seed: int = 0, sensor: EventSensor | None = None, limit: int | None = None):
    """The ``split`` ("train" or "test") of the digits (:func:`engram_nm.data.load_digits`,
    ``seed``) as event recordings (module docstring). Returns ``(events, offsets, labels)``: one
    stream, as if the camera watched one digit after another, recording ``i`` starting at
    ``i * RECORDING_US`` and being ``events[offsets[i]:offsets[i+1]]`` (:func:`recording` gives
    it back on its own clock)."""
    from tqdm.auto import tqdm

    images, labels = _split(split, seed, limit)
    sensor = sensor or EventSensor(width=SCENE, height=SCENE, seed=seed)
    path = saccade_path()
    parts, offsets = [], [0]
    for i, image in enumerate(tqdm(images, desc=f"event digits ({split})", unit="digit", disable=len(images) < 200)):
        ev = sensor.record(moving_frames(image, path), FRAME_S, noise_seed=i)
        ev["t"] += i * RECORDING_US
        parts.append(ev)
        offsets.append(offsets[-1] + ev.size)
    events = np.concatenate(parts) if parts else np.empty(0, dtype=EVENT_DTYPE)
    return events, np.asarray(offsets, dtype=np.int64), labels


def recording(events: np.ndarray, offsets: np.ndarray, i: int) -> np.ndarray:
    """Recording ``i`` of an :func:`event_digits` stream, its times from 0."""
    offsets = np.asarray(offsets)
    if not 0 <= int(i) < offsets.size - 1:
        raise EventDataError(f"recording {i} is not in 0..{offsets.size - 2}")
    out = events[offsets[i]:offsets[i + 1]].copy()
    out["t"] -= int(i) * RECORDING_US
    return out


def digit_video(split: str = "train", seed: int = 0, frames: int = 20, limit: int | None = None):
    """The ``split`` of the digits as videos (module docstring): ``(video [n, frames, SCENE,
    SCENE] float32, labels)``."""
    if int(frames) < 2:
        raise EventDataError(f"a video needs at least 2 frames, got {frames}")
    images, labels = _split(split, seed, limit)
    rng = np.random.default_rng([int(seed), 3])
    out = np.empty((len(images), int(frames), SCENE, SCENE), dtype=np.float32)
    for i, image in enumerate(images):
        direction = rng.standard_normal(2)
        drift = np.outer(np.linspace(0, 0.5, int(frames)), direction / np.linalg.norm(direction))
        path = drift + 0.1 * rng.standard_normal((int(frames), 2))
        out[i] = moving_frames(image, path)
    return out, labels


def cache_folder() -> Path:
    """Where generated sets are kept: ``$ENGRAM_NM_CACHE`` or ``~/.cache/engram_nm``."""
    import os

    return Path(os.environ.get("ENGRAM_NM_CACHE", Path.home() / ".cache" / "engram_nm")) / "events"


def load_event_digits(split: str = "train", seed: int = 0, limit: int | None = None, cache=None):
    """:func:`event_digits`, kept in ``cache`` (a folder; default :func:`cache_folder`; ``False``:
    no cache). The file's name holds the split, seed, limit and a hash of the sensor's and the
    motion's parameters, so a change to either makes a new file; a file whose stored checksum
    does not match its arrays is regenerated."""
    from dataclasses import asdict

    from engram_nm.events.files import read_events, write_events

    if cache is False:
        return event_digits(split, seed, limit=limit)
    sensor = EventSensor(width=SCENE, height=SCENE, seed=seed)
    key = dataset_checksum(np.frombuffer(repr((asdict(sensor), SACCADES, SACCADE_S, FRAME_S, DIGIT, SCENE,
                                                 BACKGROUND, INK, RECORDING_US)).encode(), dtype=np.uint8))
    path = Path(cache or cache_folder()) / f"event_digits_{split}_seed{seed}_n{limit or 'all'}_{key}.npz"
    if path.exists():
        try:
            events, _, _ = read_events(path)
            with np.load(path, allow_pickle=False) as data:
                offsets, labels, stored = data["offsets"], data["labels"], bytes(data["checksum"]).decode()
            if dataset_checksum(events, offsets, labels) == stored:
                return events, offsets, labels
        except (EventDataError, KeyError, ValueError):
            pass  # a damaged or foreign file: regenerate it
    events, offsets, labels = event_digits(split, seed, sensor=sensor, limit=limit)
    write_events(path, events, SCENE, SCENE, offsets=offsets, labels=labels,
                 checksum=np.bytes_(dataset_checksum(events, offsets, labels)))
    return events, offsets, labels


def dataset_checksum(*arrays) -> str:
    """SHA-256 (hex, first 16 characters) of the arrays' bytes, in order."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def _split(split: str, seed: int, limit: int | None):
    from engram_nm.data import load_digits

    if split not in ("train", "test"):
        raise EventDataError(f"split must be 'train' or 'test', got {split!r}")
    x_tr, y_tr, x_te, y_te = load_digits(seed)
    images, labels = (x_tr, y_tr) if split == "train" else (x_te, y_te)
    if limit is not None:
        if int(limit) < 1:
            raise EventDataError(f"limit must be >= 1, got {limit}")
        images, labels = images[:int(limit)], labels[:int(limit)]
    return images, labels.astype(np.int64)
