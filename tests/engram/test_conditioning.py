"""Fear conditioning on the engram network: every outcome is produced by the network, and each
control that switches the mechanism off removes it (ten seeds, one fixed-emu cohort per protocol).

The directions asserted are those of the experiments (Liu 2012, Denny 2014, Ryan 2015, Roy 2016,
Han 2007, Yiu 2014); the measured numbers are in benchmarks/results/protocols.md.
"""

from functools import partial

import numpy as np
import pytest

from engram_nm.analysis.statistics import paired_contrast
from engram_nm.errors import InputError
from engram_nm.experiments.engram import conditioning as fear
from engram_nm.experiments.engram.cohort import run_cohort
from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.experiments.engram.manipulations import Lesion, OptogeneticActivation, apply_transient
from engram_nm.experiments.engram.network import (EXC_TO_OUT, OUT, US_TO_OUT, EngramNetworkConfig,
                                                  build_engram_network)

SEEDS = range(10)


def cohort(protocol, **kwargs) -> list:
    exs = [EngramExperiment(config=fear.conditioning_config(s), target="fixed-emu", seed=s) for s in SEEDS]
    return run_cohort(exs, partial(protocol, **kwargs))


def values(results, condition, field="freezing") -> np.ndarray:
    return np.array([getattr(r[condition], field) for r in results], dtype=float)


def paired_above(high: np.ndarray, low: np.ndarray) -> bool:
    """``high`` above ``low`` seed by seed: a positive mean difference with a two-sided Wilcoxon
    signed-rank p < 0.05 (seeds without a scored cell left out; analysis/statistics.py)."""
    c = paired_contrast(high, low)
    return c.difference > 0 and c.p_value < 0.05



# ---------------------------------------------------------------- the network and its read-out
def test_readout_hears_the_engram_and_the_us_but_no_e_cell_hears_the_us():
    cfg = fear.conditioning_config(0)
    spec = build_engram_network(cfg)
    us = spec.metadata["us_channels"]
    assert us == list(range(cfg.n_channels, cfg.n_channels + cfg.n_us)) and spec.n_in == cfg.n_channels + cfg.n_us
    assert not spec.layers[0].weight[:, us].any()
    w_us = spec.projection(US_TO_OUT).weight
    assert np.all(w_us[:, us] == cfg.w_us) and not w_us[:, : cfg.n_channels].any()
    assert spec.projection(EXC_TO_OUT).plasticity is not None
    plain = build_engram_network(EngramNetworkConfig(**{**cfg.__dict__, "n_out": 0}))
    assert np.array_equal(plain.layers[0].recurrent_weight, spec.layers[0].recurrent_weight)  # same E/I network
    assert np.array_equal(plain.layers[0].weight, spec.layers[0].weight[:, : cfg.n_channels])


def test_us_channels_fire_only_in_their_window():
    ex = EngramExperiment(config=fear.conditioning_config(0), target="reference", seed=0)
    x = ex._stimulus(300, [0, 1], us=(100, 200))
    us = ex.us_channels
    assert not x[:100, us].any() and not x[200:, us].any()
    assert 0.05 < x[100:200, us].mean() < 0.2  # 100 Hz at 1 ms steps
    assert not ex._stimulus(300, [0, 1])[:, us].any()
    plain = EngramExperiment(config=fear.shared_input_config(0), target="reference")
    with pytest.raises(InputError, match="no behavioural read-out"):
        plain._stimulus(10, [0], us=(0, 5))


def test_light_reaches_the_e_cells_only_even_with_an_input_projection():
    spec = build_engram_network(fear.conditioning_config(0))
    lit, x = apply_transient(spec, np.zeros((20, spec.n_in), dtype=bool), [OptogeneticActivation(cells=(3, 4))])
    assert lit.n_in == spec.n_in + 1 == x.shape[1]
    assert lit.projection(US_TO_OUT).weight.shape == (spec.layer(OUT).size, lit.n_in)
    assert not lit.projection(US_TO_OUT).weight[:, -1].any() and lit.layers[0].weight[3, -1] > 0


def test_a_lesioned_cell_keeps_its_place_and_neither_fires_nor_is_heard():
    spec = build_engram_network(fear.conditioning_config(0))
    cut = Lesion(cells=(5, 7)).edit(spec)
    assert cut.layers[0].size == spec.layers[0].size  # the network keeps its shape
    for w in (cut.layers[0].weight[[5, 7]], cut.layers[0].recurrent_weight[[5, 7]],
              cut.layers[0].recurrent_weight[:, [5, 7]], cut.layers[1].weight[:, [5, 7]],
              cut.projection(EXC_TO_OUT).weight[:, [5, 7]], cut.projection("I_to_E").weight[[5, 7]]):
        assert not w.any()
    assert np.array_equal(np.delete(cut.layers[0].weight, [5, 7], 0), np.delete(spec.layers[0].weight, [5, 7], 0))


