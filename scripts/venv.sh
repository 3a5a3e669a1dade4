#!/usr/bin/env bash
# Creates .venv with Python 3.13/3.12 and installs the locked dependencies (idempotent, fast when current).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt requirements.lock ]; then exit 0; fi
if [ ! -x .venv/bin/python ]; then
    py=$(scripts/find-python.sh)
    echo "Creating .venv with $py"
    "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8 2>/dev/null \
    || .venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
touch "$stamp"
