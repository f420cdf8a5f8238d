"""How many operations, and how much energy, does my network cost on each backend and chip?

User story: "I have a NIR model and some inputs; tell me spikes, synaptic events and the
energy per inference on snnTorch, Lava float and fixed, and what Loihi would spend — with
the source of every number — and whether it fits a Loihi 2 chip."

    python examples/04_energy_compare.py [--steps 100] [--out out/example04]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--out", default="out/example04")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import engram_nm as en
    from engram_nm.analysis.compare import compare
    from engram_nm.analysis.fit import fit_report

    out = Path(args.out)
    spec = en.random_spec(32, [64, 10], weight_scale=0.4, recurrent=[True, False], seed=args.seed,
                          name="energy_example")
    model = en.import_nir(en.export_nir(spec, out / "model.nir"))
    rng = np.random.default_rng(args.seed)
    samples = [(rng.random((args.steps, 32)) < 0.1).astype(float) for _ in range(args.samples)]
    report = compare(model, samples)
    print(report.table())
    print(f"plot: {report.plot(out / 'energy.png')}")
    fit = fit_report(model)
    print(f"Loihi 2: {fit.cores} cores, fits: {'yes' if fit.fits else 'no'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
