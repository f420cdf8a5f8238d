"""Interoperability with Rockpool 3.1.0, a NIR peer and the Xylo tool chain (installed by
`make setup` with --no-deps; docs/xylo.md).

Measured here, with our NIR file of a network that fits Xylo:

* Rockpool's ``from_nir`` reads it (``Linear`` -> ``LinearTorch``, ``CubaLIF`` -> ``LIFTorch``) and
  its Xylo Audio 2 ``mapper`` maps it: the float weights it maps are ours, and its bit shifts round
  to ours.
* It infers the step as ``min(tau_mem / (1 + r))``, where our files (NIR's Euler reading) carry
  ``r = tau_mem / dt``: it gets ``dt tau / (tau + dt)`` (0.941 ms for 16 ms at 1 ms), and ignores
  ``w_in``. The bit shifts survive only because they are rounded. So ``xylo-sim`` does not go
  through this path: engram_nm maps the spec itself (:mod:`engram_nm.xylo.mapping`) and hands the
  integers to Rockpool's ``XyloSim``; this test pins the peer path so a change in it shows.
"""

import warnings

import numpy as np

from engram_nm.nir_io import spec_to_nir
from engram_nm.xylo import fit_xylo
from engram_nm.xylo.rockpool_sim import _syns61201
from tests.xylo.networks import xylo_spec


def test_rockpool_reads_our_nir_file_and_maps_it_to_xylo_with_our_weights_and_bit_shifts():
    from rockpool.nn.modules.torch.nir import from_nir

    spec = xylo_spec(0, hidden=(40,), recurrent=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notices
        net = from_nir(spec_to_nir(spec))
        mapped = _syns61201().mapper(net.as_graph(), weight_dtype="float", threshold_dtype="float",
                                     dash_dtype="float")
    hidden, out = spec.layers
    np.testing.assert_allclose(mapped["weights_in"], hidden.weight.T)
    np.testing.assert_allclose(mapped["weights_out"], out.weight.T)
    ours = fit_xylo(spec).config
    np.testing.assert_array_equal(np.round(mapped["dash_mem"]), ours.dash_mem)
    np.testing.assert_array_equal(np.round(mapped["dash_syn"]), ours.dash_syn)
    np.testing.assert_array_equal(np.round(mapped["dash_mem_out"]), ours.dash_mem_out)
    tau, dt = 16e-3, spec.dt
    assert np.isclose(mapped["dt"], dt * tau / (tau + dt))  # not dt: its reading of r (module docstring)
