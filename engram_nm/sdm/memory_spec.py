"""An SDM stage of an :class:`~engram_nm.spec.EngramSpec`: one layer's spikes address it.

At every step the stage receives its address layer's spike vector (the last
layer unless ``address_layer`` names another) as its
address and executes that step's operation (idle / write / read, given to the
run as ``memory_ops`` and ``memory_data``); reads come back as
``memory_reads [T, data_bits]``. The stage is the same
:class:`~engram_nm.sdm.KanervaSDM` on every backend (numpy reference, after
the torch run, and the Lava SDM process fed by the population's ``s_out`` in
the same step), and rides in the NIR graph metadata
(``metadata["engram_nm"]["memory"]``); a NIR reader that ignores it gets the
spiking network alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engram_nm.errors import SpecError
from engram_nm.sdm.kanerva import KanervaSDM


@dataclass
class MemorySpec:
    """Kanerva SDM parameters; ``addresses``/``counters`` default to random (``seed``) / zero."""

    n_locations: int
    data_bits: int
    activation: str = "topk"
    k: int = 10
    radius: int | None = None
    seed: int = 0
    counter_bits: int = 8          # fixed-point counters on Lava cpu-fixed
    addresses: np.ndarray | None = None
    counters: np.ndarray | None = None
    address_layer: str | None = None  # the layer whose spikes address the memory (None: the last)

    def build(self, address_bits: int) -> KanervaSDM:
        """A fresh reference memory (its own copies of addresses and counters)."""
        return KanervaSDM(self.n_locations, address_bits, self.data_bits, activation=self.activation, k=self.k,
                          radius=self.radius, seed=self.seed,
                          addresses=None if self.addresses is None else np.array(self.addresses),
                          counters=None if self.counters is None else np.array(self.counters))

    def check(self, address_bits: int) -> None:
        if not 2 <= int(self.counter_bits) <= 16:
            raise SpecError(f"memory counter_bits must be in 2..16, got {self.counter_bits}")
        try:
            sdm = self.build(address_bits)
        except SpecError as exc:
            raise SpecError(f"memory stage: {exc} (its address is its layer's {address_bits} spikes)") from exc
        self.addresses = sdm.addresses  # fixed from now on: a spec names one memory
        if self.counters is not None:
            self.counters = sdm.counters

    def to_dict(self) -> dict:
        out = {"n_locations": int(self.n_locations), "data_bits": int(self.data_bits),
               "activation": self.activation, "k": int(self.k), "seed": int(self.seed),
               "counter_bits": int(self.counter_bits), "addresses": np.asarray(self.addresses, dtype=np.int8)}
        if self.radius is not None:
            out["radius"] = int(self.radius)
        if self.counters is not None:
            out["counters"] = np.asarray(self.counters, dtype=np.int64)
        if self.address_layer is not None:
            out["address_layer"] = str(self.address_layer)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "MemorySpec":
        plain = {k: (v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v) for k, v in dict(data).items()}
        for key in ("activation", "address_layer"):
            if isinstance(plain.get(key), bytes):
                plain[key] = plain[key].decode()
            elif isinstance(plain.get(key), np.str_):
                plain[key] = str(plain[key])
        unknown = set(plain) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise SpecError(f"memory metadata has unknown fields {sorted(unknown)}")
        return cls(**plain)

    def equals(self, other: "MemorySpec | None") -> bool:
        if other is None:
            return False
        same = lambda a, b: (a is None and b is None) or (a is not None and b is not None  # noqa: E731
                                                          and np.array_equal(np.asarray(a), np.asarray(b)))
        return (self.to_dict().keys() == other.to_dict().keys()
                and all(same(v, other.to_dict()[k]) if isinstance(v, np.ndarray) else v == other.to_dict()[k]
                        for k, v in self.to_dict().items()))
