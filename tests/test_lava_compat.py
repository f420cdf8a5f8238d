"""The Lava import fix is scoped to one module; users' dataclasses keep Python's checks."""

import dataclasses
import subprocess
import sys

import pytest


def test_lava_imports_through_compat():
    from engram_nm.lava_compat import lava

    assert lava.LIF.__name__ == "LIF"
    assert lava.version.startswith("0.10")


def test_user_dataclass_still_rejects_mutable_default():
    from engram_nm.lava_compat import lava  # noqa: F401 - make sure the fix is installed

    @dataclasses.dataclass
    class Inner:
        x: int = 0

    with pytest.raises(ValueError, match="mutable default"):
        @dataclasses.dataclass
        class Outer:
            inner: Inner = Inner()


def test_var_model_fields_use_default_factory():
    from engram_nm.lava_compat import lava  # noqa: F401
    from lava.magma.compiler.var_model import ChipEncoder

    a, b = ChipEncoder(), ChipEncoder()
    assert a.x is not b.x  # each instance gets its own ByteEncoder


def test_dataclasses_module_is_not_patched():
    from engram_nm.lava_compat import lava  # noqa: F401
    import dataclasses as dc

    assert dc._get_field.__module__ == "dataclasses"


def test_plain_lava_import_fails_without_the_fix_exactly_on_311_and_later():
    # Pins the edge we work around: it breaks on Python >= 3.11 only. If lava
    # ever imports plainly on 3.11+, the var_model fix can go.
    code = "import lava.magma.compiler.var_model"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if sys.version_info >= (3, 11):
        assert proc.returncode != 0 and "mutable default" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr


def test_lava_import_after_start_method_was_set():
    code = (
        "import multiprocessing as mp; mp.set_start_method('spawn');"
        "from engram_nm.lava_compat import lava; print(mp.get_start_method())"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "fork"
