"""Learn five tasks in a row without forgetting: engram gating + an SDM key, then run it on Lava.

User story: "My network must learn new classes one task at a time, with no task
label at test time, and still know the old ones; and it has to run spiking on
the neuromorphic simulator."

    python examples/03_continual_gating.py [--epochs 3] [--tasks 5] [--lava-samples 5] [--out out/example03]

Trains a plain spiking network and the same network with learned engram gates
(task inferred by an SDM key of the inputs) on split digits, prints both
accuracy matrices, plots the average accuracy over the tasks seen, exports the
gated network through NIR and classifies test digits on Lava cpu-float with the
inferred task's gate.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=5, help="how many of the 5 two-class tasks to learn")
    parser.add_argument("--lava-samples", type=int, default=5, help="test digits per task run on Lava")
    parser.add_argument("--out", default="out/example03")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock
    import engram_nm as en
    from engram_nm.experiments.continual import ContinualConfig, TaskKeyMemory, rate_code, split_digits, train_sequential
    from engram_nm.analysis.plots import _pyplot, save_figure

    out = Path(args.out)
    tasks = split_digits(seed=args.seed)[: args.tasks]
    cfg = ContinualConfig(epochs=args.epochs, seed=args.seed)
    results = {}
    for method in ("snn", "gating_sdm"):
        res, model = train_sequential(method, tasks, "class", cfg, quiet=True)
        results[method] = (res, model)
        print(f"{method}: final average accuracy {res.final_average:.3f}, forgetting {res.forgetting:.3f}"
              + (f", task inferred right {res.task_inference_accuracy:.3f}" if res.task_inference_accuracy else ""))
        print("  accuracy after each task (rows) on each task (columns):")
        for row in res.accuracy:
            print("   " + " ".join(f"{a:5.2f}" for a in row))

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    for method, (res, _) in results.items():
        seen = [res.accuracy[i, : i + 1].mean() for i in range(len(tasks))]
        ax.plot(range(1, len(tasks) + 1), seen, "o-", label=method)
    ax.set(xlabel="tasks learned", ylabel="accuracy on the tasks seen", ylim=(0, 1.02),
           title="class-incremental split digits")
    ax.legend()
    figure = save_figure(fig, out / "forgetting.png")

    # The gated network on Lava: the task comes from the SDM key, the class from the spikes.
    gated = results["gating_sdm"][1]
    path = en.export_nir(gated.net.to_spec(), out / "gated.nir")
    deployed = en.import_nir(path)
    key = TaskKeyMemory(len(tasks))
    for h, task in enumerate(tasks):
        key.write(task.x_train, h)
    rng = np.random.default_rng(args.seed)
    correct = total = 0
    for h, task in enumerate(tasks):
        for i in range(min(args.lava_samples, len(task.y_test))):
            image = task.x_test[i:i + 1]
            g = int(key.infer(image, len(tasks))[0])
            spikes = rate_code(image, cfg.steps, cfg.max_rate, rng)[:, 0].numpy()
            padded = np.concatenate([spikes, np.zeros((2, 64), np.float32)])
            counts = en.run(deployed, padded, "cpu-float", tasks=g).spikes["readout"].sum(axis=0)
            classes = list(tasks[g].classes)
            correct += int(classes[int(np.argmax(counts[classes]))] == task.y_test[i])
            total += 1
    print(f"Lava cpu-float, gated network from {path.name}: {correct}/{total} test digits right "
          f"({correct / total:.3f})")
    print(f"figure: {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
