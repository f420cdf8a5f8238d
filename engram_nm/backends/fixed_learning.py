"""Loihi 2's learning engine in fixed point, without Lava: what a ``LearningDense`` learns on ``cpu-fixed``.

Source of the arithmetic: lava-nc 0.10.0 ``lava/magma/core/model/py/connection.py``
(``LearningConnectionModelBitApproximate``), ``lava/magma/core/learning/learning_rule_applier.py``
(``LearningRuleApplierBitApprox``), ``.../learning/random.py`` and ``.../learning/utils.py``; the
widths are in :mod:`engram_nm.hardware.loihi_fixed`. One step with a learning epoch of one step
(the only epoch :mod:`engram_nm.hardware.learning_rules` builds), all integers:

1. traces, pre ``x`` [n_pre] and post ``y`` [n_post], 7-bit::

       x <- floor(x * exp(-1 / tau)) + [r_decay < frac(x * exp(-1 / tau))]      (stochastic decay)
       x <- clip(x + impulse_int + [r_impulse < impulse_frac], 0, 127)  where the neuron spiked

2. the sum of products into a 16-bit signed accumulator that starts at ``w << 7``; each product::

       p = dependency * prod(clip(factor, -2**width, 2**width - 1)) * mantissa
       p = clip((p >> max(0, sum(widths) + 4 - 15)) << (exponent + 7), -(2**15) - 1, 2**15 - 1)
       acc = clip(acc + p, -(2**15) - 1, 2**15 - 1)

   (dependencies ``x0``/``y0``: the pre/post neuron spiked this step; ``u``: 1; traces are read
   after step 1, so a pre and a post spike of one step see each other's impulse);
3. the sign mode's bound (excitatory ``acc >= 0``, inhibitory ``acc <= 0``), stochastic
   rounding of ``acc / 2**7`` with one shared random number ``r_round`` in [0, 1), and the 8-bit
   clip of the weight: ``[0, 255]`` (excitatory), ``[-255, 0]`` (inhibitory), ``[-256, 255]``.

The random numbers are Lava's own streams, so the weights are bit-exact: one engine seeded
``s`` draws ``r_decay`` / ``r_impulse`` of the pre traces from ``default_rng(s)`` /
``default_rng(s + 1)``, of the post traces from ``s + 2`` / ``s + 3`` (one number shared by all
neurons of a step, the second of two draws per step after one at construction) and ``r_round``
from ``default_rng(2)`` whatever ``s`` is (Lava's ``ConnVarRandom`` keeps its default seed).
Equality with Lava is tested in ``tests/plasticity/test_fixed_learning.py``.

Weights carry any leading axes (networks, samples: ``[..., n_post, n_pre]``): every member learns
alone from its own spikes, with the same random numbers, as each would alone on Lava.
"""

from __future__ import annotations

import numpy as np

from engram_nm.errors import PlasticityError
from engram_nm.hardware import loihi_fixed as fx

ACCUMULATOR_MAX = 2 ** fx.ACCUMULATOR_BITS - 1
ACCUMULATOR_MIN = -(2 ** fx.ACCUMULATOR_BITS) - 1   # Lava's bound (one below the 16-bit minimum)
ROUND_UNIT = 2 ** (fx.ACCUMULATOR_BITS - fx.LEARNING_WEIGHT_BITS)  # acc units per weight LSB before the shift
PRE_TRACES, POST_TRACES = ("x1", "x2"), ("y1", "y2", "y3")
SIGN_MODES = ("excitatory", "inhibitory", None)


def truncate_weights(weights, sign_mode: str | None, num_weight_bits: int = fx.LEARNING_WEIGHT_BITS) -> np.ndarray:
    """The weights a ``LearningDense`` starts from (Lava's ``truncate_weights`` on its first step):
    the low ``8 - num_weight_bits`` bits dropped, one more when signs are mixed (an arithmetic
    shift of the magnitude for inhibitory weights)."""
    w = np.asarray(weights, dtype=np.int64)
    sign = -1 if sign_mode == "inhibitory" else 1
    drop = fx.LEARNING_WEIGHT_BITS - int(num_weight_bits) + int(sign_mode is None)
    return sign * np.left_shift(np.right_shift(sign * w, drop), drop)


