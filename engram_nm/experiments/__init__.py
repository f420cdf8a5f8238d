"""Experiments built on the core: the engram lifecycle and its manipulations (``engram``) and
continual learning (``continual``, ``continual_methods``)."""
