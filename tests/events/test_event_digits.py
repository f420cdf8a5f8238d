"""The generated event data (engram_nm/events/): deterministic sets, their files, hostile files."""

import numpy as np
import pytest

from engram_nm.cli import main
from engram_nm.errors import EventDataError
from engram_nm.events.digits import (RECORDING_US, SCENE, dataset_checksum, digit_video, event_digits,
                                     recording)
from engram_nm.events.files import EVENT_DTYPE, bin_events, read_events, validate_events, write_events


@pytest.fixture(scope="module")
def three():
    return event_digits("test", limit=3)


def test_the_event_digits_are_regenerated_bit_for_bit(three):
    events, offsets, labels = three
    # the first three test digits of seed 0 on this project's pinned numpy / scipy
    assert dataset_checksum(events, offsets, labels) == "f77f5333ba3db3ef"
    assert dataset_checksum(*digit_video("test", limit=3)) == "caa3a555968c942b"
    from engram_nm.data import load_digits

    assert np.array_equal(labels, load_digits(0)[3][:3])


def test_each_recording_is_a_busy_sorted_stream_on_its_own_clock(three):
    events, offsets, labels = three
    validate_events(events, SCENE, SCENE)  # one sorted stream
    for i in range(3):
        ev = recording(events, offsets, i)
        assert 3000 < ev.size < 12000 and 0.4 < ev["p"].mean() < 0.6  # thousands of events, ON and OFF
        assert ev["t"].min() >= 0 and ev["t"].max() < RECORDING_US
    with pytest.raises(EventDataError):
        recording(events, offsets, 3)
    counts = bin_events(recording(events, offsets, 0), SCENE, SCENE, steps=31, step_us=10_000)
    assert counts.shape == (31, 2, SCENE, SCENE) and counts.sum() == offsets[1] - offsets[0]


def test_the_video_is_temporally_redundant():
    video, labels = digit_video("test", limit=4)
    consecutive = np.abs(np.diff(video, axis=1)).mean()
    between_digits = np.abs(video[0, 0] - video[1, 0]).mean()
    # consecutive frames differ by about a fifth of what two digits differ by (measured 0.22)
    assert video.shape == (4, 20, SCENE, SCENE) and consecutive < 0.3 * between_digits
    with pytest.raises(EventDataError):
        digit_video("test", frames=1)
    with pytest.raises(EventDataError):
        digit_video("validation")


def _events(t, x=0, y=0, p=1):
    e = np.zeros(len(t), dtype=EVENT_DTYPE)
    e["t"], e["x"], e["y"], e["p"] = t, x, y, p
    return e


@pytest.mark.parametrize("bad, message", [
    (_events([0, 5, 3]), "must not decrease"),
    (_events([-1, 5]), ">= 0"),
    (_events([1, 2], p=2), "polarity"),
    (_events([1, 2], x=32), "on the 32 x 32 sensor"),
    (np.zeros(3, dtype=[("t", "f8"), ("x", "u2"), ("y", "u2"), ("p", "u1")]), "integer"),
    (np.zeros(3, dtype=[("t", "i8"), ("x", "u2")]), "fields"),
    (np.zeros((2, 4), dtype=np.int64), "fields"),
])
def test_malformed_events_are_refused_with_one_clear_line_and_no_file(tmp_path, bad, message):
    with pytest.raises(EventDataError, match=message):
        write_events(tmp_path / "e.npz", bad, 32, 32)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_event_files_round_trip_and_the_cli_writes_and_checks_them(tmp_path, capsys):
    ev = _events([0, 10, 10, 30], x=[1, 2, 3, 4], y=[0, 1, 2, 3], p=[1, 0, 1, 0])
    write_events(tmp_path / "ok.npz", ev, 8, 8)
    back, w, h = read_events(tmp_path / "ok.npz")
    assert np.array_equal(back, ev) and (w, h) == (8, 8)
    assert main(["data", "events", "--out", str(tmp_path / "set"), "--split", "test", "--limit", "2", "--quiet"]) == 0
    assert main(["data", "check", str(tmp_path / "set" / "event_digits_test.npz")]) == 0
    assert "events on a 32 x 32 sensor" in capsys.readouterr().out
    assert main(["data", "events", "--out", str(tmp_path / "v"), "--set", "video", "--limit", "2", "--quiet"]) == 0
    with np.load(tmp_path / "v" / "digit_video_train.npz") as data:
        assert data["video"].shape == (2, 20, SCENE, SCENE)
    # a hostile file: one line on stderr, exit 1
    bad = _events([5, 1])
    np.savez(tmp_path / "bad.npz", events=bad, width=8, height=8)
    assert main(["data", "check", str(tmp_path / "bad.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "must not decrease" in err
    assert main(["data", "check", str(tmp_path / "missing.npz")]) == 1
    with pytest.raises(SystemExit) as exit_code:
        main(["data", "events", "--out", str(tmp_path), "--limit", "0"])
    assert exit_code.value.code == 2


def test_a_generated_set_is_cached_and_a_damaged_cache_file_is_regenerated(tmp_path, three):
    from engram_nm.events.digits import load_event_digits

    first = load_event_digits("test", limit=3, cache=tmp_path)
    (path,) = tmp_path.iterdir()
    assert all(np.array_equal(a, b) for a, b in zip(first, three))
    stamp = path.stat().st_mtime_ns
    again = load_event_digits("test", limit=3, cache=tmp_path)
    assert path.stat().st_mtime_ns == stamp and all(np.array_equal(a, b) for a, b in zip(again, three))
    path.write_bytes(b"not an npz")  # damaged: regenerated, same arrays
    repaired = load_event_digits("test", limit=3, cache=tmp_path)
    assert all(np.array_equal(a, b) for a, b in zip(repaired, three))
    assert load_event_digits("test", limit=3, cache=False)[0].size == three[0].size