def clip_weights(weights: np.ndarray, sign_mode: str | None) -> np.ndarray:
    """The 8-bit bound after learning (Lava's ``clip_weights``, ``learning_simulation=False``)."""
    top = 2 ** fx.LEARNING_WEIGHT_BITS - 1
    if sign_mode == "excitatory":
        return np.clip(weights, 0, top)
    if sign_mode == "inhibitory":
        return np.clip(weights, -top, 0)
    return np.clip(weights, -(2 ** fx.LEARNING_WEIGHT_BITS), top)


def _impulse_parts(impulse: float) -> tuple[int, int]:
    """An impulse as Lava keeps it: ``(floor, round(fraction * 2**8))``."""
    whole = int(np.floor(impulse))
    return whole, int(np.round((impulse - whole) * 2 ** fx.TRACE_FRACTION_BITS))


class EngineRandoms:
    """The random numbers of one ``LearningDense`` seeded ``rng_seed``, step by step (module docstring).

    Draws come in blocks (``rng.random(n)`` gives the same numbers as ``n`` calls of
    ``rng.random(1)``); impulse draws, whose integer calls do not batch the same way, are made one
    by one and only when an impulse has a fraction (otherwise they can never change a trace).
    """

    BLOCK = 1024

    def __init__(self, rng_seed: int, fractional_impulses: bool):
        seed = int(rng_seed)
        self._decay = {"x": np.random.default_rng(seed), "y": np.random.default_rng(seed + 2)}
        self._impulse = {"x": np.random.default_rng(seed + 1), "y": np.random.default_rng(seed + 3)}
        self._round = np.random.default_rng(fx.CONN_RANDOM_SEED)
        self._fractional = fractional_impulses
        self._blocks = {"x": np.empty(0), "y": np.empty(0), "round": np.empty(0)}
        self._at = {"x": 0, "y": 0, "round": 0}
        for side in ("x", "y"):  # the draws made when Lava constructs the generators
            self._take(side, 1)
            self._impulse_draw(side)
        self._take("round", 1)

    def _take(self, stream: str, count: int) -> float:
        """Advance ``stream`` by ``count`` draws and return the last."""
        value = 0.0
        for _ in range(count):
            if self._at[stream] == len(self._blocks[stream]):
                rng = self._round if stream == "round" else self._decay[stream]
                self._blocks[stream], self._at[stream] = rng.random(self.BLOCK), 0
            value = self._blocks[stream][self._at[stream]]
            self._at[stream] += 1
        return value

    def _impulse_draw(self, side: str) -> int:
        if not self._fractional:
            return 0
        return int(self._impulse[side].integers(0, 2 ** fx.TRACE_BITS, size=1, dtype=int)[0])

    def step(self) -> tuple:
        """``(x decay, x impulse, y decay, y impulse, round)`` used by the next step."""
        out = []
        for side in ("x", "y"):  # recv_traces advances both trace generators twice
            self._impulse_draw(side)
            impulse = self._impulse_draw(side)
            out += [self._take(side, 2), impulse]
        return (*out, self._take("round", 1))


def _decayed(trace: np.ndarray, tau: float, r_decay) -> np.ndarray:
    """Stochastic decay of one step (Lava's ``_decay_trace``, with the same float expression)."""
    if tau == 0:  # an unused trace: Lava leaves its history at zero
        return np.zeros_like(trace)
    exact = np.exp(-1 / np.array([[tau]])) * trace[None]
    frac = exact % 1
    return (np.floor(exact) + (r_decay < frac)).astype(np.int64)[0]


