"""``verify`` on a batch: one Lava graph per target, and the pooled numbers equal those of the
samples run one by one."""

import numpy as np
import pytest

from engram_nm import random_spec
from engram_nm.analysis.verify import verify


@pytest.mark.lava
def test_verify_of_a_batch_pools_the_samples_run_one_by_one():
    spec = random_spec(12, [20, 8], seed=3, weight_scale=1.2, recurrent=True)
    rng = np.random.default_rng(0)
    batch = (rng.random((3, 60, 12)) < 0.25).astype(float)
    targets = ("snntorch", "cpu-float", "cpu-fixed")
    pooled = verify(spec, batch, targets)
    alone = [verify(spec, sample, targets) for sample in batch]
    for i, layer in enumerate(pooled.layers):
        assert min(layer.counts.values()) >= 20, "too little activity for the comparison to mean anything"
        for t in targets:
            assert layer.counts[t] == sum(rep.layers[i].counts[t] for rep in alone)
        assert layer.float_vs_torch_mismatches == sum(rep.layers[i].float_vs_torch_mismatches for rep in alone) == 0
        # Events are matched within each sample: the pooled Dice is the event-weighted mean of the samples'.
        weights = [rep.layers[i].counts["cpu-float"] + rep.layers[i].counts["cpu-fixed"] for rep in alone]
        for got, per_sample in ((layer.fixed_event_agreement, [r.layers[i].fixed_event_agreement for r in alone]),
                                (layer.fixed_event_agreement_2, [r.layers[i].fixed_event_agreement_2 for r in alone])):
            assert got == pytest.approx(np.average(per_sample, weights=weights), abs=1e-12)
        assert 0.0 <= layer.fixed_count_agreement <= 1.0


@pytest.mark.lava
def test_verify_with_voltages_compares_them_per_pair():
    """With ``record_v``: snntorch vs cpu-float voltages agree to float64 rounding and fixed-emu vs
    cpu-fixed exactly, a non-spiking readout (infinite threshold in float, never reached in fixed
    point) included; without it, nothing is compared."""
    spec = random_spec(12, [20, 8], seed=3, weight_scale=1.2, recurrent=True)
    spec.layers[1].v_threshold = np.full(8, 1e4)  # a leaky-integrator readout that fixed point can hold
    rng = np.random.default_rng(0)
    batch = (rng.random((3, 60, 12)) < 0.25).astype(float)
    rep = verify(spec, batch, record_v=True)
    hidden, readout = rep.layers
    assert hidden.counts["cpu-float"] >= 20 and readout.counts["cpu-float"] == 0
    assert np.abs(rep.results["cpu-fixed"].v["layer1"]).max() > 0.5  # the readout integrates something
    assert readout.float_vs_torch_max_dv < 1e-9 and rep.max_float_dv < 1e-9
    assert readout.emulator_vs_fixed_max_dv == 0.0 and rep.max_emulator_dv == 0.0
    plain = verify(spec, batch, ("snntorch", "cpu-float"))
    assert plain.max_float_dv is None and plain.layers[0].float_vs_torch_max_dv is None
