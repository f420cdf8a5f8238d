"""Event-camera digits: where a spiking network can cost fewer operations than the frame ANN, and
taking it to Loihi 2's fixed point.

User story: "I record digits with an event camera. Does a spiking network classify them for fewer
synaptic operations than the frame-based network I would otherwise run, at the same accuracy,
counted the same way? And does the network I pick run on the chip as it ran in simulation?"

    python examples/08_event_camera.py [--train 1348] [--test 449] [--epochs 10] [--seed 0] [--out out/example08]

Generates the event-camera digits (a DVS model on the bundled digits moved along N-MNIST's saccades;
docs/events.md), trains the frame MLP (dense, zero-skipping and delta-network counts) and two
spiking networks with the first layer pruned 90 % (LIF, and sigma-delta with graded spikes),
counts every operation per recording, deploys the cheaper spiking network within 1 point of the
ANN to fixed point (fixed-emu over the test split, Lava cpu-fixed on three recordings, the Loihi 2
fit) and writes a figure. One seed: the 10-seed study with CIs is benchmarks/events.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=None, help="training recordings (default: the whole split)")
    parser.add_argument("--test", type=int, default=None, help="test recordings (default: the whole split)")
    parser.add_argument("--epochs", type=int, default=10, help="spiking networks' epochs (the ANN gets 3x)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("out/example08"))
    args = parser.parse_args(argv)

    from dataclasses import replace

    import numpy as np
    import torch

    from engram_nm.analysis.plots import _pyplot
    from engram_nm.experiments.event_frontier import ann_point, deploy, snn_point, spikes
    from engram_nm.experiments.frontier import FrontierSetting

    torch.set_num_threads(2)
    limit = (args.train, args.test)
    x_tr, _ = spikes("camera", "train", args.seed, args.train)
    x_te, y_te = spikes("camera", "test", args.seed, args.test)
    print(f"event digits: {x_tr.shape[1]} train / {x_te.shape[1]} test recordings, {x_te.shape[0]} steps of 10 ms, "
          f"{x_te.sum() / x_te.shape[1]:,.0f} input spikes per recording on a 2 x 32 x 32 sensor")

    ann = ann_point("camera", args.seed, (0.0, 0.5), epochs=3 * args.epochs, limit=limit)
    exact, delta = ann
    print(f"frame MLP 2048-64-10: accuracy {exact['accuracy']:.3f}; per recording {exact['dense_macs']:,.0f} dense, "
          f"{exact['effective_macs']:,.0f} effective, {delta['delta_macs']:,.0f} delta MACs (threshold 0.5, "
          f"accuracy {delta['accuracy']:.3f}); chance 0.10")

    base = FrontierSetting(readout="membrane", epochs=args.epochs, prune=0.9, finetune_epochs=max(1, args.epochs // 2),
                           lr=5e-3)
    rows = {}
    for name, setting in (("LIF", base), ("sigma-delta", replace(base, neuron="sigma_delta", sd_threshold=0.1))):
        spec, point = snn_point("camera", setting, args.seed, limit=limit)
        ops = point.effective_acs + point.graded_macs
        rows[name] = (spec, point, ops)
        print(f"{name} 2048-64-10, first layer pruned 90 %: accuracy {point.accuracy:.3f}; {ops:,.0f} synaptic ops "
              f"per recording ({point.graded_macs:,.0f} of them graded), {point.neuron_updates:,.0f} neuron updates: "
              f"{exact['dense_macs'] / ops:.1f}x fewer than the dense MLP, {delta['delta_macs'] / ops:.1f}x fewer than "
              "its delta network")

    best_acc = max(exact["accuracy"], delta["accuracy"])
    within = {k: v for k, v in rows.items() if v[1].accuracy >= best_acc - 0.01}
    pick = min(within or rows, key=lambda k: rows[k][2])
    print(f"deploying {pick} ({'within 1 point of the ANN' if within else 'no network within 1 point: the most frugal'})")
    dep = deploy(rows[pick][0], x_tr[:, :300], x_te, y_te, lava_samples=3)
    print(f"fixed-emu accuracy {dep['fixed_emu_accuracy']:.3f} (float {dep['float_accuracy']:.3f}, "
          f"{dep['decisions_kept']:.1%} of decisions kept); Lava cpu-fixed equals fixed-emu spike for spike on 3 "
          f"recordings: {'yes' if dep['lava_equals_fixed_emu'] else 'NO'}; Loihi 2: "
          + (f"fits, {dep['loihi2_cores']} cores" if dep["fits_loihi2"] else "does not fit: " + "; ".join(dep["fit_problems"])))

    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    one = x_te[:, 0].reshape(x_te.shape[0], 2, 32, 32).sum(axis=0)
    diff = one[1] - one[0]
    span = max(float(np.abs(diff).max()), 1.0)
    a.imshow(diff, cmap="coolwarm", vmin=-span, vmax=span)  # white: no net change
    a.set(title=f"one recording: ON - OFF spikes (digit {y_te[0]})", xticks=[], yticks=[])
    names = ["MLP dense", "MLP effective", "MLP delta", *rows]
    values = [exact["dense_macs"], exact["effective_macs"], delta["delta_macs"], *(v[2] for v in rows.values())]
    accs = [exact["accuracy"], exact["accuracy"], delta["accuracy"], *(v[1].accuracy for v in rows.values())]
    b.barh(names, values, color=["0.6", "0.6", "0.6", "#2b8cbe", "#31a354"])
    for y, (v, acc) in enumerate(zip(values, accs)):
        b.annotate(f" {acc:.3f}", (v, y), va="center", fontsize=8)
    b.set(xscale="log", xlabel="synaptic operations per recording (label: accuracy)", title="operations")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "event_camera.png"
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")
    return 0 if dep["lava_equals_fixed_emu"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
