"""Running a Lava process graph safely: always stopped, child errors surfaced.

docs/lava_edges.md (measured here): after an exception inside a Lava child process the
parent only says "1 Exception(s) occurred. See output above" (nothing is
above), and ``stop()`` then blocks forever. :func:`lava_session` therefore

* calls ``stop()`` on success, and on ``KeyboardInterrupt`` or errors raised
  in the parent *before* the runtime failed;
* when the runtime itself failed, reads each child's exception, terminates
  the children and the shared-memory manager instead of calling ``stop()``,
  and raises :class:`~engram_nm.errors.LavaRunError` with the child's
  traceback in the message.

A test counts leftover child processes after a failing run
(tests/processes/test_runtime.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from typing import Iterator

from engram_nm.errors import LavaRunError

_JOIN_TIMEOUT_S = 5.0


def child_exceptions(runtime) -> list[str]:
    """Formatted exceptions raised in Lava's child processes, if any."""
    found = []
    infra = getattr(runtime, "_messaging_infrastructure", None)
    for actor in getattr(infra, "actors", []) or []:
        try:
            exc = actor.exception
        except Exception:  # noqa: BLE001 - a dead pipe means nothing to report
            continue
        if exc:
            err, tb = exc if isinstance(exc, tuple) else (exc, "")
            found.append(f"{type(err).__name__}: {err}\n{tb}")
    return found


def force_shutdown(runtime) -> None:
    """Terminate Lava's children and shared memory without the blocking ``stop()``."""
    if runtime is None:
        return
    infra = getattr(runtime, "_messaging_infrastructure", None)
    for actor in list(getattr(infra, "actors", []) or []):
        with contextlib.suppress(Exception):
            if actor.is_alive():
                actor.terminate()
        with contextlib.suppress(Exception):
            multiprocessing.Process.join(actor, _JOIN_TIMEOUT_S)
        with contextlib.suppress(Exception):
            if actor.is_alive():
                actor.kill()
                multiprocessing.Process.join(actor, _JOIN_TIMEOUT_S)
    smm = getattr(infra, "smm", None)
    if smm is not None:
        with contextlib.suppress(Exception):
            smm.shutdown()
    with contextlib.suppress(Exception):
        runtime._is_running = False
        runtime._is_started = False


def _runtime_of(process):
    return getattr(process, "runtime", None) or getattr(process, "_runtime", None)


class LavaSession:
    """Handle given by :func:`lava_session`: ``run(steps)`` and the Lava process it drives."""

    def __init__(self, process, run_cfg, run_steps_cls):
        self.process = process
        self.run_cfg = run_cfg
        self._run_steps = run_steps_cls
        self.failed = False
        self.steps_run = 0

    def run(self, steps: int) -> None:
        try:
            self.process.run(condition=self._run_steps(num_steps=int(steps)), run_cfg=self.run_cfg)
        except BaseException as exc:
            runtime = _runtime_of(self.process)
            errors = child_exceptions(runtime)
            self.failed = True
            force_shutdown(runtime)
            if isinstance(exc, KeyboardInterrupt):
                raise
            detail = "\n".join(errors) if errors else f"{type(exc).__name__}: {exc}"
            raise LavaRunError(f"the Lava run failed in a child process:\n{detail}") from exc
        self.steps_run += int(steps)


@contextlib.contextmanager
def lava_session(process, run_cfg) -> Iterator[LavaSession]:
    """Context manager around one Lava runtime; ``process`` is any process of the graph.

    Example::

        with lava_session(lif, Loihi2SimCfg(select_tag="floating_pt")) as sess:
            sess.run(100)
            v = lif.v.get()
    """
    from engram_nm.lava_compat import lava

    session = LavaSession(process, run_cfg, lava.RunSteps)
    try:
        yield session
    finally:
        runtime = _runtime_of(process)
        if session.failed:
            force_shutdown(runtime)
        elif runtime is not None and getattr(runtime, "_is_started", False):
            try:
                process.stop()
            except BaseException:
                force_shutdown(runtime)
                raise


def live_children() -> list[int]:
    """PIDs of this process' live children (for leak tests)."""
    return [p.pid for p in multiprocessing.active_children() if p.pid != os.getpid()]
