"""snnTorch's own NIR files (``export_to_nir``) run here with snnTorch's spikes.

The reference is snnTorch's own simulation of the *file*: ``import_from_nir``
builds its network with a zero, undelayed reset (snnTorch 1.0.0 hard-codes
both), so a file runs on our side with the defaults, ``--reset zero
--no-reset-delay``. The author of the file ran the *module*, with its own reset:
those settings are restored on snnTorch's imported network and our run gets the
matching flags (``engram_nm.snntorch_models`` maps them: a delayed zero reset of
``Leaky`` equals the undelayed one).

Delay convention: snnTorch's ``nn.Linear`` has no delay, each Lava Dense one, so
output layer 2 of ours is compared 2 steps later (a constant shift). Biases
start when a layer's first input arrives (``bias_onset="arrival"``, the default
for another tool's file): measured, starting them at step 0 instead gives 3.8 %
(Leaky) and 24.6 % (Synaptic) of output spikes different.
"""

import contextlib
import io
import itertools

import numpy as np
import pytest
import torch

from engram_nm.nir_io import import_nir
from engram_nm.backends.reference import simulate
from engram_nm.snntorch_models import _reset_of, snntorch_semantic_differences
from tests.helpers import random_spikes, snntorch_neuron, snntorch_two_layer

SHIFT = 2  # two Dense delays to the output layer
STEPS = 200
GAIN = {"leaky": 1.0, "synaptic": 0.3}  # Synaptic integrates more: keep it unsaturated
CASES = list(itertools.product(["leaky", "synaptic"], ["zero", "subtract"], [True, False], [True, False]))
IDS = [f"{k}-{r}-{'delayed' if d else 'undelayed'}-{'bias' if b else 'nobias'}" for k, r, d, b in CASES]


def _export(tmp_path, kind, reset, delay, bias):
    import nir
    from snntorch.export_nir import export_to_nir

    module = snntorch_two_layer(snntorch_neuron(kind, reset=reset, reset_delay=delay), bias=bias, gain=GAIN[kind])
    path = tmp_path / f"{kind}.nir"
    nir.write(str(path), export_to_nir(module, torch.zeros(10)))
    return module, path


def _snntorch_runs_file(path, x, reset=None, reset_delay=None) -> np.ndarray:
    """snnTorch's simulation of the file (``import_from_nir``), optionally with another reset."""
    import nir
    import snntorch as snn
    from snntorch.import_nir import import_from_nir

    with contextlib.redirect_stdout(io.StringIO()):  # it prints progress
        net = import_from_nir(nir.read(str(path)))
    for neuron in net.modules():
        if isinstance(neuron, (snn.Leaky, snn.Synaptic)):
            if reset is not None:
                neuron.reset_mechanism = reset
                neuron.state_function = neuron._base_sub if reset == "subtract" else neuron._base_zero
            if reset_delay is not None:
                neuron.reset_delay = reset_delay
    out, state = [], None
    with torch.no_grad():
        for t in range(len(x)):
            y, state = net(torch.as_tensor(x[t:t + 1], dtype=torch.float32), state)
            out.append(y[0].numpy() > 0)
    return np.array(out)


def _ours(path, x, **flags) -> np.ndarray:
    spec = import_nir(path, **flags)
    return simulate(spec, x).spikes[spec.layer_names[-1]]


def _mismatch(theirs, ours) -> int:
    return int(np.sum(theirs[:-SHIFT] != ours[SHIFT:]))


@pytest.mark.quick
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_snntorch_file_runs_with_import_from_nir_spikes(tmp_path, case):
    """The file as snnTorch's importer simulates it: our defaults, spike for spike, three inputs."""
    _, path = _export(tmp_path, *case)
    for seed in range(3):
        x = random_spikes(STEPS, 10, rate=0.1, seed=seed)
        theirs = _snntorch_runs_file(path, x)
        ours = _ours(path, x)
        assert theirs.sum() >= 0.05 * theirs.size, "too few output spikes for a wrong reset to show"
        assert _mismatch(theirs, ours) == 0
        assert not ours[:SHIFT].any()  # nothing moves before snnTorch's first step arrives
        # The test has power: the other reset mode changes the output.
        assert _mismatch(theirs, _ours(path, x, reset="subtract")) > 0


EXACT_WITH_OWN_RESET = [c for c in CASES if not (c[0] == "leaky" and c[1] == "subtract" and not c[2])]


@pytest.mark.parametrize("case", EXACT_WITH_OWN_RESET,
                         ids=[i for c, i in zip(CASES, IDS) if c in EXACT_WITH_OWN_RESET])
