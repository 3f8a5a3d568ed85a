#!/usr/bin/env bash
# `make screenshots`: render every screen (Chinese and English, landscape) with the demo data into
# var/screenshots/, on a virtual display when there is no screen. The clock is pinned for repeatability.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export KIOSK_DATA_DIR=${KIOSK_DATA_DIR:-$PWD/var}
export KIOSK_NOW=${KIOSK_NOW:-2026-11-30T09:15:00+08:00}
export KIVY_NO_ARGS=1
out=${OUT:-var/screenshots}
mkdir -p "$out"
"$BIN/kiosk" demo-data >/dev/null
run() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1920x1080x24 +extension GLX" "$@"; fi; }
for screen in $("$BIN/kiosk" screenshot --list); do
  for lang in zh en; do
    run "$BIN/kiosk" screenshot "$screen" --lang "$lang" --out "$out/$screen-$lang.png"
  done
done
echo "screenshots written to $out"
