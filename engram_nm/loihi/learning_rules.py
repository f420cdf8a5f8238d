"""A :class:`~engram_nm.plasticity.SynapticRule` as a Loihi 2 learning-engine rule.

The engine (Lava's ``Loihi2FLearningRule``; Davies et al., IEEE Micro 2018)
evaluates ``dw`` as a sum of products, each scaled by ``m * 2**e`` with a
mantissa ``m`` in [-8, 7] and an exponent ``e`` in [-7, 8] (Lava 0.10,
``lava/magma/core/learning/product_series.py``: the parser refuses anything
else), so a scale's magnitude lies between 2**-7 and 7 * 2**8, with 3 bits of
precision; factor constants must be integers. What that means per target:

* ``floating_pt``: traces are real numbers, so every trace may be rescaled by a
  factor ``sigma`` (engine impulse = ``sigma * impulse``; a product's scale is
  divided by the sigmas of its trace factors). :func:`float_engine_rule`
  searches the sigmas that make every product's scale representable; when it
  finds them the engine computes the reference's ``dw`` up to float rounding
  ("exact"), otherwise it snaps each scale and reports the relative error.
* ``fixed_pt`` (bit-approximate, as on the chip): weights are integers
  ``K * w`` (8-bit mantissa), traces 7-bit integers with an integer impulse,
  products are right-shifted by ``max(0, sum of factor widths + 4 - 15)``
  (widths: trace 7, w 9), and the new weight is stochastically rounded. So fixed point is
  approximate; :func:`fixed_engine_rule` chooses the scales and reports what
  was rounded, and tests state the measured bound.

Stochastic rounding draws from generators seeded by the rule's ``rng_seed``;
Lava picks a random seed when none is given (the run-to-run variation seen in
docs/lava_edges.md), so we always pass one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import PlasticityError
from engram_nm.loihi import formats as fx
from engram_nm.plasticity.base import SynapticRule, Term

MANTISSA_MIN, MANTISSA_MAX = -(2 ** (fx.SCALE_MANTISSA_BITS - 1)), 2 ** (fx.SCALE_MANTISSA_BITS - 1) - 1  # -8..7
EXP_MIN, EXP_MAX = fx.SCALE_EXP_MIN, fx.SCALE_EXP_MAX
TRACE_MAX_INT = fx.TRACE_MAX
FACTOR_WIDTH = fx.FACTOR_BITS
MANTISSA_WIDTH, ACCUMULATOR_WIDTH = fx.SCALE_MANTISSA_BITS, fx.ACCUMULATOR_BITS
DEFAULT_FIXED_IMPULSE = 16              # Lava's STDPLoihi default x1/y1 impulse
MAX_SEARCH_IMPULSE = 32                 # room for ~4 overlapping impulses before a 7-bit trace saturates

# Every positive scale the engine can hold: m * 2**e, m in 1..7, e in -7..8.
_REPRESENTABLE = np.unique([m * 2.0 ** e for m in range(1, MANTISSA_MAX + 1) for e in range(EXP_MIN, EXP_MAX + 1)])


def snap_coefficient(value: float) -> tuple[int, int, float]:
    """Nearest ``m * 2**e`` to ``value``: returns ``(m, e, m * 2**e)``.

    Among equally close choices the one with the smallest ``|m|`` wins.
    Values beyond the range saturate; tiny values round to ``(0, 0, 0.0)``.
    """
    if value == 0 or not np.isfinite(value):
        return 0, 0, 0.0
    best = (np.inf, 0, 0)
    for e in range(EXP_MIN, EXP_MAX + 1):
        step = 2.0 ** e
        m = int(np.clip(np.round(value / step), MANTISSA_MIN, MANTISSA_MAX))
        err = abs(m * step - value)
        if err < best[0] or (err == best[0] and abs(m) < abs(best[1])):
            best = (err, m, e)
    _, m, e = best
    return (0, 0, 0.0) if m == 0 else (m, e, m * 2.0 ** e)


def _snap_error(values: np.ndarray) -> np.ndarray:
    """Vectorised relative snapping error of ``values`` (any shape)."""
    best = np.full(values.shape, np.inf)
    for e in range(EXP_MIN, EXP_MAX + 1):
        step = 2.0 ** e
        m = np.clip(np.round(values / step), MANTISSA_MIN, MANTISSA_MAX)
        best = np.minimum(best, np.abs(m * step - values))
    scale = np.where(values == 0, 1.0, np.abs(values))
    return best / scale


@dataclass
class CoefficientRow:
    term: str
    wanted: float
    engine: float

    @property
    def relative_error(self) -> float:
        return 0.0 if self.wanted == 0 else abs(self.engine - self.wanted) / abs(self.wanted)


@dataclass(frozen=True)
class EngineProduct:
    """One product of the engine's sum: ``mantissa * 2**exponent * dependency * prod(factors)``.

    ``dependency`` is ``x0``, ``y0`` or ``u`` (every epoch); ``factors`` are trace names and
    ``w``. The scale is kept as Lava's parser leaves it (a mantissa of -8 becomes -4 with the
    exponent one up while the exponent is below 8), because in fixed point the product is shifted
    right before the exponent's left shift, so the two spellings round differently.
    """

    dependency: str
    factors: tuple
    mantissa: int
    exponent: int

    @property
    def scale(self) -> float:
        return self.mantissa * 2.0 ** self.exponent

    def lava_string(self) -> str:
        dep = "u0" if self.dependency == "u" else self.dependency
        return " * ".join([f"({self.mantissa})", f"2^{self.exponent}", dep, *self.factors])


def _parsed_scale(m: int, e: int) -> tuple[int, int]:
    """``(m, e)`` as Lava's product parser normalises it (``product_series._generate_product``)."""
    while abs(m) > MANTISSA_MAX and m % 2 == 0 and e < EXP_MAX:
        m, e = m // 2, e + 1
    return m, e


