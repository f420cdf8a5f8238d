"""argparse types of the ``engram-nm`` flags: bounded numbers, targets, layer sizes (a bad value is
a usage error, exit 2, one line)."""

from __future__ import annotations

import argparse

import numpy as np



# Largest values the flags accept: beyond them a run would only exhaust memory or time.
MAX_STEPS = 1_000_000


MAX_NEURONS = 100_000


MAX_SEED = 2 ** 32 - 1


def bounded_int(low: int, high: int):
    """argparse type: a whole number in ``[low, high]`` (a usage error, exit 2, otherwise)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high}, got {value}")
        return value
    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def finite_float(low: float, high: float, low_open: bool = False):
    """argparse type: a finite number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not np.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if value < low or value > high or (low_open and value == low):
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(f"must be in {bracket}{low:g}, {high:g}], got {value:g}")
        return value
    parse.__name__ = "number"
    return parse


positive_int = bounded_int(1, MAX_STEPS)


steps = bounded_int(1, MAX_STEPS)


neurons = bounded_int(1, MAX_NEURONS)


seed = bounded_int(0, MAX_SEED)


probability = finite_float(0.0, 1.0)


positive_float = finite_float(0.0, 1e6, low_open=True)


fraction = finite_float(0.0, 0.99)  # a pruned fraction: all weights gone is no network


def target(text: str) -> str:
    from engram_nm.hardware.targets import TARGETS

    if text not in TARGETS:
        raise argparse.ArgumentTypeError(f"unknown target {text!r}; choose one of {', '.join(TARGETS)}")
    return text


def targets(text: str) -> list:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one target, e.g. snntorch,cpu-float")
    return [target(t) for t in names]


def sizes(text: str) -> list:
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes comma-separated sizes 'n_in,n1,n2,...', got {text!r}") from None
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError("needs the input size and at least one layer size, e.g. 20,30,10")
    if not all(1 <= n <= MAX_NEURONS for n in sizes):
        raise argparse.ArgumentTypeError(f"every size must be in 1..{MAX_NEURONS}, got {text!r}")
    return sizes
