"""Names shared by NIR export and import: the metadata key, the format version, the node types."""

from __future__ import annotations





META = "engram_nm"


FORMAT_VERSION = 1


LINEAR_TYPES = ("Affine", "Linear", "Scale")


NEURON_TYPES = ("LIF", "CubaLIF", "IF", "LI", "I")  # I: our sigma-delta populations only


def nir_module():
    import nir

    return nir
