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

# Debian packages: chromium prints the study guide to PDF (main job and tests) and runs the browser tests;
# the tests also use postgresql, npm for the pinned accessibility checker (tests/site/package.json), and
# libjs-mathjax.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "$WITH_TEST" = "test" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  # MathJax 2, served in place of the CDN copy nbconvert's pages load (tests/browser/test_reflection_for_the_trainer.py)
  [ -f /usr/share/javascript/mathjax/MathJax.js ] || need+=(libjs-mathjax)
fi
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (no apt-get here); the study guide PDF needs chromium." >&2
  fi
fi
if [ "$WITH_TEST" = "test" ] && [ ! -d tests/site/node_modules/axe-core ]; then
  echo "setup: installing the accessibility checker for the site tests (npm ci in tests/site)"
  (cd tests/site && npm ci --no-audit --no-fund --silent)
fi
# The course's JupyterLab settings (no news pop-up, no update checks, a plainer notebook toolbar).
install -D -m 0644 deploy/jupyterlab/overrides.json .venv/share/jupyter/lab/settings/overrides.d/cps-ethics-course.json
if [ "$WITH_TEST" = "test" ] && [ ! deploy/node_modules/.package-lock.json -nt deploy/package-lock.json ]; then
  echo "setup: installing JupyterHub's proxy for the hub test (npm ci in deploy/)"
  npm ci --prefix deploy --no-audit --no-fund --loglevel=error >/dev/null
fi
export PATH="$ROOT/.venv/bin:$PATH"
