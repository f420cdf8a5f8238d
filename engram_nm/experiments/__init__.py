"""Experiments built on the core, apart from it: the engram network, its lifecycle, manipulations
and protocols (``engram``: fear conditioning, its suite over seeds, phenomena, imaging sessions,
sensitivity maps), continual learning (``continual``, ``continual_methods``, the engram learner and
its baselines), the accuracy-operations frontier on static digits (``frontier``) and on event data
(``event_frontier``, with the frame ANNs of ``event_ann``). docs/architecture.md maps them."""
