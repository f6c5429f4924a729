#!/usr/bin/env bash
# One entry point for people and CI:
#   bash scripts/dev.sh serve             set up, build the handbook, serve it with the job aids
#   bash scripts/dev.sh test [PATH ...]   set up, then the linters and the whole test suite
#                                         (given paths: the linters, then only those tests)
#   bash scripts/dev.sh setup             set up only
#   bash scripts/dev.sh lock [--upgrade-package NAME]
#                                         refresh requirements/lock.txt from pyproject.toml
#   bash scripts/dev.sh refresh-outputs   store what each notebook shows, for nbval to compare
#   bash scripts/dev.sh scale             the full failover trial: 3 servers behind nginx on one
#                                         PostgreSQL, 30 sessions, one server killed (too slow for test)
# Setup is idempotent: it installs what is missing and skips what is there. Python packages come
# from requirements/lock.txt (exact versions, checked by hash), so every machine runs the same;
# when the lock or pyproject.toml changes, .venv is synced to the lock (anything else goes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
LOCK="$ROOT/requirements/lock.txt"

log() { printf '\033[1m==> %s\033[0m  (%ss)\n' "$*" "$SECONDS"; }

need_debian() {
  # Debian packages the browser, print and PostgreSQL tests use.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The browser tests drive Chromium's headless build: the same release, started in a third of the CPU.
  [ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v npm >/dev/null || missing+=(npm)
  # The print test turns Chromium's PDF of the pocket cards into one PNG a page, to check and to look at.
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  # The scale tests put several servers behind nginx (run as this user from a temporary folder).
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "Please install these Debian packages (as root): ${missing[*]}" >&2
      exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" fonts-dejavu-core
  fi
}

setup() {
  need_debian
  if [ ! -x "$PY" ]; then
    log "creating the virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$LOCK" -nt "$stamp" ]; then
    log "installing the locked packages (requirements/lock.txt), then the handbook itself"
    # pip installs the locker (uv, at the lock's version and hash); uv installs the rest, exactly
    # the lock and nothing else (sync), in a few seconds where pip takes a minute.
    local uv_pin="$VENV/uv-pin.txt"
    awk '/^uv==/{on=1} on{print} on && !/\\$/{exit}' "$LOCK" > "$uv_pin"
    if [ ! -s "$uv_pin" ] || grep -q ';' "$uv_pin"; then
      echo "requirements/lock.txt has no single uv pin for every Python; run: bash scripts/dev.sh lock" >&2
      exit 1
    fi
    "$PY" -m pip install -q --require-hashes --no-deps -r "$uv_pin"
    rm -f "$uv_pin"
    # Compiled now, once: where PYTHONDONTWRITEBYTECODE is set, nothing else would write the
    # .pyc files, and every server, kernel and build would compile its imports again.
    "$VENV/bin/uv" pip sync -q --python "$PY" --require-hashes --compile-bytecode "$LOCK"
    "$VENV/bin/uv" pip install -q --python "$PY" --no-deps --no-build-isolation -e .
    touch "$stamp"
  fi
  # The handbook's own modules too (only those changed since the last set-up are compiled).
  "$PY" -m compileall -q -j 0 src >/dev/null
  log "fetching the offline front-end assets (skipped when already current)"
  "$PY" scripts/vendor_assets.py
}

case "${1:-}" in
  setup)
    setup
    ;;
  serve)
    setup
    shift
    log "building the handbook"
    "$VENV/bin/handbook" build
    log "serving the handbook and job aids"
    exec "$VENV/bin/handbook" serve "$@"
    ;;
  test)
    setup
    shift
    # A missing test tool (axe-core, Chromium, jupyter-book) fails the tests, never skips them.
    export HANDBOOK_REQUIRE_TEST_TOOLS=1
    log "lint: ruff"
    "$VENV/bin/ruff" check src tests benchmarks
    log "types: mypy"
    "$VENV/bin/mypy"
    log "content: handbook validate"
    "$VENV/bin/handbook" validate
    # Given paths, only those run (a trainer's quick check: tests/content); else the whole suite.
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(tests book widgets)
    log "tests: pytest ${targets[*]} (nbval compares each notebook's checked output)"
    # A browser test whose Chromium renderer crashes (an infrastructure fault, seen rarely on a
    # loaded two-core machine) runs once more; any other failure fails at once. Whole files go
    # to the workers longest first (tests/conftest.py orders them by tests/file_seconds.json).
    # Three workers on two cores: much of a browser or server test is waiting, so a third worker
    # fills it (measured on two cores: 536 s with -n 3, 655 s with -n 2, same 2,367 tests).
    "$VENV/bin/python" -m pytest -n 3 --dist loadfile --no-loadscope-reorder \
        --nbval-lax --nbval-sanitize-with tests/nbval-sanitize.cfg \
        --reruns 1 --only-rerun "Target crashed" --durations 10 "${targets[@]}"
    log "test: all passed"
    ;;
  lock)
    setup
    shift
    log "resolving pyproject.toml and requirements/tools.in into $LOCK"
    # Left out: rfc3987-syntax (and lark, which only it uses), an optional IRI checker of
    # jsonschema's that builds 38 grammars whenever jsonschema is imported, about a second for
    # every Voila server and book build; no schema the handbook or Jupyter uses checks an IRI.
    "$VENV/bin/uv" pip compile pyproject.toml requirements/tools.in --extra test --universal \
        --python-version 3.11 --generate-hashes --custom-compile-command "bash scripts/dev.sh lock" \
        --no-emit-package rfc3987-syntax --no-emit-package lark \
        --output-file "$LOCK" "$@"
    log "now run: bash scripts/dev.sh test   (then commit pyproject.toml and the lock together)"
    ;;
  scale)
    setup
    shift
    export HANDBOOK_REQUIRE_TEST_TOOLS=1
    # Named explicitly: pytest collects this file only when asked (it is not a test_*.py file).
    log "scale: 3 replicas behind nginx on PostgreSQL, 30 job-aid sessions, one replica killed"
    "$VENV/bin/python" -m pytest -p no:cacheprovider -s tests/scale/scale_failover.py "$@"
    ;;
  refresh-outputs)
    setup
    shift
    "$PY" -m protocols.book.notebook_outputs "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh serve|test [PATH ...]|setup|lock|refresh-outputs|scale" >&2
    exit 2
    ;;
esac
