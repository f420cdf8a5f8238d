"""NIR export and import: EngramSpec <-> ``nir.NIRGraph`` <-> ``.nir`` file.

Export writes standard NIR nodes so any NIR reader (snnTorch's ``import_nir``,
Norse, ...) loads a fixed-weight network, and puts what NIR cannot say into
``metadata["engram_nm"]`` (docs/architecture.md, rule 3):

=====================  ==================================================
spec                   NIR
=====================  ==================================================
layer ``L`` weights    ``L_w``: ``Linear`` (``Affine`` when it has a bias)
LIF neuron             ``L``: ``LIF(tau=tau_mem, r=tau_mem/dt, v_leak=0)``
CUBA neuron            ``L``: ``CubaLIF(..., r=tau_mem/dt, w_in=tau_syn/dt)``
no leak (tau = inf)    ``L``: ``IF(r=1/dt)``
sigma-delta neuron     ``L``: ``I(r=1/dt)`` (NIR has no sigma-delta node: its sigma, the integral
                       of the input, is written; bias, activation, threshold and payload bits in
                       node metadata ``engram_nm``; a reader that ignores it gets the integrator)
recurrence             ``L_rec``: ``Linear``, edges ``L -> L_rec -> L``
extra projection ``P``   ``P``: ``Linear``, edges ``source -> P -> target`` (source ``input``
                       for an input projection); its rule and ends in graph metadata
                       ``engram_nm.projections``
v-bias, LIF            ``Affine`` bias (enters v directly when du = 1)
v-bias, CUBA           ``v_leak = bias * tau_mem / dt`` (+ exact value in metadata)
syn_bias, CUBA         ``Affine`` bias (NIR: a bias is an input current)
reset mode, delay      node metadata ``engram_nm.reset``, ``.reset_delay`` (NIR: v_reset = 0)
events per step        node metadata ``engram_nm.max_events`` (NIR's neurons fire once a step)
bias onset             node metadata ``engram_nm.bias_onset`` (another tool's file: "arrival",
                       the layer's depth, see :class:`ImportOptions`)
plasticity             node metadata ``engram_nm.plasticity`` (rule dicts; readers that
                       ignore it get the network with its current, fixed weights)
SDM memory stage       graph metadata ``engram_nm.memory`` (parameters, addresses, counters)
engram gate            node metadata ``engram_nm.gate`` (logits per task, mode, period, seed)
dt, name               graph metadata ``engram_nm.dt``, ``engram_nm.name``
=====================  ==================================================

With ``r = tau/dt`` and ``w_in = tau_syn/dt`` the NIR input scalings
``r*dt/tau`` and ``w_in*dt/tau_syn`` are 1, so weights cross unchanged (as in
snnTorch's exporter). Import accepts any graph of that shape, folding input
scalings into the weights, composing chains of Affine/Linear/Scale nodes and
flattening nested subgraphs (snnTorch's RLeaky export). What another tool's file
does not say is read with :class:`ImportOptions` (:func:`import_assumptions` lists it).

The package: :mod:`.export` (spec -> graph -> file), :mod:`.nodes` (reading nodes and files),
:mod:`.assumptions` (what a foreign file leaves unsaid), :mod:`.reading` (graph -> spec),
:mod:`.common` (names both directions share).
"""

from engram_nm.nir_io.assumptions import BIAS_ONSETS, DISCRETIZATIONS, ImportOptions, import_assumptions, is_foreign
from engram_nm.nir_io.common import FORMAT_VERSION, META
from engram_nm.nir_io.export import export_nir, spec_to_nir
from engram_nm.nir_io.nodes import layer_name_for, read_nir
from engram_nm.nir_io.reading import import_nir, nir_to_spec

__all__ = ["BIAS_ONSETS", "DISCRETIZATIONS", "FORMAT_VERSION", "META", "ImportOptions", "export_nir",
           "import_assumptions", "import_nir", "is_foreign", "layer_name_for", "nir_to_spec", "read_nir", "spec_to_nir"]
