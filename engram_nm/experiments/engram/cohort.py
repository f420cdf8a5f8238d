"""One protocol on several engram experiments at once (e.g. ten seeds), each phase as one batch.

A protocol is a function of one :class:`~engram_nm.experiments.engram.lifecycle.EngramExperiment` (encode,
tag, consolidate, recall, manipulations ...). :func:`run_cohort` runs it on every experiment of a
cohort in lockstep: each experiment steps through the protocol in its own thread until it asks for
a network run; when every experiment has asked, the runs go to the target together
(:func:`~engram_nm.hardware.targets.run_networks`: on ``fixed-emu`` the K networks, each with its
own weights, stimulus and learning-engine seed, in one emulator call; on the other targets one
after another), and each experiment gets its own result back. The protocol is written once, for
one experiment, and every experiment ends exactly as it would have alone
(``tests/engram/test_cohort.py``).

The experiments must make the same sequence of runs: the same protocol on networks of one shape
(e.g. one configuration, several seeds), so that the runs of a phase stack. A protocol that
diverges (different run counts or shapes, an ablation that changes one network's size) stops
the cohort with a :class:`CohortError`; an error inside a protocol is raised as it was.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import numpy as np

from engram_nm.errors import InputError

_DONE = "done"


class CohortError(InputError):
    """The experiments of a cohort did not run in lockstep (different runs or shapes)."""


@dataclass
class _Request:
    spec: object
    x: np.ndarray
    learn: bool
    seed: int


class _Lockstep:
    """Collects one run request per experiment, then runs them as one batch (module docstring)."""

    def __init__(self, count: int, target: str, progress: bool = False):
        from tqdm.auto import tqdm

        self.target = target
        self.bar = tqdm(desc=f"cohort of {count} on {target}", unit="phase", disable=not progress, leave=False)
        self.requests: list = [None] * count
        self.results: list = [None] * count
        self.failure: BaseException | None = None
        self.batches = 0
        self.barrier = threading.Barrier(count, action=self._run_all)

    def submit(self, index: int, request):
        """Hand in this experiment's request and wait for every other's; returns its result."""
        self.requests[index] = request
        try:
            self.barrier.wait()
        except BaseException:  # the barrier broke, or its batch failed in this thread (the last to arrive)
            if self.failure is None:
                raise
            raise CohortError("the cohort stopped (see the first error)") from self.failure
        return self.results[index]

    def _run_all(self) -> None:
        try:
            self._check()
            if isinstance(self.requests[0], _Request):
                self.results = self._batch(self.requests)
        except BaseException as exc:  # noqa: BLE001 - handed to every thread through the broken barrier
            self.failure = exc
            raise

    def _check(self) -> None:
        errors = [r for r in self.requests if isinstance(r, BaseException)]
        if errors:
            raise errors[0]
        done = [r == _DONE for r in self.requests]
        if any(done) and not all(done):
            raise CohortError(f"experiments {[i for i, d in enumerate(done) if d]} finished the protocol while "
                              "others asked for another run: a cohort needs one sequence of runs")
        if all(done):
            return
        first = self.requests[0]
        for i, r in enumerate(self.requests[1:], start=1):
            if r.x.shape != first.x.shape or r.learn != first.learn:
                raise CohortError(f"experiment {i} asked for a run of input {r.x.shape} (learn={r.learn}) while "
                                  f"experiment 0 asked for {first.x.shape} (learn={first.learn})")

    def _batch(self, requests: list) -> list:
        from engram_nm.hardware.targets import run, run_networks
        from engram_nm.result import RunResult

        self.batches += 1
        self.bar.update(1)
        if self.target != "fixed-emu":
            return [run(r.spec, r.x, self.target, learn=r.learn, seed=r.seed) for r in requests]
        single = requests[0].x.ndim == 2
        x = np.stack([r.x[None] if single else r.x for r in requests])  # [K, B, T, n_in]
        together = run_networks([r.spec for r in requests], x, "fixed-emu", learn=requests[0].learn,
                                seed=[r.seed for r in requests])
        pick = lambda d, k: {n: (a[k, 0] if single else a[k]) for n, a in d.items()}  # noqa: E731
        return [RunResult("fixed-emu", together.steps, pick(together.spikes, k), {}, together.wall_s / len(requests),
                          together.deployable, together.not_deployable_because,
                          quantization=together.quantization, learned_weights=pick(together.learned_weights, k),
                          learned_thresholds=pick(together.learned_thresholds, k))
                for k in range(len(requests))]


def run_cohort(experiments, protocol, target: str | None = None, progress: bool = False) -> list:
    """Run ``protocol(experiment)`` on every experiment in lockstep (module docstring); returns
    each experiment's return value, in order. ``target``: where the batched runs go (default:
    the experiments' own target, which they must share); ``progress`` shows a bar of the phases run."""
    experiments = list(experiments)
    if not experiments:
        raise InputError("run_cohort needs at least one experiment")
    targets = {ex.target for ex in experiments}
    if target is None:
        if len(targets) != 1:
            raise CohortError(f"the experiments run on different targets {sorted(targets)}: pass target=")
        target = targets.pop()
    lockstep = _Lockstep(len(experiments), target, progress)
    outcomes: list = [None] * len(experiments)
    failures: list = [None] * len(experiments)

    def drive(index: int, ex) -> None:
        ex.runner = lambda spec, x, learn, seed: lockstep.submit(index, _Request(spec, np.asarray(x), learn, seed))
        try:
            outcomes[index] = protocol(ex)
            lockstep.submit(index, _DONE)
        except CohortError as exc:
            failures[index] = exc
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            failures[index] = exc
            with contextlib.suppress(CohortError):  # the barrier breaks for the others; exc is kept above
                lockstep.submit(index, exc)
        finally:
            ex.runner = None

    threads = [threading.Thread(target=drive, args=(i, ex), daemon=True) for i, ex in enumerate(experiments)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lockstep.bar.close()
    first = next((f for f in failures if f is not None and not isinstance(f, CohortError)), None)
    if first is None and lockstep.failure is not None:
        first = lockstep.failure
    if first is None:
        first = next((f for f in failures if f is not None), None)
    if first is not None:
        raise first
    return outcomes
