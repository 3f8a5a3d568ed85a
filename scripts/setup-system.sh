#!/usr/bin/env bash
# Install the Debian packages the kiosk needs (as root on Debian 12). Usage: setup-system.sh run|test|bench
# Only missing packages are installed, so a second `make test` does not touch apt at all.
set -euo pipefail
purpose=${1:-run}
# postgresql-client: pg_dump/pg_restore/psql for `kiosk backup` and `kiosk restore` on PostgreSQL.
pkgs=(python3 python3-venv python3-pip fonts-noto-cjk espeak-ng xvfb xauth libgl1 libgl1-mesa-dri libegl1 libmtdev1 libsdl2-2.0-0 postgresql-client)
case "$purpose" in
  test|bench) pkgs+=(postgresql systemd) ;;  # systemd: systemd-analyze verifies the units in deploy/
esac
[ "$purpose" = bench ] && pkgs+=(wrk)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
