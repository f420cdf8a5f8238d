"""The process :func:`engram_nm.sweep.isolation.run_isolated` starts:
``python -m engram_nm.sweep.child REQUEST.json ANSWER.json``."""

from __future__ import annotations

import json
import sys
import traceback


def main(argv=None) -> int:
    from engram_nm.io_utils import atomic_write_text
    from engram_nm.sweep.runner import call_experiment

    request_path, answer_path = (argv or sys.argv[1:])[:2]
    request = json.loads(open(request_path).read())
    try:
        import torch

        torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock
        metrics = call_experiment(request["experiment"], request["params"], request["seed"], request["seeds"])
        reply = {"ok": True, "metrics": metrics}
    except Exception as exc:  # noqa: BLE001 - every failure goes back as the trial's error
        traceback.print_exc()
        reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    atomic_write_text(answer_path, json.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
