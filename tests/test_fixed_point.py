"""The fixed-point arithmetic written once (engram_nm.loihi.arithmetic) against its integer
definition and against Lava's own helpers."""

import numpy as np
import pytest

from engram_nm.loihi import arithmetic as fp


def _integer_decay(x, d):
    """Lava's form: sign(x) * ((|x| * (4096 - d)) >> 12) in int64."""
    prod = np.asarray(x, np.int64) * (4096 - np.asarray(d, np.int64))
    return np.sign(prod) * np.right_shift(np.abs(prod), 12)


def test_float_decay_equals_the_integer_shift_over_the_whole_24_bit_range():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.integers(-2 ** 23 + 1, 2 ** 23, 200_000), [0, 1, -1, 2 ** 23 - 1, -2 ** 23 + 1]])
    for d in (0, 1, 7, 205, 2048, 4095, 4096):
        np.testing.assert_array_equal(fp.fixed_decay(x.astype(np.float64), d), _integer_decay(x, d))
    per_neuron = rng.integers(0, 4097, x.size)
    np.testing.assert_array_equal(fp.fixed_decay(x, per_neuron), _integer_decay(x, per_neuron))


@pytest.mark.lava
@pytest.mark.parametrize("kind", ["excitatory", "inhibitory", "mixed", "zeros"])
@pytest.mark.parametrize("bits", [8, 6])
def test_dense_weights_equal_lavas_clip_and_truncate(kind, bits):
    from engram_nm.lava_compat import lava  # noqa: F401 - makes Lava importable here
    from lava.utils.weightutils import clip_weights, determine_sign_mode, truncate_weights

    rng = np.random.default_rng(1)
    w = rng.integers(-300, 301, (40, 30))
    w = {"excitatory": np.abs(w), "inhibitory": -np.abs(w), "mixed": w, "zeros": np.zeros_like(w)}[kind]
    mode = determine_sign_mode(w)
    theirs = truncate_weights(clip_weights(w, mode, num_bits=8), mode, bits)
    np.testing.assert_array_equal(fp.dense_weights(w, bits), theirs)


def test_lif_step_zero_reset_by_hand():
    """v = decay(v) + u + b with u = a << 6 (du = 4095: u forgotten), spike when v > vth << 6, reset to 0."""
    theta = fp.effective_threshold(np.array([10]))          # 640
    u, v, s = fp.lif_step(np.zeros(1), np.zeros(1), np.array([6.0]), 4095, 0, theta, None, None, None, None,
                          None, True)
    assert (u[0], v[0], s[0]) == (384.0, 384.0, False)
    u, v, s = fp.lif_step(u, v, np.array([6.0]), 4095, 0, theta, None, None, None, None, None, True)
    assert (u[0], s[0], v[0]) == (384.0, True, 0.0)        # 768 > 640: spike, then v = 0


def test_current_bound_is_finite_only_when_the_current_decays():
    assert fp.current_bound(4095, [100.0]) == 6400.0         # forgotten every step: |u| <= 64 * 100
    assert fp.current_bound(2047, [100.0]) == 12800.0        # halves each step: twice the drive
    assert fp.current_bound(-1, [100.0]) == np.inf           # never decays
    assert fp.current_bound(-1, [0.0]) == 0.0