def test_bad_protocol_arguments_are_refused():
    ex = EngramExperiment(config=fear.conditioning_config(0), target="reference")
    with pytest.raises(InputError, match="consolidation"):
        fear.condition(ex, consolidation="anisomycin")
    with pytest.raises(InputError, match="us_steps"):
        fear.condition(ex, encode_steps=100, us_steps=200)
    with pytest.raises(InputError, match="rescue cells"):
        fear.rescue(ex, cells="astrocytes")


# ---------------------------------------------------------------- the experiments (ten seeds each)
@pytest.mark.slow
def test_fear_is_learned_discriminated_and_gone_without_learning_or_without_the_shock():
    learned = cohort(fear.fear_memory, cue_fractions=(0.5,))
    a, b = values(learned, "A 0.5"), values(learned, "B 0.5")
    assert paired_above(a, b)                                        # conditioned vs neutral context
    assert paired_above(values(learned, "A 0.5", "recruited"), values(learned, "A 0.5", "chance"))
    assert values(learned, "no cue").mean() < 0.05                # no fear without a cue
    assert max(r["A 0.5"].e_rate_hz for r in learned) < 20        # no runaway
    control = cohort(fear.fear_memory, cue_fractions=(0.5,), learn=False)  # plasticity off while conditioning
    assert values(control, "A 0.5").max() == 0.0
    recruited = values(control, "A 0.5", "recruited")
    assert np.nanmean(recruited) <= np.nanmean(values(control, "A 0.5", "chance")) + 0.05  # recall at chance
    unpaired = cohort(fear.fear_memory, cue_fractions=(0.5,), us=False)  # the context without the shock
    assert values(unpaired, "A 0.5").max() == 0.0
    assert paired_above(values(unpaired, "A 0.5", "recruited"), values(unpaired, "A 0.5", "chance"))  # memory, no fear


@pytest.mark.slow
def test_blocked_capture_erases_the_memory_and_no_silent_engram_forms():
    """With protein synthesis the full context recalls; with the inhibitor the early changes fade
    and nothing recalls, light on the engram included: in this model the silent engram of Ryan et
    al. 2015 does not survive (20 reported seeds: 0.74 vs 0.00 full context, light 0.63 vs 0.00)."""
    saline, psi = cohort(fear.silent_engram, consolidation="normal"), cohort(fear.silent_engram)
    assert paired_above(values(saline, "full context"), values(psi, "full context"))
    assert paired_above(values(saline, "light on engram"), values(psi, "light on engram"))
    assert values(psi, "full context").max() <= 0.05 and values(psi, "light on engram").max() <= 0.05
    assert paired_above(values(saline, "full context"), values(saline, "natural cue"))  # the half cue recalls less


@pytest.mark.slow
def test_the_memory_is_kept_by_capture_not_by_offline_replay():
    """The consolidation course (24 h offline, spontaneous activity only): the normal arm keeps the
    memory, the inhibitor's arm loses it within hours, silencing the engram offline (no
    reactivation) changes nothing measurable, and single-stage synapses keep it without capture."""
    runs = {name: cohort(fear.consolidation_course, hours=(0, 2, 24), **kw) for name, kw in
            (("normal", {}), ("psi", {"consolidation": "blocked"}), ("no replay", {"replay": False}),
             ("single", {"synapses": None}))}
    full = {name: values(r, "24 h: A") for name, r in runs.items()}
    assert paired_above(full["normal"], full["psi"]) and full["psi"].max() <= 0.05
    assert abs(full["normal"].mean() - full["no replay"].mean()) < 0.15
    assert full["single"].mean() > 0.3
    assert values(runs["normal"], "24 h: B").max() <= 0.05  # no generalisation to the neutral context


@pytest.mark.slow
def test_artificial_recall_grows_with_expression_and_needs_engram_cells_and_the_shock():
    lit = cohort(fear.artificial_recall, expression=(0.5, 1.0))
    assert paired_above(values(lit, "light engram 1"), values(lit, "light non-engram 1"))
    assert values(lit, "light engram 1").mean() > values(lit, "light engram 0.5").mean()
    assert paired_above(values(lit, "light engram 0.5", "recruited"), values(lit, "light engram 0.5", "chance"))
    assert values(lit, "no light").mean() < 0.05
    unpaired = cohort(fear.artificial_recall, expression=(1.0,), us=False)
    assert values(unpaired, "light engram 1").max() == 0.0


