#!/usr/bin/env bash
# Dependency audit: check the installed Python packages against the public vulnerability
# database (pip-audit). It needs the network. Offline (an intranet build host, a laptop in a
# car) it says so and exits 0, so it can sit in a release checklist without breaking builds
# that cannot reach the database. Not part of the test suite: tests must pass offline.
#
# Usage: scripts/audit.sh [more pip-audit options]
#   exit 0  no known vulnerabilities, or offline (nothing was checked; the message says so)
#   exit 1  known vulnerabilities found: the table above names package, version, advisory, fix
#   exit 2  pip-audit failed for another reason (its output is shown)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${AUDIT_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
  echo "audit: pip-audit is not installed in $("$PY" -c 'import sys; print(sys.prefix)')."
  echo "audit: install it with: $PY -m pip install 'pip-audit>=2.7'  (SECURITY.md)"
  echo "audit: skipped; nothing was checked."
  exit 0
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "audit: checking the packages installed for $PY ..."
"$PY" -m pip_audit --progress-spinner off --timeout "${AUDIT_TIMEOUT:-20}" "$@" >"$out" 2>&1
status=$?
if [ "$status" -eq 0 ]; then
  cat "$out"
  echo "audit: OK, no known vulnerabilities in the installed packages."
  exit 0
fi
if grep -qiE "known vulnerabilit" "$out"; then
  cat "$out"
  echo "audit: known vulnerabilities found; upgrade the packages named above (see SECURITY.md)." >&2
  exit 1
fi
if grep -qiE "connection|connect|resolve|timed? ?out|name or service|network is unreachable|proxy|max retries|temporary failure" "$out"; then
  echo "audit: OFFLINE - the vulnerability database could not be reached, so nothing was checked."
  echo "audit: run scripts/audit.sh on a machine with internet access before each release (SECURITY.md)."
  exit 0
fi
cat "$out"
echo "audit: pip-audit failed (exit $status); see its output above." >&2
exit 2
