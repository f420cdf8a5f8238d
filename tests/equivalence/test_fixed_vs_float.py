"""Lava cpu-fixed (bit-accurate, after quantisation) vs cpu-float.

Metric (stated in engram_nm.analysis.agreement): per-neuron spike-count agreement
``1 - sum|c_fixed - c_float| / max(sum c)`` >= 0.95 on every layer over 150
steps. Exact-step event agreement is also checked against a looser floor,
because 12-bit decays shift spike times by a step now and then and the shift
propagates.
"""

import numpy as np
import pytest

from engram_nm import random_spec
from engram_nm.analysis.agreement import count_agreement, event_agreement
from engram_nm.loihi.quantize import quantize
from engram_nm.hardware.targets import run
from engram_nm.spec import projection_name
from tests.helpers import random_spikes, quick_first

CASES = [
    dict(neuron="lif", reset="zero", recurrent=False),
    dict(neuron="lif", reset="subtract", recurrent=False),
    dict(neuron="cuba", reset="zero", recurrent=False),
    dict(neuron="cuba", reset="subtract", recurrent=True),
    dict(neuron="lif", reset="zero", recurrent=True),
    dict(neuron="cuba", reset="zero", recurrent=False, reset_delay=True),
    dict(neuron="lif", reset="subtract", recurrent=True, reset_delay=True),
]


@pytest.mark.lava
@pytest.mark.parametrize("case", quick_first(CASES), ids=lambda c: "-".join(str(v) for v in c.values()))
def test_fixed_agrees_with_float(case):
    spec = random_spec(16, [24, 16], weight_scale=0.3, bias=0.01, seed=11, **case)
    x = random_spikes(150, 16, rate=0.2, seed=4)
    f = run(spec, x, "cpu-float")
    q = run(spec, x, "cpu-fixed")
    for name in spec.layer_names:
        assert f.spikes[name].sum() > 20
        assert count_agreement(f.spikes[name], q.spikes[name]) >= 0.95
        assert event_agreement(f.spikes[name], q.spikes[name], tolerance=2) >= 0.85
        assert event_agreement(f.spikes[name], q.spikes[name], tolerance=0) >= 0.5


def test_quantization_report_lists_clipping():
    spec = random_spec(4, [3], weight_scale=0.3, seed=0)
    spec.layers[0].bias[:] = 1e6  # far beyond 13-bit mantissa << 7
    report = quantize(spec).report
    assert report.clipped > 0
    assert any(e.quantity == "bias" and e.clipped for e in report.problems())
    assert "bias" in report.table()


def test_quantization_clean_network_has_no_clipping():
    spec = random_spec(8, [6, 4], weight_scale=0.3, seed=0)
    q = quantize(spec)
    assert q.report.clipped == 0
    for ql, layer in zip(q.layers, spec.layers):
        w_int = ql.matrix(projection_name(layer.name, "feedforward"))
        assert np.abs(w_int).max() <= 255
        # weights dequantise to within half a step of the float weights
        step = 2.0 ** 6 / ql.scale * 2
        assert np.max(np.abs(w_int * 2.0 ** 6 / ql.scale - layer.weight)) <= step / 2 + 1e-12
