"""Our Lava processes in your own Lava graph (no EngramSpec on the Lava side).

Users of Lava compose processes by hand. This example wires engram_nm's
``EngramGate``, ``GeneralLIF`` and ``SDM`` processes to stock ``lava.proc``
processes (``RingBuffer`` sources and sinks, ``Dense``, ``LIF``), runs the graph
with ``Loihi2SimCfg(select_tag="floating_pt")`` and checks every recorded spike
and every memory read against engram_nm's numpy reference of the same network::

    RingBuffer (input spikes) ─▶ Dense W1 ─▶ EngramGate (task mask) ─▶ GeneralLIF "hidden"
                                                                        (subtract reset, per-neuron θ)
        hidden ─▶ Dense W2 ─▶ stock LIF "readout"
        hidden ─▶ SDM.addr_in   (the hidden spikes of a step address the memory in that step)
        RingBuffers (op, data) ─▶ SDM ─▶ RingBuffer sink (reads)

Semantics (docs/architecture.md): each Dense delays one step; the gate and the
SDM add none; ``GeneralLIF`` follows the stock LIF's update with per-neuron
parameters. The reference is the same network written as an ``EngramSpec``.

Run: ``python examples/06_lava_processes.py [--out out/06]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

N_IN, N_HIDDEN, N_OUT, STEPS, DT = 16, 24, 6, 200, 1e-3
WRITE_STEPS = range(40, 120, 2)    # store the data stream at the hidden pattern of these steps
READ_STEPS = range(140, 200, 2)    # then read at the hidden pattern of these steps


def make_network(seed: int = 0):
    """Weights, neuron parameters, gate, memory and input streams, shared by both sides."""
    from engram_nm.gating import GateSpec
    from engram_nm.sdm.memory_spec import MemorySpec
    from engram_nm.spec import EngramSpec, LayerSpec

    rng = np.random.default_rng(seed)
    gate = GateSpec(logits=rng.normal(1.0, 2.0, (2, N_HIDDEN)))          # two tasks; task 0 runs here
    hidden = LayerSpec("hidden", weight=np.abs(rng.normal(0.12, 0.1, (N_HIDDEN, N_IN))),
                       tau_mem=rng.uniform(0.005, 0.02, N_HIDDEN), v_threshold=rng.uniform(0.8, 1.2, N_HIDDEN),
                       reset="subtract", gate=gate)
    readout = LayerSpec("readout", weight=np.abs(rng.normal(0.06, 0.05, (N_OUT, N_HIDDEN))), tau_mem=0.01,
                        v_threshold=1.0)
    memory = MemorySpec(n_locations=200, data_bits=8, k=8, seed=seed + 1, address_layer="hidden")
    spec = EngramSpec(N_IN, [hidden, readout], dt=DT, memory=memory, name="hand_wired")
    x = (rng.random((STEPS, N_IN)) < 0.25).astype(np.float64)
    ops = np.zeros(STEPS, dtype=np.int64)
    ops[list(WRITE_STEPS)] = 1
    ops[list(READ_STEPS)] = 2
    data = rng.integers(0, 2, (STEPS, memory.data_bits))
    return spec, x, ops, data


def run_reference(spec, x, ops, data) -> dict:
    """engram_nm's numpy reference (float64) of the same network."""
    from engram_nm.backends.reference import simulate

    out = simulate(spec, x, memory_ops=ops, memory_data=data, tasks=0)
    return {"hidden": out.spikes["hidden"], "readout": out.spikes["readout"], "reads": out.memory_reads}


