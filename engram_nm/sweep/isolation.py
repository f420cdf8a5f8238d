"""One trial in a fresh Python process, with a timeout, leaving no process behind.

Why: Lava forks a process per Lava process and keeps shared memory; a Dask worker is a daemonic
process, and ``multiprocessing`` refuses children to daemonic processes. A trial started with
:func:`subprocess.Popen` is not a multiprocessing child, so Lava runs in it as in a shell; it gets
its own session (process group), and when it ends (or runs out of time) the whole group is killed,
so nothing it forked outlives it. The request and the answer travel as JSON files.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engram_nm.errors import EngramError


class TrialTimeout(EngramError, TimeoutError):
    """A trial ran past its ``timeout_s``."""


class TrialFailed(EngramError, RuntimeError):
    """A trial's process raised or died; the message carries its error."""


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_isolated(experiment: str, params: dict, seed=None, seeds=None, timeout_s: float | None = None):
    """Call the experiment in a new process (module docstring): its metrics (a dict, or a list for
    ``seeds``). Raises :class:`TrialTimeout` or :class:`TrialFailed`."""
    with tempfile.TemporaryDirectory(prefix="engram_nm_trial_") as tmp:
        request, answer, log = Path(tmp) / "request.json", Path(tmp) / "answer.json", Path(tmp) / "log.txt"
        request.write_text(json.dumps({"experiment": experiment, "params": params, "seed": seed, "seeds": seeds}))
        # The child imports what this process can (a user's experiment module included).
        path = os.pathsep.join([p for p in sys.path if p] + [os.environ.get("PYTHONPATH", "")]).strip(os.pathsep)
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), "PYTHONPATH": path}
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "engram_nm.sweep.child", str(request), str(answer)],
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env=env)
            pgid = proc.pid  # start_new_session: the child leads its own process group
            t0 = time.monotonic()
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _kill_group(pgid)
                proc.wait()
                raise TrialTimeout(f"trial ran past its timeout of {timeout_s:g} s "
                                   f"({time.monotonic() - t0:.1f} s) and was killed") from None
            finally:
                _kill_group(pgid)  # whatever the trial forked (Lava's processes) goes with it
        if answer.exists():
            reply = json.loads(answer.read_text())
            if reply["ok"]:
                return reply["metrics"]
            raise TrialFailed(reply["error"])
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise TrialFailed(f"trial process exited with {proc.returncode} and no answer: " + " | ".join(tail))
