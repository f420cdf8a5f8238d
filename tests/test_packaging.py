"""Every package folder is listed in pyproject.toml, so a wheel (not only an editable install) has it."""

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytestmark = pytest.mark.quick  # in `make test-py`, the subset run on every Python

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    for import_name, folder in config["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            name = ".".join([import_name, *rel.parts]) if rel.parts else import_name
            assert name in listed, f"{name} ({init.parent}) is missing from [tool.setuptools] packages"


def test_the_library_does_not_load_its_applications():
    """The CLI and the demo are applications on the library (engram_nm/cli/): importing
    engram_nm loads neither."""
    import subprocess
    import sys

    code = "import sys, engram_nm; print(sorted(m for m in sys.modules if m.startswith('engram_nm.cli')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
