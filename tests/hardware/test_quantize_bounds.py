"""A learned bound only a few integer steps wide is reported as a quantisation problem: every matrix
into a layer shares its weight scale, and the learning engine cannot follow float learning there
(measured: engram_nm/loihi/quantize.py MIN_BOUND_STEPS)."""

from dataclasses import replace

from engram_nm.experiments.engram.conditioning import conditioning_config
from engram_nm.experiments.engram.network import build_engram_network
from engram_nm.loihi.quantize import MIN_BOUND_STEPS, quantize


def _bound_entry(config):
    report = quantize(build_engram_network(config), learning=True).report
    (entry,) = [e for e in report.entries if e.quantity == "learned bound of E_to_O"]
    return entry, report


def test_a_bound_a_few_steps_wide_beside_a_strong_input_is_a_problem():
    entry, report = _bound_entry(conditioning_config(0, w_eo_max=0.008))  # the US synapses (0.6) set the scale
    assert entry.too_coarse and entry in report.problems() and "3.4 integer steps" in entry.note
    ok, report = _bound_entry(conditioning_config(0))
    assert not ok.too_coarse and ok not in report.problems() and float(ok.note.split()[0]) >= MIN_BOUND_STEPS


def test_without_learning_no_bound_is_reported():
    report = quantize(build_engram_network(replace(conditioning_config(0), w_eo_max=0.008)), learning=False).report
    assert not [e for e in report.entries if e.quantity.startswith("learned bound")]
