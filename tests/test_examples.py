"""Every example runs (at reduced size) and says what it should."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.lava
def test_example_01_define_once(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "01_define_once.py"), "--steps", "80",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exact = True" in proc.stdout
    assert "spike for spike: yes" in proc.stdout
    assert "| engram |" in proc.stdout and "| readout |" in proc.stdout
    assert (tmp_path / "define_once.nir").exists()