@dataclass
class EngineRule:
    """What goes to Lava's ``Loihi2FLearningRule``, and how faithful it is.

    ``products`` is the rule as the engine evaluates it (``dw`` is their sum, written for Lava);
    ``trace_scale[name]`` multiplies the reference trace to give the engine's;
    ``weight_scale`` multiplies reference weights (1 in float).
    """

    tag: str
    products: list
    impulses: dict
    taus: dict
    trace_scale: dict
    weight_scale: float
    coefficients: list
    sign_mode: str | None
    limits: list = field(default_factory=list)

    @property
    def dw(self) -> str:
        """The products as the string ``Loihi2FLearningRule`` parses."""
        return " + ".join(p.lava_string() for p in self.products)

    @property
    def max_relative_error(self) -> float:
        return max((row.relative_error for row in self.coefficients), default=0.0)

    @property
    def exact(self) -> bool:
        """True when the engine computes the reference rule up to float rounding."""
        return self.tag == "floating_pt" and not self.limits and self.max_relative_error < 1e-12

    def table(self) -> str:
        lines = [f"learning rule on {self.tag}: dw = {self.dw}",
                 "| product | wanted | engine | rel. error |", "|---|---|---|---|"]
        for row in self.coefficients:
            lines.append(f"| {row.term} | {row.wanted:.6g} | {row.engine:.6g} | {row.relative_error:.2e} |")
        for limit in self.limits:
            lines.append(f"* {limit}")
        return "\n".join(lines)

    def to_lava(self, rng_seed: int):
        """A ``Loihi2FLearningRule`` with a fixed seed (reproducible stochastic rounding)."""
        from engram_nm.lava_compat import lava

        kwargs = {}
        for name in self.impulses:
            kwargs[f"{name}_impulse"] = self.impulses[name]
            kwargs[f"{name}_tau"] = self.taus[name]
        return lava.Loihi2FLearningRule(dw=self.dw, t_epoch=1, rng_seed=int(rng_seed), **kwargs)

    def lava_sign_mode(self):
        from engram_nm.lava_compat import lava

        return {"excitatory": lava.SignMode.EXCITATORY, "inhibitory": lava.SignMode.INHIBITORY,
                None: lava.SignMode.MIXED}[self.sign_mode]


def _trace_factors(term: Term) -> list:
    return [f for f in term.factors if f != "w"]


