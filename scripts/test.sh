#!/usr/bin/env bash
# The whole test suite: set up (test tools, Chromium, PostgreSQL), then unit, notebook (nbval),
# nbgrader round-trip, PostgreSQL and browser tests. Extra arguments go to pytest.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" test || exit 1
set +e
# One worker per core; a test file's tests stay together (its module fixtures are built once).
python -m pytest tests source notebooks --nbval-lax -p no:cacheprovider -n auto --dist loadfile "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test: pytest collected no tests; that is a failure." >&2
  exit 1
fi
exit "$rc"
