#!/usr/bin/env bash
# `make run`: migrate, load the Huaxin demo data, start the web host and the kiosk (on a virtual
# display when there is no screen), and say where to look. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8080}
export KIOSK_DATA_DIR=${KIOSK_DATA_DIR:-$PWD/var}
mkdir -p "$KIOSK_DATA_DIR"
"$BIN/kiosk" db upgrade
"$BIN/kiosk" demo-data

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/kiosk" serve --host "$HOST" --port "$PORT" >"$KIOSK_DATA_DIR/web.log" 2>&1 &
pids+=($!)

if [ -n "${DISPLAY:-}" ]; then
  where="on your display ($DISPLAY)"
  "$BIN/kiosk" run >"$KIOSK_DATA_DIR/kiosk.log" 2>&1 &
else
  n=${KIOSK_DISPLAY:-77}
  while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done  # the first free display number
  display=:$n
  Xvfb "$display" -screen 0 1920x1080x24 +extension GLX >"$KIOSK_DATA_DIR/xvfb.log" 2>&1 &
  pids+=($!)
  sleep 1
  where="on the virtual display $display (no screen here); render any screen as a picture with '$BIN/kiosk screenshot home --out home.png' (list: '$BIN/kiosk screenshot --list')"
  DISPLAY=$display "$BIN/kiosk" run >"$KIOSK_DATA_DIR/kiosk.log" 2>&1 &
fi
pids+=($!)

cat <<MSG

  华新社区服务中心 kiosk is running.
  - Touch shell: $where (log: $KIOSK_DATA_DIR/kiosk.log)
  - Web host:    http://$HOST:$PORT/healthz, tracking pages http://$HOST:$PORT/t/<token>,
                 hall board http://$HOST:$PORT/queue/board, notices http://$HOST:$PORT/notices,
                 published outcomes http://$HOST:$PORT/cases/public, Open311 http://$HOST:$PORT/open311/v2/services.json
  - Hall display: '$BIN/kiosk run --role display' on the PC behind the hall TV
  - Staff area:  http://$HOST:$PORT/staff  (demo logins: admin / huaxin-admin, clerk / huaxin-staff;
                 each must choose its own password at first login)
  - Kiosk staff PIN (press the center's name for 3 seconds): 246810
  - Data:        $KIOSK_DATA_DIR   (change the demo passwords and PIN before real use)
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}" || true
echo "a process stopped; see the logs in $KIOSK_DATA_DIR" >&2