def test_snntorch_file_with_the_modules_reset_runs_exactly_with_matching_flags(tmp_path, case):
    """The module's own reset restored on snnTorch's side == ours with the matching flags."""
    kind, reset, delay, bias = case
    module, path = _export(tmp_path, *case)
    neuron = next(m for m in module.modules() if type(m).__name__ in ("Leaky", "Synaptic"))
    our_reset, our_delay = _reset_of(neuron)
    for seed in range(3):
        x = random_spikes(STEPS, 10, rate=0.1, seed=seed)
        theirs = _snntorch_runs_file(path, x, reset=reset, reset_delay=delay)
        ours = _ours(path, x, reset=our_reset, reset_delay=our_delay)
        assert theirs.sum() >= 0.05 * theirs.size
        assert _mismatch(theirs, ours) == 0
    if our_delay:  # the delay flag matters here: without it, spikes differ
        assert _mismatch(theirs, _ours(path, x, reset=our_reset, reset_delay=False)) > 0


def test_leaky_subtract_without_delay_is_the_listed_difference(tmp_path):
    """The one combination we cannot reproduce is named, not hidden (snntorch_models docstring)."""
    module, path = _export(tmp_path, "leaky", "subtract", False, False)
    notes = snntorch_semantic_differences(module)
    assert len(notes) == 2 and "2*threshold" in notes[0]


def test_bias_onset_start_differs_from_snntorch(tmp_path):
    """Biases from step 0 (the stock Loihi LIF's choice) do not reproduce a delay-free simulator."""
    _, path = _export(tmp_path, "synaptic", "zero", False, True)
    x = random_spikes(STEPS, 10, rate=0.1, seed=0)
    theirs = _snntorch_runs_file(path, x)
    assert _mismatch(theirs, _ours(path, x, bias_onset="start")) > 0
    assert _mismatch(theirs, _ours(path, x, bias_onset="arrival")) == 0


@pytest.mark.lava
def test_cli_runs_snntorch_file_on_lava_with_snntorchs_spikes(tmp_path):
    """`engram-nm run FILE.nir --target cpu-float` with the matching flags: snnTorch's spikes."""
    from engram_nm.cli import main

    _, path = _export(tmp_path, "synaptic", "subtract", True, True)
    x = random_spikes(120, 10, rate=0.1, seed=4)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "r.npz"
    assert main(["run", str(path), "--target", "cpu-float", "--input", str(tmp_path / "x.npy"), "--out", str(out),
                 "--reset", "subtract", "--reset-delay", "--quiet"]) == 0
    with np.load(out) as result:
        ours = result["3"]  # keyed by snnTorch's node name: the output neuron is module 3 of the Sequential
    theirs = _snntorch_runs_file(path, x, reset="subtract", reset_delay=True)
    assert theirs.sum() >= 0.05 * theirs.size
    assert _mismatch(theirs, ours) == 0


def test_import_prints_the_assumptions_for_a_foreign_file_and_none_for_ours(tmp_path, capsys):
    from engram_nm.cli import main

    _, path = _export(tmp_path, "leaky", "zero", True, True)
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "assumed (the file does not say" in out
    for quantity, flag in [("dt", "--dt"), ("reset", "--reset zero|subtract"), ("reset delay", "--reset-delay"),
                           ("bias onset", "--bias-onset arrival|start"), ("discretization", "--discretization")]:
        line = next(line for line in out.splitlines() if line.strip().startswith(quantity))
        assert flag in line
    assert "0.0001 s (inferred as tau / r)" in out
    assert main(["import", str(path), "--reset", "subtract", "--reset-delay", "--bias-onset", "start",
                 "-o", str(tmp_path / "ours.nir")]) == 0
    out = capsys.readouterr().out
    assert "subtract (given)" in out and "one step late" in out and "from step 0" in out
    # Our own file stores every one of them: nothing is assumed, and the overrides were kept.
    assert main(["import", str(tmp_path / "ours.nir")]) == 0
    assert "assumed" not in capsys.readouterr().out
    spec = import_nir(tmp_path / "ours.nir")
    assert all(layer.reset == "subtract" and layer.reset_delay and layer.bias_onset == 0 for layer in spec.layers)


def test_import_options_are_validated():
    from engram_nm.errors import SpecError
    from engram_nm.nir_io import ImportOptions

    for bad in (dict(dt=-1.0), dict(dt=float("nan")), dict(reset="half"), dict(reset_delay="yes"),
                dict(bias_onset="later"), dict(discretization="rk4")):
        with pytest.raises(SpecError):
            ImportOptions(**bad)
