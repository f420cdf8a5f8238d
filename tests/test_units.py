import numpy as np
import pytest

from engram_nm.errors import SpecError
from engram_nm.units import beta_from_tau, decay_from_tau, snap_to_one, tau_from_beta, tau_from_decay


@pytest.mark.parametrize("tau", [1e-3, 5e-3, 20e-3, 0.1, np.inf])
def test_decay_round_trip(tau):
    dt = 1e-3
    d = decay_from_tau(tau, dt)
    assert np.allclose(tau_from_decay(d, dt), tau, rtol=1e-12)


def test_beta_round_trip():
    beta = np.array([0.0, 0.5, 0.9, 0.995])
    assert np.allclose(beta_from_tau(tau_from_beta(beta, 1e-4), 1e-4), beta, rtol=0, atol=1e-15)


def test_if_neuron_has_zero_decay():
    assert decay_from_tau(np.inf, 1e-3) == 0.0
    assert np.isinf(tau_from_decay(0.0, 1e-3))


@pytest.mark.parametrize("tau", [0.0, -1.0, 5e-4])
def test_bad_tau(tau):
    with pytest.raises(SpecError):
        decay_from_tau(tau, 1e-3)


def test_snap_to_one_only_snaps_rounding():
    assert snap_to_one(np.array([(0.02 / 1e-3) * 1e-3 / 0.02]))[0] == 1.0
    assert snap_to_one(np.array([1.001]))[0] == 1.001