@pytest.mark.slow
def test_silencing_dose_response_is_monotone_and_specific_to_the_engram():
    strengths = (0.02, 0.05, 0.1, 0.5)
    dark = cohort(fear.silencing, strengths=strengths)
    engram = [values(dark, "cue alone").mean()] + [values(dark, f"silence engram {s:g}").mean() for s in strengths]
    assert all(later <= earlier + 0.03 for earlier, later in zip(engram, engram[1:]))  # monotone within noise
    assert engram[-1] < 0.05
    assert paired_above(values(dark, "cue alone", "out_rate_hz"), values(dark, "silence engram 0.5", "out_rate_hz"))
    others = [values(dark, f"silence non-engram {s:g}").mean() for s in strengths]
    assert min(others) > engram[0] - 0.15


@pytest.mark.slow
def test_ablation_is_scored_on_behaviour_and_surviving_cells_only():
    lesioned = cohort(fear.ablation, fractions=(0.5, 1.0))
    assert paired_above(values(lesioned, "lesion non-engram 1"), values(lesioned, "lesion engram 1"))
    rate = {c: values(lesioned, c, "out_rate_hz").mean() for c in ("intact", "lesion engram 0.5", "lesion engram 1")}
    assert rate["lesion engram 1"] <= rate["lesion engram 0.5"] < rate["intact"]  # the read-out's rate, continuous
    for r in lesioned:  # killed cells are never scored: fewer engram cells remain to score
        assert r["lesion engram 1"].scored_engram_cells == 0
        assert r["lesion engram 0.5"].scored_engram_cells <= r["intact"].scored_engram_cells
        assert r["lesion non-engram 1"].scored_engram_cells == r["intact"].scored_engram_cells


@pytest.mark.slow
def test_optogenetic_ltp_rebuilds_the_engram_but_not_its_route_to_behaviour():
    """After blocked capture, 100 Hz light on the engram with plasticity on makes the cue recruit
    the engram again (E->E rebuilt), but not freezing: the E->O synapses learn only while O fires,
    and light on E alone does not make it fire (Roy et al. 2016's rescue of behaviour does not
    survive here); light on as many other cells rebuilds nothing."""
    engram, control = cohort(fear.rescue), cohort(fear.rescue, cells="non-engram")
    gain = values(engram, "natural cue after oLTP", "recruited") - values(engram, "natural cue before oLTP", "recruited")
    sham = values(control, "natural cue after oLTP", "recruited") - values(control, "natural cue before oLTP", "recruited")
    assert paired_above(gain, sham)
    assert values(engram, "natural cue after oLTP").max() <= 0.05


@pytest.mark.slow
def test_excitable_cells_are_allocated_and_carry_the_memory():
    allocated = cohort(fear.allocation)
    assert paired_above(values(allocated, "allocation", "recruited"), values(allocated, "allocation", "chance"))
    assert values(allocated, "lesion excitable cells").mean() < values(allocated, "lesion other cells").mean() - 0.1


# ---------------------------------------------------------------- the same day on Lava
SHORT_DAY = dict(encode_steps=400, us_steps=300, consolidation_hours=2.5)


def short_day(ex):
    """Conditioning with the US, consolidation with learning, then a cue and light trial (shortened)."""
    day = fear.condition(ex, **SHORT_DAY)
    cue = fear.trial(ex, fear.cue_channels(day.conditioned, 0.5, seed=0), steps=150, window=(30, 150))
    light = OptogeneticActivation(cells=tuple(int(c) for c in ex.memories["A"].cells))
    lit = fear.trial(ex, [], [light], steps=150, window=(30, 150))
    return cue, lit


def _assert_same_day(a: EngramExperiment, b: EngramExperiment):
    assert [r.kind for r in a.records] == [r.kind for r in b.records]
    for ra, rb in zip(a.records, b.records):
        for name in ra.spikes:
            np.testing.assert_array_equal(ra.spikes[name], rb.spikes[name], err_msg=f"{ra.kind} {name}")
    for get in (lambda ex: ex.spec.layers[0].recurrent_weight, lambda ex: ex.spec.projection(EXC_TO_OUT).weight):
        # fixed point: the same integers; float: the same up to the order of a sum (~1e-17 measured)
        np.testing.assert_allclose(get(a), get(b), rtol=1e-12, atol=1e-15)


