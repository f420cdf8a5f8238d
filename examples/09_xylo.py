"""One classifier, two chip families: train it once, then run it on Loihi and on Xylo.

User story: "I have a spiking classifier. Does it fit a SynSense Xylo? If not, why not; and if I
train it in Xylo's shape, what do Loihi and Xylo make of it, spike for spike against their
simulators?"

    python examples/09_xylo.py [--epochs 30] [--out out/example09]

1. the digits classifier in Xylo's shape (4x4 = 16 input channels, current-based neurons with
   subtractive reset, time constants 2 and 16 ms, no biases, hidden neurons firing up to 31 events
   a step as a Xylo hidden neuron does), trained with surrogate gradients;
2. ``fit`` on Xylo Audio 2 (8 outputs: refused, with the reason) and Audio 3 (fits);
3. the test digits on the float model, Xylo (xylo-emu, and Rockpool's XyloSim on the same digits:
   the same events) and Loihi (fixed-emu: the same weights, one spike a step, as Loihi fires).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out/example09")
    args = parser.parse_args(argv)

    import engram_nm as en
    from engram_nm.data import load_digits
    from engram_nm.experiments.frontier import FLAGSHIP, deployable, readout_scores, train_point
    from engram_nm.xylo import fit_xylo
    from engram_nm.xylo.chips import MAX_HIDDEN_EVENTS

    setting = dataclasses.replace(FLAGSHIP, neuron="cuba", max_events=MAX_HIDDEN_EVENTS, epochs=args.epochs)
    data = load_digits(args.seed, setting.input_code, pool=2)
    trained, _ = train_point(setting, args.seed, data=data, input_meta={**setting.input_code.to_metadata(), "pool": 2})
    spec = deployable(trained, data[0])
    path = en.export_nir(spec, Path(args.out) / "xylo_digits.nir")
    print(f"trained and wrote {path}: {spec.n_in} inputs -> {spec.layers[0].size} -> {spec.layers[1].size}")
    for chip in ("xylo-audio2", "xylo-audio3"):
        m = fit_xylo(spec, chip)
        print(f"{chip}: fits {'yes' if m.fits else 'NO'}" + "".join(f"\n  * {p}" for p in m.problems))
    x, y = np.transpose(data[2], (1, 0, 2)), data[3]
    results = {target: en.run(spec, x, target, record_v=True) for target in ("reference", "xylo-emu", "xylo-sim")}
    one_spike = spec.copy()  # Loihi's neurons fire one spike a step
    for layer in one_spike.layers:
        layer.max_events = 1
    results["fixed-emu (one spike a step)"] = en.run(one_spike, x, "fixed-emu", record_v=True)
    same = all(np.array_equal(results["xylo-emu"].spikes[k], results["xylo-sim"].spikes[k]) for k in spec.layer_names)
    print(f"\n| target | accuracy ({len(y)} test digits, chance 0.10) | hidden events per digit |\n|---|---|---|")
    for target, r in results.items():
        acc = np.mean(readout_scores(r.spikes["readout"], r.v["readout"], "membrane").argmax(axis=1) == y)
        print(f"| {target} | {acc:.3f} | {r.spikes['hidden'].sum() / len(y):.1f} |")
    print(f"\nxylo-emu == xylo-sim (every event of every digit): {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
