"""How few synaptic operations a spiking classifier needs for a given accuracy: one point of the
accuracy-operations frontier per setting, and the ANN it is compared with.

A point (:class:`FrontierSetting`) is a 64 -> ``hidden`` -> 10 LIF network on scikit-learn's
digits (the demo's split), trained with surrogate gradients on the count of readout spikes,
with the levers that cut operations:

* the **input code** and its **steps** (:mod:`engram_nm.encoding`: rate, regular, latency, delta);
* **activity regularisation**: ``l1_activity`` (mean spike count per neuron and sample, all
  layers) added to the cross-entropy (:class:`~engram_nm.sparsity.SparsityPenalty`);
* **magnitude pruning**: after training, the ``prune`` fraction of the first layer's smallest
  weights (``prune_readout``: of the readout's) set to zero and kept there while the rest is
  fine-tuned for ``finetune_epochs``, in ``prune_rounds`` steps of equal density ratio
  (iterative pruning); or, with ``prune_schedule="gradual"``, pruned during training after every
  epoch ``e`` to the fraction ``f (1 - (1 - min(1, (e + 1) / prune_ramp_epochs))^3)`` (the cubic
  schedule of Zhu & Gupta, "To prune, or not to prune", arXiv:1710.01878, 2017), then fine-tuned.
  A pruned synapse costs no operation and is not counted;
* **early exit**: a sample stops when its leading readout count exceeds the runner-up by
  ``exit_margin`` spikes (0: never); operations are counted up to that step.

:func:`evaluate` counts, on the full test split, the accuracy and per sample the effective
accumulates (NeuroBench's ``Effective_ACs``: each spike times the non-zero synapses it drives;
:func:`~engram_nm.analysis.counting.count_run`, checked against NeuroBench in
tests/test_neurobench_oracle.py) and the neuron updates (every neuron, every step until exit).
:func:`train_ann` is the reference: the ReLU MLP of the same shape on the same images, its
accuracy, dense MACs and effective MACs (:func:`~engram_nm.analysis.counting.ann_macs`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engram_nm.encoding import InputCode
from engram_nm.errors import InputError

READOUTS = ("spikes", "membrane")
SCHEDULES = ("after", "gradual")
NEURONS = ("lif", "sigma_delta", "cuba")  # the hidden layer's neuron (engram_nm/spec.py, LayerSpec.neuron)
# "cuba": hidden layer and read-out current-based, subtractive reset, time constants a power of two
# times dt (2 ms and 16 ms at dt = 1 ms): what a Xylo chip computes (engram_nm/xylo/mapping.py),
# whose hidden neurons fire up to 31 events a step (FrontierSetting.max_events=31 trains them so).
CUBA_TAU_SYN, CUBA_TAU_MEM = 2e-3, 16e-3


@dataclass(frozen=True)
class FrontierSetting:
    """One point of the frontier (module docstring)."""

    code: str = "rate"
    steps: int = 25
    max_rate: float = 0.5
    threshold: float = 0.1
    hidden: int = 64
    l1_activity: float = 0.0
    prune: float = 0.0
    prune_readout: float = 0.0
    epochs: int = 8
    finetune_epochs: int = 4
    exit_margin: int = 0
    lr: float = 1e-2
    count_scale: float = 0.3
    readout: str = "spikes"
    prune_rounds: int = 1
    prune_schedule: str = "after"
    prune_ramp_epochs: int = 20
    neuron: str = "lif"
    sd_threshold: float = 0.1
    max_events: int = 1  # events a hidden neuron may fire a step ("cuba" only; a Xylo hidden neuron: 31)

    def __post_init__(self):
        if not (0 <= self.prune < 1 and 0 <= self.prune_readout < 1):
            raise InputError(f"prune fractions must be in [0, 1), got {self.prune}, {self.prune_readout}")
        if self.prune_rounds < 1 or self.prune_ramp_epochs < 1:
            raise InputError(f"prune_rounds and prune_ramp_epochs must be >= 1, got {self.prune_rounds}, "
                             f"{self.prune_ramp_epochs}")
        if self.prune_schedule not in SCHEDULES:
            raise InputError(f"prune_schedule must be one of {SCHEDULES}, got {self.prune_schedule!r}")
        if self.exit_margin < 0 or self.l1_activity < 0 or self.epochs < 1 or self.finetune_epochs < 0:
            raise InputError("exit_margin, l1_activity and finetune_epochs must be >= 0 and epochs >= 1")
        if self.readout not in READOUTS:
            raise InputError(f"readout must be one of {READOUTS}, got {self.readout!r}")
        if self.readout == "membrane" and self.exit_margin:
            raise InputError("early exit counts readout spikes: use readout='spikes' with exit_margin")
        if self.neuron not in NEURONS:
            raise InputError(f"neuron must be one of {NEURONS}, got {self.neuron!r}")
        if self.max_events != 1 and (self.neuron != "cuba" or not 1 <= self.max_events <= 255):
            raise InputError(f"max_events > 1 is for neuron='cuba' (subtractive reset), up to 255, got "
                             f"{self.max_events} with {self.neuron!r}")
        if not self.sd_threshold >= 0:
            raise InputError(f"sd_threshold must be >= 0, got {self.sd_threshold}")
        self.input_code  # validates the code

    @property
    def input_code(self) -> InputCode:
        return InputCode(self.code, self.steps, self.max_rate, self.threshold)

    def label(self) -> str:
        parts = [f"{self.code} {self.steps} steps" + (f" (threshold {self.threshold:g})"
                                                       if self.code in ("latency", "delta") else ""),
                 f"{self.readout} readout"]
        if self.neuron == "sigma_delta":
            parts.insert(0, f"sigma-delta hidden (threshold {self.sd_threshold:g})")
        if self.neuron == "cuba":
            parts.insert(0, "current-based neurons, subtractive reset"
                         + (f", up to {self.max_events} events a step" if self.max_events > 1 else ""))
        if self.hidden != 64:
            parts.insert(0, f"{self.hidden} hidden")
        if self.l1_activity:
            parts.append(f"L1 {self.l1_activity:g}")
        if self.prune or self.prune_readout:
            parts.append(f"prune {self.prune:.0%}/{self.prune_readout:.0%}"
                         + (f" in {self.prune_rounds} rounds" if self.prune_rounds > 1 else "")
                         + (" during training" if self.prune_schedule == "gradual" else ""))
        if self.exit_margin:
            parts.append(f"exit {self.exit_margin}")
        return ", ".join(parts)


# The demo's classifier (issue 18, item 6): the frontier point with the fewest effective ACs among
# those within 1 point of the ANN's accuracy (benchmarks/results/energy.json, "best_within_1_point";
# tests/test_frontier.py holds the two together).
FLAGSHIP = FrontierSetting("delta", 8, threshold=0.25, readout="membrane", epochs=30, finetune_epochs=15)


@dataclass(frozen=True)
class FrontierPoint:
    """A trained setting, evaluated on the full test split (per-sample means)."""

    accuracy: float
    effective_acs: float
    neuron_updates: float
    spikes: float
    first_layer_density: float
    exit_step: float
    graded_macs: float = 0.0          # operations of graded (sigma-delta) spikes, beside the ACs
    active_neuron_updates: float = 0.0  # neurons reached by a spike or payload (or biased), per step


def _network(setting: FrontierSetting, seed: int, n_in: int = 64, input_meta: dict | None = None):
    """The untrained network; ``input_meta`` (event inputs): stored as ``metadata["input"]`` in place
    of the input code. The first layer's initial weights have standard deviation ``0.3 sqrt(64 / n_in)``
    (why: the same spread of input current whatever the number of inputs)."""
    from engram_nm.backends.torch_backend import build_torch
    from engram_nm.encoding import attach
    from engram_nm.spec import EngramSpec, LayerSpec

    rng = np.random.default_rng(seed)
    readout = dict(v_threshold=np.inf) if setting.readout == "membrane" else {}
    hidden = dict(neuron="sigma_delta", v_threshold=setting.sd_threshold) if setting.neuron == "sigma_delta" else {}
    if setting.neuron == "cuba":
        hidden = dict(neuron="cuba", tau_syn=CUBA_TAU_SYN, tau_mem=CUBA_TAU_MEM, reset="subtract")
        readout = {**hidden, **readout}
        hidden["max_events"] = setting.max_events
    spec = EngramSpec(n_in, [LayerSpec("hidden", weight=rng.normal(0, 0.3 * np.sqrt(64 / n_in), (setting.hidden, n_in)),
                                       **hidden),
                             LayerSpec("readout", weight=rng.normal(0, 0.3, (10, setting.hidden)), **readout)],
                      name="digits" if input_meta is None else "event_digits")
    if input_meta is not None:
        spec.metadata = {**spec.metadata, "input": dict(input_meta)}
        return build_torch(spec)
    return build_torch(attach(spec, setting.input_code))


def _fit(net, x, y, setting: FrontierSetting, epochs: int, seed: int, masks=None) -> None:
    """:func:`~engram_nm.training.train_classifier` with the setting's readout, learning rate and L1;
    ``masks`` keep pruned synapses at zero after every step."""
    import torch

    from engram_nm.sparsity import SparsityPenalty
    from engram_nm.training import train_classifier

    def keep_pruned(net):
        with torch.no_grad():
            for layer, mask in zip(net.layers, masks):
                layer.weight.mul_(mask)

    if setting.neuron == "cuba":  # the Xylo shape: no biases (engram_nm/xylo/mapping.py)
        for layer in net.layers:
            layer.bias.requires_grad_(False)

    train_classifier(net, x, y, epochs=epochs, batch=64, lr=setting.lr, seed=seed, quiet=True,
                     penalty=SparsityPenalty(l1_activity=setting.l1_activity),
                     logits=lambda out: _logits(out.spikes["readout"], out.v.get("readout"), setting),
                     record_v=setting.readout == "membrane", after_step=keep_pruned if masks is not None else None)


def prune_smallest(layers, fractions) -> list:
    """Zero the smallest ``fractions[k]`` of ``layers[k].weight`` (by magnitude); the masks."""
    import torch

    masks = []
    with torch.no_grad():
        for layer, fraction in zip(layers, fractions):
            w = layer.weight
            mask = (w.abs() > torch.quantile(w.abs().flatten(), fraction)).to(w.dtype) if fraction > 0 else \
                torch.ones_like(w)
            w.mul_(mask)
            masks.append(mask)
    return masks


def _logits(spikes, v, setting: FrontierSetting):
    """Readout spikes counted (times ``count_scale``) or, for the membrane readout, the mean
    membrane potential over the window (a leaky integrator that never spikes)."""
    return spikes.sum(0) * setting.count_scale if setting.readout == "spikes" else v.mean(0)


def readout_scores(spikes: np.ndarray, v: np.ndarray | None, readout: str) -> np.ndarray:
    """Class scores from a readout record ``[..., T, 10]`` (time on the second-last axis): the
    spike count (``"spikes"``) or the mean membrane potential over the window (``"membrane"``,
    the leaky integrator the network was trained on). The decision is their argmax."""
    if readout not in READOUTS:
        raise InputError(f"readout must be one of {READOUTS}, got {readout!r}")
    if readout == "spikes":
        return np.asarray(spikes).sum(axis=-2)
    if v is None:
        raise InputError("a membrane readout is scored on its voltages: run with record_v=True")
    return np.asarray(v).mean(axis=-2)


def deployable(spec, x, margin: float = 2.0):
    """A copy of a membrane-readout ``spec`` (readout threshold ``inf``, which has no fixed-point
    form) whose readout threshold is ``margin`` times the largest membrane potential the readout
    reaches on ``x [T, n, 64]`` (training inputs), rounded up to a power of two: it still never
    spikes there, so every decision is the same, and ``cpu-fixed`` / ``fixed-emu`` / Loihi can
    quantise it. A readout that spikes anyway on other inputs shows in its spike count."""
    from engram_nm.backends.torch_backend import run_torch

    readout = spec.layers[-1]
    if not np.all(np.isinf(readout.v_threshold)):
        raise InputError(f"layer {readout.name!r} already has a finite threshold: nothing to make deployable")
    if margin <= 1:
        raise InputError(f"margin must be > 1 (the threshold must stay out of reach), got {margin}")
    _, volts = run_torch(spec, np.transpose(x, (1, 0, 2)), record_v=True)
    peak = float(np.max(volts[readout.name]))
    out = spec.copy()
    out.layers[-1].v_threshold = np.full(readout.size, 2.0 ** np.ceil(np.log2(max(margin * peak, 1e-3))))
    return out.validate()


def train_point(setting: FrontierSetting, seed: int = 0, data=None, input_meta: dict | None = None):
    """Train ``setting`` (module docstring); returns ``(spec, FrontierPoint)`` (the spec carries
    its input code in ``metadata["input_code"]``). ``data``: ``(x_train [T, n, n_in], y_train,
    x_test [T, m, n_in], y_test)`` spikes that replace the encoded digits (event data:
    :mod:`engram_nm.experiments.event_frontier`; the setting's input code is then unused and
    ``input_meta`` describes the input)."""
    from engram_nm.data import load_digits

    x_tr, y_tr, x_te, y_te = load_digits(seed, setting.input_code) if data is None else data
    net = _network(setting, seed, x_tr.shape[2], input_meta if data is not None else None)
    fractions = (setting.prune, setting.prune_readout)
    pruned = setting.prune or setting.prune_readout
    if pruned and setting.prune_schedule == "gradual":
        masks = None
        for epoch in range(setting.epochs):
            _fit(net, x_tr, y_tr, setting, 1, seed * 1000 + epoch, masks=masks)
            ramp = min(1.0, (epoch + 1) / setting.prune_ramp_epochs)
            masks = prune_smallest(net.layers, [f * (1 - (1 - ramp) ** 3) for f in fractions])
        _fit(net, x_tr, y_tr, setting, setting.finetune_epochs, seed + 1, masks=masks)
    else:
        _fit(net, x_tr, y_tr, setting, setting.epochs, seed)
        for k in range(1, setting.prune_rounds + 1) if pruned else ():
            # round k keeps the density (1 - f)^(k / rounds): the final sparsity reached in steps
            masks = prune_smallest(net.layers, [1 - (1 - f) ** (k / setting.prune_rounds) for f in fractions])
            _fit(net, x_tr, y_tr, setting, setting.finetune_epochs, seed + k, masks=masks)
    spec = net.to_spec()
    return spec, evaluate(spec, x_te, y_te, setting)


def exit_steps(readout_spikes: np.ndarray, margin: int) -> np.ndarray:
    """Per sample (``readout_spikes [T, n, 10]``), the last step run: the first step at which the
    leading cumulative count exceeds the runner-up by ``margin`` (0: never, run all ``T``)."""
    steps = readout_spikes.shape[0]
    if margin <= 0:
        return np.full(readout_spikes.shape[1], steps - 1)
    counts = np.cumsum(readout_spikes, axis=0)
    top2 = np.sort(counts, axis=2)[:, :, -2:]
    decided = (top2[:, :, 1] - top2[:, :, 0]) >= margin
    return np.where(decided.any(axis=0), decided.argmax(axis=0), steps - 1)


def evaluate(spec, x, y, setting: FrontierSetting) -> FrontierPoint:
    """Accuracy and per-sample operations of ``spec`` on ``x [T, n, 64]`` (module docstring),
    decided as ``setting`` says (readout, early exit)."""
    from engram_nm.analysis.counting import count_run
    from engram_nm.backends.torch_backend import run_torch

    membrane = setting.readout == "membrane"
    batch, volts = run_torch(spec, np.transpose(x, (1, 0, 2)), record_v=membrane)  # [n, T, size]
    spikes = {name: np.transpose(s, (1, 0, 2)) for name, s in batch.items()}  # [T, n, size]
    last = exit_steps(spikes["readout"], 0 if membrane else setting.exit_margin)
    correct, acs, updates, fired, macs, active = [], [], [], [], [], []
    for i in range(x.shape[1]):
        stop = last[i] + 1
        sample = {name: s[:stop, i] for name, s in spikes.items()}
        counts = count_run(spec, x[:stop, i], sample)
        acs.append(counts.effective_acs)
        updates.append(counts.neuron_updates)
        fired.append(counts.spikes)
        macs.append(counts.graded_macs)
        active.append(counts.active_updates)
        score = readout_scores(sample["readout"], volts["readout"][i, :stop] if membrane else None, setting.readout)
        correct.append(int(score.argmax() == y[i]))
    w = spec.layers[0].weight
    return FrontierPoint(float(np.mean(correct)), float(np.mean(acs)), float(np.mean(updates)), float(np.mean(fired)),
                         float(np.mean(w != 0)), float(np.mean(last + 1)), float(np.mean(macs)), float(np.mean(active)))


def train_ann(hidden: int = 64, seed: int = 0, epochs: int = 40, lr: float = 1e-2, prune: float = 0.0,
              prune_readout: float = 0.0, finetune_epochs: int = 15):
    """The ReLU MLP 64 -> ``hidden`` -> 10 on the same images: ``(accuracy, AnnMacs)`` on the test split.
    ``prune`` / ``prune_readout``: the spiking points' trick for the ANN too: after training, the
    smallest weights of each layer zeroed (by magnitude) and kept at zero while the rest is
    fine-tuned for ``finetune_epochs``; a zero weight is no MAC (:func:`~engram_nm.analysis.counting.ann_macs`)."""
    import torch

    from engram_nm.analysis.counting import ann_macs
    from engram_nm.data import load_digits

    xtr, ytr, xte, yte = load_digits(seed)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    linear = [model[0], model[2]]
    x, y = torch.as_tensor(xtr, dtype=torch.float32), torch.as_tensor(ytr)
    rng = np.random.default_rng(seed)

    def fit(n_epochs, masks=None):
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(n_epochs):
            order = torch.as_tensor(rng.permutation(len(y)))
            for i in range(0, len(y), 64):
                idx = order[i:i + 64]
                loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                if masks is not None:
                    with torch.no_grad():
                        for layer, mask in zip(linear, masks):
                            layer.weight.mul_(mask)

    fit(epochs)
    if prune or prune_readout:
        fit(finetune_epochs, prune_smallest(linear, (prune, prune_readout)))
    with torch.no_grad():
        acc = float((model(torch.as_tensor(xte, dtype=torch.float32)).argmax(1).numpy() == yte).mean())
    weights = [layer.weight.detach().numpy() for layer in linear]
    biases = [layer.bias.detach().numpy() for layer in linear]
    return acc, ann_macs(weights, biases, xte)


def setting_dict(setting: FrontierSetting) -> dict:
    return asdict(setting)
