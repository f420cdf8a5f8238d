#!/usr/bin/env bash
# `make test-py`: the quick test subset (pytest -m quick: import, spec, NIR round trip, one Lava
# float equivalence, one fixed-point run, the CLI) on each Python the README promises besides the
# default one. Each gets its own virtual environment, .venv-<version>, built by `make setup`.
# An interpreter that is not installed is reported and skipped; a failing one fails the target.
set -uo pipefail
cd "$(dirname "$0")/.."

versions=${OTHER_PYTHONS:-"3.10 3.12"}
failed=0

find_python() {  # prints a working interpreter for version $1, or nothing
    local v=$1 candidate
    if candidate=$(command -v "python$v" 2>/dev/null) && "$candidate" -c "import sys" 2>/dev/null; then
        echo "$candidate"; return
    fi
    if command -v pyenv >/dev/null 2>&1; then  # pyenv's shim answers only for its selected version
        for candidate in "$(pyenv root)"/versions/"$v"*/bin/"python$v"; do
            if [ -x "$candidate" ] && "$candidate" -c "import sys" 2>/dev/null; then
                echo "$candidate"; return
            fi
        done
    fi
}

for v in $versions; do
    py=$(find_python "$v")
    if [ -z "$py" ]; then
        echo "test-py: Python $v is not installed here: not checked (install it, e.g. with pyenv, to check it)"
        continue
    fi
    echo "test-py: Python $v ($py): setting up .venv-$v"
    if ! make --no-print-directory setup PYTHON="$py" VENV=".venv-$v"; then
        echo "test-py: Python $v: setup FAILED"; failed=1; continue
    fi
    echo "test-py: Python $v: quick subset"
    if ! ".venv-$v/bin/python" -m pytest -q -m quick -p no:cacheprovider; then
        echo "test-py: Python $v: tests FAILED"; failed=1
    fi
done
exit $failed
