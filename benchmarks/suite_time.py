"""The README's test commands, timed from a clean clone: `make setup`, `make test`, `make test-all`.

Clones the repository's HEAD into a temporary folder (nothing installed, nothing cached), runs
`make setup` and then each tier with the README's own command, and reads pytest's summary line
(tests passed, failed, seconds). The goal (issue 31): `make test` <= 300 s on 2 cores. There is no
baseline to take a ratio to: the goal is a wall-clock budget on the machine CI uses, so the
machine and its load before the run are recorded beside it.

    python benchmarks/suite_time.py [--tiers test test-all] [--keep]

Writes benchmarks/results/suite_time.{json,md}.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, machine_info, publish  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = {"test": 300.0}
SUMMARY = re.compile(r"=+ (?P<body>.*?) in (?P<seconds>[0-9.]+)s")


def summary(output: str) -> dict:
    """pytest's last summary line as ``{"passed": n, "failed": n, ..., "pytest_seconds": s}``."""
    lines = [m for m in SUMMARY.finditer(output)]
    if not lines:
        return {}
    last = lines[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last.group("body"))}
    return {**counts, "pytest_seconds": float(last.group("seconds"))}


def timed(command: list, cwd: Path) -> tuple:
    t0 = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return time.perf_counter() - t0, proc


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", nargs="+", default=["test", "test-all"], choices=["test", "test-all"])
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="engram_nm_tiers_"))
    clone = work / "clone"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        load_before = os.getloadavg()[0]
        setup_s, proc = timed(["make", "setup"], clone)
        if proc.returncode:
            raise SystemExit(f"make setup failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        tiers = {}
        for tier in args.tiers:
            seconds, proc = timed(["make", tier], clone)
            tiers[tier] = {"wall_seconds": seconds, "returncode": proc.returncode,
                           **summary(proc.stdout + proc.stderr), "goal_seconds": GOAL_S.get(tier)}
    finally:
        if args.keep:
            print(f"clone kept in {clone}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    info = machine_info()
    result = {"benchmark": "suite_time", **info, "commit": commit, "load_average_before": load_before,
              "setup_seconds": setup_s, "tiers": tiers}
    md = ["# The README's test commands from a clean clone", "",
          f"Machine: {info['machine']}, {info['cpus']} CPUs, load average {load_before:.2f} before; commit {commit}; "
          f"`make setup` {setup_s:.0f} s.", "",
          "| command | tests passed | failed | pytest (s) | wall, with make (s) | goal (s) |", "|---|---|---|---|---|---|"]
    for tier, t in tiers.items():
        goal = f"{t['goal_seconds']:.0f}" if t["goal_seconds"] else "-"
        md.append(f"| `make {tier}` | {t.get('passed', 0)} | {t.get('failed', 0) + t.get('errors', 0) + t.get('error', 0)} "
                  f"| {t.get('pytest_seconds', float('nan')):.0f} | {t['wall_seconds']:.0f} | {goal} |")
    return publish(args.out, "suite_time", result, md)


if __name__ == "__main__":
    main()
