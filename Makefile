# engram_nm — the two commands of the README are `make demo` and `make test`.
# Both set up .venv themselves (idempotently) with the machine's Python.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.engram_nm-setup-stamp
PYTEST_ARGS ?=
NORSE_SDIST := https://files.pythonhosted.org/packages/be/33/b804ae9fe4f141abf31035a2c9553737729e82b8f7df8e7fc9ad7c1d600c/norse-1.1.0.tar.gz\#sha256=3f70b8579251316761f7a950680136029fcd9d92bbcc53531366d088a8aaf0c8

.PHONY: setup test demo bench clean-venv

setup: $(STAMP)

# The stamp depends on every file that decides what is installed, so a second
# `make setup` is a no-op unless one of them changed.
$(STAMP): pyproject.toml constraints.txt Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first: the CPU wheel on disk; a bare torch requirement would pull a CUDA build.
	$(PIP) install --quiet torch==2.13.0
	# lava-nc declares Python <3.11; install it without its metadata checks,
	# then its dependencies, pinned, from constraints.txt.
	$(PIP) install --quiet --no-deps --ignore-requires-python lava-nc==0.10.0
	$(PIP) install --quiet -c constraints.txt "numpy" "scipy" "networkx" "asteval" "scikit-learn"
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	# Sinabs, a NIR peer for the interoperability tests: its metadata pins nir<=1.0.4 and
	# asks for samna (its chip stack), but its NIR path runs without either: install it alone.
	$(PIP) install --quiet --no-deps sinabs==3.1.3
	$(PIP) install --quiet -c constraints.txt pbr
	# Norse 1.1.0, the other NIR peer, is an sdist that names itself 0.0.0 when built outside its
	# git checkout, so `norse==1.1.0` never resolves: install the pinned file by URL and hash.
	$(PIP) install --quiet --no-deps --no-build-isolation "norse @ $(NORSE_SDIST)"
	@touch $(STAMP)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

demo: setup
	$(VENV)/bin/engram-nm demo

bench: setup
	$(PY) benchmarks/lava_step_cost.py

clean-venv:
	rm -rf $(VENV)
