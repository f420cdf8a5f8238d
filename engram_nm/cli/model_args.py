"""The model and input flags shared by the subcommands: loading a NIR model with the import
assumptions, building or reading the input spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engram_nm.errors import InputError


def reasons(why) -> str:
    """Per-layer reasons (a dict) or one reason, as one line."""
    return "; ".join(f"{k}: {v}" for k, v in why.items()) if isinstance(why, dict) else str(why)


def import_options(args):
    """The :class:`~engram_nm.nir_io.ImportOptions` given by the shared model flags."""
    from engram_nm.nir_io import ImportOptions

    return ImportOptions(dt=args.dt, reset=args.reset, reset_delay=args.reset_delay, bias_onset=args.bias_onset,
                         discretization=args.discretization)


def load_model(args):
    import dataclasses

    from engram_nm.nir_io import import_nir

    return import_nir(args.model, **dataclasses.asdict(import_options(args)))


def input_spikes(args, spec) -> np.ndarray:
    n_in = spec.n_in
    if args.analog and not args.input:
        raise InputError("--analog needs --input (a .npy array of values in [0, 1])")
    if args.input:
        path = Path(args.input)
        if not path.exists():
            raise InputError(f"{path}: no such input file (expected a .npy array [steps, n_in])")
        try:
            x = np.load(path, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{path}: not a readable .npy array ({exc})") from exc
        if args.analog:
            from engram_nm.encoding import encode_for

            if x.ndim not in (1, 2) or x.shape[-1] != n_in:
                raise InputError(f"{path}: --analog input must be [n_in={n_in}] or [B, n_in], got {x.shape}")
            x = encode_for(spec, x, seed=args.seed)  # [steps, n_in] or [steps, B, n_in]
            x = np.moveaxis(x, 0, -2) if x.ndim == 3 else x  # a batch as [B, steps, n_in]
        if args.steps is not None:
            if x.ndim not in (2, 3) or x.shape[-2] < args.steps:
                raise InputError(f"{path}: has shape {x.shape}, fewer than --steps {args.steps} steps")
            x = x[..., : args.steps, :]
        return x
    steps = args.steps or 100
    rng = np.random.default_rng(args.seed)
    return (rng.random((steps, n_in)) < args.rate).astype(np.float64)
