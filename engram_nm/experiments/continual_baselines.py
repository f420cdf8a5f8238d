"""Baselines of the class-incremental digits with the engram learner's data and budget.

The engram continual learner (:mod:`engram_nm.experiments.engram_learner`) is, read plainly, a
**class-wise spiking prototype learner**: a free cell copies a training image, instar updates
average it, the label picks the block, a Hebbian read-out names the class. Its fair baselines are
therefore the classic class-wise and exemplar methods, each fed the same tasks in the same order
(five tasks of two classes, :func:`~engram_nm.experiments.continual.split_digits`) and scored on
the same test split, one head over all ten classes (class-incremental: no task id at test):

* :class:`CosineNearestNeighbour`: 1-NN by cosine on raw pixels; keeps every training image;
* :class:`NearestClassMean`: one running mean per class (keeps image averages);
* :class:`ClassKMeans`: spherical k-means per class with the learner's prototype count (10 per
  class), nearest centroid by cosine: the same prototypes in float, found by k-means;
* :class:`StreamingLDA`: Hayes & Kanan, CVPR Workshops 2020 (SLDA): running class means and one
  shared covariance, ``argmax_k w_k . x + b_k`` with ``w_k = (S + eps I)^-1 mu_k``;
* :class:`ICaRLNME`: iCaRL (Rebuffi et al., CVPR 2017) as its classifier is specified: a feature
  MLP trained on each task with an exemplar memory (herding selection, Rebuffi et al. Alg. 4),
  classification by the nearest mean of exemplars; its distillation loss is left out (the
  exemplars are rehearsed instead);
* :class:`ReplayMLP`: an MLP rehearsing a replay buffer (every training image seen, or a buffer
  within the engram learner's bytes), each task trained to convergence (:data:`CONVERGED`);
* the joint MLP: every task at once, trained to convergence (the upper bound).

Memory is counted in one unit for every method: **bytes at 4 per stored number** (float32 for
every weight, mean, covariance or image; a label as one number too), with the stored training
images (or averages of them) kept apart from the learned parameters (:class:`Memory`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError
from engram_nm.experiments.engram_learner import unit_rows

BYTES_PER_NUMBER = 4
"""Every method's memory is counted as float32 numbers (module docstring)."""

CONVERGED = {"max_epochs": 100, "loss": 1e-2, "patience": 5}
"""An MLP trains to convergence: minibatch Adam epochs until the mean training loss is below
``loss`` (every training image then classified right with a wide margin) or has not improved for
``patience`` epochs, at most ``max_epochs`` (the continual benchmark's MLPs train 3 epochs)."""


@dataclass(frozen=True)
class Memory:
    """What a method holds after the last task, in bytes at :data:`BYTES_PER_NUMBER` per number:
    ``parameters`` (learned weights), ``images`` (training images kept as they are) and
    ``averages`` (averages of training images: class means, centroids, prototypes)."""

    parameters: int = 0
    images: int = 0
    averages: int = 0

    @property
    def total(self) -> int:
        return self.parameters + self.images + self.averages


class CosineNearestNeighbour:
    """1-NN by cosine similarity on raw pixels; every training image is kept."""

    name = "cosine_1nn"

    def __init__(self, seed: int = 0):
        self.x, self.y = np.zeros((0, 64)), np.zeros(0, dtype=np.int64)

    def learn_task(self, x, y) -> None:
        self.x, self.y = np.vstack([self.x, unit_rows(x)]), np.concatenate([self.y, y])

    def predict(self, x) -> np.ndarray:
        return self.y[np.argmax(unit_rows(x) @ self.x.T, axis=1)]

    def memory(self) -> Memory:
        return Memory(images=(self.x.size + self.y.size) * BYTES_PER_NUMBER)


