"""Images as engrams: store digits in the E/I network and recall them from occluded views.

Pipeline (the classic hippocampal reading of Kanerva's SDM):

1. *Pattern separation*: an image ``x`` (binary pixels) becomes a sparse code,
   the ``k`` E cells with the largest ``R @ (x - mean)`` (``R`` a fixed random
   Gaussian matrix): the Top-K activation of an SDM address decoder (Kanerva
   1988; Bricken et al. 2023), dentate-gyrus-like. Different digits get codes
   that overlap far less than their pixels do.
2. *Engram*: the code's channels drive the E cells; encoding with plasticity
   on forms the engram (:class:`~engram_nm.experiments.engram.lifecycle.EngramExperiment`).
3. *Data*: SDM counters at the E cells store the image in bipolar form,
   ``C[cells] += 2 x - 1`` (the engram's cells are the memory's hard locations).
4. *Recall*: an occluded image gives a partial, partly wrong code; the network
   completes the engram; the memory is identified as the tagged set with the
   largest overlap, and the image is read from the active cells' counters,
   ``x_hat = sum(C[active]) > 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.experiments.engram.lifecycle import EngramExperiment
from engram_nm.errors import InputError


def occlude(image: np.ndarray, rows: int, width: int = 8) -> np.ndarray:
    """A copy of ``image`` (flattened ``height x width`` on its last axis, e.g. one image ``[64]``
    or rate-coded spikes ``[T, 64]``) with its top ``rows`` rows set to 0."""
    image = np.asarray(image)
    out = np.array(image, copy=True).reshape(*image.shape[:-1], -1, width)
    out[..., : int(rows), :] = 0
    return out.reshape(image.shape)


@dataclass
class DigitRecall:
    """One recall: which memory won, the engram recall of the right one, the image read out."""

    memory: str
    identified: str
    recall: float
    cue_overlap: float      # fraction of the stored code present in the occluded image's code
    image: np.ndarray       # bool, read from the counters of the active cells
    pixels_right: float


class DigitEngramStore:
    """Store binary images as engrams of ``experiment`` (module docstring)."""

    def __init__(self, experiment: EngramExperiment, k: int = 20, seed: int = 4):
        self.ex = experiment
        self.k = int(k)
        self.images: dict = {}
        n_cells = experiment.original_size
        if experiment.n_channels != n_cells:
            raise InputError("DigitEngramStore needs one channel per E cell (EngramNetworkConfig p_in=None)")
        self._rng_seed = seed
        self._projection = None
        self.mean = None
        self.counters = np.zeros((n_cells, 0), dtype=np.int64)

    def _fit(self, n_pixels: int, mean: np.ndarray) -> None:
        self._projection = np.random.default_rng(self._rng_seed).normal(size=(self.ex.original_size, n_pixels))
        self.mean = np.asarray(mean, dtype=float)
        self.counters = np.zeros((self.ex.original_size, n_pixels), dtype=np.int64)

    def code(self, image: np.ndarray) -> np.ndarray:
        """The ``k`` cells of ``image``'s sparse code (sorted)."""
        if self._projection is None:
            raise InputError("store at least one image first (the code is fitted on the stored set)")
        drive = self._projection @ (np.asarray(image, float) - self.mean)
        return np.sort(np.argsort(-drive, kind="stable")[: self.k])

    def fit(self, images: dict) -> None:
        """Fit the code on ``{name: binary image}`` (its mean is subtracted before the projection);
        :meth:`store` fits on the images it stores unless this was called first."""
        stack = np.array([np.asarray(v, dtype=np.int8).ravel() for v in images.values()])
        self._fit(stack.shape[1], stack.mean(axis=0))

    def store(self, images: dict, encode_steps: int = 300, rest_steps: int = 100) -> None:
        """Encode every ``{name: binary image}`` (in order), tag its engram, write its counters."""
        stack = np.array([np.asarray(v, dtype=np.int8).ravel() for v in images.values()])
        if self._projection is None:
            self.fit(images)
        for name, img in zip(images, stack):
            self.ex.encode(name, channels=self.code(img), steps=encode_steps)
            self.ex.tag(name)
            self.ex.rest(rest_steps)
            self.counters[self.ex.memories[name].cells] += 2 * img.astype(np.int64) - 1
            self.images[name] = img

    def recall(self, name: str, image: np.ndarray, steps: int = 200) -> DigitRecall:
        """Cue with ``image`` (e.g. an occluded view of memory ``name``), plasticity off."""
        cue = self.code(image)
        return self._read(name, cue, self.ex.present(cue, steps, kind="recall", memory=name), steps)

    def recall_many(self, requests, steps: int = 200) -> list:
        """:meth:`recall` for each ``(name, image)`` of ``requests``, in one batch (one Lava graph);
        equal to calling :meth:`recall` in the same order."""
        requests = list(requests)
        cues = [self.code(image) for _, image in requests]
        records = self.ex.present_many(cues, steps, kind="recall", memories=[name for name, _ in requests])
        return [self._read(name, cue, record, steps) for (name, _), cue, record in zip(requests, cues, records)]

    def _read(self, name: str, cue: np.ndarray, record, steps: int) -> DigitRecall:
        """What a recall phase says: which memory it reactivated, and the image read back."""
        memory = self.ex.memories[name]
        active = record.rates(window=(steps // 4, steps)) > self.ex.active_threshold_hz
        scores = {n: float(np.sum(active & m.tagged) / max(1, np.sum(m.tagged)))
                  for n, m in self.ex.memories.items() if n in self.images}
        read = self.counters[active].sum(axis=0) > 0
        return DigitRecall(name, max(scores, key=scores.get), scores[name],
                           float(np.isin(cue, memory.channels).mean()), read,
                           float(np.mean(read == self.images[name].astype(bool))))
