"""Subcommands that do work of their own: ``data``, ``train``, ``sweep``, ``demo``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from engram_nm.errors import EngramError, InputError
from engram_nm.cli.model_args import load_model


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
        return train_events(args)
    code = InputCode(args.code, args.steps, args.max_rate, args.threshold)
    from engram_nm.data import load_digits

    x_tr, y_tr, x_te, y_te = load_digits(args.seed, code)
    if args.model:
        spec = load_model(args)
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


def train_events(args) -> int:
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
    from engram_nm.cli.demo import run_demo

    run_demo(out_dir=args.out, seed=args.seed, quiet=args.quiet, epochs=args.epochs, n_eval=args.n_eval,
             engram_seeds=args.engram_seeds, offline_hours=args.offline_hours,
             store_per_class=args.store_per_class, n_memory_test=args.memory_test)
    return 0
