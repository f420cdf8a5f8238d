"""Analyses of runs: cross-backend agreement (``verify``, ``compare``, ``agreement``), operation
counts (``counting``), energy estimates (``energy``), the Loihi 2 fit (``fit``) and plots."""
