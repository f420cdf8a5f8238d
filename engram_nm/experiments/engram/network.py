"""The excitatory/inhibitory engram network: one spec, every backend.

Populations (a chain plus one extra projection, :mod:`engram_nm.projection`)::

    sensory channels ──W_in──▶ E ──W_EI──▶ I
                               ▲ └W_EE┘     │
                               └─── W_IE ───┘   (negative)

* ``E``: LIF, recurrent ``W_EE`` under soft-bounded pair STDP (potentiation
  dominates, so neurons that fire together wire together and nothing else
  changes: an inactive pre or post neuron leaves its synapses alone).
* ``I``: LIF, driven by ``E`` through fixed ``W_EI``.
* ``I -> E``: inhibitory STDP of Vogels et al. (2011), which raises inhibition
  onto E neurons firing above ``rho0`` and lowers it below: the homeostat that
  keeps rates bounded while engrams strengthen.

Every weight is dimensionless (one pre spike adds ``w`` to ``u``; thresholds
are 1). Structure and time constants follow the balanced E/I networks with
inhibitory plasticity of Vogels, Sprekeler, Zenke, Clopath & Gerstner,
Science 334:1569 (2011) — 4:1 E:I, membrane and iSTDP time constants of
20 ms — and the assembly-forming networks of Litwin-Kumar & Doiron, Nat.
Commun. 5:5319 (2014) and Zenke, Agnes & Gerstner, Nat. Commun. 6:6922
(2015), scaled down ~40× (hundreds of neurons, 1 ms steps) so a protocol runs
in seconds on 2 cores. The scaled weights and rates were chosen here, not
taken from those papers; they are listed in :class:`EngramNetworkConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.plasticity.layer import LayerPlasticity
from engram_nm.plasticity.stdp import InhibitorySTDP, PairSTDP
from engram_nm.projection import ProjectionSpec
from engram_nm.spec import EngramSpec, LayerSpec

EXC, INH, INH_TO_EXC = "E", "I", "I_to_E"
OUT, EXC_TO_OUT, US_TO_OUT = "O", "E_to_O", "US_to_O"


@dataclass(frozen=True)
class EngramNetworkConfig:
    """Sizes, weights and rules of the E/I engram network (module docstring).

    Sizes: ``n_exc`` E and ``n_inh`` I neurons (4:1, Vogels 2011),
    ``n_channels`` sensory input channels. Connection probabilities ``p_*``
    and weights ``w_*`` (dimensionless, threshold 1). Time constants in s.
    STDP on E->E: ``stdp_a_plus``/``stdp_a_minus`` per pair, soft bounds
    ``[0, w_ee_max]``. iSTDP on I->E: ``istdp_eta``, target rate ``istdp_rho0`` (Hz).

    The defaults were chosen on the numpy reference (seeds 0-2, three memories,
    3 s of offline activity): pattern completion >= 0.9 at half cues, E rates
    bounded with iSTDP and running away without it once ~14 memories are
    stored. ``istdp_rho0 = 12.5 Hz`` (Vogels 2011 used a few Hz) makes the
    rule's constant product ``eta * 2 * rho0 * tau = 2^-7`` representable by
    the learning engine, so both rules run on Lava's learning engine (what
    Loihi 2 has); with 5 Hz it falls back to the CPU-only PlasticDense.
    """

    n_exc: int = 200
    n_inh: int = 50
    n_channels: int = 200
    dt: float = 1e-3
    tau_exc: float = 20e-3            # Vogels 2011: 20 ms
    tau_inh: float = 10e-3            # fast-spiking interneurons (our choice)
    p_in: float | None = None        # None: one private channel per E neuron
    w_in: float = 0.6
    p_ee: float = 0.5
    w_ee_init: float = 0.005
    w_ee_max: float = 0.3
    p_ei: float = 0.3
    w_ei: float = 0.1
    p_ie: float = 0.5
    w_ie_init: float = 0.2
    stdp_a_plus: float = 2 ** -5      # potentiation-dominated: a+ = 2 a-
    stdp_a_minus: float = 2 ** -6
    stdp_tau: float = 20e-3          # Bi & Poo 1998 order of magnitude; Vogels 2011 uses 20 ms
    istdp_eta: float = 2 ** -6
    istdp_rho0: float = 12.5        # Hz; see the class docstring
    istdp_tau: float = 20e-3         # Vogels 2011: 20 ms
    inhibitory_plasticity: bool = True
    n_out: int = 0                   # behavioural read-out cells ("freezing"); 0: no read-out population
    n_us: int = 5                    # unconditioned-stimulus channels (only with n_out > 0)
    p_eo: float = 0.5
    w_eo_init: float = 0.005
    w_eo_max: float = 0.1
    w_us: float = 0.6
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("n_exc", "n_inh", "n_channels"):
            if int(getattr(self, name)) < 1:
                raise SpecError(f"EngramNetworkConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.p_in is None and self.n_channels != self.n_exc:
            raise SpecError(f"with p_in=None every E neuron has its own channel: n_channels must equal "
                            f"n_exc={self.n_exc}, got {self.n_channels}")
        if self.n_out < 0 or (self.n_out and self.n_us < 1):
            raise SpecError(f"EngramNetworkConfig: n_out must be >= 0 and n_us >= 1 with a read-out, got "
                            f"n_out={self.n_out}, n_us={self.n_us}")
        for name in ("p_in", "p_ee", "p_ei", "p_ie", "p_eo"):
            if getattr(self, name) is None and name == "p_in":
                continue
            if not 0.0 < getattr(self, name) <= 1.0:
                raise SpecError(f"EngramNetworkConfig.{name} is a probability in (0, 1], got {getattr(self, name)}")


def stdp_rule(cfg: EngramNetworkConfig, w_max: float | None = None) -> PairSTDP:
    return PairSTDP(a_plus=cfg.stdp_a_plus, a_minus=cfg.stdp_a_minus, tau_plus=cfg.stdp_tau,
                    tau_minus=cfg.stdp_tau, w_min=0.0, w_max=cfg.w_ee_max if w_max is None else w_max,
                    soft_bounds=True)


def istdp_rule(cfg: EngramNetworkConfig) -> InhibitorySTDP:
    return InhibitorySTDP(eta=cfg.istdp_eta, rho0=cfg.istdp_rho0, tau=cfg.istdp_tau)


def _sparse(rng, shape, p, w) -> np.ndarray:
    return np.where(rng.random(shape) < p, w, 0.0)


def build_engram_network(cfg: EngramNetworkConfig | None = None) -> EngramSpec:
    """The spec of the E/I engram network for ``cfg`` (deterministic in ``cfg.seed``).

    With ``cfg.n_out > 0`` a behavioural read-out is added (an amygdala-like output population
    whose rate is the "freezing" response): ``O`` receives every E cell through a plastic
    ``E_to_O`` projection (the same soft-bounded STDP, bound ``w_eo_max``) and ``n_us``
    unconditioned-stimulus channels (the last input channels; no E cell receives them) through a
    fixed ``US_to_O`` projection. Pairing a context with the US potentiates the synapses from the
    context's engram onto ``O`` (conditioning); afterwards the engram alone drives ``O``. ``O``
    is a population fed only by those two projections (no feed-forward weight from ``I``)."""
    cfg = cfg or EngramNetworkConfig()
    rng = np.random.default_rng(cfg.seed)
    w_ee = _sparse(rng, (cfg.n_exc, cfg.n_exc), cfg.p_ee, cfg.w_ee_init)
    np.fill_diagonal(w_ee, 0.0)
    w_in = (cfg.w_in * np.eye(cfg.n_exc) if cfg.p_in is None
            else _sparse(rng, (cfg.n_exc, cfg.n_channels), cfg.p_in, cfg.w_in))
    n_us = cfg.n_us if cfg.n_out else 0
    if n_us:
        w_in = np.hstack([w_in, np.zeros((cfg.n_exc, n_us))])
    exc = LayerSpec(EXC, weight=w_in,
                    tau_mem=cfg.tau_exc, v_threshold=1.0, recurrent_weight=w_ee,
                    plasticity=LayerPlasticity(recurrent=stdp_rule(cfg)),
                    metadata={"role": "excitatory"})
    inh = LayerSpec(INH, weight=_sparse(rng, (cfg.n_inh, cfg.n_exc), cfg.p_ei, cfg.w_ei),
                    tau_mem=cfg.tau_inh, v_threshold=1.0, metadata={"role": "inhibitory"})
    i_to_e = ProjectionSpec(INH_TO_EXC, source=INH, target=EXC,
                            weight=-_sparse(rng, (cfg.n_exc, cfg.n_inh), cfg.p_ie, cfg.w_ie_init),
                            plasticity=istdp_rule(cfg) if cfg.inhibitory_plasticity else None)
    layers, projections, metadata = [exc, inh], [i_to_e], {"engram_network": "E/I, STDP on E->E, iSTDP on I->E"}
    if cfg.n_out:
        out_rng = np.random.default_rng([cfg.seed, 1])  # the E/I network is the same with or without a read-out
        layers.append(LayerSpec(OUT, weight=None, size=cfg.n_out, tau_mem=cfg.tau_exc,
                                v_threshold=1.0, metadata={"role": "behavioural read-out"}))
        w_us = np.zeros((cfg.n_out, cfg.n_channels + n_us))
        w_us[:, cfg.n_channels:] = cfg.w_us
        projections += [ProjectionSpec(EXC_TO_OUT, source=EXC, target=OUT,
                                       weight=_sparse(out_rng, (cfg.n_out, cfg.n_exc), cfg.p_eo, cfg.w_eo_init),
                                       plasticity=stdp_rule(cfg, cfg.w_eo_max)),
                        ProjectionSpec(US_TO_OUT, source="input", target=OUT, weight=w_us)]
        metadata["us_channels"] = list(range(cfg.n_channels, cfg.n_channels + n_us))
    return EngramSpec(n_in=cfg.n_channels + n_us, layers=layers, dt=cfg.dt, name="engram_ei",
                      projections=projections, metadata=metadata)