@pytest.mark.lava
@pytest.mark.slow
@pytest.mark.parametrize("lava_target, engine", [("cpu-float", "reference"), ("cpu-fixed", "fixed-emu")])
def test_a_conditioning_day_on_lava_equals_the_engine_spike_for_spike(lava_target, engine):
    """cpu-float = the numpy reference and cpu-fixed = the fixed-point emulator: every spike of every
    phase (E, I and the read-out) identical, every learned weight (E->E and E->O) identical in fixed
    point and within 1e-12 relative in float (Lava sums in another order), on one seed."""
    runs = {}
    for target in (engine, lava_target):
        ex = EngramExperiment(config=fear.conditioning_config(0), target=target, seed=0)
        runs[target] = (ex, short_day(ex))
    ex, (cue, lit) = runs[engine]
    conditioning = ex.records[0]
    assert ex.memories["A"].tagged.sum() >= 10 and conditioning.spikes[OUT].sum() > 100  # a busy network
    assert lit.out_rate_hz > 5 and cue.e_rate_hz > 1
    _assert_same_day(ex, runs[lava_target][0])
    assert runs[lava_target][1] == (cue, lit)


# ---------------------------------------------------------------- summaries over seeds
def _score(freezing, recruited):
    return fear.TestScore(freezing, 10 * freezing, recruited, 0.01, 20.0, 0.1, 0 if np.isnan(recruited) else 3, 4.0)


