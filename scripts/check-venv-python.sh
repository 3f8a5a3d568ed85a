#!/usr/bin/env bash
# Usage: check-venv-python.sh PYTHON VENV. Removes VENV when it was built from another interpreter than
# PYTHON, so `make` rebuilds it from the Python the README promises (Debian 12's /usr/bin/python3).
set -euo pipefail
python=$1 venv=$2
[ -f "$venv/pyvenv.cfg" ] || exit 0
# PYTHON may not exist yet on a bare machine (setup-system.sh installs python3 first); then say so.
want=$("$python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null) || {
  echo "no interpreter $python: install python3 (apt-get install python3 python3-venv) or set PYTHON=" >&2; exit 1; }
have=$("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo none)
want_base=$(readlink -f "$(command -v "$python")")
have_base=$(sed -n 's/^executable = //p' "$venv/pyvenv.cfg")
have_base=$(readlink -f "${have_base:-none}" 2>/dev/null || echo none)
if [ "$have" != "$want" ] || [ "$have_base" != "$want_base" ]; then
  echo "$venv was built from Python $have ($have_base); rebuilding it from $python ($want)"
  rm -rf "$venv"
fi
