"""The built-in sweep experiments (:mod:`engram_nm.sweep.registry`): memory capacity, a
conditioning protocol's dose-response, the engram continual learner, a point of the
accuracy-operations frontier, and a plain network run on any target."""

from __future__ import annotations

import numpy as np

from engram_nm.errors import SweepError
from engram_nm.hardware.targets import LAVA_TARGETS
from engram_nm.sweep.registry import register


@register("capacity")
def capacity(n: int, k="log2", memory: str = "willshaw", seed: int = 0, data_bits: int = 128,
             bit_error: float = 0.01) -> dict:
    """Patterns stored at the recall criterion: ``memory="willshaw"`` (N units, K active,
    ``K = "log2"``: round(log2 N); one spurious unit per full-cue retrieval,
    :func:`~engram_nm.sdm.capacity.willshaw_capacity`) or ``"sdm"`` (Top-K Kanerva SDM with N hard
    locations, 256-bit addresses, ``k`` active locations, ``bit_error`` read error,
    :func:`~engram_nm.sdm.capacity.sdm_capacity`). Metrics: capacity, theory, and for Willshaw
    ``M* = ln2 N^2 / K^2`` and bits per synapse."""
    from engram_nm.sdm.capacity import sdm_capacity, willshaw_capacity
    from engram_nm.sdm.theory import willshaw_bits_per_synapse, willshaw_optimal_patterns

    n = int(n)
    kk = int(round(np.log2(n))) if k == "log2" else int(k)
    if memory == "willshaw":
        r = willshaw_capacity(n, kk, seed=seed)
        return {"k_active": kk, "capacity": r.measured, "theory": r.theory,
                "m_star": willshaw_optimal_patterns(n, kk),
                "bits_per_synapse": willshaw_bits_per_synapse(r.measured, n, kk)}
    if memory == "sdm":
        r = sdm_capacity(n, 256, int(data_bits), kk, bit_error=bit_error, seed=seed)
        return {"k_active": kk, "capacity": r.measured, "theory": r.theory}
    raise SweepError(f"memory must be 'willshaw' or 'sdm', got {memory!r}")


# protocol -> (its dose argument, the condition name of a dose for engram / control cells)
PROTOCOL_DOSES = {
    "artificial_recall": ("expression", "light {cells} {dose:g}"),
    "silencing": ("strengths", "silence {cells} {dose:g}"),
    "ablation": ("fractions", "lesion {cells} {dose:g}"),
}


@register("protocol", batched=True, lava=lambda params: params.get("target", "fixed-emu") in LAVA_TARGETS)
def protocol(protocol: str, dose: float, seeds, target: str = "fixed-emu", scale: int = 1) -> list:
    """One dose of a conditioning protocol (:mod:`engram_nm.experiments.engram.conditioning`:
    ``artificial_recall`` (opsin expression probability), ``silencing`` (ArchT current), ``ablation``
    (fraction of the engram killed)) on one cohort of ``seeds``: freezing, engram recruitment and its
    chance for the engram arm, and freezing for the same manipulation on as many non-engram cells."""
    from functools import partial

    from engram_nm.experiments.engram import conditioning as fear
    from engram_nm.experiments.engram.cohort import run_cohort
    from engram_nm.experiments.engram.lifecycle import EngramExperiment

    if protocol not in PROTOCOL_DOSES:
        raise SweepError(f"protocol must be one of {sorted(PROTOCOL_DOSES)}, got {protocol!r}")
    argument, condition = PROTOCOL_DOSES[protocol]
    exs = [EngramExperiment(config=fear.conditioning_config(s, scale=scale), target=target, seed=s) for s in seeds]
    results = run_cohort(exs, partial(getattr(fear, protocol), **{argument: (float(dose),)}))
    rows = []
    for r in results:
        engram, control = r[condition.format(cells="engram", dose=dose)], \
            r[condition.format(cells="non-engram", dose=dose)]
        rows.append({"freezing": engram.freezing, "recruited": engram.recruited, "chance": engram.chance,
                     "e_rate_hz": engram.e_rate_hz, "control_freezing": control.freezing})
    return rows


@register("continual", batched=True, lava=lambda params: params.get("target", "fixed-emu") in LAVA_TARGETS)
def continual(scenario: str = "class", gated: bool = True, seeds=(0,), target: str = "fixed-emu",
              max_train: int | None = None) -> list:
    """The engram continual learner (:mod:`engram_nm.experiments.engram_learner`) on split digits,
    one cohort of ``seeds``: final average accuracy, forgetting, synaptic events per sample, bytes."""
    from engram_nm.experiments.continual_runs import run_engram_learner

    rows = run_engram_learner(scenario, list(seeds), gated=bool(gated), target=target, max_train=max_train)
    keep = ("final_average", "forgetting", "synops_per_sample", "param_bytes", "stored_bytes")
    return [{k: row[k] for k in keep} for row in rows]


@register("energy_point")
def energy_point(seed: int = 0, **setting) -> dict:
    """One point of the accuracy-operations frontier
    (:class:`~engram_nm.experiments.frontier.FrontierSetting` fields as parameters): accuracy on
    the full test split, effective ACs, neuron updates and spikes per inference."""
    from engram_nm.experiments.frontier import FrontierSetting, train_point

    try:
        chosen = FrontierSetting(**setting)
    except TypeError as exc:
        raise SweepError(f"energy_point: {exc}") from None
    _, point = train_point(chosen, seed)
    return {"accuracy": point.accuracy, "effective_acs": point.effective_acs,
            "neuron_updates": point.neuron_updates, "spikes": point.spikes}


@register("network", lava=lambda params: params.get("target", "reference") in LAVA_TARGETS)
def network(n_in: int = 20, hidden: int = 30, n_out: int = 10, target: str = "reference", steps: int = 100,
            input_rate: float = 0.2, weight_scale: float = 1.0, seed: int = 0) -> dict:
    """A random ``n_in -> hidden -> n_out`` LIF network (:func:`~engram_nm.spec.random_spec`) driven by
    Bernoulli input at ``input_rate`` per step for ``steps`` steps on ``target`` (any target; Lava's run
    in a subprocess of its own): spikes per neuron and step in each layer, and the run's process id."""
    import os

    from engram_nm import random_spec
    from engram_nm.hardware.targets import run

    spec = random_spec(int(n_in), [int(hidden), int(n_out)], weight_scale=weight_scale, seed=seed)
    x = (np.random.default_rng(seed).random((int(steps), int(n_in))) < input_rate).astype(float)
    res = run(spec, x, target)
    out = {f"rate_{name}": float(res.spikes[name].mean()) for name in spec.layer_names}
    out["pid"] = os.getpid()
    return out