def _check_rule(rule: SynapticRule, dt: float) -> list:
    terms = [t for t in rule.terms(dt) if t.coefficient != 0]
    if not terms:
        raise PlasticityError(f"{rule.name}: every product of the rule is zero; nothing to learn")
    used = {f for t in terms for f in _trace_factors(t)}
    missing = used - set(rule.traces())
    if missing:
        raise PlasticityError(f"{rule.name}: products read traces {sorted(missing)} the rule does not define")
    return terms


def _engine(rule, dt, tag, terms, sigma, weight_scale, shifts) -> EngineRule:
    traces = rule.traces()
    parts, rows, limits = [], [], list(rule.engine_limits())
    for term, shift in zip(terms, shifts):
        scale = np.prod([sigma[f] for f in _trace_factors(term)]) if _trace_factors(term) else 1.0
        n_w = term.factors.count("w")
        wanted = term.coefficient * weight_scale ** (1 - n_w) * 2.0 ** shift / scale
        m, e, got = snap_coefficient(wanted)
        rows.append(CoefficientRow(term.describe(), wanted, got))
        if m != 0:
            parts.append(EngineProduct(term.dependency, tuple(term.factors), *_parsed_scale(m, e)))
        else:
            limits.append(f"product {term.describe()} is below the engine's smallest scale on {tag} "
                          f"(needs |scale| >= {2.0 ** (EXP_MIN - 1):.3g}, has {wanted:.3g}): dropped")
    if not parts:
        raise PlasticityError(f"{rule.name}: every product rounds to zero on {tag}; "
                              "raise the learning rate or the weight scale")
    used = sorted({f for t in terms for f in _trace_factors(t)})
    impulses = {n: sigma[n] * traces[n].impulse for n in used}
    taus = {n: traces[n].tau_steps(dt) for n in used}
    return EngineRule(tag=tag, products=parts, impulses=impulses, taus=taus,
                      trace_scale={n: sigma[n] for n in used}, weight_scale=weight_scale,
                      coefficients=rows, sign_mode=rule.sign_mode(), limits=limits)


def float_engine_rule(rule: SynapticRule, dt: float) -> EngineRule:
    """The rule for Lava's ``floating_pt`` learning engine, with trace scales searched for exactness.

    Candidate scales for a trace are ``|c| / r`` for each product scale ``c``
    that reads it and each representable ``r`` (plus 1): when some choice makes
    every product representable, the engine is exact. Among equally good
    choices, scales nearest 1 win.
    """
    terms = _check_rule(rule, dt)
    used = sorted({f for t in terms for f in _trace_factors(t)})
    if not used:
        return _engine(rule, dt, "floating_pt", terms, {}, 1.0, [0] * len(terms))
    per_trace = []
    for name in used:
        cands = {1.0}
        for t in terms:
            if name in _trace_factors(t):
                cands.update(abs(t.coefficient) / _REPRESENTABLE)
        per_trace.append(np.array(sorted(cands)))
    grids = np.meshgrid(*per_trace, indexing="ij")
    sig = np.stack([g.ravel() for g in grids], axis=1)          # [combos, traces]
    if sig.shape[0] > 2_000_000:
        raise PlasticityError(f"{rule.name}: too many trace-scale candidates to search ({sig.shape[0]})")
    index = {name: i for i, name in enumerate(used)}
    wanted = np.empty((sig.shape[0], len(terms)))
    for j, t in enumerate(terms):
        scale = np.ones(sig.shape[0])
        for f in _trace_factors(t):
            scale = scale * sig[:, index[f]]
        wanted[:, j] = t.coefficient / scale
    errors = _snap_error(wanted)
    distance = np.abs(np.log2(sig)).sum(axis=1)
    best = np.lexsort((distance, np.round(errors.mean(axis=1), 12), np.round(errors.max(axis=1), 12)))[0]
    sigma = {name: float(sig[best, index[name]]) for name in used}
    return _engine(rule, dt, "floating_pt", terms, sigma, 1.0, [0] * len(terms))


