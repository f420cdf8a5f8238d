"""Runs of the continual-learning comparison, one row per (method, scenario, seed).

Each function returns plain rows (dicts of numbers and lists) so that runs can go to worker
processes and be tabulated by ``benchmarks/continual.py``. A row holds the final average
accuracy, forgetting, accuracy matrix, activity, synaptic operations per sample and memory
(parameter bytes, stored training data bytes) of one method learning one task sequence.
"""

from __future__ import annotations

import time

import numpy as np

SCENARIO_TASKS = {"class": "split", "task": "split", "domain": "permuted"}


def task_sequence(scenario: str, seed: int, n_permuted: int = 10, max_train: int | None = None,
                  max_test: int | None = None) -> list:
    """The tasks of ``scenario`` for ``seed`` (split digits, or ``n_permuted`` permuted digits),
    each cut to its first ``max_train`` training and ``max_test`` test images when given."""
    from engram_nm.experiments.continual import Task, permuted_digits, split_digits

    tasks = permuted_digits(n_permuted, seed=seed) if scenario == "domain" else split_digits(seed=seed)
    return [Task(t.classes, t.x_train[:max_train], t.y_train[:max_train], t.x_test[:max_test], t.y_test[:max_test])
            for t in tasks]


def validation_split(tasks: list, seed: int, fraction: float = 0.2) -> list:
    """The tasks with their test split replaced by a held-out ``fraction`` of their own training
    images (drawn with ``seed``), trained on the rest: hyper-parameters are chosen on these, never
    on the test split."""
    from engram_nm.errors import InputError
    from engram_nm.experiments.continual import Task

    if not 0 < fraction < 1:
        raise InputError(f"fraction must be in (0, 1), got {fraction!r}")
    rng = np.random.default_rng(10_000 + seed)
    out = []
    for t in tasks:
        order = rng.permutation(len(t.y_train))
        n_held = int(round(fraction * len(order)))
        held, kept = order[:n_held], order[n_held:]
        out.append(Task(t.classes, t.x_train[kept], t.y_train[kept], t.x_train[held], t.y_train[held]))
    return out


def result_row(result, seed: int, seconds: float) -> dict:
    """A :class:`~engram_nm.experiments.continual.ContinualResult` as a row."""
    return {"method": result.method, "scenario": result.scenario, "seed": int(seed),
            "final_average": result.final_average, "forgetting": result.forgetting,
            "active_fraction": result.active_fraction, "synops_per_sample": result.synops_per_sample,
            "task_inference": result.task_inference_accuracy, "accuracy_matrix": result.accuracy.tolist(),
            "param_bytes": int(result.param_bytes), "stored_bytes": int(result.stored_bytes),
            "seconds": float(seconds)}


def run_methods(methods, scenarios, seed: int, config_kwargs: dict, n_permuted: int = 10, variant: str = "") -> list:
    """Rows of the trained baselines (:mod:`engram_nm.experiments.continual_methods`) for one seed.
    ``variant`` (an ablation, e.g. ``"masked loss"``) is kept in each row beside the method's name."""
    import torch

    from engram_nm.experiments.continual import ContinualConfig, train_sequential

    torch.set_num_threads(1)  # one process per core; docs/lava_edges.md: torch threads + fork
    rows = []
    for scenario in scenarios:
        tasks = task_sequence(scenario, seed, n_permuted)
        for method in methods:
            t0 = time.perf_counter()
            res, _ = train_sequential(method, tasks, scenario, ContinualConfig(seed=seed, **config_kwargs), quiet=True)
            rows.append({**result_row(res, seed, time.perf_counter() - t0), "variant": variant})
    return rows


def masked_loss_ablation(methods, seed: int, config_kwargs: dict) -> list:
    """The class scenario with the masked-loss trick flipped for every trained method: on for the
    methods that do not use it by default (every ungated one), off for the gated ones. Rows carry
    ``variant`` ``"masked loss"`` or ``"no masked loss"``."""
    from engram_nm.experiments.continual_methods import make_method

    rows = []
    for method in methods:
        model = make_method(method, 64, 5, seed)
        if hasattr(model, "store") or hasattr(model, "learn_task"):
            continue  # no loss: kNN and FlyModel learn without one
        masked = not model.gated
        rows += run_methods([method], ["class"], seed, {**config_kwargs, "masked_loss": masked},
                            variant="masked loss" if masked else "no masked loss")
    return rows


def run_engram_learner(scenario: str, seeds, gated: bool = True, n_permuted: int = 10,
                       target: str = "fixed-emu", max_train: int | None = None) -> list:
    """Rows of the engram continual learner (or its ungated twin), every seed in one cohort
    (``max_train``: the first training images of each task only, for smoke tests)."""
    from engram_nm.experiments.engram_learner import EngramLearnerConfig, train_engram_cohort

    t0 = time.perf_counter()
    out = train_engram_cohort([task_sequence(scenario, s, n_permuted, max_train) for s in seeds], scenario,
                              EngramLearnerConfig(gated=gated), seeds, target)
    per_seed = (time.perf_counter() - t0) / len(out)
    return [result_row(res, s, per_seed) for (res, _), s in zip(out, seeds)]


def run_joint(seed: int, config_kwargs: dict) -> list:
    """The joint-training oracle: the MLP trained on every class at once (one task holding all the
    training images, the same epochs), scored on the whole test split; class scenario."""
    import torch

    from engram_nm.experiments.continual import ContinualConfig, Task, split_digits, train_sequential

    torch.set_num_threads(1)
    tasks = split_digits(seed=seed)
    merged = Task(tuple(range(10)), *(np.concatenate([getattr(t, f) for t in tasks])
                                      for f in ("x_train", "y_train", "x_test", "y_test")))
    t0 = time.perf_counter()
    res, _ = train_sequential("mlp", [merged], "class", ContinualConfig(seed=seed, **config_kwargs), quiet=True)
    res.method = "joint_mlp"
    return [result_row(res, seed, time.perf_counter() - t0)]


def lava_engram_learner(seed: int = 0, max_train: int | None = None, max_test: int | None = None) -> dict:
    """The engram learner of ``seed`` learning the class scenario on Lava ``cpu-fixed`` (its readout
    on the learning engine) and scored there; the same on ``fixed-emu`` beside it (both on the
    first ``max_train`` / ``max_test`` images of each task when given). Returns the final average
    of each, whether the two learned the same readout, and where Lava ran the learning."""
    from engram_nm.experiments.engram_learner import EngramLearner

    tasks = task_sequence("class", seed, max_train=max_train, max_test=max_test)
    out = {}
    learners = {}
    for target in ("fixed-emu", "cpu-fixed"):
        t0 = time.perf_counter()
        learner = EngramLearner(seed=seed)
        site = None
        for task in tasks:
            learner.learn_addresses(task.x_train, task.y_train)
            run = learner.learn_readout(task.x_train, task.y_train, task.y_train, target, seed)
            site = {name: entry.where.value for name, entry in run.learning.items()} or site
        spikes = learner.readout_spikes(np.concatenate([t.x_test for t in tasks]), target)
        accs = learner.task_accuracies(spikes, tasks)
        learners[target] = learner
        out[target] = {"final_average": float(np.mean(accs)), "per_task": accs,
                       "seconds": time.perf_counter() - t0, "learning_site": site}
    out["same_readout"] = bool(np.array_equal(learners["fixed-emu"].readout, learners["cpu-fixed"].readout))
    out["seed"] = int(seed)
    out["test_images"] = int(sum(len(t.y_test) for t in tasks))
    return out
