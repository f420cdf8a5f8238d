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

# Learning engine (lava-nc 0.10.0 ``lava/magma/core/learning/constants.py``; the arithmetic is
# ``LearningConnectionModelBitApproximate`` in ``lava/magma/core/model/py/connection.py``).
TRACE_BITS = 7           # x1, x2, y1, y2, y3: unsigned 0 .. 127
TRACE_MAX = 2 ** TRACE_BITS - 1
TRACE_FRACTION_BITS = 8  # an impulse's fraction is kept as round(frac * 2**8)
SCALE_MANTISSA_BITS = 4  # a product's scale m * 2**e: m in -8..7 ...
SCALE_EXP_MIN, SCALE_EXP_MAX = -7, 8   # ... e in -7..8 (stored as e + 7)
ACCUMULATOR_BITS = 15    # unsigned width of the dw accumulator (signed: 16)
LEARNING_WEIGHT_SIGNED_BITS = WEIGHT_BITS + 1  # weights: 8-bit magnitude, 9 bits signed (a w factor's width)
ACCUMULATOR_SHIFT = ACCUMULATOR_BITS + 1 - LEARNING_WEIGHT_SIGNED_BITS  # w << 7 in the accumulator
FACTOR_BITS = {"x0": 1, "y0": 1, "x1": TRACE_BITS, "x2": TRACE_BITS, "y1": TRACE_BITS, "y2": TRACE_BITS,
               "y3": TRACE_BITS, "w": LEARNING_WEIGHT_SIGNED_BITS}
CONN_RANDOM_SEED = 2     # ConnVarRandom's default seed: Loihi2FLearningRule never passes rng_seed to it

# Sigma-delta neurons and graded spikes (lava-nc 0.10.0 ``lava/proc/sdn/models.py``,
# ``PySigmaDeltaModelFixed``: sigma, act, residue and vth are 24-bit, the bias 16-bit; the payload
# leaves as ``delta >> state_exp``; ``lava/proc/dense/models.py``: a graded Dense computes
# ``weights.dot(payloads)`` in int32).
SD_STATE_BITS = 24
SD_VTH_MAX = 2 ** (SD_STATE_BITS - 1) - 1
SD_BIAS_MAX = 2 ** 15 - 1
SD_STATE_EXP_MAX = 7     # 3-bit state_exp
PAYLOAD_LEVELS = 64      # our choice: a payload at threshold is about 64 integer steps (1.6 % resolution)
SD_LEVELS = 4096         # our choice: a population fed by graded spikes only resolves its threshold in 4096 steps
