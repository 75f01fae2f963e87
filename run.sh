#!/usr/bin/env bash
# Start No Blindspot on the demo West Jakarta data: the dashboard at http://localhost:8501.
# Installs what it needs on first use. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
bootstrap run
exec .venv/bin/noblindspot up "$@"
