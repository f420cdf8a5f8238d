"""An engram continual learner that keeps no training data: gated engram cells + a Hebbian readout.

The network is an :class:`~engram_nm.spec.EngramSpec` (:func:`learner_spec`)::

    input: 64 pixel channels (regular rate code, :func:`engram_nm.encoding.regular_encode`)
           + one label channel per allocation unit (on only while the readout learns)
      -> engram   LIF cells, weight = gain * prototypes (rows of unit length), grouped in blocks
                  of ``cells_per_unit``, one block per allocation unit (a class, or a (task, class)
                  pair); an engram gate opens one block while its unit is learned, every block at test
      -> readout  one LIF cell per allocation unit (its class: ``unit % 10``), weight A >= 0
                  learned on the spikes by Hebbian plasticity with synaptic scaling,
                  dA_ki/dt = mu u_i v_k - gamma v_k A_ki^2  (Hz; :class:`~engram_nm.plasticity.SPaSS`
                  with target rate 0): while readout k fires, A_k. settles at sqrt(mu u / gamma),
                  the engram cells active with it
    teacher: an input projection, label channel k -> readout k (so readout k fires while unit k
             is shown and the rule ties the engram cells that fire to it)

Learning, one task after another (nothing of a task is kept once it has been learned):

1. **Addresses** (host, float64): the competitive instar rule, gated. For an image ``x`` of unit
   ``k`` (normalised to unit length), a cell of block ``k`` that has not been allocated yet takes
   ``x`` as its prototype (one-shot allocation); otherwise the block's best-matching cell
   ``i* = argmax_i w_i . x`` moves towards it: ``w_i* <- (w_i* + eta (x - w_i*)) / |...|``.
   ``i*`` is the cell the spiking race fires first: under the constant drive ``I_i = gain * r *
   w_i . x`` of a regular code a leaky integrator ``v_i(t) = I_i tau (1 - exp(-t / tau))``
   crosses threshold first when ``I_i`` is largest.
2. **Readout** (spiking, on the target: the engine, or Lava with the rule on the learning
   engine): the task's training images in order, each for ``steps`` steps then ``rest_steps``
   silent steps (voltages decay by ``exp(-rest_steps dt / tau_mem)``), gate = the image's unit,
   teacher on for its class.

Inference: every block open, no label; the answer is the class of the readout cell that fires
first (time-to-first-spike decoding; ties by spike count, then by index). A readout row is learned
while its unit is shown and never again (the scaling term decays only the row of the cell that
fires), which is why a class that returns in a new domain gets a new unit.

The ungated twin (``gated=False``) differs in one thing: every engram cell is eligible in step 1
and open in step 2. The gain is calibrated once, on the first task's images: the average best
match reaches threshold after ``first_spike_fraction * steps`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engram_nm.errors import InputError
from engram_nm.hardware.targets import TARGETS as ALL_TARGETS, check_target

N_PIXELS = 64
N_CLASSES = 10
# The learner runs where its Hebbian readout has an arithmetic: the numpy reference and the
# fixed-point learning engine (fixed-emu, Lava); not snntorch (no learning path for it) nor loihi2.
TARGETS = tuple(t for t in ALL_TARGETS if t not in ("snntorch", "loihi2"))


@dataclass(frozen=True)
class EngramLearnerConfig:
    """Parameters of :class:`EngramLearner`, chosen on held-out training images of five seeds
    (``benchmarks/continual_validation.py``, docs/continual.md).

    Attributes:
        cells_per_unit: engram cells allocated to each unit (class, or (task, class)).
        steps: presentation steps per image; ``rest_steps``: silent steps after a training image.
        max_rate: spikes per step of a white pixel (regular code).
        tau_mem: engram cells' membrane time constant (s); readout cells use ``readout_tau``.
        first_spike_fraction: calibration of the gain (module docstring).
        address_epochs, address_rate: passes over a task's images and ``eta`` of the instar rule.
        hebbian_mu, scaling_gamma: the readout's rule, Hebbian with synaptic scaling
            (:class:`~engram_nm.plasticity.hebbian.SPaSS` with target rate 0:
            ``dw/dt = mu u v - gamma v w^2``; Hz, weight units); ``trace_tau``: its pre and post
            trace time constant (s, short: a trace left by one image is gone when the next
            starts); ``readout_w_max``: its upper bound.
        inhibition: lateral inhibition between engram cells (a spike subtracts this from every
            other engram cell's input, threshold units): the race's first cells silence the rest.
        readout_threshold: readout firing threshold (weight units); ``teacher_weight``: label
            channel -> readout weight (fires the taught cell every step or two).
        gated: allocate and open engram blocks per unit (False: the ungated twin).
        dt: step (s).
    """

    cells_per_unit: int = 10
    steps: int = 32
    rest_steps: int = 16
    max_rate: float = 1.0
    tau_mem: float = 20e-3
    readout_tau: float = 20e-3
    first_spike_fraction: float = 0.6
    address_epochs: int = 3
    address_rate: float = 0.05
    hebbian_mu: float = 1.25e-4
    scaling_gamma: float = 5e-3
    trace_tau: float = 2e-3
    readout_w_max: float = 1.0
    readout_threshold: float = 0.2
    inhibition: float = 0.0
    teacher_weight: float = 1.0
    gated: bool = True
    dt: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("cells_per_unit", "steps", "address_epochs"):
            if int(getattr(self, name)) != getattr(self, name) or getattr(self, name) < 1:
                raise InputError(f"{name} must be a whole number >= 1, got {getattr(self, name)!r}")
        if self.rest_steps < 0 or int(self.rest_steps) != self.rest_steps:
            raise InputError(f"rest_steps must be a whole number >= 0, got {self.rest_steps!r}")
        for name in ("max_rate", "tau_mem", "readout_tau", "address_rate", "hebbian_mu", "scaling_gamma", "trace_tau", "readout_w_max",
                     "readout_threshold", "teacher_weight", "dt"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if not 0 < self.first_spike_fraction <= 1 or not self.max_rate <= 1:
            raise InputError("first_spike_fraction and max_rate must be in (0, 1]")


def _check_target(target: str) -> None:
    check_target(target)
    if target not in TARGETS:
        raise InputError(f"target must be one of {TARGETS}, got {target!r}")


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Each row of ``x`` (float64) divided by its Euclidean length (rows of zeros stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


@dataclass
class EngramLearner:
    """State of the learner: prototypes, allocation, readout weights, gain (module docstring).

    ``n_units``: allocation units (10 classes; ``n_tasks * 10`` when classes recur across tasks,
    as in permuted digits). ``seed`` orders the images in the instar passes."""

    n_units: int = N_CLASSES
    config: EngramLearnerConfig = field(default_factory=EngramLearnerConfig)
    seed: int = 0

    def __post_init__(self) -> None:
        if int(self.n_units) != self.n_units or self.n_units < 1:
            raise InputError(f"n_units must be a whole number >= 1, got {self.n_units!r}")
        n = self.n_cells
        self.prototypes = np.zeros((n, N_PIXELS))
        self.allocated = np.zeros(n, dtype=bool)
        self.readout = np.zeros((self.n_units, n))
        self.gain = None
        self.rng = np.random.default_rng(self.seed)

    @property
    def n_cells(self) -> int:
        return int(self.n_units * self.config.cells_per_unit)

    @property
    def param_bytes(self) -> int:
        """Bytes of what the learner keeps, as held here (float64): prototypes, readout, allocation flags.
        On a chip: 8-bit weights, ``n_cells * (64 + 10)`` bytes."""
        return int(self.prototypes.nbytes + self.readout.nbytes + self.allocated.nbytes)

    stored_bytes = 0  # no training image, key or label is kept

    def block(self, unit: int) -> np.ndarray:
        """Mask of the engram cells of ``unit`` (every cell for the ungated twin)."""
        mask = np.zeros(self.n_cells, dtype=bool)
        if not self.config.gated:
            mask[:] = True
        else:
            m = self.config.cells_per_unit
            mask[unit * m:(unit + 1) * m] = True
        return mask

    # -- step 1: addresses ------------------------------------------------------------------
    def learn_addresses(self, images: np.ndarray, units: np.ndarray) -> None:
        """The gated competitive instar rule (module docstring, step 1) over ``address_epochs``
        passes; calibrates the gain on the first call."""
        x, units = unit_rows(images), np.asarray(units)
        eta = self.config.address_rate
        for _ in range(self.config.address_epochs):
            for i in self.rng.permutation(len(x)):
                eligible = self.block(int(units[i]))
                free = np.flatnonzero(eligible & ~self.allocated)
                if free.size:
                    self.prototypes[free[0]] = x[i]
                    self.allocated[free[0]] = True
                    continue
                cells = np.flatnonzero(eligible)
                best = cells[np.argmax(self.prototypes[cells] @ x[i])]
                self.prototypes[best] = unit_rows(self.prototypes[best] + eta * (x[i] - self.prototypes[best]))
        if self.gain is None:
            self.gain = self._calibrated_gain(images)

    def _calibrated_gain(self, images: np.ndarray) -> float:
        """Gain at which the average best match ``mean max_i w_i . x`` reaches threshold 1 after
        ``t* = first_spike_fraction * steps`` steps: ``gain * r * match * tau' = 1`` with
        ``tau' = tau (1 - exp(-t* / tau))`` in steps (``r``: max_rate)."""
        cfg = self.config
        match = float(np.mean(np.max(np.asarray(images) @ self.prototypes[self.allocated].T, axis=1)))
        tau_steps, t_star = cfg.tau_mem / cfg.dt, cfg.first_spike_fraction * cfg.steps
        effective = tau_steps * (1.0 - np.exp(-t_star / tau_steps))
        return 1.0 / (cfg.max_rate * match * effective)

    # -- the network --------------------------------------------------------------------------
    def spec(self, plastic: bool = False):
        """The learner as an EngramSpec (module docstring); ``plastic``: the readout learns."""
        from engram_nm.gating.reference import GateSpec, logits_from_masks
        from engram_nm.plasticity.hebbian import SPaSS
        from engram_nm.plasticity.layer import LayerPlasticity
        from engram_nm.projection import INPUT, ProjectionSpec
        from engram_nm.spec import EngramSpec, LayerSpec

        if self.gain is None:
            raise InputError("the learner has no addresses yet: call learn_addresses first")
        cfg = self.config
        n_in = N_PIXELS + self.n_units
        w_in = np.zeros((self.n_cells, n_in))
        w_in[:, :N_PIXELS] = self.gain * self.prototypes
        masks = np.stack([self.block(u) for u in range(self.n_units)] + [np.ones(self.n_cells, dtype=bool)])
        lateral = -cfg.inhibition * (1.0 - np.eye(self.n_cells)) if cfg.inhibition else None
        engram = LayerSpec("engram", weight=w_in, recurrent_weight=lateral, tau_mem=cfg.tau_mem, v_threshold=1.0,
                           gate=GateSpec(logits_from_masks(masks)))
        rule = SPaSS(mu=cfg.hebbian_mu, gamma=cfg.scaling_gamma, v_target=0.0, tau_pre=cfg.trace_tau,
                     tau_post=cfg.trace_tau, w_min=0.0, w_max=cfg.readout_w_max)
        readout = LayerSpec("readout", weight=self.readout.copy(), tau_mem=cfg.readout_tau,
                            v_threshold=cfg.readout_threshold,
                            plasticity=LayerPlasticity(feedforward=rule) if plastic else None)
        teacher = np.zeros((self.n_units, n_in))
        teacher[:, N_PIXELS:] = cfg.teacher_weight * np.eye(self.n_units)
        return EngramSpec(n_in, [engram, readout], dt=cfg.dt, name="engram_continual_learner",
                          projections=[ProjectionSpec("teacher", INPUT, "readout", teacher)])

    @property
    def test_task(self) -> int:
        """The gate row with every block open (inference)."""
        return self.n_units

    def training_input(self, images: np.ndarray, labels: np.ndarray, units: np.ndarray) -> tuple:
        """``(spikes [n * (steps + rest), 64 + units], gate task per step)`` for the readout's
        learning run: each image, then silence; the label channel of its unit on while it is shown."""
        cfg = self.config
        per = cfg.steps + cfg.rest_steps
        x = np.zeros((len(images), per, N_PIXELS + self.n_units), dtype=np.float32)
        x[:, :cfg.steps] = self.test_input(images)
        x[np.arange(len(images)), :cfg.steps, N_PIXELS + np.asarray(units)] = 1.0
        gate = np.repeat(np.asarray(units) if cfg.gated else np.full(len(images), self.test_task), per)
        return x.reshape(-1, x.shape[-1]), gate

    # -- step 2: the readout ------------------------------------------------------------------
    def learn_readout(self, images: np.ndarray, labels: np.ndarray, units: np.ndarray,
                      target: str = "fixed-emu", seed: int = 0):
        """Present the images with the teacher on and the Hebbian rule on (module docstring, step 2)
        on ``target``; keeps the learned readout and returns the run's :class:`RunResult`."""
        from engram_nm.hardware.targets import run

        _check_target(target)
        x, gate = self.training_input(images, labels, units)
        result = run(self.spec(plastic=True), x, target, learn=True, seed=seed, tasks=gate)
        self.readout = np.asarray(result.learned_weights["readout_w"], dtype=np.float64).copy()
        return result

    def test_input(self, images: np.ndarray) -> np.ndarray:
        """``[n, steps, 64 + units]``: the images' regular code, label channels silent."""
        from engram_nm.encoding import regular_encode

        x = np.zeros((len(images), self.config.steps, N_PIXELS + self.n_units), dtype=np.float32)
        x[:, :, :N_PIXELS] = regular_encode(images, self.config.steps, self.config.max_rate)
        return x

    def readout_spikes(self, images: np.ndarray, target: str = "fixed-emu") -> np.ndarray:
        """Readout spikes ``[n, steps, units]`` of the images, every block open, no learning."""
        from engram_nm.hardware.targets import run

        _check_target(target)
        return np.asarray(run(self.spec(), self.test_input(images), target, tasks=self.test_task).spikes["readout"])

    def predict(self, images: np.ndarray, target: str = "fixed-emu", classes=None) -> np.ndarray:
        """Classes by time to first readout spike (:func:`first_spike_decision`), among ``classes``
        (all ten when None: no task id)."""
        return self.decide(self.readout_spikes(images, target), classes)

    def decide(self, readout_spikes: np.ndarray, classes=None) -> np.ndarray:
        """The class of the readout unit that fires first (:func:`first_spike_decision`) among the
        units of ``classes`` (all when None)."""
        unit_class = np.arange(self.n_units) % N_CLASSES
        units = None if classes is None else np.flatnonzero(np.isin(unit_class, list(classes)))
        return unit_class[first_spike_decision(readout_spikes, units)]

    def task_accuracies(self, readout_spikes: np.ndarray, tasks: list, task_given: bool = False) -> list:
        """Accuracy on each of ``tasks`` from the readout spikes of their test images, concatenated
        in task order; ``task_given`` (task-incremental): the answer among the task's classes."""
        accs, start = [], 0
        for task in tasks:
            part = readout_spikes[start:start + len(task.y_test)]
            start += len(task.y_test)
            accs.append(float(np.mean(self.decide(part, task.classes if task_given else None) == task.y_test)))
        return accs


def first_spike_decision(spikes: np.ndarray, allowed=None) -> np.ndarray:
    """The index of the cell that fires first in ``spikes [n, T, cells]``; ties: more spikes, then
    the lower index. A cell that never fires ranks after every cell that does; ``allowed`` (cell
    indices) restricts the choice (task-incremental: the task's classes)."""
    spikes = np.asarray(spikes) > 0
    n, steps, k = spikes.shape
    fired = spikes.any(axis=1)
    first = np.where(fired, spikes.argmax(axis=1), steps)
    # Lexicographic score: earliest first spike, then most spikes, then the lower index.
    score = -first * (steps + 1) * (k + 1) + spikes.sum(axis=1) * (k + 1) - np.arange(k)[None, :]
    if allowed is not None:
        mask = np.zeros(k, dtype=bool)
        mask[list(allowed)] = True
        score = np.where(mask[None, :], score, np.iinfo(np.int64).min)
    return np.argmax(score, axis=1)


def allocation_units(task_index: int, labels: np.ndarray, scenario: str) -> np.ndarray:
    """The allocation unit of each image: its class, or (task, class) in the domain scenario, where
    every task has the same classes in a new input domain."""
    labels = np.asarray(labels)
    return labels + N_CLASSES * task_index if scenario == "domain" else labels


def train_engram_learner(tasks: list, scenario: str = "class", config: EngramLearnerConfig | None = None,
                         seed: int = 0, target: str = "fixed-emu", progress: bool = False) -> tuple:
    """Learn ``tasks`` one after the other (module docstring) and score every task seen after each.

    Returns ``(ContinualResult, EngramLearner)``; the result's method is ``engram_learner`` (or
    ``engram_learner_ungated``), ``stored_bytes`` 0. Task-incremental: the answer is chosen among
    the task's classes (the task id is given); class and domain: among all ten, no task id.
    """
    (out,) = train_engram_cohort([tasks], scenario, config, [seed], target, progress)
    return out


def train_engram_cohort(task_lists: list, scenario: str = "class", config: EngramLearnerConfig | None = None,
                        seeds=(0,), target: str = "fixed-emu", progress: bool = False) -> list:
    """:func:`train_engram_learner` for several seeds, each with its own split (``task_lists[k]``,
    same number of tasks). On ``fixed-emu`` the learners run in lockstep, one emulator call per
    phase for all of them (their image sequences padded with silent steps, which change nothing:
    no spike, no learning); network ``k`` gives exactly what it gives alone. Other targets run the
    learners one after the other. Returns ``[(ContinualResult, EngramLearner)]`` in seed order."""
    from tqdm.auto import tqdm

    from engram_nm.experiments.continual import SCENARIOS, ContinualResult

    if scenario not in SCENARIOS:
        raise InputError(f"scenario must be one of {SCENARIOS}, got {scenario!r}")
    _check_target(target)
    seeds = [int(s) for s in seeds]
    if len(seeds) != len(task_lists) or len({len(t) for t in task_lists}) != 1:
        raise InputError("one task list per seed, all with the same number of tasks")
    config = config or EngramLearnerConfig()
    n_tasks = len(task_lists[0])
    n_units = N_CLASSES * n_tasks if scenario == "domain" else N_CLASSES
    learners = [EngramLearner(n_units, config, s) for s in seeds]
    accuracy = np.zeros((len(seeds), n_tasks, n_tasks))
    name = "engram_learner" if config.gated else "engram_learner_ungated"
    for h in tqdm(range(n_tasks), desc=f"{name} {scenario} x{len(seeds)}", disable=not progress, leave=False):
        units = [allocation_units(h, tasks[h].y_train, scenario) for tasks in task_lists]
        for learner, tasks, u in zip(learners, task_lists, units):
            learner.learn_addresses(tasks[h].x_train, u)
        _learn_readouts(learners, [t[h] for t in task_lists], units, target, seeds)
        seen = [np.concatenate([t.x_test for t in tasks[:h + 1]]) for tasks in task_lists]
        tested = _test_spikes(learners, seen, target)  # after the last task: every test image
        for k, (spikes, _) in enumerate(tested):
            accuracy[k, h, :h + 1] = learners[k].task_accuracies(spikes, task_lists[k][:h + 1], scenario == "task")
    out = []
    for k, (learner, tasks) in enumerate(zip(learners, task_lists)):
        active, synops = learner_activity(learner, np.concatenate([t.x_test for t in tasks]), tested[k][1])
        out.append((ContinualResult(name, scenario, accuracy[k], active, synops, param_bytes=learner.param_bytes,
                                    stored_bytes=learner.stored_bytes), learner))
    return out


def _padded(arrays: list, fill=0) -> np.ndarray:
    """Stack arrays of different first lengths, padding the shorter ones with ``fill`` at the end."""
    longest = max(len(a) for a in arrays)
    return np.stack([np.concatenate([a, np.full((longest - len(a),) + a.shape[1:], fill, dtype=a.dtype)])
                     for a in arrays])


def _learn_readouts(learners: list, tasks: list, units: list, target: str, seeds: list) -> None:
    """Step 2 for every learner: on fixed-emu one call for all, else one run each."""
    if target != "fixed-emu" or len(learners) == 1:
        for learner, task, u, s in zip(learners, tasks, units, seeds):
            learner.learn_readout(task.x_train, task.y_train, u, target, s)
        return
    from engram_nm.hardware.targets import run_networks

    runs = [learner.training_input(t.x_train, t.y_train, u) for learner, t, u in zip(learners, tasks, units)]
    x = _padded([r[0] for r in runs])[:, None]                                  # [K, 1, T, n_in]
    gates = _padded([r[1] for r in runs], fill=learners[0].test_task)[:, None]   # [K, 1, T]
    result = run_networks([learner.spec(plastic=True) for learner in learners], x, "fixed-emu", tasks=gates,
                          learn=True, seed=seeds)
    learned = np.asarray(result.learned_weights["readout_w"])
    for k, learner in enumerate(learners):
        learner.readout = learned[k].reshape(learner.n_units, learner.n_cells).astype(np.float64)


def _test_spikes(learners: list, images: list, target: str) -> list:
    """``(readout, engram)`` spikes of each learner on its own images, every block open, no
    learning (fixed-emu: one call for all, batches padded)."""
    from engram_nm.hardware.targets import run, run_networks

    if target != "fixed-emu" or len(learners) == 1:
        runs = [run(learner.spec(), learner.test_input(x), target, tasks=learner.test_task)
                for learner, x in zip(learners, images)]
        return [(np.asarray(r.spikes["readout"]), np.asarray(r.spikes["engram"])) for r in runs]
    x = _padded([learner.test_input(im) for learner, im in zip(learners, images)])  # [K, B, T, n_in]
    out = run_networks([learner.spec() for learner in learners], x, "fixed-emu", tasks=learners[0].test_task)
    readout, engram = np.asarray(out.spikes["readout"]), np.asarray(out.spikes["engram"])
    return [(readout[k, :len(im)], engram[k, :len(im)]) for k, im in enumerate(images)]


def learner_activity(learner: EngramLearner, images: np.ndarray, engram: np.ndarray) -> tuple:
    """``(fraction of engram cells that fire per image, synaptic events per image)`` from the
    engram spikes ``[n, T, cells]`` of ``images``: input spikes x engram cells + engram spikes x
    (readouts, + other engram cells with inhibition); readout spikes do not fan out."""
    x = learner.test_input(images)
    n = learner.n_cells
    active = float(np.mean(engram.any(axis=1)))
    lateral = n - 1 if learner.config.inhibition else 0
    events = (x.sum() * n + engram.sum() * (lateral + learner.n_units)) / len(images)
    return active, float(events)
