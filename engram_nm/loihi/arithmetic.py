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

from engram_nm.loihi.formats import ACT_SHIFT, DS_OFFSET, WEIGHT_BITS

UV_BITS = 24
MAX_UV = 2 ** (UV_BITS - 1)
DECAY_SHIFT = 12
DECAY_UNITY = 2 ** DECAY_SHIFT
VTH_SHIFT = 6
DM_OFFSET = 0
IP_FRACTION_BITS = 4  # intrinsic plasticity: vth_fine = effective vth * 2**4


def fixed_decay(x, d):
    """``sign(x) * ((|x| * (4096 - d)) >> 12)``, as Loihi decays u and v.

    Computed as ``trunc(x * ((4096 - d) / 4096))`` in float64, which is the same integer: the
    factor is exact (a 13-bit numerator over a power of two), ``|x|`` < 2**23 keeps the exact
    product below 2**36, and the truncation rounds toward zero like the sign-magnitude shift.
    """
    factor = (DECAY_UNITY - np.asarray(d, dtype=np.float64)) / DECAY_UNITY
    x = np.asarray(x, dtype=np.float64)
    if not factor.any():  # d = 4096 (du = 4095 + the offset): forgotten every step
        return np.zeros(())  # broadcasts like the decayed array would
    out = x * factor
    return np.trunc(out, out=out)  # in place: one array per call, not two


def wrap_24bit(x: np.ndarray) -> np.ndarray:
    """Wrap a current into the signed 24-bit range the way the stock model does."""
    if x.size and x.max() <= MAX_UV and x.min() > -MAX_UV:  # the usual case: nothing to wrap
        return x
    wrapped = np.where(x > MAX_UV, x - 2 * MAX_UV, x)
    return np.where(wrapped <= -MAX_UV, x + 2 * MAX_UV, wrapped)


def clip_voltage(v: np.ndarray) -> np.ndarray:
    """``v`` clipped to the signed 24-bit range ``[-(2**23 - 1), 2**23 - 1]``."""
    if v.size and v.max() <= MAX_UV - 1 and v.min() >= -MAX_UV + 1:
        return v
    return np.clip(v, -MAX_UV + 1, MAX_UV - 1)


def effective_bias(bias_mant, bias_exp) -> np.ndarray:
    """``bias_mant << bias_exp`` (``>>`` for a negative exponent), int64."""
    mant = np.asarray(bias_mant, dtype=np.int64)
    exp = np.asarray(bias_exp, dtype=np.int64)
    return np.where(exp >= 0, np.left_shift(mant, np.maximum(exp, 0)), np.right_shift(mant, np.maximum(-exp, 0)))


def effective_threshold(vth) -> np.ndarray:
    """The threshold in ``v`` units: ``vth << 6``."""
    return np.left_shift(np.asarray(vth, dtype=np.int64), VTH_SHIFT)


def reset(v: np.ndarray, where: np.ndarray, theta, subtract) -> np.ndarray:
    """``v - theta`` where ``where & subtract``, 0 where ``where & ~subtract`` (``subtract`` None:
    every neuron resets to zero)."""
    if subtract is None:
        return np.where(where, 0.0, v)
    sub = where & subtract
    return np.where(where & ~sub, 0.0, np.where(sub, v - theta, v))


def lif_step(u, v, a_in, du, dv, theta, bias, syn_bias, subtract, delayed, spiked_before, bias_on,
             may_overflow: bool = True):
    """One step of a population (module docstring); arrays broadcast over ``[..., n]``.

    Values are integers held in float64 arrays (every intermediate stays below 2**36, so
    float64 is exact). ``theta`` and ``bias`` are the effective (shifted) values; ``bias_on``
    (a bool, or one per neuron) says whether the biases apply this step. ``None`` means "no
    neuron": ``bias`` / ``syn_bias`` None: no bias; ``subtract`` None: all reset to zero;
    ``delayed`` None: no reset is delayed (``spiked_before`` is then unused).
    ``may_overflow=False`` skips the 24-bit wrap of ``u`` (the caller has proved it cannot
    happen, :func:`current_bound`); ``v`` is always clipped. Returns ``(u, v, spikes)``:
    float64, float64, bool.
    """
    # a_in * 64 is exact in any float type: a power-of-two multiple of an integer it holds.
    u = fixed_decay(u, np.asarray(du) + DS_OFFSET) + a_in * float(2 ** ACT_SHIFT)
    if syn_bias is not None:
        u = u + np.where(bias_on, syn_bias, 0)
    if may_overflow:
        u = wrap_24bit(u)
    v = fixed_decay(v, np.asarray(dv) + DM_OFFSET) + u
    if bias is not None:
        v = v + np.where(bias_on, bias, 0)
    v = clip_voltage(v)
    if delayed is not None:
        v = reset(v, delayed & spiked_before, theta, subtract)
    spikes = v > theta
    v = reset(v, spikes if delayed is None else spikes & ~delayed, theta, subtract)
    return u, v, spikes


