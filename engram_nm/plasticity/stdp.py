"""Spike-timing-dependent plasticity: pair-based STDP and inhibitory STDP (Vogels et al. 2011)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from engram_nm.errors import PlasticityError
from engram_nm.plasticity.base import SynapticRule, Term, Trace, check_positive, register


@register
@dataclass(frozen=True)
class PairSTDP(SynapticRule):
    """Pair-based STDP with exponential traces (all-to-all pairing).

    Traces (impulse 1): pre ``x1`` with ``tau_plus``, post ``y1`` with
    ``tau_minus`` (s). Hebbian form, per step::

        dw = A+ * x1 * y0  -  A- * y1 * x0

    (potentiation when the post spike follows pre spikes, depression when a pre
    spike follows post spikes). ``anti=True`` swaps the signs: post-after-pre
    depresses (anti-Hebbian STDP, e.g. Bell et al. 1997).

    Bounds: hard (``w_min``/``w_max`` clip after each step) or, with
    ``soft_bounds=True``, multiplicative: potentiation is scaled by
    ``(w_max - w)`` and depression by ``(w - w_min)`` (no clipping), which the
    engine can hold exactly.
    """

    name: ClassVar[str] = "pair_stdp"
    a_plus: float = 0.01
    a_minus: float = 0.012
    tau_plus: float = 20e-3
    tau_minus: float = 20e-3
    anti: bool = False
    soft_bounds: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("STDP a_plus", self.a_plus, allow_zero=True)
        check_positive("STDP a_minus", self.a_minus, allow_zero=True)
        if self.soft_bounds and (self.w_min is None or self.w_max is None):
            raise PlasticityError("soft bounds need both w_min and w_max")

    def traces(self) -> dict:
        return {"x1": Trace(self.tau_plus, 1.0), "y1": Trace(self.tau_minus, 1.0)}

    def _pairs(self, x0, y0, tr):
        """(potentiation, depression) drives of this step, before bounds."""
        causal = self.a_plus * tr["x1"] * y0       # post spike after pre spikes
        acausal = self.a_minus * tr["y1"] * x0     # pre spike after post spikes
        return (acausal, causal) if self.anti else (causal, acausal)

    def dw(self, w, x0, y0, tr, dt):
        up, down = self._pairs(x0, y0, tr)
        if self.soft_bounds:
            return up * (self.w_max - w) - down * (w - self.w_min)
        return up - down

    def apply_bounds(self, w):
        return w if self.soft_bounds else super().apply_bounds(w)

    def engine_limits(self) -> list:
        return [] if self.soft_bounds else super().engine_limits()

    def terms(self, dt):
        causal = (self.a_plus, "y0", "x1")
        acausal = (self.a_minus, "x0", "y1")
        up, down = (acausal, causal) if self.anti else (causal, acausal)
        if not self.soft_bounds:
            return [Term(up[0], up[1], (up[2],)), Term(-down[0], down[1], (down[2],))]
        return [
            Term(up[0] * self.w_max, up[1], (up[2],)),
            Term(-up[0], up[1], (up[2], "w")),
            Term(-down[0], down[1], (down[2], "w")),
            Term(down[0] * self.w_min, down[1], (down[2],)),
        ]


@register
@dataclass(frozen=True)
class InhibitorySTDP(SynapticRule):
    """Inhibitory STDP of Vogels et al., Science 2011 (symmetric, with a target rate).

    On the magnitude ``m = weight_sign * w >= 0`` of an inhibitory synapse, with
    pre trace ``x1`` and post trace ``y1`` (impulse 1, time constant ``tau``)::

        dm = eta * (y1 - alpha)  on each pre spike   (x0)
        dm = eta * x1            on each post spike  (y0)
        alpha = 2 * rho0 * tau                        (rho0: target post rate, Hz)

    It raises inhibition onto neurons firing above ``rho0`` and lowers it below.
    ``weight_sign = -1`` (default) for Lava's inhibitory Dense, whose weights are
    negative; ``m`` is kept ``>= 0``, i.e. the engine's inhibitory sign mode.
    Source: Vogels, Sprekeler, Zenke, Clopath, Gerstner, Science 334:1569 (2011),
    eq. in the supplementary methods; tau = 20 ms, rho0 = 5 Hz there.
    """

    name: ClassVar[str] = "inhibitory_stdp"
    eta: float = 1e-3
    rho0: float = 5.0
    tau: float = 20e-3
    weight_sign: int = -1

    def __post_init__(self) -> None:
        if self.weight_sign not in (-1, 1):
            raise PlasticityError(f"weight_sign must be -1 (negative inhibitory weights) or +1, got {self.weight_sign}")
        # The magnitude never changes sign: the engine's inhibitory/excitatory sign mode.
        bound = "w_max" if self.weight_sign < 0 else "w_min"
        if getattr(self, bound) is None:
            object.__setattr__(self, bound, 0.0)
        if getattr(self, bound) != 0:
            raise PlasticityError(f"inhibitory STDP with weight_sign={self.weight_sign} keeps {bound} = 0 "
                                  f"(weights never change sign); got {getattr(self, bound)}")
        super().__post_init__()
        check_positive("inhibitory STDP eta", self.eta)
        check_positive("inhibitory STDP rho0", self.rho0, allow_zero=True)

    @property
    def alpha(self) -> float:
        return 2.0 * self.rho0 * self.tau

    def traces(self) -> dict:
        return {"x1": Trace(self.tau, 1.0), "y1": Trace(self.tau, 1.0)}

    def dw(self, w, x0, y0, tr, dt):
        return self.weight_sign * self.eta * ((tr["y1"] - self.alpha) * x0 + tr["x1"] * y0)

    def terms(self, dt):
        s = self.weight_sign * self.eta
        return [Term(s, "x0", ("y1",)), Term(-s * self.alpha, "x0", ()), Term(s, "y0", ("x1",))]
