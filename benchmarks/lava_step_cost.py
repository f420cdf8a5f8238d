"""Per-step cost of a Dense + LIF network on Lava cpu-float vs the same network in plain numpy.

Network: input RingBuffer (N channels, 10 % spikes per step) -> Dense(N x N) -> LIF(N) -> sink,
the stock Lava processes; numpy steps the same equations (engram_nm.backends.reference's update) in the
same run. Reported as a ratio (the machines are shared and noisy; absolute seconds are not
comparable across runs). The fixed start-up cost of a Lava run (compile + runtime start + stop)
is reported separately. Goal from issue 2: ratio <= 2 at N = 4000.

    python benchmarks/lava_step_cost.py [--sizes 100 1000 4000] [--steps 200]

Writes benchmarks/results/lava_step_cost.json and .md.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def numpy_ms_per_step(w: np.ndarray, x: np.ndarray, du: float, dv: float, vth: float) -> float:
    """The same network in numpy: the Dense sum and the float64 LIF step the reference and the
    GeneralLIF float model use (engram_nm/backends/float_lif.py), zero reset, no bias."""
    from engram_nm.backends.float_lif import lif_step

    n = w.shape[0]
    u, v = np.zeros(n), np.zeros(n)
    prev = np.zeros(x.shape[1], dtype=bool)
    t0 = time.perf_counter()
    for t in range(x.shape[0]):
        a_in = w[:, prev].sum(axis=1)
        u, v, _ = lif_step(u, v, a_in, du, dv, vth, 0.0, None, False, False, None, True)
        prev = x[t]
    return (time.perf_counter() - t0) * 1e3 / x.shape[0]


def lava_costs(w: np.ndarray, x: np.ndarray, du: float, dv: float, vth: float) -> tuple[float, float]:
    from engram_nm.lava_compat import lava
    from engram_nm.processes.runtime import lava_session

    n, steps = w.shape[0], x.shape[0]
    t_start = time.perf_counter()
    src = lava.SourceRingBuffer(data=np.concatenate([x, x[:1]]).T.astype(float))
    dense = lava.Dense(weights=w)
    lif = lava.LIF(shape=(n,), du=du, dv=dv, vth=vth)
    sink = lava.SinkRingBuffer(shape=(n,), buffer=steps + 1)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    lif.s_out.connect(sink.a_in)
    with lava_session(lif, lava.Loihi2SimCfg(select_tag="floating_pt")) as session:
        session.run(1)  # compile + start the runtime
        t_first = time.perf_counter()
        session.run(steps)
        t_run = time.perf_counter() - t_first
    startup = (t_first - t_start) + (time.perf_counter() - t_first - t_run)  # includes stop()
    return t_run * 1e3 / steps, startup


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 4000])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    from engram_nm.io_utils import atomic_write_text

    rows = []
    for n in args.sizes:
        rng = np.random.default_rng(n)
        w = rng.normal(0.0, 1.0 / np.sqrt(n), (n, n))
        x = rng.random((args.steps, n)) < 0.1
        np_ms = numpy_ms_per_step(w, x, 1.0, 0.05, 1.0)
        lava_ms, startup_s = lava_costs(w, x, 1.0, 0.05, 1.0)
        rows.append({"N": n, "lava_ms_per_step": lava_ms, "numpy_ms_per_step": np_ms,
                     "ratio_lava_over_numpy": lava_ms / np_ms, "lava_startup_s": startup_s})
        print(f"N={n}: lava {lava_ms:.3f} ms/step, numpy {np_ms:.3f} ms/step, ratio {lava_ms / np_ms:.1f}, "
              f"start-up {startup_s:.2f} s", flush=True)
    result = {"benchmark": "lava_step_cost", "steps": args.steps, "machine": platform.platform(),
              "python": platform.python_version(), "goal": "ratio <= 2 at N = 4000", "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "lava_step_cost.json", json.dumps(result, indent=2) + "\n")
    md = ["# Lava cpu-float step cost vs numpy (same run)", "",
          f"Dense(N x N) + LIF(N), 10 % input spikes, {args.steps} steps. Goal: ratio <= 2 at N = 4000.", "",
          "| N | Lava ms/step | numpy ms/step | ratio | Lava start-up + stop (s) |", "|---|---|---|---|---|"]
    md += [f"| {r['N']} | {r['lava_ms_per_step']:.3f} | {r['numpy_ms_per_step']:.3f} | "
           f"{r['ratio_lava_over_numpy']:.1f} | {r['lava_startup_s']:.2f} |" for r in rows]
    atomic_write_text(args.out / "lava_step_cost.md", "\n".join(md) + "\n")
    return result


if __name__ == "__main__":
    main()
