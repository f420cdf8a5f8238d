"""Every NIR format engram_nm has written still loads and runs (the files: tests/data/nir/)."""

from pathlib import Path

import numpy as np
import pytest

from engram_nm.errors import NIRFileError
from engram_nm.hardware.targets import run
from engram_nm.nir_io import FORMAT_VERSION, import_nir, spec_to_nir
from tests.helpers import random_spikes

FILES = Path(__file__).parent / "data" / "nir"
WRITTEN = ("v1_conditioning_readout", "v1_gate_projection_memory", "v1_sigma_delta", "v2_graph", "v3_delayed")


def test_every_written_format_file_is_in_the_repository():
    """A missing file would turn the parametrised test below into a skip, not a failure."""
    assert sorted(p.stem for p in FILES.glob("*.nir")) == sorted(WRITTEN)


@pytest.mark.parametrize("path", [FILES / f"{stem}.nir" for stem in WRITTEN], ids=lambda p: p.stem)
def test_every_written_format_loads_and_runs(path):
    spec = import_nir(path)
    x = random_spikes(60, spec.n_in, rate=0.3, seed=0)
    out = run(spec, x, "reference")
    assert sum(int(np.count_nonzero(s)) for s in out.spikes.values()) > 0, "a silent network proves nothing"


def test_the_version_1_read_out_with_its_zero_chain_matrix_runs_as_the_graph_of_today():
    """The old conditioning file carries an all-zero I -> O matrix (a chain needed it); the network
    built today has none. Same spikes, and the zeros cost no operation."""
    from engram_nm.analysis.counting import count_run
    from engram_nm.experiments.engram.network import EngramNetworkConfig, build_engram_network

    old = import_nir(FILES / "v1_conditioning_readout.nir")
    new = build_engram_network(EngramNetworkConfig(n_exc=40, n_inh=10, n_channels=40, n_out=4, seed=3))
    assert not np.any(old.connection("O_w").weight) and "O_w" not in new.weights()
    x = random_spikes(80, new.n_in, rate=0.3, seed=1)
    a, b = run(old, x, "reference"), run(new, x, "reference")
    assert np.count_nonzero(b.spikes["O"]) > 0 and np.count_nonzero(b.spikes["E"]) > 0
    for name in new.layer_names:
        np.testing.assert_array_equal(a.spikes[name], b.spikes[name], err_msg=name)
    old_counts, new_counts = count_run(old, x, a.spikes), count_run(new, x, b.spikes)
    assert old_counts.effective_acs == new_counts.effective_acs > 0  # zeros were never charged per spike
    assert old_counts.dense - new_counts.dense == 80 * 4 * 10  # the dense count no longer holds 4 x 10 zeros
    assert new_counts.footprint_bytes < old_counts.footprint_bytes


def test_a_file_from_a_newer_format_is_refused_with_the_versions():
    from tests.equivalence.catalogue import graph_spec

    graph = spec_to_nir(graph_spec(0))
    graph.metadata["engram_nm"]["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(NIRFileError, match=f"format version is {FORMAT_VERSION + 1}.*reads up to {FORMAT_VERSION}"):
        import_nir(graph)
