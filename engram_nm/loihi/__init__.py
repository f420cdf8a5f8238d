"""The Loihi 2 integer model in one place: number formats (:mod:`.formats`), quantisation of a
spec into them (:mod:`.quantize`), learning-engine rules (:mod:`.learning_rules`), and the
fixed-point neuron and learning arithmetic of one step (:mod:`.arithmetic`, :mod:`.learning`).
``fixed-emu`` (:mod:`engram_nm.backends.fixed_emulator`), the Lava fixed-point models
(:mod:`engram_nm.processes`) and ``engram-nm fit`` all use it; nothing here imports Lava at
module import (the learning-rule conversion to Lava's own objects imports it when called)."""
