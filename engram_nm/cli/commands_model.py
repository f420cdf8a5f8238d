"""Subcommands on one model: ``info``, ``export``, ``import``, ``run``, ``compare``, ``fold``, ``fit``,
``verify``."""

from __future__ import annotations

import numpy as np

from engram_nm.errors import EngramError, InputError
from engram_nm.cli.model_args import import_options, input_spikes, load_model, reasons


def cmd_info(args) -> int:
    import platform

    from engram_nm import __version__
    from engram_nm.hardware.targets import available_targets

    lines = [f"engram_nm {__version__}  (Python {platform.python_version()})"]
    for mod in ("numpy", "torch", "snntorch", "nir"):
        try:
            m = __import__(mod)
            lines.append(f"  {mod:9s} {getattr(m, '__version__', '?')}")
        except ImportError:
            lines.append(f"  {mod:9s} not installed")
    try:
        from engram_nm.lava_compat import lava

        lines.append(f"  {'lava-nc':9s} {lava.version}")
    except EngramError as exc:
        lines.append(f"  lava-nc   unavailable: {exc}")
    lines.append("targets:")
    for target, why in available_targets().items():
        lines.append(f"  {target:10s} {'available' if not why else 'unavailable: ' + why}")
    print("\n".join(lines))
    return 0


def cmd_export(args) -> int:
    from engram_nm.nir_io import export_nir
    from engram_nm.spec import random_spec

    if args.random:
        sizes = args.random
        spec = random_spec(sizes[0], sizes[1:], neuron=args.neuron, reset=args.reset or "zero",
                           reset_delay=bool(args.reset_delay), recurrent=args.recurrent, dt=args.dt or 1e-3,
                           seed=args.seed, weight_scale=args.weight_scale)
    elif args.model:
        spec = load_model(args)
    else:
        raise InputError("give a model to re-export (MODEL.nir) or --random SIZES")
    path = export_nir(spec, args.out)
    if not args.quiet:
        print(spec.summary())
        print(f"wrote {path}")
    return 0


def cmd_run(args) -> int:
    from engram_nm.hardware.targets import run

    spec = load_model(args)
    x = input_spikes(args, spec)
    result = run(spec, x, args.target, record_v=args.record_v, learn=args.learn, seed=args.seed)
    if args.learned_model:
        from engram_nm.nir_io import export_nir

        export_nir(result.learned_spec(spec), args.learned_model)
    if args.out:
        # Keyed by NIR node name, as in the file the user gave us.
        result.save(args.out, names={l.name: l.metadata.get("nir_node", l.name) for l in spec.layers})
    if not args.quiet:
        print(f"{args.target}: {result.steps} steps in {result.wall_s:.2f} s")
        for name, count in result.spike_counts().items():
            print(f"  {name}: {count} spikes")
        if not result.deployable:
            print(f"  not deployable to Loihi 2 as it is: {reasons(result.not_deployable_because)}")
        if result.quantization is not None and result.quantization.problems():
            print("  quantisation: " + "; ".join(f"{e.layer}.{e.quantity} err {e.max_rel_error:.1e} "
                                                  f"clipped {e.clipped}" for e in result.quantization.problems()))
        if result.learning:
            print(result.learning_table())
        if args.out:
            print(f"wrote {args.out}")
        if args.learned_model:
            print(f"wrote the learned model to {args.learned_model}")
    return 0


def cmd_compare(args) -> int:
    from pathlib import Path

    from engram_nm.analysis.compare import compare
    from engram_nm.analysis.energy import PROFILES, load_profile
    from engram_nm.io_utils import atomic_write_text

    spec = load_model(args)
    x = input_spikes(args, spec)
    profiles = dict(PROFILES)
    for path in args.profile or []:
        p = load_profile(path)
        profiles[p.name] = p
    report = compare(spec, list(x) if x.ndim == 3 else [x], targets=args.targets, profiles=profiles)
    out = Path(args.out)
    atomic_write_text(out / "compare.md", report.table() + "\n")
    report.plot(out / "compare.png")
    if not args.quiet:
        print(report.table())
        print(f"wrote {out / 'compare.md'} and {out / 'compare.png'}")
    return 0


def cmd_fold(args) -> int:
    from engram_nm.gating.fold import fold_gates
    from engram_nm.nir_io import export_nir

    spec = load_model(args)
    gated = [layer for layer in spec.layers if layer.gate is not None]
    if not gated:
        raise InputError(f"{args.model}: no engram gate to fold")
    for layer in gated:
        layer.gate.check_task(args.task)
    folded = fold_gates(spec, args.task)
    path = export_nir(folded, args.out)
    if not args.quiet:
        before = sum(int((c.weight != 0).sum()) for c in spec.connections())
        after = sum(int((c.weight != 0).sum()) for c in folded.connections())
        print(f"task {args.task}: gates of {', '.join(l.name for l in gated)} folded; non-zero synapses "
              f"{before} -> {after}; wrote {path}")
    return 0


def cmd_fit(args) -> int:
    from engram_nm.analysis.fit import fit_report
    from engram_nm.xylo.mapping import fit_xylo

    spec = load_model(args)
    report = fit_report(spec) if args.chip == "loihi2" else fit_xylo(spec, args.chip)
    if not args.quiet:
        print(report.table())
    return 0 if report.fits else 1


def cmd_verify(args) -> int:
    from engram_nm.analysis.verify import verify

    spec = load_model(args)
    x = input_spikes(args, spec)
    if np.ndim(x) != 2:
        raise InputError(f"verify compares one sample: give --input as [steps, n_in], got shape {np.shape(x)}")
    report = verify(spec, x)
    if not args.quiet:
        print(report.table())
        print("snntorch == cpu-float (identical spikes):", "yes" if report.float_identical else "NO")
        print("fixed-emu == cpu-fixed (identical spikes):", "yes" if report.emulator_identical else "NO")
    return 0 if report.float_identical and report.emulator_identical else 1


def cmd_import(args) -> int:
    from engram_nm.nir_io import import_assumptions, read_nir

    graph = read_nir(args.model)
    assumptions = import_assumptions(graph, import_options(args))
    spec = load_model(args)
    ok, why = spec.stock_lava_compatible()
    if args.out:
        from engram_nm.nir_io import export_nir

        export_nir(spec, args.out)
    if not args.quiet:
        print(spec.summary())
        if assumptions:
            print("assumed (the file does not say; flag that changes it):")
            width = max(len(q) for q, _, _ in assumptions)
            for quantity, value, flag in assumptions:
                print(f"  {quantity:<{width}}  {value}   [{flag}]")
        print("runs on stock Lava neurons, LIF or SigmaDelta (Loihi 2):", "yes" if ok else f"no — {reasons(why)}")
        if args.out:
            print(f"wrote {args.out}")
    return 0
