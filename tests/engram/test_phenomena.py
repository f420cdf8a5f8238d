"""Engram phenomena on the fear-conditioning network: the direction of each effect, and the control
that removes it, on ten seeds (one fixed-emu cohort per arm). Measured numbers:
benchmarks/results/phenomena.md."""

from functools import partial

import numpy as np
import pytest

from engram_nm.analysis.statistics import paired_contrast
from engram_nm.errors import InputError
from engram_nm.experiments.engram import phenomena
from engram_nm.experiments.engram.cohort import run_cohort
from engram_nm.experiments.engram.conditioning import conditioning_config
from engram_nm.experiments.engram.lifecycle import EngramExperiment

SEEDS = range(10)


def cohort(protocol, config=conditioning_config, **kwargs) -> list:
    exs = [EngramExperiment(config=config(s), target="fixed-emu", seed=s) for s in SEEDS]
    return run_cohort(exs, partial(protocol, **kwargs))


def values(results, condition, field="freezing") -> np.ndarray:
    return np.array([getattr(r[condition], field) for r in results], dtype=float)


def paired_above(high, low) -> bool:
    """``high`` above ``low`` seed by seed: positive mean difference, Wilcoxon signed-rank p < 0.05."""
    c = paired_contrast(high, low)
    return c.difference > 0 and c.p_value < 0.05


def test_inhibition_config_scales_only_the_inhibition_onto_e():
    base, strong = conditioning_config(0), phenomena.inhibition_config(0, inhibition=2.0)
    assert strong.w_ie_init == 2 * base.w_ie_init and strong.w_ee_max == base.w_ee_max
    with pytest.raises(InputError):
        phenomena.memory_linking(EngramExperiment(config=base, target="reference"), interval_hours=-1)


@pytest.mark.slow
def test_similar_contexts_get_overlapping_but_separated_engrams_and_inhibition_sparsens_the_code():
    overlaps = (0.0, 0.4, 0.8)
    plain = cohort(phenomena.pattern_separation, overlaps=overlaps)
    engram = {o: values(plain, f"overlap {o:g}", "engram_overlap") for o in overlaps}
    inputs = {o: values(plain, f"overlap {o:g}", "input_overlap") for o in overlaps}
    assert paired_above(engram[0.8], engram[0.0])                   # similar inputs, similar engrams ...
    assert paired_above(inputs[0.8], engram[0.8])                   # ... but less alike than their inputs
    active = values(plain, "overlap 0", "active_fraction_a").mean()
    assert engram[0.0].mean() < 2 * active / (2 - active)           # unrelated contexts: near chance
    strong = cohort(phenomena.pattern_separation, config=partial(phenomena.inhibition_config, inhibition=2.0),
                    overlaps=(0.0,))
    assert values(strong, "overlap 0", "active_fraction_a").mean() < active  # more inhibition, sparser code


@pytest.mark.slow
def test_storing_a_similar_context_spreads_the_fear_to_it_without_erasing_the_memory():
    r = cohort(phenomena.interference, overlaps=(0.1, 0.7))
    assert paired_above(values(r, "B stored, overlap 0.7: B"), values(r, "B stored, overlap 0.1: B"))
    assert values(r, "B stored, overlap 0.7: A").mean() >= values(r, "before: A").mean() - 0.1


@pytest.mark.slow
def test_memories_close_in_time_share_cells_and_fear_through_the_excitability_trace_only():
    soon, late = cohort(phenomena.memory_linking, interval_hours=0.5), cohort(phenomena.memory_linking,
                                                                              interval_hours=24)
    control = cohort(phenomena.memory_linking, interval_hours=0.5, trace_current=0.0)
    shared = lambda res: values(res, "shared cells", "recruited")  # noqa: E731
    assert paired_above(shared(soon), shared(late)) and paired_above(shared(soon), shared(control))
    assert paired_above(values(soon, "half of A"), values(control, "half of A"))  # linked fear needs the trace
    assert shared(control).mean() < 3 * values(control, "shared cells", "chance").mean()


@pytest.mark.slow
def test_synapse_loss_takes_light_driven_recall_too_unless_the_readout_is_spared():
    """Uniform loss (E->E and E->O alike) takes the natural cue and light together: "access, not
    storage" does not survive it. Sparing the read-out (E->E only, the labelled arm) leaves light
    more effective than the cue (the read-out's rate, continuous)."""
    uniform = cohort(phenomena.synapse_loss, fractions=(0.4,))
    assert paired_above(values(uniform, "healthy: natural cue"), values(uniform, "40% synapses lost: natural cue"))
    assert paired_above(values(uniform, "healthy: light"), values(uniform, "40% synapses lost: light"))
    spared = cohort(phenomena.synapse_loss, fractions=(0.4,), selective=True)
    # a weak effect: on the 20 reported seeds freezing 0.19 vs 0.01 (Holm p = 0.047); on these ten
    # seeds three respond, too few for a paired test, so the direction of the means is asserted
    light, cue = (values(spared, f"40% synapses lost: {c}", "out_rate_hz") for c in ("light", "natural cue"))
    assert light.mean() > cue.mean() + 0.5 and np.all(light >= cue)
    assert light.mean() > values(uniform, "40% synapses lost: light", "out_rate_hz").mean()


@pytest.mark.slow
def test_cell_loss_is_scored_on_survivors_and_recall_falls_with_it():
    r = cohort(phenomena.cell_loss, fractions=(0.2, 0.6))
    assert paired_above(values(r, "healthy: natural cue"), values(r, "60% cells lost: natural cue"))
    for seed in r:
        assert seed["60% cells lost: light"].scored_engram_cells < seed["20% cells lost: light"].scored_engram_cells


@pytest.mark.slow
def test_weakened_inhibition_raises_activity_in_the_neutral_context():
    """Inhibition onto E at 40 % after consolidation raises the E rate in the neutral context B
    (the manipulation acts), but with two-stage synapses no fear generalises to B (20 reported
    seeds: freezing 0.00 at x0.4 as at x1; it did with driven rehearsal, which is gone)."""
    r = cohort(phenomena.overgeneralisation, inhibition=(1.0, 0.4))
    assert paired_above(values(r, "inhibition x0.4: B", "e_rate_hz"), values(r, "inhibition x1: B", "e_rate_hz"))
    assert max(s["inhibition x0.4: B"].e_rate_hz for s in r) < 20  # no runaway
    assert values(r, "inhibition x0.4: B").mean() < 0.1
