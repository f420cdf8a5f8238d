# engram_nm — the two commands of the README are `make demo` and `make test`.
# Both set up .venv themselves (idempotently) with the machine's Python.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.engram_nm-setup-stamp
PYTEST_ARGS ?=
# Two pytest workers (pytest-xdist), one per core; worksteal: an idle worker takes tests queued for
# the other, so the slow ones (demo, examples, Lava protocols) spread. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2

.PHONY: setup test test-all test-py demo bench clean-venv

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
	$(PIP) install --quiet -c constraints.txt -e ".[dev]" pbr
	# The NIR peers for the interoperability tests go last, with --no-deps (pip then runs no
	# resolver check, which would report requirements deliberately left unmet as an error):
	# Sinabs 3.1.3's metadata pins nir<=1.0.4 and asks for samna (its chip stack), but its NIR
	# path runs without either (pbr, installed above, is all it needs at import).
	$(PIP) install --quiet --no-deps sinabs==3.1.3
	# Norse 1.1.0 is an sdist whose version comes from setuptools-scm: built in pip's isolated
	# build environment, setuptools-scm reads it from the sdist's PKG-INFO (built without it, the
	# wheel is named 0.0.0 and `norse==1.1.0` never resolves). --no-cache-dir: never reuse such a
	# mis-named wheel from pip's cache.
	$(PIP) install --quiet --no-deps --no-cache-dir norse==1.1.0
	# NeuroBench 2.3.0, the oracle of our operation counts (tests/test_neurobench_oracle.py): its
	# metrics and model wrappers need only torch and snnTorch; --no-deps skips the audio and
	# dataset stacks (torchaudio, tonic, numba) it declares for its data sets.
	$(PIP) install --quiet --no-deps neurobench==2.3.0
	# Xylo (docs/xylo.md): Rockpool 3.1.0 with --no-deps (it needs only numpy and scipy, pinned
	# above; its xylo extra asks for samna, which must never be installed: the package on the index
	# is a stub that installs from elsewhere when imported). xylosim 0.1.3 is an sdist: pip builds
	# its C++ core with pybind11 in an isolated build environment and the machine's C++ compiler.
	@command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || { \
	  echo "make setup: no C++ compiler found (g++ or c++). xylosim, the simulator behind the target"; \
	  echo "xylo-sim, builds from source: install one (Debian: apt-get install g++) and run make setup again."; \
	  exit 1; }
	$(PIP) install --quiet --no-deps rockpool==3.1.0
	$(PIP) install --quiet --no-deps xylosim==0.1.3
	@touch $(STAMP)

# `make test`: the default tier (every test not marked slow). `make test-all`: every tier, the slow
# one included (long and many-seed runs, examples and benchmarks as scripts); CI runs both.
test: setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not slow" $(PYTEST_ARGS)

test-all: setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The quick subset on Python 3.10 and 3.12 where installed (each in .venv-<version>): a CPU-only
# torch is on disk for 3.11 only; elsewhere pip fetches PyPI's default build (large, works).
test-py:
	bash tools/test_other_pythons.sh

demo: setup
	$(VENV)/bin/engram-nm demo

# The speed benchmarks (each writes JSON + markdown to benchmarks/results/, baselines in the same run).
bench: setup
	$(PY) benchmarks/lava_step_cost.py
	$(PY) benchmarks/engine_throughput.py
	$(PY) benchmarks/sdm_speed.py

clean-venv:
	rm -rf $(VENV) .venv-3.10 .venv-3.12
