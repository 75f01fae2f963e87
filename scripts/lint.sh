#!/usr/bin/env bash
# Lint and type-check: ruff over the whole repository, mypy over the packages pyproject.toml lists
# (geo, db, relay, settings). Runs both and fails if either finds anything. Installs what it needs on
# first use, like test.sh. .ci/run runs it before the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
bootstrap test
status=0
log "ruff check ."
.venv/bin/python -m ruff check . || status=1
log "mypy (geo, db, relay, settings)"
.venv/bin/python -m mypy || status=1
exit "$status"
