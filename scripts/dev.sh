#!/usr/bin/env bash
# One entry point for people and CI:
#   bash scripts/dev.sh serve   set up, build the handbook, serve it with the job aids
#   bash scripts/dev.sh test    set up, then run the linters and the whole test suite
#   bash scripts/dev.sh setup   set up only
# Setup is idempotent: it installs what is missing and skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_debian() {
  # Debian packages the browser, print and PostgreSQL tests use.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v npm >/dev/null || missing+=(npm)
  # The print test turns Chromium's PDF of the pocket cards into one PNG a page, to check and to look at.
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
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
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    log "installing the handbook and its test tools"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
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
    "$VENV/bin/ruff" check src tests
    log "types: mypy"
    "$VENV/bin/mypy"
    log "content: handbook validate"
    "$VENV/bin/handbook" validate
    log "tests: pytest (package, book, job aids, browser) and nbval over every notebook"
    # A browser test whose Chromium renderer crashes (an infrastructure fault, seen rarely on a
    # loaded two-core machine) runs once more; any other failure fails at once.
    "$VENV/bin/python" -m pytest -n 2 --dist loadfile --nbval-lax --reruns 1 --only-rerun "Target crashed" \
        tests book widgets "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh serve|test|setup" >&2
    exit 2
    ;;
esac
