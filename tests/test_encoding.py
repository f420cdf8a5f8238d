"""Input codes: each code's defining property, the code carried through NIR with the network, and
the same spikes on every backend."""

import numpy as np
import pytest

from engram_nm.encoding import InputCode, attach, code_of, encode_for
from engram_nm.errors import InputError

X = np.array([[0.0, 0.05, 0.2, 0.5, 0.74, 1.0]])


def test_latency_code_sends_at_most_one_spike_earlier_for_brighter_inputs():
    s = InputCode("latency", steps=10, threshold=0.1).encode(X)
    assert s.shape == (10, 1, 6) and s.max() == 1 and s.sum(axis=0).max() == 1
    assert list(s.sum(axis=0)[0]) == [0, 0, 1, 1, 1, 1]  # at or below the threshold: silent
    first = s[:, 0, 2:].argmax(axis=0)
    assert list(first) == sorted(first, reverse=True) and first[-1] == 0  # brightest first, at step 0
    np.testing.assert_array_equal(first, np.rint((1 - X[0, 2:]) / 0.9 * 9))  # the docstring's equation
    assert InputCode("latency", steps=10, threshold=0.1).encode(np.array([0.101]))[9, 0] == 1  # just above: last step


def test_delta_code_counts_contrast_steps_from_onset():
    s = InputCode("delta", steps=4, threshold=0.25).encode(X)
    assert list(s.sum(axis=0)[0]) == [0, 0, 0, 2, 2, 4]  # floor(x / 0.25), at most `steps`
    for j, n in enumerate(s.sum(axis=0)[0].astype(int)):
        assert s[:n, 0, j].all() and not s[n:, 0, j].any()  # one per step from step 0


def test_rate_codes_count_as_their_rate_says():
    regular = InputCode("regular", steps=20, max_rate=0.5).encode(X)
    assert list(regular.sum(axis=0)[0]) == [0, 1, 2, 5, 7, 10]  # floor(T x max_rate x + 1/2)
    many = np.full((4000, 1), 0.6)
    rate = InputCode("rate", steps=10, max_rate=0.5).encode(many, seed=3)
    assert rate.sum(axis=0).mean() == pytest.approx(10 * 0.5 * 0.6, rel=0.03)
    assert not np.array_equal(rate, InputCode("rate", steps=10).encode(many, seed=4))


def test_bad_codes_are_refused():
    for kwargs in ({"kind": "morse"}, {"steps": 0}, {"max_rate": 1.5}, {"threshold": 1.0}):
        with pytest.raises(InputError):
            InputCode(**kwargs)
    with pytest.raises(InputError, match="unknown fields"):
        InputCode.from_metadata({"kind": "rate", "speed": 3})
    with pytest.raises(InputError, match="at least one feature"):
        InputCode().encode(np.zeros((3, 0)))
    with pytest.raises(InputError, match="finite"):
        InputCode("latency").encode(np.array([0.5, np.nan]))


def test_the_code_travels_with_the_network_through_nir_and_drives_every_backend(tmp_path):
    from engram_nm.backends.reference import simulate
    from engram_nm.hardware.targets import run
    from engram_nm.nir_io import export_nir, import_nir
    from engram_nm.spec import random_spec

    spec = random_spec(6, [12, 4], seed=2)
    with pytest.raises(InputError, match="carries no input code"):
        encode_for(spec, X)
    code = InputCode("latency", steps=30, threshold=0.1)
    coded = attach(spec, code)
    assert code_of(spec) is None and code_of(coded) == code
    export_nir(coded, tmp_path / "m.nir")
    back = import_nir(tmp_path / "m.nir")
    assert code_of(back) == code
    x = np.concatenate([encode_for(back, X)[:, 0]] * 3)  # three presentations, 90 steps
    ref = simulate(back, x).spikes
    emu = run(back, x, "fixed-emu").spikes  # the quantised network: its own spikes, also driven
    torch_spikes = run(back, x, "snntorch").spikes
    assert sum(int(s.sum()) for s in ref.values()) > 5  # not a silent network
    for name in back.layer_names:
        np.testing.assert_array_equal(ref[name], torch_spikes[name])
    assert sum(int(s.sum()) for s in emu.values()) > 5
