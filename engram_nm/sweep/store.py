"""A sweep's results folder: one row file per finished trial, and the tidy table made from them.

::

    OUT/sweep.json          the sweep it belongs to (experiment, swept parameters)
    OUT/rows/KEY.json       one trial's row, written atomically (temporary file + rename)
    OUT/results.parquet     (or results.csv) every row, rewritten atomically from the row files
    OUT/plots/METRIC_vs_PARAM.png

A row is ``{key, experiment, index, <parameters>, seed, <metrics>, status, error, wall_s, worker,
batch_size}``; ``status`` is ``"ok"``, ``"failed"`` or ``"timeout"``. A row file exists only
once its trial has ended, so a killed run (or Ctrl-C) leaves every finished row and no half of
one; the table is derived and can always be rebuilt (:meth:`ResultStore.write_table`).
A trial whose row says ``"ok"`` is never run again; failed and timed-out trials are retried by the
next run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from engram_nm.errors import SweepError
from engram_nm.io_utils import atomic_target, atomic_write_text
from engram_nm.sweep.spec import plain

ROW_FIELDS = ("key", "experiment", "index")            # first columns
TAIL_FIELDS = ("status", "error", "wall_s", "worker", "batch_size")  # last columns


def _jsonable(value):
    """:func:`~engram_nm.sweep.spec.plain`, with NaN as ``None`` (a missing value in the table)."""
    value = plain(value)
    return None if isinstance(value, float) and math.isnan(value) else value


class ResultStore:
    """The results folder of one sweep (module docstring)."""

    def __init__(self, folder, experiment: str, swept=(), fmt: str = "parquet"):
        self.folder = Path(folder)
        self.experiment = experiment
        self.swept = list(swept)
        self.format = fmt
        self.rows_dir = self.folder / "rows"
        meta = self.folder / "sweep.json"
        if meta.exists():
            try:
                held = json.loads(meta.read_text())
            except (OSError, ValueError) as exc:
                raise SweepError(f"{meta} is unreadable ({exc}); remove it or choose another `out` folder") from None
            if held.get("experiment") != experiment:
                raise SweepError(f"{self.folder} holds a sweep of {held.get('experiment')!r}, not {experiment!r}: "
                                 "choose another `out` folder")
        self.rows_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(meta, json.dumps({"experiment": experiment, "swept": self.swept}, indent=1))

    @property
    def table_path(self) -> Path:
        return self.folder / f"results.{self.format}"

    def write_row(self, row: dict) -> None:
        clean = {k: _jsonable(v) for k, v in row.items()}
        atomic_write_text(self.rows_dir / f"{row['key']}.json", json.dumps(clean, sort_keys=True))

    def rows(self) -> list:
        """Every row on disk, in sweep order (``index``, then key). Unreadable files (there are none
        unless written by hand: rows are written atomically) are skipped."""
        out = []
        for path in self.rows_dir.glob("*.json"):
            try:
                out.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda r: (r.get("index", 0), r["key"]))

    def finished(self) -> set:
        """Keys of the trials that ended well (never run again)."""
        return {r["key"] for r in self.rows() if r.get("status") == "ok"}

    def columns(self, rows: list) -> list:
        seen = []
        for r in rows:
            for k in r:
                if k not in seen:
                    seen.append(k)
        head = [c for c in ROW_FIELDS if c in seen]
        tail = [c for c in TAIL_FIELDS if c in seen]
        return head + [c for c in seen if c not in head and c not in tail] + tail

    def write_table(self) -> Path:
        """The tidy table of every row, atomically (Parquet via pyarrow, or CSV)."""
        import pyarrow as pa

        rows = self.rows()
        columns = self.columns(rows)
        arrays = {}
        for c in columns:
            values = [r.get(c) for r in rows]
            try:
                arrays[c] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in one column: keep them as text
                arrays[c] = pa.array([None if v is None else json.dumps(v) if not isinstance(v, str) else v
                                      for v in values])
        table = pa.table(arrays) if arrays else pa.table({"key": pa.array([], pa.string())})
        with atomic_target(self.table_path) as tmp:
            if self.format == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, tmp)
            else:
                import pyarrow.csv as pcsv

                pcsv.write_csv(table, tmp)
        return self.table_path


def read_table(path) -> list:
    """A results table (Parquet or CSV) as a list of row dicts."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"results table {path} does not exist")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    import pyarrow.csv as pcsv

    return pcsv.read_csv(path).to_pylist()
