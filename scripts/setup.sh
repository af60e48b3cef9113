#!/usr/bin/env bash
# Set up the project's environment in .venv from the project's own files (idempotent, quick when done).
# Usage: source scripts/setup.sh [test]   ("test" also installs the test tools and system packages)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
WITH_TEST="${1:-}"

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup: Python 3.11 or newer is needed (found $("$PY" --version 2>&1))." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extras=""; [ "$WITH_TEST" = "test" ] && extras="[test]"
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)${WITH_TEST:+-test}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing the course's Python packages into .venv (first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
  touch "$stamp"
fi

if [ "$WITH_TEST" = "test" ]; then
  # System packages the browser and PostgreSQL tests use (Debian's chromium and postgresql).
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  if [ "${#need[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
# The course's JupyterLab settings (no news pop-up, no update checks, a plainer notebook toolbar).
install -D -m 0644 deploy/jupyterlab/overrides.json .venv/share/jupyter/lab/settings/overrides.d/cps-ethics-course.json
export PATH="$ROOT/.venv/bin:$PATH"
