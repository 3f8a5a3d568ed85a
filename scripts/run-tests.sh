#!/usr/bin/env bash
# Run every test: SQLite and PostgreSQL storage, web, CLI, and the Kivy UI on a virtual display.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
KIOSK_TEST_PG_URL=$(bash scripts/test-postgres.sh start)
export KIOSK_TEST_PG_URL
trap 'bash scripts/test-postgres.sh stop' EXIT
export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 KIVY_NO_FILELOG=1 PYTHONDONTWRITEBYTECODE=1
export KIVY_HOME=${KIVY_HOME:-$(mktemp -d /tmp/kivy-home.XXXXXX)}
# One worker per core (KIOSK_TEST_WORKERS=0 runs everything in this one process). Whole modules go to a
# worker (--dist loadfile): a module's fixtures are set up once, and the Kivy tests share one window per
# worker as they would in one process.
WORKERS=${KIOSK_TEST_WORKERS:-$(nproc)}
PYTEST=("$BIN/python" -m pytest -n "$WORKERS" --dist loadfile --durations=25)
if [ -n "${DISPLAY:-}" ]; then
  "${PYTEST[@]}" "$@"
else
  xvfb-run -a -s "-screen 0 1920x1080x24 +extension GLX" "${PYTEST[@]}" "$@"
fi