def fixed_engine_rule(rule: SynapticRule, dt: float, weight_scale: float,
                      impulse: int | None = None) -> EngineRule:
    """The rule for the bit-approximate ``fixed_pt`` engine, weights scaled by ``weight_scale``.

    Trace impulses are integers in 1..127. With ``impulse=None`` they are
    searched in 1..32 (a 7-bit trace then holds a few overlapping impulses
    before it saturates) to make the product scales representable, preferring
    impulses near Lava's default of 16; an integer fixes them all.
    See the module docstring for the products' shifts and why the result is
    approximate.
    """
    terms = _check_rule(rule, dt)
    traces = rule.traces()
    used = sorted({f for t in terms for f in _trace_factors(t)})
    shifts = [max(0, sum(FACTOR_WIDTH[f] for f in t.factors) + MANTISSA_WIDTH - ACCUMULATOR_WIDTH)
              for t in terms]
    k = float(weight_scale)
    base = np.array([t.coefficient * k ** (1 - t.factors.count("w")) * 2.0 ** sh for t, sh in zip(terms, shifts)])
    if impulse is not None:
        if not 1 <= int(impulse) <= TRACE_MAX_INT:
            raise PlasticityError(f"fixed-point trace impulse must be an integer in 1..{TRACE_MAX_INT}, "
                                  f"got {impulse}")
        chosen = {n: int(impulse) for n in used}
    elif used:
        options = np.arange(1, MAX_SEARCH_IMPULSE + 1, dtype=float)
        grids = np.meshgrid(*[options] * len(used), indexing="ij") if len(used) <= 2 else \
            np.meshgrid(*[np.array([DEFAULT_FIXED_IMPULSE], float)] * len(used), indexing="ij")
        imp = np.stack([g.ravel() for g in grids], axis=1)
        index = {n: i for i, n in enumerate(used)}
        wanted = np.empty((imp.shape[0], len(terms)))
        for j, t in enumerate(terms):
            scale = np.ones(imp.shape[0])
            for f in _trace_factors(t):
                scale = scale * imp[:, index[f]] / traces[f].impulse
            wanted[:, j] = base[j] / scale
        errors = _snap_error(wanted)
        distance = np.abs(np.log2(imp / DEFAULT_FIXED_IMPULSE)).sum(axis=1)
        best = np.lexsort((distance, np.round(errors.mean(axis=1), 3), np.round(errors.max(axis=1), 3)))[0]
        chosen = {n: int(imp[best, index[n]]) for n in used}
    else:
        chosen = {}
    sigma = {n: chosen[n] / traces[n].impulse for n in used}
    engine = _engine(rule, dt, "fixed_pt", terms, sigma, k, shifts)
    engine.impulses = dict(chosen)
    engine.limits.append("fixed point: 7-bit traces with stochastic decay, 8-bit weights with stochastic "
                         "rounding, products truncated to 15 bits")
    for n in used:
        peak = traces[n].impulse / (1.0 - traces[n].decay(dt)) * sigma[n]
        if peak > TRACE_MAX_INT:
            engine.limits.append(f"trace {n} saturates at {TRACE_MAX_INT} above "
                                 f"{TRACE_MAX_INT / peak:.0%} of the maximum rate")
    return engine


def default_weight_scale(rule: SynapticRule, w0: np.ndarray) -> float:
    """Integer weight per unit weight for fixed point: a power of two that maps the largest
    weight in sight (initial or bound) to 64..127, leaving room for learning to grow it."""
    reach = max([float(np.max(np.abs(w0))) if w0.size else 0.0]
                + [abs(b) for b in (rule.w_min, rule.w_max) if b is not None])
    return 2.0 ** np.floor(np.log2(127.0 / reach)) if reach > 0 else 64.0


def fixed_engine_start(rule: SynapticRule, w0: np.ndarray, dt: float, weight_scale: float | None = None) -> tuple:
    """``(engine rule, weight scale, integer weights)`` of a projection starting at ``w0`` (spec
    units) on the fixed-point engine: ``weight_scale`` defaults to :func:`default_weight_scale`;
    the weights are ``round(w0 * scale)`` clipped to the engine's 8-bit magnitude."""
    scale = float(weight_scale or default_weight_scale(rule, w0))
    top = 2 ** fx.WEIGHT_BITS - 1
    weights = np.clip(np.round(np.asarray(w0) * scale), -top, top).astype(np.int32)
    return fixed_engine_rule(rule, dt, scale), scale, weights
