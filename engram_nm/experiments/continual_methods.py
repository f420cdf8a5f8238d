"""The models compared in the continual-learning benchmark, behind one small interface.

Each method is a ``torch.nn.Module`` with ``logits(x, task)`` (``x``: images for
the MLP, rate-coded spikes ``[T, B, 64]`` for spiking models), ``spiking``,
``gated`` and ``task_inference`` attributes, ``penalty()`` for its
regularisers, and ``activity(x)`` -> (active-neuron fraction, synaptic ops per
sample). :func:`make_method` builds one by name.

======================  =====================================================================
method                  what it is
======================  =====================================================================
``mlp``                 64-h-10 ReLU MLP on the images (the ANN baseline)
``sdm``                 SDMLP as Bricken et al. 2023 (ICLR) specify it (:class:`SDMLPMethod`): 1,000
                        neurons, Top-K with k = 10 annealed from all neurons, L2-normalised inputs and
                        addresses, non-negative weights, no biases, plain SGD (lr 0.05)
``snn``                 64-h-10 LIF network (stock Lava semantics), surrogate gradients
``snn_l1``              ``snn`` + L1 on hidden spike counts
``snn_kl``              ``snn`` + KL sparsity (target 2 % spikes per step)
``snn_l0``              ``snn`` + hard-concrete L0 gates on the hidden neurons
``ewc``                 ``snn`` + elastic weight consolidation
``lwf``                 ``snn`` + learning without forgetting (Li & Hoiem 2017): distillation of the
                        previous model's outputs on the old classes; keeps no data
``xdg``                 ``snn`` + fixed random 20 % gates per task (Masse et al. 2018)
``gating``              ``snn`` + learned engram gates; class scenario: task = highest confidence
``gating_sdm``          ``gating``; class scenario: task = vote of an SDM key memory of the inputs
``knn``                 k-nearest neighbours on the stored keys of every training image (the SDM
                        key's memory used directly as a classifier; stores data, no training)
``knn_equal_memory``    ``knn`` within the engram learner's memory (``ENGRAM_LEARNER_BYTES``): every
                        task keeps an equal random share of its keys
``fly``                 FlyModel (Shen, Dasgupta & Navlakha, Neural Computation 35(11):1797, 2023): a
                        fixed random sparse expansion (each of 2,000 cells sums 10 random pixels),
                        k-winners-take-all (top 100), and an associative readout where only the
                        weights from active cells to the current image's class change (partial
                        freezing); ours: the class row is the running mean of its codes. One pass, no
                        gradient, no stored data
``replay``              ``snn`` + experience replay (Chaudhry et al. 2019): a buffer of training
                        images (uint8) and labels within ``ContinualConfig.replay_bytes``, one
                        buffer batch beside every new batch
``replay_equal_memory`` ``replay`` within the engram learner's memory (``ENGRAM_LEARNER_BYTES``)
======================  =====================================================================

Methods that keep training data (``xdg``, ``gating_sdm`` through their SDM key; ``knn``, ``knn_equal_memory``;
``replay``) report it as ``stored_bytes`` (:class:`~engram_nm.experiments.continual.ContinualResult`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from engram_nm.errors import InputError

METHODS = ("mlp", "sdm", "snn", "snn_l1", "snn_kl", "snn_l0", "ewc", "lwf", "xdg", "gating", "gating_sdm", "knn",
           "replay", "replay_equal_memory", "fly", "knn_equal_memory")
# What the engram learner (engram_nm.experiments.engram_learner, split digits) holds: 100 x 64
# prototypes and a 10 x 100 readout in float64 plus 100 allocation flags. kNN gets the same bytes.
ENGRAM_LEARNER_BYTES = 100 * 64 * 8 + 10 * 100 * 8 + 100


class MLPMethod(nn.Module):
    spiking, gated, task_inference = False, False, None

    def __init__(self, hidden: int, n_tasks: int):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(64, hidden), nn.ReLU())
        self.out = nn.Linear(hidden, 10)
        self.n_hidden = hidden

    def logits(self, x, task=None):
        return self.out(self.hidden(x))

    def penalty(self):
        return torch.zeros(())

    def activity(self, x):
        with torch.no_grad():
            h = self.hidden(x)
        return float((h > 0).float().mean()), float(64 * self.n_hidden + self.n_hidden * 10)


class SDMLPMethod(nn.Module):
    """SDMLP, the Sparse Distributed Memory MLP of Bricken et al. 2023 (ICLR, "Sparse Distributed
    Memory is a Continual Learner"), as its paper and code specify it for split MNIST:

    * 1,000 hidden neurons, Top-K with k = 10 (Sec. 3; code defaults ``nneurons=[1000]``,
      ``k_min=10``);
    * inputs and neuron addresses (rows of the first layer) L2-normalised, all weights
      non-negative, no bias in either layer (Sec. 3, "SDM-derived components": L2 normalisation,
      non-negativity, no bias; code ``sdm_settings``);
    * k annealed linearly from every neuron down to k over the first 40 % of the first task's
      training (their 200 of 500 epochs; ``k_transition_epochs``), so that no neuron starts dead;
    * plain SGD without momentum, lr 0.05 (Sec. 5, "stale momentum": momentum optimisers keep
      updating neurons that are no longer in the Top-K; their split-MNIST run uses SGD at 0.05).

    Departures, for a fair budget: every method here trains the same epochs per task
    (``ContinualConfig.epochs``; the paper trains 500 per task), and the GABA switch (an
    inhibitory-to-excitatory schedule against dead neurons) is replaced by the k annealing above."""

    spiking, gated, task_inference = False, False, None
    WIDTH, K, LR, ANNEAL_FRACTION = 1000, 10, 0.05, 0.4

    def __init__(self, seed: int):
        super().__init__()
        from engram_nm.sdm.torch_layers import TopKSDMLayer

        torch.manual_seed(seed)
        self.hidden = TopKSDMLayer(64, self.WIDTH, self.K)
        self.out = nn.Linear(self.WIDTH, 10, bias=False)
        with torch.no_grad():  # non-negative from the start, rows of unit length
            self.hidden.weight.abs_()
            self.out.weight.abs_()
        self.n_hidden = self.WIDTH

    def make_optimizer(self, config, steps_per_task: int):
        self.hidden.gaba_steps = max(1, int(self.ANNEAL_FRACTION * steps_per_task))
        return torch.optim.SGD(self.parameters(), lr=self.LR, momentum=0.0)

    def after_step(self) -> None:
        """The paper's constraints after every update: weights >= 0, addresses of unit length."""
        with torch.no_grad():
            self.hidden.weight.clamp_(min=0.0)
            self.hidden.weight.div_(self.hidden.weight.norm(dim=1, keepdim=True).clamp_min(1e-12))
            self.out.weight.clamp_(min=0.0)

    def logits(self, x, task=None):
        return self.out(self.hidden(torch.relu(x)))

    def penalty(self):
        return torch.zeros(())

    def activity(self, x):
        with torch.no_grad():
            h = self.hidden(torch.relu(x))
        return float((h > 0).float().mean()), float(64 * self.n_hidden + self.n_hidden * 10)


class SNNMethod(nn.Module):
    spiking = True

    def __init__(self, hidden: int, n_tasks: int, seed: int, gate: str | None = None, penalty=None,
                 task_inference: str | None = None, count_scale: float = 0.3):
        super().__init__()
        from engram_nm.spec import EngramSpec, LayerSpec
        from engram_nm.backends.torch_backend import build_torch

        rng = np.random.default_rng(seed)
        spec = EngramSpec(64, [LayerSpec("hidden", weight=rng.normal(0.0, 0.3, (hidden, 64)), tau_mem=20e-3),
                               LayerSpec("readout", weight=rng.normal(0.0, 0.3, (10, hidden)), tau_mem=20e-3)],
                          dt=1e-3, name="continual_snn")
        self.net = build_torch(spec)
        self.count_scale = count_scale
        self.sparsity = penalty
        self.gated = gate in ("learned", "xdg")
        self.task_inference = task_inference
        if gate == "learned":
            from engram_nm.gating.torch_gates import TaskGate

            self.net.input_gates["hidden"] = TaskGate(n_tasks, hidden, init_keep=0.5, seed=seed)
        elif gate == "xdg":
            from engram_nm.gating.torch_gates import FixedTaskGate

            self.net.input_gates["hidden"] = FixedTaskGate(n_tasks, hidden, keep_fraction=0.2, seed=seed)
        elif gate == "l0":
            from engram_nm.sparsity import HardConcreteGate

            self.net.input_gates["hidden"] = HardConcreteGate(hidden)
        self._last = None

    def logits(self, x, task=None):
        if self.gated:
            self.net.set_task(0 if task is None else int(task))
        out = self.net(x, record_v=False)
        self._last = out
        return out.spikes["readout"].sum(dim=0) * self.count_scale

    def penalty(self):
        if self.sparsity is None or self._last is None:
            return torch.zeros(())
        return self.sparsity(self.net, self._last)

    def activity(self, x):
        with torch.no_grad():
            out = self.net(x, record_v=False)
        hidden, batch = out.spikes["hidden"], x.shape[1]
        active = float((hidden.sum(dim=0) > 0).float().mean())
        synops = float((x.sum() * hidden.shape[-1] + hidden.sum() * 10) / batch)
        return active, synops


class KNNMethod(nn.Module):
    """k-nearest neighbours (Hamming distance) on thermometer-coded keys of every training image
    stored so far (the keys :class:`~engram_nm.experiments.continual.TaskKeyMemory` keeps), majority
    vote of the ``k`` nearest labels. Learns by storing (:meth:`store`), no gradient."""

    spiking, gated, task_inference = False, False, None

    BYTES_PER_EXAMPLE = 192 + 1  # an int8 key and an int8 label

    def __init__(self, k: int = 5, budget: int | None = None, seed: int = 0):
        super().__init__()
        self.k = int(k)
        self.capacity = None if budget is None else int(budget) // self.BYTES_PER_EXAMPLE
        if self.capacity is not None and self.capacity < 1:
            raise InputError(f"kNN budget must hold one example ({self.BYTES_PER_EXAMPLE} bytes), got {budget}")
        self.rng = np.random.default_rng(seed)
        self.per_task: list = []  # per task: (keys int8 [n, 192], labels int8 [n])

    @property
    def keys(self) -> np.ndarray:
        return np.concatenate([k for k, _ in self.per_task]) if self.per_task else np.zeros((0, 192), np.int8)

    @property
    def labels(self) -> np.ndarray:
        return np.concatenate([y for _, y in self.per_task]) if self.per_task else np.zeros(0, np.int8)

    def store(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Keep the task's keys; with a budget every task keeps an equal random share (seeded)."""
        from engram_nm.experiments.continual import TaskKeyMemory, equal_shares

        self.per_task.append((TaskKeyMemory.address(images), np.asarray(labels, dtype=np.int8)))
        if self.capacity is not None:
            self.per_task = equal_shares(self.per_task, self.capacity, self.rng)

    @property
    def stored_bytes(self) -> int:
        return int(sum(k.nbytes + y.nbytes for k, y in self.per_task))

    def logits(self, x, task=None):
        from engram_nm.experiments.continual import TaskKeyMemory

        q = TaskKeyMemory.address(np.asarray(x)).astype(np.int32)
        keys, labels = self.keys.astype(np.int32), self.labels
        distance = q.sum(1)[:, None] + keys.sum(1)[None, :] - 2 * q @ keys.T  # Hamming distance of 0/1 keys
        nearest = np.argsort(distance, axis=1, kind="stable")[:, : self.k]
        votes = np.zeros((len(q), 10))
        np.add.at(votes, (np.repeat(np.arange(len(q)), nearest.shape[1]), labels[nearest].ravel()), 1.0)
        return torch.as_tensor(votes, dtype=torch.float32)

    def penalty(self):
        return torch.zeros(())

    def activity(self, x):
        return 0.0, float(len(self.keys) * self.keys.shape[1])  # one bit comparison per stored bit


class FlyMethod(nn.Module):
    """FlyModel (module table): ``h = topk(P x)`` with ``P [n_cells, 64]`` binary, ``fan_in`` ones
    per row (fixed, seeded), ``k`` winners; readout row ``c`` = running mean of the codes of class
    ``c`` (only the current class's row, only its active cells move: partial freezing); logits
    ``W h``. Learns one task in one pass (:meth:`learn_task`); keeps no image."""

    spiking, gated, task_inference = False, False, None

    def __init__(self, seed: int, n_cells: int = 2000, fan_in: int = 10, k: int = 100):
        super().__init__()
        rng = np.random.default_rng(seed)
        projection = np.zeros((n_cells, 64), dtype=np.int8)
        for row in projection:
            row[rng.choice(64, fan_in, replace=False)] = 1
        self.projection, self.k = projection, int(k)
        self.readout = np.zeros((10, n_cells))
        self.counts = np.zeros(10, dtype=np.int64)

    def code(self, images) -> np.ndarray:
        drive = np.asarray(images, dtype=np.float64) @ self.projection.T
        winners = np.argsort(-drive, axis=1, kind="stable")[:, : self.k]
        h = np.zeros_like(drive)
        np.put_along_axis(h, winners, 1.0, axis=1)
        return h

    def learn_task(self, images: np.ndarray, labels: np.ndarray) -> None:
        for h, c in zip(self.code(images), np.asarray(labels)):
            self.counts[c] += 1
            self.readout[c] += (h - self.readout[c]) / self.counts[c]

    @property
    def extra_bytes(self) -> int:
        """Parameters held outside torch: projection (int8), readout (float64), class counts."""
        return int(self.projection.nbytes + self.readout.nbytes + self.counts.nbytes)

    def logits(self, x, task=None):
        return torch.as_tensor(self.code(np.asarray(x)) @ self.readout.T, dtype=torch.float32)

    def penalty(self):
        return torch.zeros(())

    def activity(self, x):
        return self.k / self.projection.shape[0], float(self.projection.sum() + self.k * 10)


def make_method(name: str, hidden: int, n_tasks: int, seed: int) -> nn.Module:
    """Build method ``name`` (see the module table) with ``hidden`` hidden neurons."""
    from engram_nm.sparsity import SparsityPenalty

    torch.manual_seed(seed)
    if name == "mlp":
        return MLPMethod(hidden, n_tasks)
    if name == "sdm":
        return SDMLPMethod(seed)
    if name == "knn":
        return KNNMethod()
    if name == "knn_equal_memory":
        return KNNMethod(budget=ENGRAM_LEARNER_BYTES, seed=seed)
    if name == "fly":
        return FlyMethod(seed)
    if name in ("snn", "ewc", "lwf", "replay"):
        return SNNMethod(hidden, n_tasks, seed)
    if name == "replay_equal_memory":
        model = SNNMethod(hidden, n_tasks, seed)
        model.replay_bytes = ENGRAM_LEARNER_BYTES
        return model
    if name == "snn_l1":
        return SNNMethod(hidden, n_tasks, seed, penalty=SparsityPenalty(l1_activity=0.05))
    if name == "snn_kl":
        return SNNMethod(hidden, n_tasks, seed, penalty=SparsityPenalty(kl=0.05, kl_target=0.02))
    if name == "snn_l0":
        return SNNMethod(hidden, n_tasks, seed, gate="l0", penalty=SparsityPenalty(l0=0.01))
    if name == "xdg":
        return SNNMethod(hidden, n_tasks, seed, gate="xdg", task_inference="sdm")
    if name == "gating":
        return SNNMethod(hidden, n_tasks, seed, gate="learned", task_inference="confidence")
    if name == "gating_sdm":
        return SNNMethod(hidden, n_tasks, seed, gate="learned", task_inference="sdm")
    raise InputError(f"unknown method {name!r}; choose one of {METHODS}")
