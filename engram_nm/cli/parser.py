"""The ``engram-nm`` argument parser: every subcommand, its flags and its function."""

from __future__ import annotations

import argparse

from engram_nm.cli.commands_model import (cmd_compare, cmd_export, cmd_fit, cmd_fold, cmd_import, cmd_info, cmd_run,
                                          cmd_verify)
from engram_nm.cli.commands_work import cmd_data, cmd_demo, cmd_sweep, cmd_train
from engram_nm.cli.validators import (bounded_int, finite_float, fraction, neurons, positive_float,
                                      positive_int, probability, seed, sizes, steps, target, targets)
from engram_nm.xylo.chips import CHIPS as XYLO_CHIPS


EPILOG = """examples:
  engram-nm info
  engram-nm train --epochs 8 -o digits.nir
  engram-nm import snntorch_export.nir -o ours.nir
  engram-nm export --random 20,30,10 --neuron cuba --recurrent --seed 1 -o model.nir
  engram-nm run model.nir --target cpu-float --steps 200 --out result.npz
  engram-nm run model.nir --target cpu-fixed --input spikes.npy --out result.npz
  engram-nm fit model.nir --chip xylo-audio2
  engram-nm run plastic.nir --learn --seed 3 --learned-model learned.nir
  engram-nm verify model.nir --steps 200
  engram-nm compare model.nir --steps 200 --profile my_chip.toml --out out/compare
  engram-nm fit model.nir
  engram-nm demo --out out/demo
  engram-nm sweep examples/sweeps/capacity_k.toml --workers 2
"""


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=seed, default=0, help="random seed (input spikes, random networks)")
    p.add_argument("--quiet", action="store_true", help="print only errors")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the whole usage text."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="engram-nm", description="Engram memory models on neuromorphic targets.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="versions and available targets")
    add_common(p)
    p.set_defaults(func=cmd_info)

    def model_opts(p):
        """How to read what a NIR file does not say (one set of flags for every subcommand that loads one)."""
        p.add_argument("--dt", type=positive_float, default=None,
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
    p.add_argument("--random", metavar="SIZES", type=sizes, help="random network: n_in,n1,n2,...")
    p.add_argument("--neuron", choices=["lif", "cuba"], default="lif")
    p.add_argument("--recurrent", action="store_true")
    p.add_argument("--weight-scale", type=positive_float, default=0.3, help="std of the random weights")
    p.add_argument("-o", "--out", required=True, help="output .nir path")
    model_opts(p)
    add_common(p)
    p.set_defaults(func=cmd_export)

    def run_opts(p):
        p.add_argument("model", help="a .nir file")
        p.add_argument("--input", help=".npy array [steps, n_in] (or a batch [B, steps, n_in]) of 0/1 spikes "
                                       "(default: random)")
        p.add_argument("--steps", type=steps, default=None, help="number of steps (default: the input's, or 100)")
        p.add_argument("--rate", type=probability, default=0.2, help="spike probability per step of random input")
        p.add_argument("--analog", action="store_true",
                       help="--input holds values in [0, 1] ([n_in] or [B, n_in]): encode them with the input code "
                            "the model carries (set by `train --code`)")
        model_opts(p)
        add_common(p)

    p = sub.add_parser("import", help="read a NIR file (ours or another tool's) and say how it maps")
    p.add_argument("model", help="a .nir file")
    p.add_argument("-o", "--out", help="also write it back as an engram_nm .nir")
    model_opts(p)
    add_common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("train", help="train a classifier on the bundled digits (static or as events) with "
                                     "surrogate gradients")
    p.add_argument("model", nargs="?", help="a .nir file to start from (64 inputs, 10 outputs); default a new one")
    p.add_argument("--data", choices=("digits", "events", "camera", "video"), default="digits",
                   help="digits: the 8x8 images through --code; events (or camera): the event-camera digits; video: "
                        "the digit video sent as changes (docs/events.md)")
    p.add_argument("--neuron", choices=("lif", "sigma_delta"), default="lif",
                   help="the hidden layer's neuron (event data; sigma_delta: graded spikes)")
    p.add_argument("--sd-threshold", type=positive_float, default=0.1,
                   help="sigma-delta: the smallest change of activation that is sent")
    p.add_argument("--prune", type=fraction, default=0.0,
                   help="event data: zero this fraction of the first layer's smallest weights, then fine-tune")
    p.add_argument("--finetune-epochs", type=positive_int, default=5, help="epochs after pruning")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="event data: train on this many recordings (and test on half as many); default all")
    p.add_argument("--hidden", type=neurons, default=64, help="hidden LIF neurons of a new network")
    p.add_argument("--epochs", type=positive_int, default=8)
    p.add_argument("--lr", type=positive_float, default=1e-2, help="Adam learning rate")
    p.add_argument("--steps", type=positive_int, default=25, help="time steps per digit")
    p.add_argument("--code", choices=("rate", "regular", "latency", "delta"), default="rate",
                   help="input code (engram_nm.encoding), stored in the .nir")
    p.add_argument("--max-rate", type=probability, default=0.5, help="spikes per step at full intensity (rate codes)")
    p.add_argument("--threshold", type=probability, default=0.1,
                   help="latency: silent at or below it; delta: the contrast step")
    p.add_argument("-o", "--out", required=True, help="where to write the trained .nir")
    model_opts(p)
    add_common(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("run", help="run a .nir model on a target")
    run_opts(p)
    p.add_argument("--target", type=target, default="cpu-float", help="reference | snntorch | cpu-float | cpu-fixed | fixed-emu | loihi2")
    p.add_argument("--out", help="write spikes (one array per population) to this .npz")
    p.add_argument("--record-v", action="store_true", help="also record voltages (v_<layer> in the .npz)")
    p.add_argument("--learn", action="store_true", help="switch on the plasticity rules stored in the model")
    p.add_argument("--learned-model", help="with --learn: write the model with its learned weights to this .nir")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="operations and estimated energy per backend and chip profile")
    run_opts(p)
    p.add_argument("--targets", type=targets, default="snntorch,cpu-float,cpu-fixed", help="comma-separated targets")
    p.add_argument("--profile", action="append", help="extra energy profile (TOML; repeatable)")
    p.add_argument("--out", default="out/compare", help="folder for compare.md and compare.png")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("fold", help="deploy one task of a gated model: its engram gates folded into the weights")
    p.add_argument("model", help="a .nir file with deterministic engram gates")
    p.add_argument("--task", type=int, required=True, help="the task to deploy")
    p.add_argument("-o", "--out", required=True, help="where to write the folded .nir")
    model_opts(p)
    add_common(p)
    p.set_defaults(func=cmd_fold)

    p = sub.add_parser("fit", help="does a model fit a chip: cores, synaptic memory and quantisation on Loihi 2, or "
                                   "a Xylo chip's limits (exit 1: no fit, one line per reason)")
    p.add_argument("model", help="a .nir file")
    p.add_argument("--chip", default="loihi2", choices=("loihi2",) + tuple(XYLO_CHIPS),
                   help="the chip to fit (default loihi2; the Xylo chips: docs/xylo.md)")
    model_opts(p)
    add_common(p)
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
    q.add_argument("--limit", type=positive_int, default=None, help="the first N digits of the split only")
    add_common(q)
    q = data.add_parser("check", help="validate an event file (sorted times, 0/1 polarity, on-sensor coordinates)")
    q.add_argument("file")
    add_common(q)
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("demo", help="the flagship: train, deploy, compare; fear conditioning with its controls")
    p.add_argument("--out", default="out/demo")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help="training epochs of the classifier (default: the frontier setting's)")
    p.add_argument("--n-eval", type=positive_int, default=20, help="test digits run on every backend")
    p.add_argument("--engram-seeds", type=bounded_int(1, 20), default=10,
                   help="seeds (animals) of the fear-conditioning cohorts, from the reported seeds 100...")
    p.add_argument("--offline-hours", type=finite_float(0.0, 72.0), default=24.0,
                   help="hours offline after conditioning (1 h = 0.1 s of network time)")
    p.add_argument("--store-per-class", type=positive_int, default=10,
                   help="training digits per class written into the SDM stage")
    p.add_argument("--memory-test", type=positive_int, default=30,
                   help="test digits read from the SDM stage at each occlusion")
    add_common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("sweep", help="an experiment over a grid of parameters and seeds, on Dask; resumable "
                                     "(docs/sweeps.md)")
    p.add_argument("sweep_file", help="SWEEP.toml: experiment, seeds, [grid], [fixed], [random] (docs/sweeps.md)")
    p.add_argument("--scheduler", default=None,
                   help="tcp://HOST:8786 of a running Dask scheduler, or 'serial' (this process, no Dask); "
                        "default: a local cluster")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--out", default=None, help="results folder (default: the file's `out`)")
    p.add_argument("--csv", action="store_true", help="write results.csv instead of results.parquet")
    p.add_argument("--no-plots", action="store_true", help="skip the metric-vs-parameter plots")
    p.add_argument("--quiet", action="store_true", help="print only errors (no progress bar)")
    p.set_defaults(func=cmd_sweep)
    return parser