class FixedLearningEngine:
    """One projection's learning on the fixed-point engine (module docstring), any leading axes.

    ``rule`` is a ``fixed_pt`` :class:`~engram_nm.hardware.learning_rules.EngineRule`; ``weights``
    the integer weights as given to the ``LearningDense`` (``[..., n_post, n_pre]``); they are
    truncated as Lava does on its first step. :attr:`weights` holds the current integers.
    """

    def __init__(self, rule, weights, rng_seed: int, num_weight_bits: int = fx.LEARNING_WEIGHT_BITS):
        if rule.tag != "fixed_pt":
            raise PlasticityError(f"the fixed-point engine needs a fixed_pt rule, got {rule.tag!r}")
        if rule.sign_mode not in SIGN_MODES:
            raise PlasticityError(f"unknown sign mode {rule.sign_mode!r}; use one of {SIGN_MODES}")
        self.rule = rule
        self.sign_mode = rule.sign_mode
        self.weights = truncate_weights(weights, self.sign_mode, num_weight_bits)
        lead, (n_post, n_pre) = self.weights.shape[:-2], self.weights.shape[-2:]
        self.traces = {n: np.zeros(lead + (n_pre,), np.int64) for n in PRE_TRACES}
        self.traces.update({n: np.zeros(lead + (n_post,), np.int64) for n in POST_TRACES})
        self.taus = {n: float(rule.taus.get(n, 0.0)) for n in PRE_TRACES + POST_TRACES}
        self.impulses = {n: _impulse_parts(float(rule.impulses.get(n, 0.0))) for n in PRE_TRACES + POST_TRACES}
        for product in rule.products:
            widths = sum(fx.FACTOR_BITS[f] for f in product.factors) + fx.SCALE_MANTISSA_BITS
            if widths > 31:  # Lava multiplies in int32; we would not overflow where it does
                raise PlasticityError(f"product {product.lava_string()} needs {widths} bits: it overflows "
                                      "the engine's 32-bit multiply")
        seeds = np.atleast_1d(np.asarray(rng_seed, dtype=np.int64))
        if seeds.ndim != 1 or (seeds.size > 1 and (self.weights.ndim < 3 or self.weights.shape[0] != seeds.size)):
            raise PlasticityError(f"rng_seed: one int, or one per member of the weights' first axis "
                                  f"({self.weights.shape[0] if self.weights.ndim > 2 else 'none'}), got {seeds.size}")
        fractional = any(frac for _, frac in self.impulses.values())
        self.randoms = [EngineRandoms(int(seed), fractional) for seed in seeds]
        self.active_traces = [n for n in PRE_TRACES + POST_TRACES if self.taus[n] != 0 or self.impulses[n] != (0, 0)]
        self.dependencies = {p.dependency for p in rule.products}
        # Until every weight lies in its sign mode's 8-bit range, a step changes every synapse (the
        # bound applies to all); afterwards only synapses with a nonzero product change.
        self._all_in_range = bool(np.array_equal(clip_weights(self.weights, self.sign_mode), self.weights))
        self.last_blocks: list = []  # (rows, cols) index arrays the last step rewrote; None: all

    def _draws(self) -> tuple:
        """This step's random numbers, one per seed, shaped to broadcast over the members:
        ``(x decay, x impulse, y decay, y impulse)`` over traces and ``round`` over weights."""
        draws = np.array([r.step() for r in self.randoms], dtype=np.float64)  # [seeds, 5]
        if len(self.randoms) == 1:
            return tuple(draws[0, :4]), draws[0, 4]
        column = lambda i, ndim: draws[:, i].reshape((len(self.randoms),) + (1,) * (ndim - 1))  # noqa: E731
        traces = self.weights.ndim - 1  # [members..., n]
        return tuple(column(i, traces) for i in range(4)), column(4, self.weights.ndim)

    def _update_traces(self, x0, y0, randoms) -> None:
        r_xd, r_xi, r_yd, r_yi = randoms
        for name in self.active_traces:
            spikes, r_decay, r_impulse = (x0, r_xd, r_xi) if name in PRE_TRACES else (y0, r_yd, r_yi)
            trace = _decayed(self.traces[name], self.taus[name], r_decay)
            whole, frac = self.impulses[name]
            bumped = np.clip(trace + whole + (r_impulse < frac), 0, fx.TRACE_MAX)
            self.traces[name] = np.where(spikes, bumped, trace)

    def _product(self, product, x0, y0, w, rows, cols) -> np.ndarray:
        """One product on the synapses ``rows x cols`` (slices or index arrays). Factors are not
        clipped to their widths: traces (0..127) and weights (-256..255) always fit them."""
        pre = lambda v: v[..., cols][..., None, :]  # noqa: E731 - a pre vector along the block's columns
        post = lambda v: v[..., rows][..., :, None]  # noqa: E731
        dep = {"x0": lambda: pre(x0), "y0": lambda: post(y0), "u": lambda: np.ones((1, 1), bool)}[product.dependency]()
        value = dep.astype(np.int64)
        for factor in product.factors:
            if factor == "w":
                value = value * w
            elif factor in PRE_TRACES:
                value = value * pre(self.traces[factor])
            else:
                value = value * post(self.traces[factor])
        value = value * product.mantissa
        widths = sum(fx.FACTOR_BITS[f] for f in product.factors) + fx.SCALE_MANTISSA_BITS
        value = np.left_shift(np.right_shift(value, max(0, widths - fx.ACCUMULATOR_BITS)),
                              product.exponent + fx.ACCUMULATOR_SHIFT)
        return np.clip(value, ACCUMULATOR_MIN, ACCUMULATOR_MAX)

    def _learned(self, w, x0, y0, rows, cols, r_round: float) -> np.ndarray:
        """The weights ``w`` of the synapses ``rows x cols`` after this step (module docstring, 2-3)."""
        acc = np.left_shift(w, fx.ACCUMULATOR_SHIFT)
        for product in self.rule.products:
            acc = np.clip(acc + self._product(product, x0, y0, w, rows, cols), ACCUMULATOR_MIN, ACCUMULATOR_MAX)
        if self.sign_mode == "excitatory":
            acc = np.maximum(acc, 0)
        elif self.sign_mode == "inhibitory":
            acc = np.minimum(acc, 0)
        scaled = acc / ROUND_UNIT
        rounded = (np.floor(scaled) + (r_round < scaled % 1)).astype(np.int64) * ROUND_UNIT
        return clip_weights(np.right_shift(rounded, fx.ACCUMULATOR_SHIFT), self.sign_mode)

    def _blocks(self, x0, y0) -> list:
        """The synapses this step can change, as blocks ``(rows, cols)``: rows of posts that spiked
        (``y0`` products) and columns of pres that spiked (``x0`` products) in any member; a
        ``u`` product, or weights outside their range, reach every synapse (``None``)."""
        if "u" in self.dependencies or not self._all_in_range:
            return [None]
        n_post, n_pre = self.weights.shape[-2:]
        rows = np.flatnonzero(y0.reshape(-1, n_post).any(axis=0)) if "y0" in self.dependencies else np.zeros(0, int)
        cols = np.flatnonzero(x0.reshape(-1, n_pre).any(axis=0)) if "x0" in self.dependencies else np.zeros(0, int)
        blocks = []
        if rows.size:
            blocks.append((rows, np.arange(n_pre)))
        if cols.size:
            others = np.setdiff1d(np.arange(n_post), rows, assume_unique=True)
            if others.size:
                blocks.append((others, cols))
        return blocks

    def step(self, pre, post) -> np.ndarray:
        """Learn from this step's spikes ``pre [..., n_pre]`` and ``post [..., n_post]`` (bool);
        returns the new weights (also :attr:`weights`, changed in place except on a full update).

        Only synapses whose products can be nonzero are computed (:meth:`_blocks`): for every other
        synapse the engine's arithmetic gives back the weight it had (``acc = w << 7`` rounds to
        ``w``), so the result is the same as computing all of them.
        """
        x0, y0 = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
        trace_randoms, r_round = self._draws()
        self._update_traces(x0, y0, trace_randoms)
        self.last_blocks = self._blocks(x0, y0)
        for block in self.last_blocks:
            if block is None:
                self.weights = self._learned(self.weights, x0, y0, slice(None), slice(None), r_round)
                self._all_in_range = True
                continue
            rows, cols = block
            grid = (..., rows[:, None], cols[None, :])
            self.weights[grid] = self._learned(self.weights[grid], x0, y0, rows, cols, r_round)
        return self.weights


