"""Atomic file writes (write to a temporary file in the same folder, then rename) and the
checks that an output location can be written at all, made before any work starts."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np

from engram_nm.errors import OutputPathError


@contextlib.contextmanager
def atomic_target(path) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``, else delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the result should read like any new file
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data: bytes) -> Path:
    with atomic_target(path) as tmp:
        Path(tmp).write_bytes(data)
    return Path(path)


def atomic_write_text(path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_savez(path, **arrays) -> Path:
    """``np.savez`` to ``path`` atomically (``path`` keeps its name; no ``.npz`` is appended)."""
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return atomic_write_bytes(path, buf.getvalue())


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover - the root always exists


def _probe_folder(folder: Path, what: str) -> None:
    """Create and delete a file in ``folder``: the only test that read-only mounts, virtual file
    systems (``/proc``, ``/sys``) and permissions all answer honestly."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".engram_nm-probe.", dir=folder)
    except OSError as exc:
        raise OutputPathError(f"{what}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(path, what: str = "output") -> Path:
    """Raise :class:`OutputPathError` unless a file can be written at ``path``.

    Missing parent folders are allowed (the writer creates them); the nearest folder that
    exists must take a new file. Nothing is left behind.
    """
    path = Path(path)
    if str(path) == "" or path.name in ("", ".", ".."):
        raise OutputPathError(f"{what}: {str(path)!r} is not a file name")
    if path.is_dir():
        raise OutputPathError(f"{what}: {path} is a folder; give a file name")
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise OutputPathError(f"{what}: {base} is a file, so {path} cannot be created under it")
    _probe_folder(base, what)
    return path


def check_output_folder(path, what: str = "output folder") -> Path:
    """Raise :class:`OutputPathError` unless files can be written in folder ``path`` (created later)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{what}: {path} is a file; give a folder")
    base = _nearest_existing(path)
    if not base.is_dir():
        raise OutputPathError(f"{what}: {base} is a file, so {path} cannot be created under it")
    _probe_folder(base, what)
    return path
