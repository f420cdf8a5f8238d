"""engram_nm: engram memory models from computational neuroscience onto neuromorphic hardware.

Define a network once (:class:`EngramSpec`), train it in snnTorch
(:func:`build_torch`), exchange it as NIR (:func:`export_nir`,
:func:`import_nir`), and run it on the Lava CPU simulator in floating or
bit-accurate fixed point, or on Loihi 2 (:func:`run`).
"""

from engram_nm.errors import (
    EngramError,
    HardwareUnavailableError,
    InputError,
    LavaRunError,
    NIRFileError,
    OutputPathError,
    QuantizationError,
    SpecError,
    UnknownTargetError,
    UnsupportedNodeError,
)
from engram_nm.spec import EngramSpec, LayerSpec, graph, population, random_spec

__version__ = "0.1.0"

PLASTICITY = ("LayerPlasticity", "PairSTDP", "InhibitorySTDP", "Hebbian", "AntiHebbian", "SPaSS", "Outstar",
              "IntrinsicPlasticity", "StructuralPlasticity")


def __getattr__(name):
    # Heavy backends (torch, lava, nir) load on first use, not on `import engram_nm`.
    lazy = {
        "build_torch": ("engram_nm.backends.torch_backend", "build_torch"),
        "SpecNetwork": ("engram_nm.backends.torch_backend", "SpecNetwork"),
        "export_nir": ("engram_nm.nir_io", "export_nir"),
        "import_nir": ("engram_nm.nir_io", "import_nir"),
        "ImportOptions": ("engram_nm.nir_io", "ImportOptions"),
        "import_assumptions": ("engram_nm.nir_io", "import_assumptions"),
        "run": ("engram_nm.hardware.targets", "run"),
        "run_many": ("engram_nm.hardware.targets", "run_many"),
        "run_networks": ("engram_nm.hardware.targets", "run_networks"),
        "RunResult": ("engram_nm.result", "RunResult"),
        "simulate": ("engram_nm.backends.reference", "simulate"),
        "verify": ("engram_nm.analysis.verify", "verify"),
        "spec_from_snntorch": ("engram_nm.snntorch_models", "spec_from_snntorch"),
        # the parts of a spec beside its layers
        "ProjectionSpec": ("engram_nm.projection", "ProjectionSpec"),
        "GateSpec": ("engram_nm.gating.reference", "GateSpec"),
        "MemorySpec": ("engram_nm.sdm.memory_spec", "MemorySpec"),
        # plasticity rules (engram_nm.plasticity)
        **{rule: ("engram_nm.plasticity", rule) for rule in PLASTICITY},
    }
    if name in lazy:
        import importlib

        mod, attr = lazy[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'engram_nm' has no attribute {name!r}")


__all__ = [
    "EngramSpec", "LayerSpec", "graph", "population", "random_spec", "build_torch", "SpecNetwork", "export_nir", "import_nir", "ImportOptions",
    "import_assumptions", "run", "run_many", "run_networks",
    "RunResult", "simulate", "verify", "spec_from_snntorch", "EngramError", "SpecError", "UnsupportedNodeError", "NIRFileError",
    "QuantizationError", "HardwareUnavailableError", "UnknownTargetError", "LavaRunError", "InputError",
    "OutputPathError", "ProjectionSpec", "GateSpec", "MemorySpec", *PLASTICITY,
]


def __dir__():
    return sorted(set(globals()) | set(__all__))  # the lazy names too
