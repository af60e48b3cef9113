#!/usr/bin/env bash
# The main job: set up, then run the trainer's whole cycle on the default SQLite gradebook.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec cps-course main "$@"
