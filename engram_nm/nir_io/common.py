"""Names shared by NIR export and import: the metadata key, the format version, the node types."""

from __future__ import annotations





META = "engram_nm"


FORMAT_VERSION = 3
"""What ``metadata["engram_nm"]["format_version"]`` of a file we write says. 1: every population
has a feed-forward weight node (a chain plus projections); 2: a population may be fed only by
projections (its node metadata ``feed_forward: False``, no weight node); 3: a projection may be
delayed (a NIR ``Delay`` node before its ``Linear``) and carry a structural rule. Files of every version
load (tests/data/nir/ holds one of each; tests/test_nir_formats.py)."""


LINEAR_TYPES = ("Affine", "Linear", "Scale")


DELAY_TYPE = "Delay"  # holds spikes back; only on an extra projection's path


NEURON_TYPES = ("LIF", "CubaLIF", "IF", "LI", "I")  # I: our sigma-delta populations only


def nir_module():
    import nir

    return nir
