#!/usr/bin/env bash
# Run the whole test suite on SQLite, and again on PostgreSQL when NOBLINDSPOT_TEST_DATABASE_URL is set.
# Installs what it needs on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap test
export PYTHONDONTWRITEBYTECODE=1
pg_url="${NOBLINDSPOT_TEST_DATABASE_URL:-}"
log "test suite on SQLite"
env -u NOBLINDSPOT_TEST_DATABASE_URL .venv/bin/python -m pytest "$@"
if [ -n "$pg_url" ]; then
  log "test suite on PostgreSQL"
  NOBLINDSPOT_TEST_DATABASE_URL="$pg_url" .venv/bin/python -m pytest "$@"
fi
