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