def emulate_engine_on_spike_trains(rule, w0, pre, post, dt: float, checkpoints=None, seed: int = 0,
                                   weight_scale: float | None = None):
    """The weights ``rule`` learns on the fixed-point engine from ``pre [T, n_pre]`` and
    ``post [T, n_post]``: what :func:`engram_nm.processes.learning_run.run_engine_on_spike_trains`
    returns for ``tag="fixed_pt"`` (same seed, same scale), bit for bit, without Lava.

    Returns a :class:`~engram_nm.plasticity.simulate.PlasticityRun` in spec units (the integer
    weights divided by the scale) at ``checkpoints`` (default: every step).
    """
    from engram_nm.hardware.learning_rules import fixed_engine_start
    from engram_nm.plasticity.simulate import PlasticityRun, check_spike_trains, checkpoint_steps

    w0, pre, post = check_spike_trains(w0, pre, post)
    steps = checkpoint_steps(pre.shape[0], checkpoints)
    rule_on_engine, scale, weights = fixed_engine_start(rule, w0, dt, weight_scale)
    engine = FixedLearningEngine(rule_on_engine, weights, seed)
    out, wanted = [], set(int(s) for s in steps)
    for t in range(pre.shape[0]):
        engine.step(pre[t] > 0, post[t] > 0)
        if t + 1 in wanted:
            out.append(engine.weights / scale)
    return PlasticityRun(steps=steps, weights=np.array(out), traces={})
