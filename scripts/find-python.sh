#!/usr/bin/env bash
# Prints the path of a Python 3.13 or 3.12 interpreter, or fails with a clear message.
set -euo pipefail
for cand in python3.13 python3.12; do
    if path=$(command -v "$cand" 2>/dev/null) && "$path" -c "import sys" >/dev/null 2>&1; then
        echo "$path"; exit 0
    fi
done
if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[23]\.[0-9]+$' | sort -rV); do
        path="$(pyenv prefix "$v")/bin/python3"
        if [ -x "$path" ]; then echo "$path"; exit 0; fi
    done
fi
for path in /usr/local/bin/python3.13 /usr/local/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
    if [ -x "$path" ]; then echo "$path"; exit 0; fi
done
echo "hipcare needs Python 3.13 (or 3.12) for Django 6; none was found on PATH or through pyenv." >&2
exit 1
