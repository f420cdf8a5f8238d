"""Learn five tasks in a row, keep no data, forget little: the engram continual learner, on chip.

User story: "My network must learn new classes one task at a time, with no task
label at test time and without storing the old examples, still know the old
classes, and learn on the neuromorphic chip itself."

    python examples/03_continual_gating.py [--tasks 5] [--train-images N] [--lava-train 20]
                                           [--lava-test 10] [--out out/example03] [--seed 0]

The learner (engram_nm.experiments.engram_learner) allocates a block of engram
cells to each class with an engram gate, learns their addresses with a local
competitive rule and ties them to a readout cell with Hebbian plasticity and
synaptic scaling (SPaSS) on the spikes; the answer is the readout that fires first.
Its ungated twin learns the same way with the gate open. Both run on fixed-emu
(bit-exact to Lava cpu-fixed); the script prints their accuracy matrices and
memory, plots the accuracy on the tasks seen and the learned readout, writes the
network as NIR, then learns again on Lava cpu-fixed, the readout on the chip's
learning engine, and checks it learned the same integers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5, help="how many of the 5 two-class tasks to learn")
    parser.add_argument("--train-images", type=int, default=None, help="training images per task (all)")
    parser.add_argument("--lava-train", type=int, default=20, help="training images per task learned on Lava")
    parser.add_argument("--lava-test", type=int, default=10, help="test images per task scored on Lava")
    parser.add_argument("--out", default="out/example03")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import engram_nm as en
    from engram_nm.analysis.plots import _pyplot, save_figure
    from engram_nm.experiments.continual_runs import task_sequence
    from engram_nm.experiments.engram_learner import EngramLearner, EngramLearnerConfig, train_engram_learner

    out = Path(args.out)
    tasks = task_sequence("class", args.seed, max_train=args.train_images)[: args.tasks]
    runs = {}
    for name, config in (("gated", EngramLearnerConfig()), ("ungated twin", EngramLearnerConfig(gated=False))):
        res, learner = train_engram_learner(tasks, "class", config, seed=args.seed)
        runs[name] = (res, learner)
        print(f"{name}: final average accuracy {res.final_average:.3f} (chance {1 / (2 * len(tasks)):.2f}), "
              f"forgetting {res.forgetting:.3f}, parameters {res.param_bytes} bytes, "
              f"stored training data: {res.stored_bytes} bytes")
        print("  accuracy after each task (rows) on each task (columns):")
        for row in res.accuracy:
            print("   " + " ".join(f"{a:5.2f}" for a in row))

    plt = _pyplot()
    fig, ax = plt.subplots(1, 3, figsize=(14, 3.8), layout="constrained")
    for name, (res, _) in runs.items():
        seen = [res.accuracy[i, : i + 1].mean() for i in range(len(tasks))]
        ax[0].plot(range(1, len(tasks) + 1), seen, "o-", label=name)
    ax[0].axhline(1 / (2 * len(tasks)), color="grey", ls=":", lw=0.8, label="chance, all tasks")
    ax[0].set(xlabel="tasks learned", ylabel="accuracy on the tasks seen", ylim=(0, 1.02),
              title="class-incremental split digits", xticks=range(1, len(tasks) + 1))
    ax[0].legend()
    for axis, (name, (_, learner)) in zip(ax[1:], runs.items()):
        cells = 2 * len(tasks) * learner.config.cells_per_unit
        image = axis.imshow(learner.readout[: 2 * len(tasks), :cells], aspect="auto", vmin=0, vmax=1, cmap="magma")
        axis.set(title=f"learned readout, {name}", xlabel="engram cell", ylabel="readout (class)",
                 yticks=range(2 * len(tasks)))
        fig.colorbar(image, ax=axis, fraction=0.046)
    figure = save_figure(fig, out / "continual_learner.png")

    learner = runs["gated"][1]
    nir_path = en.export_nir(learner.spec(plastic=True), out / "engram_learner.nir")
    print(f"the network, gates and learning rule: {nir_path} "
          f"({sum(c.weight.size for c in learner.spec().connections())} synapses)")

    # The same learning on Lava cpu-fixed, the readout on the chip's learning engine.
    short = task_sequence("class", args.seed, max_train=args.lava_train, max_test=args.lava_test)[: args.tasks]
    learned, scores = {}, {}
    for target in ("fixed-emu", "cpu-fixed"):
        chip = EngramLearner(seed=args.seed)
        for task in short:
            chip.learn_addresses(task.x_train, task.y_train)
            run = chip.learn_readout(task.x_train, task.y_train, task.y_train, target, args.seed)
        x = np.concatenate([t.x_test for t in short])
        y = np.concatenate([t.y_test for t in short])
        learned[target], scores[target] = chip.readout, float(np.mean(chip.predict(x, target) == y))
        where = {k: v.where.value for k, v in run.learning.items()} or "the emulator"
        print(f"{target}: learned on {where}; {len(y)} test images, accuracy {scores[target]:.3f}")
    same = np.array_equal(learned["fixed-emu"], learned["cpu-fixed"])
    print(f"Lava cpu-fixed learned the same readout as fixed-emu: {'yes' if same else 'NO'}")
    print(f"figure: {figure}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