class NearestClassMean:
    """One running mean per class seen; the class of the nearest mean (Euclidean)."""

    name = "nearest_class_mean"

    def __init__(self, seed: int = 0):
        self.sums, self.counts = {}, {}

    def learn_task(self, x, y) -> None:
        for c in np.unique(y):
            self.sums[int(c)] = self.sums.get(int(c), 0) + x[y == c].sum(axis=0)
            self.counts[int(c)] = self.counts.get(int(c), 0) + int((y == c).sum())

    def means(self):
        classes = sorted(self.sums)
        return np.array(classes), np.array([self.sums[c] / self.counts[c] for c in classes])

    def predict(self, x) -> np.ndarray:
        classes, mu = self.means()
        return classes[np.argmin(((x[:, None, :] - mu[None]) ** 2).sum(-1), axis=1)]

    def memory(self) -> Memory:
        return Memory(averages=len(self.sums) * (64 + 1) * BYTES_PER_NUMBER)


class ClassKMeans:
    """Spherical k-means (``per_class`` centroids, unit length) on each class's images, run once
    when the class is learned (seeded k-means++ starts, ``iterations`` Lloyd steps); the class of
    the centroid nearest by cosine."""

    name = "class_kmeans"

    def __init__(self, seed: int = 0, per_class: int = 10, iterations: int = 30):
        self.rng = np.random.default_rng(seed)
        self.per_class, self.iterations = int(per_class), int(iterations)
        self.centroids, self.labels = np.zeros((0, 64)), np.zeros(0, dtype=np.int64)

    def _kmeans(self, x: np.ndarray) -> np.ndarray:
        k = min(self.per_class, len(x))
        centres = [x[self.rng.integers(len(x))]]
        for _ in range(1, k):  # k-means++ on cosine distance
            d = 1.0 - np.max(x @ np.array(centres).T, axis=1)
            p = np.clip(d, 0, None) ** 2
            centres.append(x[self.rng.choice(len(x), p=p / p.sum()) if p.sum() > 0 else self.rng.integers(len(x))])
        c = np.array(centres)
        for _ in range(self.iterations):
            owner = np.argmax(x @ c.T, axis=1)
            c = np.array([unit_rows(x[owner == j].sum(axis=0)) if np.any(owner == j) else c[j] for j in range(k)])
        return c

    def learn_task(self, x, y) -> None:
        x = unit_rows(x)
        for cls in np.unique(y):
            c = self._kmeans(x[y == cls])
            self.centroids = np.vstack([self.centroids, c])
            self.labels = np.concatenate([self.labels, np.full(len(c), int(cls))])

    def predict(self, x) -> np.ndarray:
        return self.labels[np.argmax(unit_rows(x) @ self.centroids.T, axis=1)]

    def memory(self) -> Memory:
        return Memory(averages=(self.centroids.size + self.labels.size) * BYTES_PER_NUMBER)


class StreamingLDA:
    """SLDA (Hayes & Kanan 2020): running class means and a shared covariance updated one image at
    a time, predicting ``argmax_k w_k . x + b_k``, ``w_k = P mu_k``, ``b_k = -mu_k . P mu_k / 2``,
    ``P = ((1 - eps) S + eps I)^-1`` (``eps``: their shrinkage, 1e-4 in the paper on CNN features;
    raw pixels, some of them constant, need more: 1e-2, a choice). The covariance is the exact
    running pooled within-class covariance (Welford: an image of a class seen ``n`` times adds
    ``n / (n + 1) (x - mu)(x - mu)^T``), where Hayes & Kanan's Eq. 3 weights by the global count and
    lets each class's first image enter as a deviation from a zero mean."""

    name = "slda"

    def __init__(self, seed: int = 0, shrinkage: float = 1e-2):
        if not 0 < shrinkage < 1:
            raise InputError(f"SLDA shrinkage must be in (0, 1), got {shrinkage}")
        self.eps = float(shrinkage)
        self.mu, self.n = {}, {}
        self.cov, self.t = np.zeros((64, 64)), 0

    def learn_task(self, x, y) -> None:
        for xi, yi in zip(np.asarray(x, dtype=np.float64), y):
            c = int(yi)
            seen = self.n.get(c, 0)
            mu = self.mu.get(c, xi)
            d = xi - mu
            self.cov = (self.t * self.cov + np.outer(d, d) * seen / (seen + 1)) / (self.t + 1)
            self.t += 1
            self.n[c] = seen + 1
            self.mu[c] = mu + d / self.n[c]

    def predict(self, x) -> np.ndarray:
        classes = np.array(sorted(self.mu))
        mu = np.array([self.mu[c] for c in classes])
        p = np.linalg.inv((1 - self.eps) * self.cov + self.eps * np.eye(64))
        w = mu @ p
        b = -0.5 * np.sum(w * mu, axis=1)
        return classes[np.argmax(np.asarray(x, dtype=np.float64) @ w.T + b, axis=1)]

    def memory(self) -> Memory:
        return Memory(parameters=self.cov.size * BYTES_PER_NUMBER, averages=len(self.mu) * 65 * BYTES_PER_NUMBER)


