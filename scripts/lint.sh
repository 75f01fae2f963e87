#!/usr/bin/env bash
# Lint and type-check: ruff over the whole repository, mypy over geo, db and relay (settings in
# pyproject.toml). Runs both and fails if either fails. Needs the dev group installed (./test.sh does it).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "ruff check ." >&2
.venv/bin/python -m ruff check . || status=1
echo "mypy geo db relay" >&2
.venv/bin/python -m mypy geo db relay || status=1
exit "$status"
