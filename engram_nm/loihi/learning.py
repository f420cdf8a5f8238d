"""Loihi 2's learning engine in fixed point, without Lava: what a ``LearningDense`` learns on ``cpu-fixed``.

Source of the arithmetic: lava-nc 0.10.0 ``lava/magma/core/model/py/connection.py``
(``LearningConnectionModelBitApproximate``), ``lava/magma/core/learning/learning_rule_applier.py``
(``LearningRuleApplierBitApprox``), ``.../learning/random.py`` and ``.../learning/utils.py``; the
widths are in :mod:`engram_nm.loihi.formats`. One step with a learning epoch of one step
(the only epoch :mod:`engram_nm.loihi.learning_rules` builds), all integers:

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

from engram_nm.loihi.arithmetic import SIGN_MODES, clip_weights, truncate_weights
from engram_nm.errors import PlasticityError
from engram_nm.loihi import formats as fx

ACCUMULATOR_MAX = 2 ** fx.ACCUMULATOR_BITS - 1
ACCUMULATOR_MIN = -(2 ** fx.ACCUMULATOR_BITS) - 1   # Lava's bound (one below the 16-bit minimum)
ROUND_UNIT = 2 ** (fx.ACCUMULATOR_BITS - fx.WEIGHT_BITS)  # acc units per weight LSB before the shift
PRE_TRACES, POST_TRACES = ("x1", "x2"), ("y1", "y2", "y3")


def _impulse_parts(impulse: float) -> tuple[int, int]:
    """An impulse as Lava keeps it: ``(floor, round(fraction * 2**8))``."""
    whole = int(np.floor(impulse))
    return whole, int(np.round((impulse - whole) * 2 ** fx.TRACE_FRACTION_BITS))


class EngineRandoms:
    """The random numbers of ``LearningDense`` engines seeded ``seeds`` (one per member), step by step
    (module docstring): per step and seed, the pre and post traces' decay and impulse draws; the
    rounding draw comes from one stream that every seed shares (Lava seeds it 2 whatever the rule's
    seed is).

    Draws come in blocks (``rng.random(n)`` gives the same numbers as ``n`` calls of
    ``rng.random(1)``); impulse draws, whose integer calls do not batch the same way, are made one
    by one and only when an impulse has a fraction (otherwise they can never change a trace).
    """

    BLOCK = 512  # steps per refill

    def __init__(self, seeds, fractional_impulses: bool):
        seeds = [int(s) for s in seeds]
        self._decay = {"x": [np.random.default_rng(s) for s in seeds],
                       "y": [np.random.default_rng(s + 2) for s in seeds]}
        self._impulse = {"x": [np.random.default_rng(s + 1) for s in seeds],
                         "y": [np.random.default_rng(s + 3) for s in seeds]}
        self._round = np.random.default_rng(fx.CONN_RANDOM_SEED)
        self._fractional = fractional_impulses
        for side in ("x", "y"):  # the draws made when Lava constructs the generators
            for rng in self._decay[side]:
                rng.random(1)
            self._impulse_draws(side)
        self._round.random(1)
        self._at = self.BLOCK

    def _refill(self) -> None:
        # recv_traces advances each trace generator twice per step: a step uses the second draw
        self._decays = {side: np.stack([rng.random(2 * self.BLOCK)[1::2] for rng in rngs])
                        for side, rngs in self._decay.items()}  # [seeds, BLOCK]
        self._rounds = self._round.random(self.BLOCK)
        self._at = 0

    def _impulse_draws(self, side: str) -> np.ndarray:
        if not self._fractional:
            return np.zeros(len(self._impulse[side]), dtype=np.int64)
        return np.array([rng.integers(0, 2 ** fx.TRACE_BITS, size=1, dtype=int)[0] for rng in self._impulse[side]])

    def step(self) -> tuple:
        """``(x decay [seeds], x impulse [seeds], y decay, y impulse, round)`` of the next step."""
        if self._at == self.BLOCK:
            self._refill()
        i, self._at = self._at, self._at + 1
        out = []
        for side in ("x", "y"):
            self._impulse_draws(side)
            out += [self._decays[side][:, i], self._impulse_draws(side)]
        return (*out, self._rounds[i])


def _product_bound(product) -> int:
    """The largest ``|value|`` a product can reach before its clip: traces <= 127, ``|w| <= 256``."""
    magnitude = abs(product.mantissa)
    for factor in product.factors:
        magnitude *= 2 ** fx.WEIGHT_BITS if factor == "w" else fx.TRACE_MAX
    widths = sum(fx.FACTOR_BITS[f] for f in product.factors) + fx.SCALE_MANTISSA_BITS
    return ((magnitude >> max(0, widths - fx.ACCUMULATOR_BITS)) + 1) << (product.exponent + fx.ACCUMULATOR_SHIFT)


def _decay_factor(tau: float) -> float:
    """``exp(-1 / tau)`` as Lava computes it (on an array of taus), 0 for an unused trace."""
    return 0.0 if tau == 0 else float(np.exp(-1 / np.array([[tau]]))[0, 0])


def _decayed(trace: np.ndarray, factor: float, r_decay) -> np.ndarray:
    """Stochastic decay of one step (Lava's ``_decay_trace``: the same float product, floored,
    plus one where the random number is below the fraction). An unused trace (factor 0) stays 0."""
    exact = factor * trace
    return (np.floor(exact) + (r_decay < exact % 1)).astype(np.int64)


class FixedLearningEngine:
    """One projection's learning on the fixed-point engine (module docstring), any leading axes.

    ``rule`` is a ``fixed_pt`` :class:`~engram_nm.loihi.learning_rules.EngineRule`; ``weights``
    the integer weights as given to the ``LearningDense`` (``[..., n_post, n_pre]``); they are
    truncated as Lava does on its first step (:func:`~engram_nm.loihi.arithmetic.truncate_weights`;
    a LearningDense does not clip them first). :attr:`weights` holds the current integers.
    """

    def __init__(self, rule, weights, rng_seed: int, num_weight_bits: int = fx.WEIGHT_BITS):
        if rule.tag != "fixed_pt":
            raise PlasticityError(f"the fixed-point engine needs a fixed_pt rule, got {rule.tag!r}")
        if rule.sign_mode not in SIGN_MODES:
            raise PlasticityError(f"unknown sign mode {rule.sign_mode!r}; use one of {SIGN_MODES}")
        self.rule = rule
        self.sign_mode = rule.sign_mode
        # C order: members reshape to one axis as a view, so in-place updates land in the weights
        self.weights = np.ascontiguousarray(truncate_weights(weights, self.sign_mode, num_weight_bits))
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
        self.randoms = EngineRandoms(seeds, any(frac for _, frac in self.impulses.values()))
        self.members = seeds.size
        self._decay_factors = {n: _decay_factor(tau) for n, tau in self.taus.items()}
        self._product_fits = {id(p): _product_bound(p) <= ACCUMULATOR_MAX for p in rule.products}
        self.active_traces = [n for n in PRE_TRACES + POST_TRACES if self.taus[n] != 0 or self.impulses[n] != (0, 0)]
        self.dependencies = {p.dependency for p in rule.products}
        # Until every weight lies in its sign mode's 8-bit range, a step changes every synapse (the
        # bound applies to all); afterwards only synapses with a nonzero product change.
        self._all_in_range = bool(np.array_equal(clip_weights(self.weights, self.sign_mode), self.weights))
        # When every product reads a post trace, a synapse whose post traces are all zero gets a zero
        # product and keeps its weight: only the rows of posts with a nonzero trace can change.
        # The same holds for columns when every product reads a pre trace.
        self._post_factors = sorted({f for p in rule.products for f in p.factors if f in POST_TRACES})
        self._post_gated = all(any(f in POST_TRACES for f in p.factors) for p in rule.products)
        self._pre_factors = sorted({f for p in rule.products for f in p.factors if f in PRE_TRACES})
        self._pre_gated = all(any(f in PRE_TRACES for f in p.factors) for p in rule.products)
        self.last_changes: list = []  # what the last step rewrote: ("rows"|"cols", members, indices); None: all

    def _draws(self) -> tuple:
        """This step's random numbers shaped to broadcast over the members (one per seed):
        ``(x decay, x impulse, y decay, y impulse)`` over traces and ``round`` over weights."""
        *per_trace, r_round = self.randoms.step()
        if self.members == 1:
            return tuple(r[0] for r in per_trace), r_round
        over_traces = (self.members,) + (1,) * (self.weights.ndim - 2)  # [members..., n]
        return tuple(r.reshape(over_traces) for r in per_trace), r_round

    def _update_traces(self, x0, y0, randoms) -> None:
        r_xd, r_xi, r_yd, r_yi = randoms
        any_spike = {"x": bool(x0.any()), "y": bool(y0.any())}
        for name in self.active_traces:
            spikes, r_decay, r_impulse = (x0, r_xd, r_xi) if name in PRE_TRACES else (y0, r_yd, r_yi)
            if not any_spike[name[0]] and not self.traces[name].any():
                continue  # zero decays to exactly zero (no fraction to round up)
            trace = _decayed(self.traces[name], self._decay_factors[name], r_decay)
            whole, frac = self.impulses[name]
            bumped = np.clip(trace + whole + (r_impulse < frac), 0, fx.TRACE_MAX)
            self.traces[name] = np.where(spikes, bumped, trace)

    def _product(self, product, x0, y0, w, pre, post) -> np.ndarray:
        """One product on a set of synapses with weights ``w``: ``pre(v)`` / ``post(v)`` lay a pre /
        post vector ``v [..., n]`` (spikes or a trace) along that set. Factors are not clipped to
        their widths: traces (0..127) and weights (-256..255) always fit them."""
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
        if self._product_fits[id(product)]:
            return value  # its largest value fits the accumulator: the clip would change nothing
        return np.clip(value, ACCUMULATOR_MIN, ACCUMULATOR_MAX)

    def _learned(self, w, x0, y0, pre, post, r_round: float) -> np.ndarray:
        """The weights ``w`` of a set of synapses after this step (module docstring, 2-3)."""
        acc = np.left_shift(w, fx.ACCUMULATOR_SHIFT)
        for product in self.rule.products:
            acc = np.clip(acc + self._product(product, x0, y0, w, pre, post), ACCUMULATOR_MIN, ACCUMULATOR_MAX)
        if self.sign_mode == "excitatory":
            acc = np.maximum(acc, 0)
        elif self.sign_mode == "inhibitory":
            acc = np.minimum(acc, 0)
        scaled = acc / ROUND_UNIT
        rounded = (np.floor(scaled) + (r_round < scaled % 1)).astype(np.int64) * ROUND_UNIT
        return clip_weights(np.right_shift(rounded, fx.ACCUMULATOR_SHIFT), self.sign_mode)

    def _nonzero(self, names: list, shape: tuple) -> np.ndarray:
        """Where any of the traces ``names`` is nonzero (bool, ``shape``)."""
        out = np.zeros(shape, dtype=bool)
        for name in names:
            out |= self.traces[name] != 0
        return out

    def step(self, pre, post) -> np.ndarray:
        """Learn from this step's spikes ``pre [..., n_pre]`` and ``post [..., n_post]`` (bool);
        returns the new weights (also :attr:`weights`, changed in place except on a full update).

        Only synapses whose products can be nonzero are computed: for each member, the rows of
        its posts that spiked (``y0`` products, all columns) and the columns of its pres that
        spiked (``x0`` products, the other rows). For every other synapse the engine's arithmetic
        gives back the weight it had (``acc = w << 7`` rounds to ``w``), so the result is the same
        as computing all of them. A ``u`` product, or weights outside their sign mode's range,
        reach every synapse, unless every product reads a post trace (then only the rows of posts
        whose traces are nonzero) or a pre trace (the columns of pres whose traces are nonzero).
        """
        lead, (n_post, n_pre) = self.weights.shape[:-2], self.weights.shape[-2:]
        x0, y0 = np.asarray(pre, dtype=bool), np.asarray(post, dtype=bool)
        if x0.shape != lead + (n_pre,):
            x0 = np.broadcast_to(x0, lead + (n_pre,))
        if y0.shape != lead + (n_post,):
            y0 = np.broadcast_to(y0, lead + (n_post,))
        trace_randoms, r_round = self._draws()
        self._update_traces(x0, y0, trace_randoms)
        flat = lambda v: v.reshape(-1, v.shape[-1])  # noqa: E731 - members on one axis
        if self._all_in_range and "u" in self.dependencies and self._post_gated:
            member, row = np.nonzero(flat(self._nonzero(self._post_factors, lead + (n_post,))))
            w_flat = self.weights.reshape(-1, n_post, n_pre)
            self.last_changes = []
            if member.size:  # [P, n_pre]: the rows of posts with a nonzero trace
                w_flat[member, row] = self._learned(w_flat[member, row], x0, y0, lambda v: flat(v)[member],
                                                    lambda v: flat(v)[member, row][:, None], r_round)
                self.last_changes.append(("rows", member, row))
            return self.weights
        if self._all_in_range and "u" in self.dependencies and self._pre_gated:
            member, col = np.nonzero(flat(self._nonzero(self._pre_factors, lead + (n_pre,))))
            w_flat = self.weights.reshape(-1, n_post, n_pre)
            self.last_changes = []
            if member.size:  # [Q, n_post]: the columns of pres with a nonzero trace
                w_flat[member, :, col] = self._learned(w_flat[member, :, col], x0, y0,
                                                       lambda v: flat(v)[member, col][:, None],
                                                       lambda v: flat(v)[member], r_round)
                self.last_changes.append(("cols", member, col))
            return self.weights
        if "u" in self.dependencies or not self._all_in_range:
            self.weights = np.ascontiguousarray(self._learned(self.weights, x0, y0, lambda v: v[..., None, :],
                                                              lambda v: v[..., :, None], r_round))
            self._all_in_range = True
            self.last_changes = [None]
            return self.weights
        w_flat = self.weights.reshape(-1, n_post, n_pre)  # a view: writes land in self.weights
        self.last_changes = []
        if "y0" in self.dependencies:
            member, row = np.nonzero(flat(y0))
            if member.size:  # [P, n_pre]: each spiking post's row in its member
                new = self._learned(w_flat[member, row], x0, y0, lambda v: flat(v)[member],
                                    lambda v: flat(v)[member, row][:, None], r_round)
                w_flat[member, row] = new
                self.last_changes.append(("rows", member, row))
        if "x0" in self.dependencies:
            member, col = np.nonzero(flat(x0))
            if member.size:  # [Q, n_post]: each spiking pre's column in its member, rows done above kept
                old = w_flat[member, :, col]
                new = self._learned(old, x0, y0, lambda v: flat(v)[member, col][:, None],
                                    lambda v: flat(v)[member], r_round)
                done = flat(y0)[member] if "y0" in self.dependencies else False
                w_flat[member, :, col] = np.where(done, old, new)
                self.last_changes.append(("cols", member, col))
        return self.weights

    def copy_changes(self, into: np.ndarray) -> None:
        """Copy the synapses the last step rewrote from :attr:`weights` into ``into`` (same shape,
        contiguous), e.g. a transmission copy that follows the weights one step behind."""
        if not into.flags.c_contiguous:
            raise ValueError("copy_changes needs a C-contiguous array (its members reshape to one axis in place)")
        n_post, n_pre = self.weights.shape[-2:]
        source, target = self.weights.reshape(-1, n_post, n_pre), into.reshape(-1, n_post, n_pre)
        for change in self.last_changes:
            if change is None:
                into[...] = self.weights
            elif change[0] == "rows":
                _, member, row = change
                target[member, row] = source[member, row]
            else:
                _, member, col = change
                target[member, :, col] = source[member, :, col]


def emulate_engine_on_spike_trains(rule, w0, pre, post, dt: float, checkpoints=None, seed: int = 0,
                                   weight_scale: float | None = None):
    """The weights ``rule`` learns on the fixed-point engine from ``pre [T, n_pre]`` and
    ``post [T, n_post]``: what :func:`engram_nm.processes.learning_run.run_engine_on_spike_trains`
    returns for ``tag="fixed_pt"`` (same seed, same scale), bit for bit, without Lava.

    Returns a :class:`~engram_nm.plasticity.simulate.PlasticityRun` in spec units (the integer
    weights divided by the scale) at ``checkpoints`` (default: every step).
    """
    from engram_nm.loihi.learning_rules import fixed_engine_start
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
