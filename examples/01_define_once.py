"""Define a network once, run it on every available backend, print the agreement table.

User story: "I describe my engram network one time and want to know that the
snnTorch model I train is the network Lava (and later Loihi 2) will run."

    python examples/01_define_once.py [--steps 200] [--out out/example01]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import engram_nm as en
from engram_nm.hardware.targets import available_targets, why_not


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--out", default="out/example01")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    # 1. Define once: 32 inputs -> 48 recurrent CUBA-LIF -> 12 LIF readout (continuous-time parameters).
    spec = en.EngramSpec(
        n_in=32,
        layers=[
            en.LayerSpec("engram", weight=rng.normal(0.15, 0.3, (48, 32)), neuron="cuba", tau_mem=20e-3,
                         tau_syn=5e-3, v_threshold=1.0, recurrent_weight=rng.normal(0.0, 0.08, (48, 48))),
            en.LayerSpec("readout", weight=rng.normal(0.1, 0.3, (12, 48)), tau_mem=10e-3, v_threshold=1.0,
                         bias=0.01),
        ],
        dt=1e-3,
        name="define_once",
    )
    print(spec.summary())
    # 2. Write it as NIR and read it back: the file is the hand-over format.
    path = en.export_nir(spec, Path(args.out) / "define_once.nir")
    deployed = en.import_nir(path)
    print(f"NIR round trip through {path}: exact = {deployed.equals(spec)}")
    # 3. Run it everywhere it can run, on the same input.
    x = (rng.random((args.steps, spec.n_in)) < 0.15).astype(float)
    reasons = {t: why_not(deployed, t) for t in available_targets()}  # not here, or not this network
    targets = [t for t, why in reasons.items() if not why]
    unavailable = {t: why for t, why in reasons.items() if why}
    report = en.verify(deployed, x, targets=targets)
    print(report.table())
    for t, why in unavailable.items():
        print(f"({t} skipped: {why})")
    print("snnTorch == Lava cpu-float, spike for spike:", "yes" if report.float_identical else "NO")
    return 0 if report.float_identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
