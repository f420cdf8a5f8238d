"""The sigma-delta step (engram_nm/backends/sigma_delta.py) against Lava's SigmaDelta, once per tag,
and its own properties: it sends changes, and what it holds back it sends later."""

import numpy as np
import pytest

from engram_nm.backends.sigma_delta import SigmaDeltaParameters, run_sigma_delta
from engram_nm.errors import InputError

STEPS = 40


def _input(integer: bool, seed: int = 0, n: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.0, (STEPS, n)) * (rng.random((STEPS, n)) < 0.4)
    return np.round(x * 40).astype(np.int32) if integer else x


def test_a_constant_activation_sends_once_and_the_payloads_add_up_to_it():
    x = np.zeros((10, 1))
    x[0] = 2.5  # sigma jumps to 2.5 and stays
    out = run_sigma_delta(x, SigmaDeltaParameters(vth=0.1))
    assert out[0, 0] == 2.5 and np.all(out[1:] == 0)
    slow = np.full((10, 1), 0.04)  # a slow ramp: changes below vth are held back, then sent together
    out = run_sigma_delta(slow, SigmaDeltaParameters(vth=0.1))
    # the activation rises 0.04 a step: 0.04 and 0.08 are held back, 0.12 goes out, three times
    assert np.count_nonzero(out) == 3 and np.allclose(out[out != 0], 0.12) and out.sum() == pytest.approx(0.36)
    assert abs(out.sum() - 0.4) < 0.1  # what was sent tracks the activation within vth
    neg = run_sigma_delta(-np.ones((3, 1)), SigmaDeltaParameters(vth=0.1))
    assert np.all(neg == 0)  # ReLU: a negative input never activates


@pytest.mark.lava
@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_equals_lava_sigma_delta_payload_for_payload(tag):
    from engram_nm.lava_compat import lava
    from engram_nm.processes.runtime import lava_session

    integer = tag == "fixed_pt"
    x = _input(integer)
    vth, bias = (8, 3) if integer else (0.2, 0.05)
    src = lava.SourceRingBuffer(data=x.T)
    sd = lava.SigmaDelta(shape=(x.shape[1],), vth=vth, bias=bias, act_mode=lava.ActivationMode.RELU)
    sink = lava.SinkRingBuffer(shape=(x.shape[1],), buffer=STEPS)
    src.s_out.connect(sd.a_in)
    sd.s_out.connect(sink.a_in)
    with lava_session(sd, lava.Loihi2SimCfg(select_tag=tag)) as s:
        s.run(STEPS)
        theirs = sink.data.get().T
    ours = run_sigma_delta(x, SigmaDeltaParameters(vth=vth, bias=bias))
    assert np.count_nonzero(ours) > 20  # a busy population: many graded spikes
    if integer:
        np.testing.assert_array_equal(ours, theirs.astype(np.int64))
    else:
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_bad_parameters_are_refused():
    with pytest.raises(InputError):
        run_sigma_delta(np.zeros((3, 2)), SigmaDeltaParameters(vth=-1.0))
    with pytest.raises(InputError):
        run_sigma_delta(np.zeros(3), SigmaDeltaParameters())
