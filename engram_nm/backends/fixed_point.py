"""Loihi 2 integer arithmetic of one step, written once (docs/architecture.md, rule 2).

Source of the arithmetic: lava-nc 0.10.0 ``lava/proc/lif/models.py``
(``AbstractPyLifModelFixed.subthr_dynamics``, ``PyLifModelBitAcc``) and
``lava/proc/dense/models.py`` (``AbstractPyDenseModelBitAcc``) with
``lava/utils/weightutils.py`` (``clip_weights``, ``truncate_weights``). Used by the
``fixed-emu`` emulator and by the ``GeneralLIF`` ``fixed_pt`` model; nothing here imports Lava.

One population step, all integers (``u``, ``v`` 24-bit signed; ``du``, ``dv`` 12-bit;
``a`` the Dense output; ``theta = vth << 6``; ``b = bias_mant << bias_exp``)::

    u <- wrap24( decay(u, du + 1) + (a << 6) + syn_bias )        decay(x, d) = sign(x) (|x| (4096 - d) >> 12)
    v <- clip(  decay(v, dv) + u + b,  -(2**23 - 1), 2**23 - 1 )
    s  = v > theta ;  where s: v <- 0 (zero reset) or v - theta (subtract)

(``bias``/``syn_bias`` from step ``bias_onset``; with ``reset_delay`` the reset of the
previous step's spikes is applied before the threshold test instead.) The stock
bit-accurate LIF is the special case zero reset, no delay, no ``syn_bias``, onset 0.
One Dense step: ``a = (sum of the weights of active inputs) << weight_exp`` (or ``>>``).
"""

from __future__ import annotations

import numpy as np

from engram_nm.hardware.loihi_fixed import ACT_SHIFT, DS_OFFSET

UV_BITS = 24
MAX_UV = 2 ** (UV_BITS - 1)
DECAY_SHIFT = 12
DECAY_UNITY = 2 ** DECAY_SHIFT
VTH_SHIFT = 6
DM_OFFSET = 0
IP_FRACTION_BITS = 4  # intrinsic plasticity: vth_fine = effective vth * 2**4


def fixed_decay(x: np.ndarray, d) -> np.ndarray:
    """``sign(x) * ((|x| * (4096 - d)) >> 12)`` in int64, as Loihi decays u and v."""
    prod = np.asarray(x, dtype=np.int64) * (DECAY_UNITY - np.asarray(d, dtype=np.int64))
    return np.sign(prod) * np.right_shift(np.abs(prod), DECAY_SHIFT)


def wrap_24bit(x: np.ndarray) -> np.ndarray:
    """Wrap a current into the signed 24-bit range the way the stock model does."""
    wrapped = np.where(x > MAX_UV, x - 2 * MAX_UV, x)
    return np.where(wrapped <= -MAX_UV, x + 2 * MAX_UV, wrapped)


def effective_bias(bias_mant, bias_exp) -> np.ndarray:
    """``bias_mant << bias_exp`` (``>>`` for a negative exponent), int64."""
    mant = np.asarray(bias_mant, dtype=np.int64)
    exp = np.asarray(bias_exp, dtype=np.int64)
    return np.where(exp >= 0, np.left_shift(mant, np.maximum(exp, 0)), np.right_shift(mant, np.maximum(-exp, 0)))


def effective_threshold(vth) -> np.ndarray:
    """The threshold in ``v`` units: ``vth << 6``."""
    return np.left_shift(np.asarray(vth, dtype=np.int64), VTH_SHIFT)


def reset(v: np.ndarray, where: np.ndarray, theta: np.ndarray, subtract: np.ndarray) -> np.ndarray:
    """``v - theta`` where ``where & subtract``, 0 where ``where & ~subtract``."""
    sub = where & subtract
    return np.where(where & ~sub, 0, np.where(sub, v - theta, v))


def lif_step(u, v, a_in, du, dv, theta, bias, syn_bias, subtract, delayed, spiked_before, bias_on):
    """One step of a population (module docstring); every argument broadcasts over ``[..., n]``.

    ``theta`` and ``bias`` are the effective (shifted) values; ``bias_on`` says whether the
    biases apply this step; ``delayed`` marks neurons with ``reset_delay`` and
    ``spiked_before`` their previous spikes. Returns ``(u, v, spikes)`` as int64 / bool.
    """
    syn = np.where(bias_on, syn_bias, 0)
    u = fixed_decay(u, np.asarray(du) + DS_OFFSET) + np.left_shift(np.asarray(a_in, dtype=np.int64), ACT_SHIFT)
    u = wrap_24bit(u + syn)
    v = fixed_decay(v, np.asarray(dv) + DM_OFFSET) + u + np.where(bias_on, bias, 0)
    v = np.clip(v, -MAX_UV + 1, MAX_UV - 1)
    v = reset(v, delayed & spiked_before, theta, subtract)
    spikes = v > theta
    v = reset(v, spikes & ~delayed, theta, subtract)
    return u, v, spikes


def dense_weights(weights, num_weight_bits: int = 8) -> np.ndarray:
    """The integer weights a bit-accurate Dense uses, as Lava makes them on its first step.

    Sign mode: excitatory if no weight is negative, else inhibitory if none is positive, else
    mixed. Inhibitory weights are negated, handled as excitatory, and negated back. Then
    clipped to ``[0, 255]`` (mixed: ``[-256, 255]``) and the low ``8 - num_weight_bits`` bits
    dropped (one more for mixed signs; an arithmetic shift, so mixed negatives round down).
    """
    w = np.asarray(weights, dtype=np.int64)
    inhibitory = not np.all(w >= 0) and np.all(w <= 0)
    mixed = int(not np.all(w >= 0) and not inhibitory)
    if inhibitory:
        w = -w
    w = np.clip(w, -256 * mixed, 255)
    drop = 8 - int(num_weight_bits) + mixed
    w = np.left_shift(np.right_shift(w, drop), drop)
    return -w if inhibitory else w


def dense_output(active_sum: np.ndarray, weight_exp: int) -> np.ndarray:
    """``a = sum << weight_exp`` (``>>`` for a negative exponent), int64."""
    s = np.asarray(active_sum, dtype=np.int64)
    return np.left_shift(s, weight_exp) if weight_exp > 0 else np.right_shift(s, -weight_exp)