def run_hand_built_lava_graph(spec, x, ops, data) -> dict:
    """The network as a hand-built Lava graph: our processes next to stock ones."""
    from engram_nm.processes.engram_gate.process import EngramGate
    from engram_nm.processes.general_lif.process import GeneralLIF
    from engram_nm.processes.runtime import lava_session
    from engram_nm.processes.sdm.process import SDM
    # Importing engram_nm.processes made Lava importable on this Python; stock processes as usual:
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.dense.process import Dense
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source
    from lava.proc.lif.process import LIF

    hidden_spec, readout_spec = spec.layers
    du_h, dv_h = hidden_spec.decays(spec.dt)
    du_o, dv_o = readout_spec.decays(spec.dt)
    memory = spec.memory

    source = Source(data=x.T.copy())                                     # [n_in, steps]
    dense_in = Dense(weights=hidden_spec.weight.copy())
    gate = EngramGate(logits=hidden_spec.gate.logits, task=0, mode=hidden_spec.gate.mode)
    hidden = GeneralLIF(shape=(N_HIDDEN,), du=du_h, dv=dv_h, vth=hidden_spec.v_threshold, reset_subtract=1)
    dense_out = Dense(weights=readout_spec.weight.copy())
    readout = LIF(shape=(N_OUT,), du=float(du_o[0]), dv=float(dv_o[0]), vth=float(readout_spec.v_threshold[0]))
    sdm = SDM(addresses=memory.addresses.astype(np.int32), data_bits=memory.data_bits, k=memory.k)
    op_source = Source(data=ops[None, :].astype(float))
    data_source = Source(data=data.T.astype(float))
    sinks = {"hidden": Sink(shape=(N_HIDDEN,), buffer=STEPS), "readout": Sink(shape=(N_OUT,), buffer=STEPS),
             "reads": Sink(shape=(memory.data_bits,), buffer=STEPS)}

    source.s_out.connect(dense_in.s_in)
    dense_in.a_out.connect(gate.a_in)
    gate.a_out.connect(hidden.a_in)
    hidden.s_out.connect(dense_out.s_in)
    hidden.s_out.connect(sdm.addr_in)            # one OutPort, three InPorts
    hidden.s_out.connect(sinks["hidden"].a_in)
    dense_out.a_out.connect(readout.a_in)
    readout.s_out.connect(sinks["readout"].a_in)
    op_source.s_out.connect(sdm.op_in)
    data_source.s_out.connect(sdm.data_in)
    sdm.data_out.connect(sinks["reads"].a_in)

    # lava_session stops the runtime however the block ends (and surfaces child errors).
    with lava_session(source, Loihi2SimCfg(select_tag="floating_pt")) as session:
        session.run(STEPS)
        recorded = {name: sink.data.get().T > 0 for name, sink in sinks.items()}
    return recorded


def compare(ref: dict, lava: dict, ops) -> dict:
    """Mismatch counts per record (reads compared at read steps only) and activity, for the report."""
    reads = ops == 2
    return {
        "hidden_mismatches": int(np.sum(ref["hidden"] != lava["hidden"])),
        "readout_mismatches": int(np.sum(ref["readout"] != lava["readout"])),
        "read_mismatches": int(np.sum(ref["reads"][reads].astype(bool) != lava["reads"][reads])),
        "hidden_spikes": int(ref["hidden"].sum()),
        "readout_spikes": int(ref["readout"].sum()),
        "reads_with_ones": int(np.sum(ref["reads"][reads].any(axis=1))),
    }


def main(argv=None) -> dict:
    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/06"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    spec, x, ops, data = make_network(args.seed)
    ref = run_reference(spec, x, ops, data)
    lava = run_hand_built_lava_graph(spec, x, ops, data)
    result = compare(ref, lava, ops)
    for key, value in result.items():
        print(f"{key:20s} {value}")
    identical = not (result["hidden_mismatches"] or result["readout_mismatches"] or result["read_mismatches"])
    print("hand-built Lava graph == numpy reference:", "yes" if identical else "NO")
    args.out.mkdir(parents=True, exist_ok=True)
    from engram_nm.analysis.plots import plot_raster

    plot_raster({"hidden (Lava)": lava["hidden"], "readout (Lava)": lava["readout"]}, args.out / "raster.png",
                title="hand-built Lava graph: EngramGate + GeneralLIF + SDM with stock Dense/LIF", dt=spec.dt)
    print(f"wrote {args.out / 'raster.png'}")
    return result


if __name__ == "__main__":
    main()
