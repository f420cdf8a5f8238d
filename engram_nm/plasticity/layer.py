"""Which plasticity a layer of an :class:`~engram_nm.spec.EngramSpec` carries."""

from __future__ import annotations

from dataclasses import dataclass

from engram_nm.errors import PlasticityError
from engram_nm.plasticity.base import SynapticRule, rule_from_dict
from engram_nm.plasticity.intrinsic import IntrinsicPlasticity
from engram_nm.plasticity.structural import StructuralPlasticity


SLOTS = ("feedforward", "recurrent", "intrinsic", "structural", "recurrent_structural")


@dataclass(frozen=True)
class LayerPlasticity:
    """Rules of one layer: on its feed-forward weights, its recurrent weights, its
    thresholds (intrinsic), and prune/grow on its feed-forward weights (``structural``) and on
    its recurrent weights (``recurrent_structural``)."""

    feedforward: SynapticRule | None = None
    recurrent: SynapticRule | None = None
    intrinsic: IntrinsicPlasticity | None = None
    structural: StructuralPlasticity | None = None
    recurrent_structural: StructuralPlasticity | None = None

    def __post_init__(self) -> None:
        for slot, kind in (("feedforward", SynapticRule), ("recurrent", SynapticRule),
                           ("intrinsic", IntrinsicPlasticity), ("structural", StructuralPlasticity),
                           ("recurrent_structural", StructuralPlasticity)):
            value = getattr(self, slot)
            if value is not None and not isinstance(value, kind):
                raise PlasticityError(f"LayerPlasticity.{slot} must be a {kind.__name__}, got {type(value).__name__}")

    def projection_rules(self) -> dict:
        """``{"feedforward" | "recurrent": rule}`` for the synaptic rules present."""
        return {k: v for k, v in (("feedforward", self.feedforward), ("recurrent", self.recurrent)) if v is not None}

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.feedforward, self.recurrent, self.intrinsic, self.structural,
                                           self.recurrent_structural))

    def to_dict(self) -> dict:
        return {slot: rule.to_dict() for slot in SLOTS
                if (rule := getattr(self, slot)) is not None}

    @classmethod
    def from_dict(cls, data: dict) -> "LayerPlasticity":
        if not isinstance(data, dict):
            raise PlasticityError(f"layer plasticity must be a dict of rules, got {type(data).__name__}")
        unknown = set(data) - set(SLOTS)
        if unknown:
            raise PlasticityError(f"unknown plasticity slot(s) {sorted(unknown)}")
        return cls(**{slot: rule_from_dict(dict(entry)) for slot, entry in data.items()})
