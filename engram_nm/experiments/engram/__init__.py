"""Engram networks, their lifecycle (encode, consolidate, tag, recall) and in-silico manipulations."""

from engram_nm.experiments.engram.lifecycle import EngramExperiment, EngramSnapshot, Memory, PhaseRecord, RecallResult
from engram_nm.experiments.engram.manipulations import (Ablation, ExcitabilityChange, OptogeneticActivation,
                                            OptogeneticSilencing, SynapseLoss, SynapseScaling)
from engram_nm.experiments.engram.network import EngramNetworkConfig, build_engram_network

__all__ = [
    "EngramExperiment", "EngramSnapshot", "Memory", "PhaseRecord", "RecallResult",
    "Ablation", "ExcitabilityChange", "OptogeneticActivation", "OptogeneticSilencing", "SynapseLoss",
    "SynapseScaling", "EngramNetworkConfig", "build_engram_network",
]