def current_bound(du, max_input, syn_bias=None) -> float:
    """An upper bound on ``|u|`` over any run: ``|u| <= f |u| + 64 max|a| + |syn_bias|`` with the
    decay factor ``f = (4096 - du - 1) / 4096``, so ``|u| <= (64 max|a| + |syn_bias|) / (1 - f)``
    (infinite when some neuron keeps its current, ``f = 1``). ``max_input`` per neuron: the sum
    of the absolute weights that can reach it in one step."""
    f = (DECAY_UNITY - (np.asarray(du, dtype=np.float64) + DS_OFFSET)) / DECAY_UNITY
    drive = np.asarray(max_input, dtype=np.float64) * 2 ** ACT_SHIFT
    if syn_bias is not None:
        drive = drive + np.abs(np.asarray(syn_bias, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(np.where(f < 1, drive / (1 - f), np.where(drive > 0, np.inf, 0.0)), initial=0.0))


SIGN_MODES = ("excitatory", "inhibitory", None)  # None: mixed signs


def sign_mode_of(weights) -> str | None:
    """A Dense's sign mode as Lava infers it: excitatory if no weight is negative, else inhibitory
    if none is positive, else mixed (None)."""
    w = np.asarray(weights)
    if np.all(w >= 0):
        return "excitatory"
    return "inhibitory" if np.all(w <= 0) else None


def clip_weights(weights, sign_mode: str | None) -> np.ndarray:
    """Lava's ``clip_weights`` (8 bits): ``[0, 255]`` excitatory, ``[-255, 0]`` inhibitory,
    ``[-256, 255]`` mixed."""
    top = 2 ** WEIGHT_BITS - 1
    if sign_mode == "excitatory":
        return np.clip(weights, 0, top)
    if sign_mode == "inhibitory":
        return np.clip(weights, -top, 0)
    return np.clip(weights, -(2 ** WEIGHT_BITS), top)


def truncate_weights(weights, sign_mode: str | None, num_weight_bits: int = WEIGHT_BITS) -> np.ndarray:
    """Lava's ``truncate_weights``: the low ``8 - num_weight_bits`` bits dropped, one more when signs
    are mixed (an arithmetic shift, so mixed negatives round down; inhibitory weights are shifted
    as magnitudes). int64."""
    w = np.asarray(weights, dtype=np.int64)
    sign = -1 if sign_mode == "inhibitory" else 1
    drop = WEIGHT_BITS - int(num_weight_bits) + int(sign_mode is None)
    return sign * np.left_shift(np.right_shift(sign * w, drop), drop)


def dense_weights(weights, num_weight_bits: int = WEIGHT_BITS) -> np.ndarray:
    """The integer weights a bit-accurate Dense uses, as Lava makes them on its first step: clipped
    (:func:`clip_weights`) then truncated (:func:`truncate_weights`) in the inferred sign mode."""
    mode = sign_mode_of(weights)
    return truncate_weights(clip_weights(np.asarray(weights, dtype=np.int64), mode), mode, num_weight_bits)


def dense_output(active_sum, weight_exp: int):
    """``a = sum << weight_exp`` (an arithmetic ``>>`` for a negative exponent, i.e. a floor)."""
    if weight_exp == 0:
        return active_sum
    return active_sum * 2.0 ** weight_exp if weight_exp > 0 else np.floor(active_sum / 2.0 ** -weight_exp)


def intrinsic_parameters(eta: float, target_rate: float, theta_min: float, dt: float, scale: float,
                         vth) -> dict:
    """Intrinsic plasticity in fixed point (``GeneralLIF`` keyword arguments): the adapting
    threshold ``vth_fine`` is the effective threshold ``vth << 6`` with 4 more fractional bits, and
    ``eta`` (per spike), ``eta * target_rate * dt`` (per step) and ``theta_min`` (membrane units;
    ``target_rate`` in Hz, ``dt`` in s) are rounded to the same units (``scale``: v units per
    membrane unit, :attr:`~engram_nm.loihi.quantize.QuantizedLayer.scale`)."""
    fine = scale * 2 ** IP_FRACTION_BITS
    return dict(ip_eta=int(round(eta * fine)), ip_target=int(round(eta * target_rate * dt * fine)),
                ip_theta_min=int(round(theta_min * fine)),
                vth_fine=np.left_shift(np.asarray(vth, dtype=np.int64), VTH_SHIFT + IP_FRACTION_BITS))


def intrinsic_threshold(vth_fine, adapt, theta):
    """This step's threshold: ``vth_fine >> 4`` where the neuron adapts, else ``theta``."""
    return np.where(adapt, np.floor_divide(vth_fine, 2 ** IP_FRACTION_BITS), theta)


def intrinsic_step(vth_fine, spikes, adapt, eta, target, theta_min):
    """After the spike decision: ``vth_fine <- max(theta_min, vth_fine + eta * s - target)`` where
    the neuron adapts (``adapt = eta > 0``)."""
    return np.where(adapt, np.maximum(theta_min, vth_fine + eta * spikes - target), vth_fine)
