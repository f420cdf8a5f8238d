"""Loihi 2 fixed-point formats, as Lava's bit-accurate models implement them.

Source: lava-nc 0.10.0, ``lava/proc/lif/models.py`` (``AbstractPyLifModelFixed``,
``PyLifModelBitAcc``) and ``lava/proc/dense/models.py`` +
``lava/utils/weightutils.py`` (``clip_weights``, ``truncate_weights``).
"""

from __future__ import annotations

WEIGHT_BITS = 8          # Dense weight magnitude bits (num_weight_bits)
# Mixed-sign weights: clipped to [-256, 255] then 1 LSB truncated -> even values.
MIXED_WEIGHT_MAX = 254
MIXED_WEIGHT_MIN = -256
EXC_WEIGHT_MAX = 255     # all-positive (or all-negative) matrices keep 8 bits
WEIGHT_EXP_RANGE = (-8, 7)
VTH_BITS = 17            # unsigned threshold mantissa (0 .. 131071)
VTH_MAX = 2 ** VTH_BITS - 1
BIAS_MANT_BITS = 13      # signed bias mantissa (-4096 .. 4095)
BIAS_MANT_MAX = 2 ** (BIAS_MANT_BITS - 1) - 1
BIAS_MANT_MIN = -(2 ** (BIAS_MANT_BITS - 1))
BIAS_EXP_MAX = 7         # unsigned 3-bit exponent
DECAY_BITS = 12          # du, dv (0 .. 4095); decay factor (4096 - d) / 4096
DECAY_MAX = 2 ** DECAY_BITS - 1
DS_OFFSET = 1            # added to du by the model (du = 4095 -> u forgotten each step)
ACT_SHIFT = 6            # synaptic input and threshold are << 6 in u/v units
UV_MAX = 2 ** 23 - 1     # 24-bit signed state
