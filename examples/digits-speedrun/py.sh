#!/bin/sh
# Runs a Python script with an interpreter that has numpy and scikit-learn
# (the first of $PYTHON, python3, /usr/bin/python3 that imports both).
for py in "${PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$py" ] || continue
  if "$py" -c 'import numpy, sklearn' >/dev/null 2>&1; then exec "$py" "$@"; fi
done
echo "no python3 with numpy and scikit-learn found; install them (Debian: apt-get install python3-numpy python3-sklearn) or set PYTHON" >&2
exit 127
