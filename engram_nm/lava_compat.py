"""The one door through which engram_nm imports Lava (lava-nc 0.10).

Why this exists: lava-nc 0.10 declares Python < 3.11. On 3.11+ exactly one
Lava module fails to import, ``lava.magma.compiler.var_model``, because eight
dataclass fields default to a dataclass *instance* (``ByteEncoder()``), which
Python 3.11 rejects as a mutable default ("mutable default ... is not allowed:
use default_factory").  The failure happens while the module executes, so it
cannot be patched after import.

The fix here is scoped to that single module: a meta-path finder that, only
for ``lava.magma.compiler.var_model``, rewrites ``= ByteEncoder()`` into
``= field(default_factory=ByteEncoder)`` before the module is compiled.  Every
other module, including the user's own dataclasses, keeps Python's normal
checks (``tests/test_lava_compat.py`` pins this).

Use::

    from engram_nm.lava_compat import lava   # namespace with what we use
    lava.LIF, lava.Dense, lava.Loihi2SimCfg, ...
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import multiprocessing
import sys
import types

from engram_nm.errors import EngramError

PATCHED_MODULE = "lava.magma.compiler.var_model"
_BROKEN_DEFAULT = "= ByteEncoder()"
_FIXED_DEFAULT = "= field(default_factory=ByteEncoder)"
_DATACLASS_IMPORT = "from dataclasses import dataclass, InitVar"


class LavaImportError(EngramError, ImportError):
    """lava-nc is missing or could not be imported."""


class _VarModelLoader(importlib.machinery.SourceFileLoader):
    """Source loader that fixes the ByteEncoder defaults of one module."""

    def get_code(self, fullname):  # noqa: D401 - importlib API
        source = self.get_data(self.path).decode("utf-8")
        if _BROKEN_DEFAULT in source:
            if _DATACLASS_IMPORT not in source:
                raise LavaImportError(
                    f"{PATCHED_MODULE} is not the lava-nc 0.10 source engram_nm knows how "
                    "to fix for Python >= 3.11; install lava-nc==0.10.0 (make setup)."
                )
            # Same line count as the original, so Lava's tracebacks stay true.
            source = source.replace(_DATACLASS_IMPORT, _DATACLASS_IMPORT + ", field", 1)
            source = source.replace(_BROKEN_DEFAULT, _FIXED_DEFAULT)
        return compile(source, self.path, "exec", dont_inherit=True)


class _VarModelFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder that answers for PATCHED_MODULE only."""

    def find_spec(self, fullname, path, target=None):
        if fullname != PATCHED_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        loader = _VarModelLoader(fullname, spec.origin)
        return importlib.util.spec_from_file_location(fullname, spec.origin, loader=loader)


def install_var_model_fix() -> None:
    """Put the scoped finder first on ``sys.meta_path`` (idempotent)."""
    if sys.version_info < (3, 11):
        return  # Lava imports as it is on the Pythons it declares.
    if not any(isinstance(f, _VarModelFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _VarModelFinder())


def _quiet_lava_logging() -> None:
    # Every Lava Process adds a StreamHandler to the root logger; one error
    # would be printed once per process. We report child errors ourselves.
    logging.getLogger("lava").setLevel(logging.ERROR)


@contextlib.contextmanager
def _forced_fork_start_method():
    """Let Lava's import-time ``mp.set_start_method('fork')`` succeed once, then restore.

    Lava forces the fork start method at import and raises "context has
    already been set" when anything (torch, joblib, ...) fixed the method
    first. For that one call we pass ``force=True``; nothing else changes.
    """
    original = multiprocessing.set_start_method

    def set_start_method(method, force=False):
        return original(method, force=True)

    multiprocessing.set_start_method = set_start_method
    try:
        yield
    finally:
        multiprocessing.set_start_method = original


def load_lava() -> types.SimpleNamespace:
    """Import the Lava API engram_nm uses and return it as one namespace.

    Raises :class:`LavaImportError` with the install command when lava-nc is
    missing.
    """
    install_var_model_fix()
    try:
        with _forced_fork_start_method():
            from lava.magma.core.process.process import AbstractProcess
        from lava.magma.core.run_conditions import RunSteps
        from lava.magma.core.run_configs import Loihi2SimCfg, Loihi2HwCfg
        from lava.magma.core.process.process import AbstractProcess
        from lava.magma.core.process.variable import Var
        from lava.magma.core.process.ports.ports import InPort, OutPort
        from lava.magma.core.model.py.model import PyLoihiProcessModel
        from lava.magma.core.model.py.ports import PyInPort, PyOutPort
        from lava.magma.core.model.py.type import LavaPyType
        from lava.magma.core.resources import CPU
        from lava.magma.core.decorator import implements, requires, tag
        from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
        from lava.proc.lif.process import LIF, LearningLIF
        from lava.proc.dense.process import DelayDense, Dense, LearningDense
        from lava.magma.core.learning.learning_rule import Loihi2FLearningRule
        from lava.utils.weightutils import SignMode
        from lava.proc.io.source import RingBuffer as SourceRingBuffer
        from lava.proc.io.sink import RingBuffer as SinkRingBuffer
        from lava.proc.monitor.process import Monitor
        from lava.proc.sdn.process import ActivationMode, SigmaDelta
        import lava as lava_pkg
    except ImportError as exc:  # pragma: no cover - exercised only without lava
        raise LavaImportError(
            f"lava-nc could not be imported ({exc}). Install it with `make setup`, "
            "or: pip install --no-deps --ignore-requires-python lava-nc==0.10.0 "
            "plus the pins in constraints.txt."
        ) from exc
    _quiet_lava_logging()
    return types.SimpleNamespace(
        RunSteps=RunSteps,
        Loihi2SimCfg=Loihi2SimCfg,
        Loihi2HwCfg=Loihi2HwCfg,
        AbstractProcess=AbstractProcess,
        Var=Var,
        InPort=InPort,
        OutPort=OutPort,
        PyLoihiProcessModel=PyLoihiProcessModel,
        PyInPort=PyInPort,
        PyOutPort=PyOutPort,
        LavaPyType=LavaPyType,
        CPU=CPU,
        implements=implements,
        requires=requires,
        tag=tag,
        LoihiProtocol=LoihiProtocol,
        LIF=LIF,
        LearningLIF=LearningLIF,
        Dense=Dense,
        DelayDense=DelayDense,
        LearningDense=LearningDense,
        Loihi2FLearningRule=Loihi2FLearningRule,
        SignMode=SignMode,
        SourceRingBuffer=SourceRingBuffer,
        SinkRingBuffer=SinkRingBuffer,
        Monitor=Monitor,
        SigmaDelta=SigmaDelta,
        ActivationMode=ActivationMode,
        version=getattr(lava_pkg, "__version__", "0.10.0"),
    )


_LAVA: types.SimpleNamespace | None = None


def __getattr__(name: str):
    # `from engram_nm.lava_compat import lava` imports Lava lazily, on first use.
    global _LAVA
    if name == "lava":
        if _LAVA is None:
            _LAVA = load_lava()
        return _LAVA
    raise AttributeError(name)