def _mlp(seed: int, hidden: int = 100):
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def train_to_convergence(model, x: np.ndarray, y: np.ndarray, seed: int, batch: int = 64, lr: float = 2e-3) -> int:
    """Adam on cross-entropy over minibatches until :data:`CONVERGED`; returns the epochs run."""
    import torch

    x_t, y_t = torch.as_tensor(np.asarray(x, dtype=np.float32)), torch.as_tensor(np.asarray(y, dtype=np.int64))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    best, stale = np.inf, 0
    for epoch in range(1, CONVERGED["max_epochs"] + 1):
        order = torch.randperm(len(x_t), generator=gen)
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_t[idx]), y_t[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        total /= len(x_t)
        if total < CONVERGED["loss"]:
            return epoch
        best, stale = (total, 0) if total < best - 1e-6 else (best, stale + 1)
        if stale >= CONVERGED["patience"]:
            return epoch
    return CONVERGED["max_epochs"]


def _param_bytes(model) -> int:
    return sum(p.numel() for p in model.parameters()) * BYTES_PER_NUMBER


class ReplayMLP:
    """An MLP (64-100-10) that rehearses a replay buffer: each task trained to convergence on its
    images and the buffer; the buffer keeps every image seen (``budget_bytes=None``) or, within
    ``budget_bytes``, an equal share per class seen (random, seeded)."""

    name = "replay_mlp"

    def __init__(self, seed: int = 0, budget_bytes: int | None = None):
        self.seed, self.budget = int(seed), budget_bytes
        self.model = _mlp(seed)
        self.bx, self.by = np.zeros((0, 64)), np.zeros(0, dtype=np.int64)
        self.rng = np.random.default_rng(seed)
        self.epochs = []

    def learn_task(self, x, y) -> None:
        self.epochs.append(train_to_convergence(self.model, np.vstack([x, self.bx]), np.concatenate([y, self.by]),
                                                self.seed + len(self.epochs)))
        bx, by = np.vstack([self.bx, x]), np.concatenate([self.by, y])
        if self.budget is not None:
            keep = self.budget // ((64 + 1) * BYTES_PER_NUMBER)
            classes = np.unique(by)
            per = keep // len(classes)
            pick = np.concatenate([self.rng.permutation(np.flatnonzero(by == c))[:per] for c in classes])
            bx, by = bx[pick], by[pick]
        self.bx, self.by = bx, by

    def predict(self, x) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.model(torch.as_tensor(np.asarray(x, dtype=np.float32))).argmax(1).numpy()

    def memory(self) -> Memory:
        return Memory(parameters=_param_bytes(self.model), images=(self.bx.size + self.by.size) * BYTES_PER_NUMBER)


class ICaRLNME:
    """iCaRL's classifier (module docstring): the MLP's hidden layer as the feature map, trained to
    convergence on each task's images and the exemplars; ``per_class`` exemplars per class chosen
    by herding on the unit-length features; the class of the nearest exemplar mean."""

    name = "icarl_nme"

    def __init__(self, seed: int = 0, per_class: int = 20):
        self.seed, self.per_class = int(seed), int(per_class)
        self.model = _mlp(seed)
        self.ex, self.ey = np.zeros((0, 64)), np.zeros(0, dtype=np.int64)
        self.means, self.classes = None, None
        self.tasks = 0

    def _features(self, x) -> np.ndarray:
        import torch

        with torch.no_grad():
            h = self.model[1](self.model[0](torch.as_tensor(np.asarray(x, dtype=np.float32))))
        return unit_rows(h.numpy())

    def _herding(self, x) -> np.ndarray:
        f = self._features(x)
        mu = f.mean(axis=0)
        chosen, total = [], np.zeros_like(mu)
        for k in range(1, min(self.per_class, len(x)) + 1):
            gap = np.linalg.norm(mu - (total + f) / k, axis=1)
            gap[chosen] = np.inf
            i = int(np.argmin(gap))
            chosen.append(i)
            total += f[i]
        return np.array(chosen)

    def learn_task(self, x, y) -> None:
        train_to_convergence(self.model, np.vstack([x, self.ex]), np.concatenate([y, self.ey]), self.seed + self.tasks)
        self.tasks += 1
        for c in np.unique(y):
            pick = self._herding(x[y == c])
            self.ex, self.ey = np.vstack([self.ex, x[y == c][pick]]), np.concatenate([self.ey, np.full(pick.size, int(c))])
        self.classes = np.unique(self.ey)
        self.means = np.array([unit_rows(self._features(self.ex[self.ey == c]).mean(axis=0)) for c in self.classes])

    def predict(self, x) -> np.ndarray:
        return self.classes[np.argmax(self._features(x) @ self.means.T, axis=1)]

    def memory(self) -> Memory:
        return Memory(parameters=_param_bytes(self.model), images=(self.ex.size + self.ey.size) * BYTES_PER_NUMBER)


def run_baseline(method, tasks: list) -> dict:
    """Train ``method`` on ``tasks`` in order and score it after the last task: the final average
    of the per-task accuracies (class-incremental: one head over all classes) and its memory."""
    for task in tasks:
        method.learn_task(task.x_train, task.y_train)
    per_task = [float(np.mean(method.predict(t.x_test) == t.y_test)) for t in tasks]
    memory = method.memory()
    return {"method": method.name, "final_average": float(np.mean(per_task)), "per_task": per_task,
            "parameter_bytes": memory.parameters, "image_bytes": memory.images, "average_bytes": memory.averages,
            "total_bytes": memory.total}


def joint_mlp(tasks: list, seed: int) -> dict:
    """The joint upper bound: one MLP on every task's images at once, trained to convergence."""
    model = _mlp(seed)
    epochs = train_to_convergence(model, np.vstack([t.x_train for t in tasks]),
                                  np.concatenate([t.y_train for t in tasks]), seed)
    holder = ReplayMLP(seed)
    holder.model = model
    per_task = [float(np.mean(holder.predict(t.x_test) == t.y_test)) for t in tasks]
    return {"method": "joint_mlp_converged", "final_average": float(np.mean(per_task)), "per_task": per_task,
            "parameter_bytes": _param_bytes(model), "image_bytes": 0, "average_bytes": 0,
            "total_bytes": _param_bytes(model), "epochs": epochs}


def learner_memory(learner) -> Memory:
    """The engram learner's bytes in the same unit: its prototypes are averages of training images
    (each starts as a copy of one, instar updates average it); the read-out weights and the
    allocation flags are parameters."""
    return Memory(parameters=(learner.readout.size + learner.allocated.size) * BYTES_PER_NUMBER,
                  averages=learner.prototypes.size * BYTES_PER_NUMBER)


def prototype_readout(learner, x: np.ndarray) -> np.ndarray:
    """The engram learner's prototypes read out in float: the class of the allocated prototype most
    similar (dot product with the unit-length image) to ``x``, i.e. the winner of the spiking race
    in the limit of infinite time resolution (engram_learner.py, step 1)."""
    cells = np.flatnonzero(learner.allocated)
    classes = (cells // learner.config.cells_per_unit) % 10  # cell -> its block's unit -> the unit's class
    return classes[np.argmax(unit_rows(x) @ learner.prototypes[cells].T, axis=1)]
