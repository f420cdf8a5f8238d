"""Engram gating: task-specific sparse subsets of neurons (reference, torch modules, specs)."""

from engram_nm.gating.reference import MODES, GateSpec, logits_from_masks, sigmoid, xdg_masks

__all__ = ["MODES", "GateSpec", "logits_from_masks", "sigmoid", "xdg_masks"]
