"""The ``engram-nm`` command line.

Exit codes: 0 ok, 1 error (an engram_nm error, message on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from engram_nm.errors import EngramError, InputError

EPILOG = """examples:
  engram-nm info
  engram-nm train --epochs 8 -o digits.nir
  engram-nm import snntorch_export.nir -o ours.nir
  engram-nm export --random 20,30,10 --neuron cuba --recurrent --seed 1 -o model.nir
  engram-nm run model.nir --target cpu-float --steps 200 --out result.npz
  engram-nm run model.nir --target cpu-fixed --input spikes.npy --out result.npz
  engram-nm run plastic.nir --learn --seed 3 --learned-model learned.nir
  engram-nm verify model.nir --steps 200
  engram-nm compare model.nir --steps 200 --profile my_chip.toml --out out/compare
  engram-nm fit model.nir
  engram-nm demo --out out/demo
  engram-nm sweep examples/sweeps/capacity_k.toml --workers 2
"""


# Largest values the flags accept: beyond them a run would only exhaust memory or time.
MAX_STEPS = 1_000_000
MAX_NEURONS = 100_000
MAX_SEED = 2 ** 32 - 1


def _bounded_int(low: int, high: int):
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


def _finite_float(low: float, high: float, low_open: bool = False):
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


_positive_int = _bounded_int(1, MAX_STEPS)
_steps = _bounded_int(1, MAX_STEPS)
_neurons = _bounded_int(1, MAX_NEURONS)
_seed = _bounded_int(0, MAX_SEED)
_probability = _finite_float(0.0, 1.0)
_positive_float = _finite_float(0.0, 1e6, low_open=True)
_fraction = _finite_float(0.0, 0.99)  # a pruned fraction: all weights gone is no network


def _target(text: str) -> str:
    from engram_nm.hardware.targets import TARGETS

    if text not in TARGETS:
        raise argparse.ArgumentTypeError(f"unknown target {text!r}; choose one of {', '.join(TARGETS)}")
    return text


def _targets(text: str) -> list:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one target, e.g. snntorch,cpu-float")
    return [_target(t) for t in names]


def _sizes(text: str) -> list:
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes comma-separated sizes 'n_in,n1,n2,...', got {text!r}") from None
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError("needs the input size and at least one layer size, e.g. 20,30,10")
    if not all(1 <= n <= MAX_NEURONS for n in sizes):
        raise argparse.ArgumentTypeError(f"every size must be in 1..{MAX_NEURONS}, got {text!r}")
    return sizes


def _reasons(why) -> str:
    """Per-layer reasons (a dict) or one reason, as one line."""
    return "; ".join(f"{k}: {v}" for k, v in why.items()) if isinstance(why, dict) else str(why)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_seed, default=0, help="random seed (input spikes, random networks)")
    p.add_argument("--quiet", action="store_true", help="print only errors")


def _import_options(args):
    """The :class:`~engram_nm.nir_io.ImportOptions` given by the shared model flags."""
    from engram_nm.nir_io import ImportOptions

    return ImportOptions(dt=args.dt, reset=args.reset, reset_delay=args.reset_delay, bias_onset=args.bias_onset,
                         discretization=args.discretization)


def _load_model(args):
    import dataclasses

    from engram_nm.nir_io import import_nir

    return import_nir(args.model, **dataclasses.asdict(_import_options(args)))


def _input_spikes(args, spec) -> np.ndarray:
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
        spec = _load_model(args)
    else:
        raise InputError("give a model to re-export (MODEL.nir) or --random SIZES")
    path = export_nir(spec, args.out)
    if not args.quiet:
        print(spec.summary())
        print(f"wrote {path}")
    return 0


def cmd_run(args) -> int:
    from engram_nm.hardware.targets import run

    spec = _load_model(args)
    x = _input_spikes(args, spec)
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
            print(f"  not deployable to Loihi 2 as it is: {_reasons(result.not_deployable_because)}")
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

    spec = _load_model(args)
    x = _input_spikes(args, spec)
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

    spec = _load_model(args)
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


def cmd_data(args) -> int:
    """``data events``: write a generated event or video set; ``data check``: validate an event file."""
    if args.data_command == "check":
        from engram_nm.events.files import read_events

        events, width, height = read_events(args.file)
        if not args.quiet:
            span = (int(events["t"][-1]) - int(events["t"][0])) / 1e6 if events.size else 0.0
            print(f"{args.file}: {events.size} events on a {width} x {height} sensor over {span:.3f} s, "
                  f"{float(events['p'].mean()) if events.size else 0.0:.2f} ON")
        return 0
    from engram_nm.events.digits import FRAME_S, SCENE, dataset_checksum, digit_video, event_digits
    from engram_nm.events.files import write_events
    from engram_nm.io_utils import atomic_savez

    out = Path(args.out)
    if args.set == "camera":
        events, offsets, labels = event_digits(args.split, args.seed, limit=args.limit)
        path = out / f"event_digits_{args.split}.npz"
        write_events(path, events, SCENE, SCENE, offsets=offsets, labels=labels, frame_s=FRAME_S,
                     checksum=np.bytes_(dataset_checksum(events, offsets, labels)))
        what = f"{labels.size} recordings, {events.size} events"
    else:
        video, labels = digit_video(args.split, args.seed, limit=args.limit)
        path = out / f"digit_video_{args.split}.npz"
        atomic_savez(path, video=video, labels=labels, checksum=np.bytes_(dataset_checksum(video, labels)))
        what = f"{labels.size} videos of {video.shape[1]} frames"
    if not args.quiet:
        print(f"wrote {path}: {what}")
    return 0


def cmd_fit(args) -> int:
    from engram_nm.analysis.fit import fit_report

    report = fit_report(_load_model(args))
    if not args.quiet:
        print(report.table())
    return 0 if report.fits else 1


def cmd_verify(args) -> int:
    from engram_nm.analysis.verify import verify

    spec = _load_model(args)
    x = _input_spikes(args, spec)
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
    assumptions = import_assumptions(graph, _import_options(args))
    spec = _load_model(args)
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
        print("runs on stock Lava neurons, LIF or SigmaDelta (Loihi 2):", "yes" if ok else f"no — {_reasons(why)}")
        if args.out:
            print(f"wrote {args.out}")
    return 0


def cmd_train(args) -> int:
    import numpy as np
    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: keep torch's pool small before any Lava fork
    from engram_nm.backends.torch_backend import build_torch
    from engram_nm.encoding import InputCode, attach
    from engram_nm.nir_io import export_nir
    from engram_nm.spec import EngramSpec, LayerSpec
    from engram_nm.training import accuracy, train_classifier

    if args.data != "digits":
        return _train_events(args)
    code = InputCode(args.code, args.steps, args.max_rate, args.threshold)
    from engram_nm.data import load_digits

    x_tr, y_tr, x_te, y_te = load_digits(args.seed, code)
    if args.model:
        spec = _load_model(args)
        if spec.n_in != 64 or spec.layers[-1].size != 10:
            raise EngramError(f"{args.model}: training on digits needs 64 inputs and a 10-neuron readout, "
                              f"got {spec.n_in} inputs and {spec.layers[-1].size} outputs")
    else:
        rng = np.random.default_rng(args.seed)
        spec = EngramSpec(64, [LayerSpec("hidden", weight=rng.normal(0, 0.3, (args.hidden, 64))),
                               LayerSpec("readout", weight=rng.normal(0, 0.3, (10, args.hidden)))],
                          name="digits_classifier")
    net = build_torch(attach(spec, code))  # the code travels in the file: `run --analog` uses it
    hist = train_classifier(net, x_tr, y_tr, epochs=args.epochs, lr=args.lr, count_scale=0.3, seed=args.seed,
                            quiet=args.quiet)
    acc = accuracy(net, x_te, y_te)
    path = export_nir(net, args.out)
    if not args.quiet:
        print(f"train accuracy {hist.train_accuracy[-1]:.3f}, test accuracy {acc:.3f} ({len(y_te)} digits)")
        print(f"wrote {path}")
    return 0


def _train_events(args) -> int:
    """``train --data camera|video``: a point of the event frontier (engram_nm/experiments/event_frontier.py)."""
    from engram_nm.experiments.event_frontier import snn_point, spikes
    from engram_nm.experiments.frontier import FrontierSetting, deployable
    from engram_nm.nir_io import export_nir

    if args.model:
        raise InputError("--data camera|video trains a new network (2048 inputs); it does not start from a .nir")
    setting = FrontierSetting(hidden=args.hidden, epochs=args.epochs, lr=args.lr, readout="membrane",
                              neuron=args.neuron, sd_threshold=args.sd_threshold, prune=args.prune,
                              finetune_epochs=args.finetune_epochs if args.prune else 0)
    limit = (args.limit, max(1, args.limit // 2)) if args.limit else (None, None)
    data = "camera" if args.data == "events" else args.data
    spec, point = snn_point(data, setting, args.seed, limit=limit)
    # the membrane readout written with a finite threshold above every training potential, so the
    # file runs on the fixed-point targets too, deciding as it did
    x_train, _ = spikes(data, "train", args.seed, limit[0])
    path = export_nir(deployable(spec, x_train[:, :300]), args.out)
    if not args.quiet:
        print(f"test accuracy {point.accuracy:.3f} (chance 0.10); per recording {point.effective_acs:,.0f} effective "
              f"synaptic operations, {point.neuron_updates:,.0f} neuron updates; first layer density "
              f"{point.first_layer_density:.2f}")
        print(f"wrote {path}")
    return 0


def cmd_sweep(args) -> int:
    from engram_nm.sweep import load_sweep, run_sweep

    spec, out = load_sweep(args.sweep_file)
    if args.out:
        out = Path(args.out)
    if args.csv:
        spec.format = "csv"
    if args.scheduler and args.scheduler != "serial" and args.workers:
        raise InputError("--workers sizes a local cluster; a running scheduler (--scheduler) has its own workers")
    result = run_sweep(spec, out, scheduler=args.scheduler, workers=args.workers, progress=not args.quiet,
                       plots=not args.no_plots)
    if result.interrupted:
        print(f"engram-nm sweep: interrupted; {len(result.rows)} rows kept in {result.table} "
              "(run the same command again to finish)", file=sys.stderr)
        return 130
    if not args.quiet:
        print(f"{result.ran} trials run, {result.skipped} already done, {result.failed} failed, "
              f"{result.seconds:.1f} s; table: {result.table}" + (f"; plots: {out / 'plots'}" if result.plots else ""))
    if result.failed:
        print(f"engram-nm sweep: {result.failed} trials failed (errors in the table's `error` column); "
              "run again to retry them", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args) -> int:
    from engram_nm.demo import run_demo

    run_demo(out_dir=args.out, seed=args.seed, quiet=args.quiet, epochs=args.epochs, n_eval=args.n_eval,
             engram_seeds=args.engram_seeds, offline_hours=args.offline_hours,
             store_per_class=args.store_per_class, n_memory_test=args.memory_test)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the whole usage text."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="engram-nm", description="Engram memory models on neuromorphic targets.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="versions and available targets")
    _add_common(p)
    p.set_defaults(func=cmd_info)

    def model_opts(p):
        """How to read what a NIR file does not say (one set of flags for every subcommand that loads one)."""
        p.add_argument("--dt", type=_positive_float, default=None,
                       help="step in s (default: from the file, or tau/r)")
        p.add_argument("--reset", choices=["zero", "subtract"], default=None,
                       help="override the reset mode (NIR files from other tools do not store it; default zero)")
        p.add_argument("--reset-delay", action=argparse.BooleanOptionalAction, default=None,
                       help="apply the reset one step late (snnTorch's reset_delay=True for Synaptic/RLeaky and "
                            "subtract resets); default: the file's, else not delayed")
        p.add_argument("--bias-onset", choices=["arrival", "start"], default=None,
                       help="biases start when a layer's first input arrives (as in snnTorch/Norse) or at step 0 "
                            "(stock Loihi LIF); default: the file's, else arrival")
        p.add_argument("--discretization", choices=["euler", "exact"], default="euler",
                       help="how the exporter stepped NIR's ODE: euler (Lava, snnTorch, Norse) or exact (Sinabs)")

    p = sub.add_parser("export", help="write a .nir file (random network, or re-export a NIR graph)")
    p.add_argument("model", nargs="?", help="a .nir file to normalise and re-export")
    p.add_argument("--random", metavar="SIZES", type=_sizes, help="random network: n_in,n1,n2,...")
    p.add_argument("--neuron", choices=["lif", "cuba"], default="lif")
    p.add_argument("--recurrent", action="store_true")
    p.add_argument("--weight-scale", type=_positive_float, default=0.3, help="std of the random weights")
    p.add_argument("-o", "--out", required=True, help="output .nir path")
    model_opts(p)
    _add_common(p)
    p.set_defaults(func=cmd_export)

    def run_opts(p):
        p.add_argument("model", help="a .nir file")
        p.add_argument("--input", help=".npy array [steps, n_in] (or a batch [B, steps, n_in]) of 0/1 spikes "
                                       "(default: random)")
        p.add_argument("--steps", type=_steps, default=None, help="number of steps (default: the input's, or 100)")
        p.add_argument("--rate", type=_probability, default=0.2, help="spike probability per step of random input")
        p.add_argument("--analog", action="store_true",
                       help="--input holds values in [0, 1] ([n_in] or [B, n_in]): encode them with the input code "
                            "the model carries (set by `train --code`)")
        model_opts(p)
        _add_common(p)

    p = sub.add_parser("import", help="read a NIR file (ours or another tool's) and say how it maps")
    p.add_argument("model", help="a .nir file")
    p.add_argument("-o", "--out", help="also write it back as an engram_nm .nir")
    model_opts(p)
    _add_common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("train", help="train a classifier on the bundled digits (static or as events) with "
                                     "surrogate gradients")
    p.add_argument("model", nargs="?", help="a .nir file to start from (64 inputs, 10 outputs); default a new one")
    p.add_argument("--data", choices=("digits", "events", "camera", "video"), default="digits",
                   help="digits: the 8x8 images through --code; events (or camera): the event-camera digits; video: "
                        "the digit video sent as changes (docs/events.md)")
    p.add_argument("--neuron", choices=("lif", "sigma_delta"), default="lif",
                   help="the hidden layer's neuron (event data; sigma_delta: graded spikes)")
    p.add_argument("--sd-threshold", type=_positive_float, default=0.1,
                   help="sigma-delta: the smallest change of activation that is sent")
    p.add_argument("--prune", type=_fraction, default=0.0,
                   help="event data: zero this fraction of the first layer's smallest weights, then fine-tune")
    p.add_argument("--finetune-epochs", type=_positive_int, default=5, help="epochs after pruning")
    p.add_argument("--limit", type=_positive_int, default=None,
                   help="event data: train on this many recordings (and test on half as many); default all")
    p.add_argument("--hidden", type=_neurons, default=64, help="hidden LIF neurons of a new network")
    p.add_argument("--epochs", type=_positive_int, default=8)
    p.add_argument("--lr", type=_positive_float, default=1e-2, help="Adam learning rate")
    p.add_argument("--steps", type=_positive_int, default=25, help="time steps per digit")
    p.add_argument("--code", choices=("rate", "regular", "latency", "delta"), default="rate",
                   help="input code (engram_nm.encoding), stored in the .nir")
    p.add_argument("--max-rate", type=_probability, default=0.5, help="spikes per step at full intensity (rate codes)")
    p.add_argument("--threshold", type=_probability, default=0.1,
                   help="latency: silent at or below it; delta: the contrast step")
    p.add_argument("-o", "--out", required=True, help="where to write the trained .nir")
    model_opts(p)
    _add_common(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("run", help="run a .nir model on a target")
    run_opts(p)
    p.add_argument("--target", type=_target, default="cpu-float", help="reference | snntorch | cpu-float | cpu-fixed | fixed-emu | loihi2")
    p.add_argument("--out", help="write spikes (one array per population) to this .npz")
    p.add_argument("--record-v", action="store_true", help="also record voltages (v_<layer> in the .npz)")
    p.add_argument("--learn", action="store_true", help="switch on the plasticity rules stored in the model")
    p.add_argument("--learned-model", help="with --learn: write the model with its learned weights to this .nir")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="operations and estimated energy per backend and chip profile")
    run_opts(p)
    p.add_argument("--targets", type=_targets, default="snntorch,cpu-float,cpu-fixed", help="comma-separated targets")
    p.add_argument("--profile", action="append", help="extra energy profile (TOML; repeatable)")
    p.add_argument("--out", default="out/compare", help="folder for compare.md and compare.png")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("fold", help="deploy one task of a gated model: its engram gates folded into the weights")
    p.add_argument("model", help="a .nir file with deterministic engram gates")
    p.add_argument("--task", type=int, required=True, help="the task to deploy")
    p.add_argument("-o", "--out", required=True, help="where to write the folded .nir")
    model_opts(p)
    _add_common(p)
    p.set_defaults(func=cmd_fold)

    p = sub.add_parser("fit", help="cores, synaptic memory and quantisation of a model on Loihi 2 (exit 1: no fit)")
    p.add_argument("model", help="a .nir file")
    model_opts(p)
    _add_common(p)
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("verify", help="run snntorch, cpu-float, cpu-fixed and fixed-emu and compare spikes per layer")
    run_opts(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("data", help="generate the event-camera digits or the digit video (no download), or check "
                                    "an event file")
    data = p.add_subparsers(dest="data_command", required=True)
    q = data.add_parser("events", help="write a generated set (docs/events.md)")
    q.add_argument("--out", required=True, help="folder for the .npz")
    q.add_argument("--set", choices=["camera", "video"], default="camera",
                   help="camera: event recordings along N-MNIST's saccades; video: a temporally redundant video")
    q.add_argument("--split", choices=["train", "test"], default="train")
    q.add_argument("--limit", type=_positive_int, default=None, help="the first N digits of the split only")
    _add_common(q)
    q = data.add_parser("check", help="validate an event file (sorted times, 0/1 polarity, on-sensor coordinates)")
    q.add_argument("file")
    _add_common(q)
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("demo", help="the flagship: train, deploy, compare; fear conditioning with its controls")
    p.add_argument("--out", default="out/demo")
    p.add_argument("--epochs", type=_positive_int, default=None,
                   help="training epochs of the classifier (default: the frontier setting's)")
    p.add_argument("--n-eval", type=_positive_int, default=20, help="test digits run on every backend")
    p.add_argument("--engram-seeds", type=_bounded_int(1, 20), default=10,
                   help="seeds (animals) of the fear-conditioning cohorts, from the reported seeds 100...")
    p.add_argument("--offline-hours", type=_finite_float(0.0, 72.0), default=24.0,
                   help="hours offline after conditioning (1 h = 0.1 s of network time)")
    p.add_argument("--store-per-class", type=_positive_int, default=10,
                   help="training digits per class written into the SDM stage")
    p.add_argument("--memory-test", type=_positive_int, default=30,
                   help="test digits read from the SDM stage at each occlusion")
    _add_common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("sweep", help="an experiment over a grid of parameters and seeds, on Dask; resumable "
                                     "(docs/sweeps.md)")
    p.add_argument("sweep_file", help="SWEEP.toml: experiment, seeds, [grid], [fixed], [random] (docs/sweeps.md)")
    p.add_argument("--scheduler", default=None,
                   help="tcp://HOST:8786 of a running Dask scheduler, or 'serial' (this process, no Dask); "
                        "default: a local cluster")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--out", default=None, help="results folder (default: the file's `out`)")
    p.add_argument("--csv", action="store_true", help="write results.csv instead of results.parquet")
    p.add_argument("--no-plots", action="store_true", help="skip the metric-vs-parameter plots")
    p.add_argument("--quiet", action="store_true", help="print only errors (no progress bar)")
    p.set_defaults(func=cmd_sweep)
    return parser


# Per subcommand, the arguments that name files / folders it writes: checked before any work.
OUTPUT_FILES = {"export": ("out",), "import": ("out",), "train": ("out",), "run": ("out", "learned_model"),
                "fold": ("out",)}
OUTPUT_FOLDERS = {"compare": ("out",), "demo": ("out",), "sweep": ("out",), "data": ("out",)}


def check_outputs(args) -> None:
    """Raise :class:`~engram_nm.errors.OutputPathError` for an output that could not be written,
    so a run never ends, after all its work, in a failed write."""
    from engram_nm.io_utils import check_output_file, check_output_folder

    for dest in OUTPUT_FILES.get(args.command, ()):
        if getattr(args, dest, None):
            check_output_file(getattr(args, dest), "--" + dest.replace("_", "-"))
    for dest in OUTPUT_FOLDERS.get(args.command, ()):
        if getattr(args, dest, None):
            check_output_folder(getattr(args, dest), "--" + dest.replace("_", "-"))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "learned_model", None) and not args.learn:
        parser.error("--learned-model needs --learn")  # exits 2, like every usage error
    try:
        check_outputs(args)
        return args.func(args)
    except EngramError as exc:
        print(f"engram-nm {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a write that failed during the run (disk full, file system gone)
        print(f"engram-nm {args.command}: error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"engram-nm {args.command}: error: out of memory; use fewer steps or a smaller model",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"engram-nm {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
