#!/usr/bin/env bash
# Brings what the test suite needs onto this machine: socat (serial pty pairs),
# pcscd + vsmartcard-vpcd + libpcsclite-dev (PC/SC with a virtual card) and
# Mosquitto (a real broker), Chromium and a Japanese font (browser tests of the kiosk screen), systemd
# (systemd-analyze verifies the units), python3 (a real NOTIFY_SOCKET in tests) and
# dpkg (the package build). Installs missing Debian packages when run as root;
# otherwise fails naming exactly what to install. It never skips anything.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v pcscd >/dev/null 2>&1 || [ -x /usr/sbin/pcscd ] || need+=(pcscd)
ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* >/dev/null 2>&1 || ls /usr/lib/*/pcsc/drivers/serial/libifdvpcd.so* >/dev/null 2>&1 || need+=(vsmartcard-vpcd)
[ -f /usr/include/PCSC/winscard.h ] || need+=(libpcsclite-dev)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
# Debian's Chromium for the browser tests (playwright-core drives it; it never downloads a browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
# A Japanese font, so the Japanese screens (and their screenshots) show glyphs, not boxes.
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ja 2>/dev/null)" ]; } || need+=(fonts-ipafont-gothic)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test-deps: missing Debian packages: ${need[*]}" >&2
    echo "test-deps: run as root: apt-get update && apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

# pcsclite is an optional npm dependency: npm install drops it when libpcsclite-dev
# was missing at that time. Build it now that the library is here.
if ! node -e "require('pcsclite')" >/dev/null 2>&1; then
  ver=$(node -p "require('./package.json').optionalDependencies.pcsclite")
  echo "test-deps: building pcsclite@${ver} against libpcsclite-dev"
  npm install --no-save --no-audit --no-fund "pcsclite@${ver}" >/dev/null
  node -e "require('pcsclite')" || { echo "test-deps: pcsclite still does not load" >&2; exit 1; }
fi

# The machine's broker on 127.0.0.1:1883 (tests start private ones of their own too).
PATH="$PATH:/usr/sbin"
if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "test-deps: starting mosquitto on 127.0.0.1:1883"
  if [ -f /etc/mosquitto/mosquitto.conf ]; then mosquitto -d -c /etc/mosquitto/mosquitto.conf; else mosquitto -d -p 1883; fi
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.1; done
fi

# pcscd with the vpcd reader, for the PC/SC tests.
if [ -x scripts/pcscd-vpcd.sh ] || [ -f scripts/pcscd-vpcd.sh ]; then
  bash scripts/pcscd-vpcd.sh
fi
echo "test-deps: ready"
