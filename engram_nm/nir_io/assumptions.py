"""What another tool's NIR file does not say, and how it is read: :class:`ImportOptions`, the
list of assumptions an import makes (:func:`import_assumptions`), exact-to-Euler conversion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.nir_io.common import META, NEURON_TYPES
from engram_nm.nir_io.nodes import flatten, infer_dt, node_type


BIAS_ONSETS = ("start", "arrival")


DISCRETIZATIONS = ("euler", "exact")


@dataclass(frozen=True)
class ImportOptions:
    """How to read what a NIR graph does not say. ``None`` keeps the file's own value
    (our metadata) or, for another tool's file, the default listed by
    :func:`import_assumptions`.

    Attributes:
        dt: simulation step (s).
        reset: ``"zero"`` (``v <- 0``) or ``"subtract"`` (``v <- v - theta``) after a spike.
        reset_delay: apply the reset one step late (:mod:`engram_nm.spec`): snnTorch's
            ``reset_delay=True`` for ``Synaptic`` / ``RLeaky`` and for any subtract reset
            (a delayed *zero* reset of ``Leaky`` equals the undelayed one: ``False``).
        bias_onset: ``"arrival"``: a layer's bias and leak start at the step its first
            input can arrive (its depth in the chain; each Dense delays one step), so the
            run equals a delay-free simulator's (snnTorch, Norse) shifted by the depth;
            ``"start"``: from step 0 (what the stock Loihi LIF can run).
        discretization: how the exporter stepped NIR's ODE (see :func:`nir_to_spec`).
    """

    dt: float | None = None
    reset: str | None = None
    reset_delay: bool | None = None
    bias_onset: str | None = None
    discretization: str = "euler"

    def __post_init__(self) -> None:
        if self.dt is not None and not (np.isfinite(self.dt) and self.dt > 0):
            raise SpecError(f"dt must be a finite number of seconds > 0, got {self.dt!r}")
        if self.reset not in (None, "zero", "subtract"):
            raise SpecError(f"reset must be 'zero' or 'subtract', got {self.reset!r}")
        if self.reset_delay not in (None, True, False):
            raise SpecError(f"reset_delay must be True, False or None, got {self.reset_delay!r}")
        if self.bias_onset not in (None,) + BIAS_ONSETS:
            raise SpecError(f"bias_onset must be one of {BIAS_ONSETS}, got {self.bias_onset!r}")
        if self.discretization not in DISCRETIZATIONS:
            raise SpecError(f"discretization must be 'euler' or 'exact', got {self.discretization!r}")


def is_foreign(graph) -> bool:
    """Whether ``graph`` was written by another tool (it carries no ``metadata["engram_nm"]``)."""
    return not (isinstance(graph.metadata, dict) and isinstance(graph.metadata.get(META), dict))


def import_assumptions(graph, options: ImportOptions | None = None) -> list[tuple[str, str, str]]:
    """What :func:`nir_to_spec` assumes for a graph that does not say: ``(quantity, value, how to
    change it)`` rows. Empty for our own files, which store every one of them."""
    options = options or ImportOptions()
    if not is_foreign(graph):
        return []
    nodes, _ = flatten(graph)
    neurons = {n: v for n, v in nodes.items() if node_type(v) in NEURON_TYPES}
    if options.dt is not None:
        dt = f"{options.dt:g} s (given)"
    else:
        inferred = infer_dt(neurons)
        dt = f"{inferred:g} s (inferred as tau / r)" if inferred else "none (tau / r differ): pass --dt"
    reset = options.reset or "zero"
    delay = options.reset_delay if options.reset_delay is not None else False
    onset = options.bias_onset or "arrival"
    return [
        ("dt", dt, "--dt SECONDS"),
        ("reset", f"{reset}{' (given)' if options.reset else ' (NIR stores none)'}",
         "--reset zero|subtract"),
        ("reset delay", "one step late" if delay else "in the step of the spike",
         "--reset-delay / --no-reset-delay (snnTorch Synaptic/RLeaky and subtract resets "
         "default to delayed)"),
        ("bias onset", "when the layer's first input arrives (step = its depth), as a delay-free "
         "simulator applies it" if onset == "arrival" else "from step 0 (stock Loihi LIF)",
         "--bias-onset arrival|start"),
        ("discretization", f"{options.discretization} "
         f"({'v += dt/tau (...): Lava, snnTorch, Norse' if options.discretization == 'euler' else 'exact exponential: Sinabs'})",
         "--discretization euler|exact"),
    ]


def exact_to_euler(node, dt: float):
    """A copy of ``node`` whose time constants give, under Euler steps, the exact exponential decay."""
    import dataclasses

    changes = {}
    for attr in ("tau", "tau_mem", "tau_syn"):
        if hasattr(node, attr):
            tau = np.asarray(getattr(node, attr), dtype=np.float64)
            with np.errstate(divide="ignore", over="ignore"):
                eff = np.where(np.isinf(tau), np.inf, dt / -np.expm1(-dt / tau))
            changes[attr] = eff.astype(np.asarray(getattr(node, attr)).dtype if np.asarray(
                getattr(node, attr)).dtype.kind == "f" else np.float64)
    if not changes:
        return node
    # r (and w_in) stay: the input scaling r * dt / tau_eff is then r * (1 - a), as the exact step has.
    return dataclasses.replace(node, **changes)