def test_summaries_leave_out_seeds_without_scored_cells_and_tables_show_every_row():
    from engram_nm.experiments.engram.conditioning_suite import flat_record, suite_table, summary_table

    per_seed = [{"natural cue": _score(1.0, 1.0), "light on engram": _score(0.5, float("nan"))},
                {"natural cue": _score(0.0, 0.5), "light on engram": _score(1.0, float("nan"))}]
    summary = fear.summarise(per_seed)
    assert summary["natural cue"]["freezing"]["mean"] == 0.5 and summary["natural cue"]["recruited"]["n_seeds"] == 2
    assert summary["light on engram"]["recruited"] == {"mean": None, "ci95": [None, None], "n_seeds": 0}
    low, high = summary["natural cue"]["freezing"]["ci95"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    protocols = {"silent engram (Ryan 2015)": {"saline": {"conditions": summary}}}
    rows = suite_table(protocols)
    assert any(r.startswith("| saline | light on engram | 0.75 [") and "| - |" in r for r in rows)
    assert summary_table(protocols)[2].startswith("| silent engram (Ryan 2015) | saline: natural cue | 0.50 [")
    flat = flat_record(protocols)["silent engram (Ryan 2015)"]["saline: natural cue"]
    assert flat["n_seeds"] == 2 and flat["chance"] == pytest.approx(0.01) and flat["mean"] == 0.75
    with pytest.raises(InputError):
        fear.summarise([])


def test_the_suite_refuses_unknown_protocols_and_empty_seed_lists():
    from engram_nm.experiments.engram.conditioning_suite import run_suite

    with pytest.raises(InputError, match="unknown protocol"):
        run_suite([0], protocols=["fear extinction"], progress=False)
    with pytest.raises(InputError, match="at least one seed"):
        run_suite([], progress=False)


def test_a_scaled_network_keeps_in_degrees_and_the_shock_and_divides_the_learned_bounds():
    base, big = fear.conditioning_config(0), fear.conditioning_config(0, scale=3)
    assert (big.n_exc, big.n_inh, big.n_channels) == (3 * base.n_exc, 3 * base.n_inh, 3 * base.n_channels)
    for p in ("p_ee", "p_ei", "p_ie", "p_eo"):  # every population grows by 3: in-degrees stay
        assert getattr(big, p) * 3 == pytest.approx(getattr(base, p))
    assert big.p_in * big.n_channels == pytest.approx(base.p_in * base.n_channels)  # 4 channels per E cell
    assert big.w_ee_max == pytest.approx(base.w_ee_max / 3) and big.w_eo_max == pytest.approx(base.w_eo_max / 3)
    assert big.n_us * big.w_us == pytest.approx(base.n_us * base.w_us)  # the same shock
    spec = build_engram_network(big)
    assert spec.n_in == big.n_channels + big.n_us and spec.layers[0].size == 1200
    with pytest.raises(InputError, match="scale"):
        fear.conditioning_config(0, scale=0)


def test_primary_contrasts_pair_seeds_across_arms_and_correct_within_each_protocol():
    from engram_nm.experiments.engram.conditioning_suite import (PRIMARY_CONTRASTS, Contrast, contrast_table,
                                                                 primary_contrasts)

    rng = np.random.default_rng(0)
    saline, psi = rng.uniform(0.4, 1.0, 12), rng.uniform(0.0, 0.3, 12)
    light = psi + 0.4

    def arm(**columns):
        return {"per_seed": {c: [vars(_score(f, 0.5)) for f in v] for c, v in columns.items()}}

    protocols = {"silent engram (Ryan 2015)": {
        "saline": arm(**{"full context": saline, "natural cue": saline, "light on engram": saline}),
        "protein-synthesis inhibitor": arm(**{"full context": psi, "natural cue": psi, "light on engram": light})}}
    out = primary_contrasts(protocols)["silent engram (Ryan 2015)"]
    assert list(out) == [c.name for c in PRIMARY_CONTRASTS["silent engram (Ryan 2015)"]]
    by_seed = out["PSI: light on engram vs full context: freezing"]
    assert by_seed["difference"] == pytest.approx(0.4) and by_seed["n_pairs"] == 12
    assert all(c["p_holm"] >= c["p_value"] for c in out.values())
    assert out["full context, saline vs PSI: freezing"]["mean_a"] == pytest.approx(saline.mean())
    # a contrast whose arm did not run is left out; one protocol's family is corrected on its own
    only = {"x": (Contrast("present", ("saline", "natural cue", "freezing"),
                           ("protein-synthesis inhibitor", "natural cue", "freezing")),
                  Contrast("absent", ("saline", "natural cue", "freezing"), ("vehicle", "natural cue", "freezing")))}
    single = primary_contrasts({"x": protocols["silent engram (Ryan 2015)"]}, only)["x"]
    assert list(single) == ["present"] and single["present"]["p_holm"] == single["present"]["p_value"]
    rows = contrast_table({"silent engram (Ryan 2015)": out})
    assert len(rows) == 2 + 3 and rows[2].startswith("| silent engram (Ryan 2015) | full context, saline vs PSI")


def test_consolidation_is_capture_in_two_stage_synapses_and_a_psi_leaves_the_late_weights_untouched():
    """The mechanism at the level of the synapses (one seed, 3 h offline on fixed-emu): with protein
    synthesis the engram's early E->O changes move into the late weights; with the inhibitor (given
    after conditioning) the late weights keep what they were, bar the little captured during the
    0.5 s of conditioning itself, and the early changes fade."""
    from engram_nm.experiments.engram.network import EXC_TO_OUT

    runs = {}
    for arm in ("normal", "blocked"):
        ex = EngramExperiment(config=fear.conditioning_config(0), target="fixed-emu", seed=0)
        initial = ex.spec.connection(EXC_TO_OUT).weight.copy()
        fear.condition(ex, arm, consolidation_hours=3)
        engram = ex.memories["A"].tagged
        runs[arm] = (ex.synapses.late[EXC_TO_OUT][:, engram], ex.synapses.early[EXC_TO_OUT][:, engram],
                     initial[:, engram], ex.hours)
    late, early, initial, hours = runs["normal"]
    assert hours == pytest.approx(3.0, abs=0.01)
    assert late.mean() > initial.mean() + 0.005 and abs(early.mean()) < 0.25 * (late.mean() - initial.mean())
    gained = runs["normal"][0].mean() - runs["normal"][2].mean()
    late, early, initial, _ = runs["blocked"]
    assert late.mean() - initial.mean() < 0.05 * gained
    assert early.mean() < 0.5 * gained


def test_a_scaled_day_scales_the_synapse_thresholds_and_an_arm_keeps_its_own_synapses():
    from dataclasses import dataclass

    from engram_nm.experiments.engram.conditioning_suite import run_suite

    big = fear.scaled_synapses(5)
    assert big.tag_threshold == pytest.approx(fear.DAY_SYNAPSES.tag_threshold / 5)
    assert big.trigger_threshold == pytest.approx(fear.DAY_SYNAPSES.trigger_threshold / 5)
    assert big.tau_capture_h == fear.DAY_SYNAPSES.tau_capture_h and fear.scaled_synapses(1) == fear.DAY_SYNAPSES
    with pytest.raises(InputError):
        fear.scaled_synapses(0)

    @dataclass(frozen=True)
    class Seen:
        single_stage: float
        per_context: float

    def protocol(ex, synapses="default", per_context=40):
        return {"day": Seen(float(synapses is None), float(per_context))}

    suite = {"p": {"own": (protocol, {"synapses": None}), "shared": (protocol, {})}}
    out = run_suite([0], protocols=["p"], suite=suite, progress=False, day={"synapses": big, "per_context": 200})
    own, shared = (out["p"][arm]["per_seed"]["day"][0] for arm in ("own", "shared"))
    assert own == {"single_stage": 1.0, "per_context": 200.0}      # the arm's None wins over the day's synapses
    assert shared == {"single_stage": 0.0, "per_context": 200.0}
