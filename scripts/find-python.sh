#!/usr/bin/env bash
# Prints a Python 3.10 interpreter: $PYTHON, python3.10 on PATH, or one from pyenv.
# (A pyenv shim can be on PATH and still refuse to run, so each candidate is tried.)
works() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }
candidates=("${PYTHON:-}" "$(command -v python3.10 2>/dev/null)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V -r); do
    candidates+=("$root/versions/$v/bin/python")
  done
fi
for c in "${candidates[@]}"; do
  if works "$c"; then echo "$c"; exit 0; fi
done
exit 1
