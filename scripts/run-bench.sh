#!/usr/bin/env bash
# `make bench`: performance figures (core, plugins, growth to 1M rows, web load on SQLite and PostgreSQL, touch UI),
# written to bench-results/*.json and summed up in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
KIOSK_TEST_PG_URL=$(bash scripts/test-postgres.sh start)
export KIOSK_TEST_PG_URL
trap 'bash scripts/test-postgres.sh stop' EXIT
"$BIN/python" scripts/bench_core.py
"$BIN/python" scripts/bench_queue.py
"$BIN/python" scripts/bench_timetable.py
"$BIN/python" scripts/bench_ime.py
"$BIN/python" scripts/bench_scale.py
"$BIN/python" scripts/bench_load.py
if [ -f scripts/bench_ui.py ]; then
  export KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1
  xvfb-run -a -s "-screen 0 1920x1080x24 +extension GLX" "$BIN/python" scripts/bench_ui.py
fi
"$BIN/python" scripts/bench_report.py
