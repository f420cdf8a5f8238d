"""Plasticity rules: numpy reference first (docs/architecture.md, rule 1), then torch and Lava.

Synaptic rules (:class:`PairSTDP`, :class:`InhibitorySTDP`, :class:`Hebbian`,
:func:`AntiHebbian`, :class:`SPaSS`, :class:`Outstar`) speak the Loihi learning engine's
vocabulary (traces, spike dependencies, sum of products; see
:mod:`engram_nm.plasticity.base`). :class:`IntrinsicPlasticity` adapts
thresholds, :class:`StructuralPlasticity` prunes and grows synapses.
"""

from engram_nm.plasticity.base import RULES, SynapticRule, Term, Trace, rule_from_dict
from engram_nm.plasticity.hebbian import SPaSS, AntiHebbian, Hebbian, Outstar
from engram_nm.plasticity.intrinsic import IntrinsicPlasticity
from engram_nm.plasticity.layer import LayerPlasticity
from engram_nm.plasticity.simulate import PlasticityRun, run_on_spike_trains
from engram_nm.plasticity.stdp import InhibitorySTDP, PairSTDP
from engram_nm.plasticity.structural import StructuralPlasticity, StructuralState

__all__ = [
    "RULES", "SynapticRule", "Term", "Trace", "rule_from_dict", "Hebbian", "AntiHebbian", "SPaSS", "Outstar", "PairSTDP",
    "InhibitorySTDP", "IntrinsicPlasticity", "LayerPlasticity", "StructuralPlasticity", "StructuralState", "PlasticityRun",
    "run_on_spike_trains",
]
