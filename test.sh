#!/usr/bin/env bash
# Run the whole test suite on SQLite, then, when NOBLINDSPOT_TEST_DATABASE_URL is set, the database tests
# (marker `db`, set in tests/conftest.py) again on PostgreSQL: the other tests never touch a database, so a
# second pass of them would prove nothing new. Installs what it needs on first use. Extra arguments go to
# pytest; a -m expression applies to both passes (on PostgreSQL as "(EXPR) and db").
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap test
export PYTHONDONTWRITEBYTECODE=1
pg_url="${NOBLINDSPOT_TEST_DATABASE_URL:-}"

markers="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m) [ $# -ge 2 ] || { echo "test.sh: -m needs an expression" >&2; exit 2; }; markers=$2; shift 2 ;;
    --markexpr=*) markers=${1#--markexpr=}; shift ;;
    -m?*) markers=${1#-m}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

log "test suite on SQLite${markers:+ (-m \"$markers\")}"
env -u NOBLINDSPOT_TEST_DATABASE_URL .venv/bin/python -m pytest ${markers:+-m "$markers"} ${args[@]+"${args[@]}"}
if [ -n "$pg_url" ]; then
  pg_markers="db${markers:+ and ($markers)}"
  log "database tests on PostgreSQL (-m \"$pg_markers\")"
  code=0
  NOBLINDSPOT_TEST_DATABASE_URL="$pg_url" .venv/bin/python -m pytest -m "$pg_markers" ${args[@]+"${args[@]}"} || code=$?
  if [ "$code" = 5 ]; then       # pytest: nothing selected; these markers pick no database test
    log "no database test among the selected tests; PostgreSQL pass has nothing to run"
  elif [ "$code" != 0 ]; then
    exit "$code"
  fi
fi
