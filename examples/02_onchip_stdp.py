"""Train in snnTorch, export, keep learning with STDP on Lava's learning engine, plot the change.

User story: "My classifier is trained offline; on the chip I want its hidden
layer to keep adapting to what it sees, with a rule I can check against the
numpy reference, and I want to see which synapses moved."

    python examples/02_onchip_stdp.py [--epochs 3] [--digit 3] [--samples 30] [--out out/example02]

Prints the rule as the engine runs it, where it ran, the agreement of Lava
float with the numpy reference, and the correlation between the learned
change per input pixel and the shown digit's mean image; writes
``weight_change.png`` and the learned model ``learned.nir``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--digit", type=int, default=3, help="the digit shown during on-chip learning")
    parser.add_argument("--samples", type=int, default=30, help="how many of its test images are shown")
    parser.add_argument("--out", default="out/example02")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)  # docs/lava_edges.md: torch's thread pool + Lava's fork can deadlock
    import engram_nm as en
    from engram_nm.data import load_digits
    from engram_nm.encoding import InputCode
    from engram_nm.plasticity import LayerPlasticity, PairSTDP
    from engram_nm.analysis.plots import plot_weight_change
    from engram_nm.backends.reference import simulate
    from engram_nm.training import accuracy, train_classifier

    out = Path(args.out)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr, x_te, y_te = load_digits(args.seed, InputCode("rate", steps=25, max_rate=0.5))
    spec = en.EngramSpec(64, [
        en.LayerSpec("hidden", weight=rng.normal(0.0, 0.3, (32, 64)), tau_mem=20e-3, v_threshold=1.0),
        en.LayerSpec("readout", weight=rng.normal(0.0, 0.3, (10, 32)), tau_mem=20e-3, v_threshold=1.0),
    ], dt=1e-3, name="digits_onchip_stdp")

    # 1. Offline: surrogate-gradient training in snnTorch.
    net = en.build_torch(spec)
    train_classifier(net, x_tr, y_tr, epochs=args.epochs, lr=1e-2, count_scale=0.3, seed=args.seed, quiet=True)
    print(f"1. trained in snnTorch: test accuracy {accuracy(net, x_te, y_te):.3f}")

    # 2. Attach STDP to the hidden layer and export: the rule travels in the NIR metadata.
    trained = net.to_spec()
    # Potentiation-dominated STDP with soft bounds at +-2**k around the trained weights: powers of two
    # keep every product scale representable on the engine, so Lava's float engine is exact.
    reach = float(np.max(np.abs(trained.layers[0].weight)))
    bound = 2.0 ** np.ceil(np.log2(reach + 0.25))
    rule = PairSTDP(a_plus=2 ** -10, a_minus=2 ** -11, tau_plus=10e-3, tau_minus=10e-3,
                    soft_bounds=True, w_min=-bound, w_max=bound)
    trained.layers[0].plasticity = LayerPlasticity(feedforward=rule)
    path = en.export_nir(trained, out / "trained_with_stdp.nir")
    deployed = en.import_nir(path)
    print(f"2. exported {path}; rule re-created on import: {deployed.layers[0].plasticity.feedforward == rule}")

    # 3. On Lava: show one digit class again and again (5 quiet steps between images), learning on.
    images = np.flatnonzero(y_te == args.digit)[: args.samples]
    stream = np.concatenate([np.concatenate([x_te[:, i], np.zeros((5, 64), np.float32)]) for i in images])
    result = en.run(deployed, stream, target="cpu-float", learn=True, seed=args.seed)
    print("3. learning on Lava cpu-float:")
    print(result.learning_table())
    engine = result.learning["hidden_w"].engine
    if engine is not None:
        print(engine.table())
    ref = simulate(deployed, stream, learn=True)
    gap = float(np.max(np.abs(ref.learned_weights["hidden_w"] - result.learned_weights["hidden_w"])))
    print(f"   Lava float vs numpy reference: max |w difference| = {gap:.2e}")
    fixed = en.run(deployed, stream, target="cpu-fixed", learn=True, seed=args.seed)
    before = deployed.layers[0].weight
    d_float = result.learned_weights["hidden_w"] - before
    d_fixed = fixed.learned_weights["hidden_w"] - before
    print(f"   cpu-fixed vs cpu-float learned change: correlation {np.corrcoef(d_float.ravel(), d_fixed.ravel())[0, 1]:.3f}")

    # 4. Which synapses moved: compare the change per input pixel with the digit's mean image.
    mean_image = stream.reshape(len(images), -1, 64).mean(axis=(0, 1))
    per_pixel = d_float.mean(axis=0)
    corr = float(np.corrcoef(per_pixel, mean_image)[0, 1])
    print(f"4. change per pixel vs mean image of digit {args.digit}: correlation {corr:.3f}")
    figure = plot_weight_change(before, result.learned_weights["hidden_w"], out / "weight_change.png",
                                title=f"STDP on Lava while showing digit {args.digit}", input_shape=(8, 8))
    learned = result.learned_spec(deployed)
    learned_path = en.export_nir(learned, out / "learned.nir")
    print(f"   figure: {figure}   learned model: {learned_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
