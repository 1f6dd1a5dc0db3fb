#!/usr/bin/env bash
# Makes sure pcscd runs with the vpcd virtual reader, so a virtual card
# (drivers/card/vpcd-sim.ts) can connect to 127.0.0.1:35963 and the PC/SC
# driver sees it. Idempotent: does nothing when pcscd already runs, and is safe
# to call from several test processes at once (a lock serialises the start).
#
# Usage: scripts/pcscd-vpcd.sh            start if needed, wait until ready
#        scripts/pcscd-vpcd.sh --check    exit 0 if ready, 1 if not (no start)
set -euo pipefail

VPCD_PORT="${VPCD_PORT:-35963}"
SOCKET="${PCSCD_SOCKET:-/run/pcscd/pcscd.comm}"
LOCK="${TMPDIR:-/tmp}/pickup-kiosk-pcscd-start.lock"

die() { echo "pcscd-vpcd: $*" >&2; exit 1; }

# Is vpcd listening? Read the kernel's table rather than connecting: a test
# connection would look like a card to vpcd.
vpcd_listening() {
  local hex
  hex=$(printf '%04X' "$VPCD_PORT")
  # state 0A is LISTEN
  awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit found ? 0 : 1 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

pcscd_running() {
  [ -S "$SOCKET" ] || return 1
  pgrep -x pcscd >/dev/null 2>&1
}

ready() { pcscd_running && vpcd_listening; }

if [ "${1:-}" = "--check" ]; then
  ready
  exit $?
fi

# Fast path: already up (the common case, called before every test file).
if ready; then
  exit 0
fi

command -v pcscd >/dev/null 2>&1 || die "pcscd is not installed (apt-get install pcscd)"
ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* >/dev/null 2>&1 \
  || die "the vpcd reader driver is not installed (apt-get install vsmartcard-vpcd)"
grep -rqs "libifdvpcd" /etc/reader.conf.d/ \
  || die "no vpcd entry in /etc/reader.conf.d/ (reinstall vsmartcard-vpcd)"

exec 9>"$LOCK"
flock -w 30 9 || die "timed out waiting for $LOCK"

if ! pcscd_running; then
  if pgrep -x pcscd >/dev/null 2>&1; then
    # A pcscd without its socket is a dead or half-started one; let it finish.
    sleep 1
  fi
  if ! pcscd_running; then
    # Default mode: pcscd daemonises itself and stays up (no --auto-exit, which
    # would quit under a test that pauses for a minute).
    # Detached from our stdio and lock: a daemon holding a caller's pipe would
    # keep the caller waiting for EOF, one holding fd 9 would keep the lock.
    pcscd </dev/null >/dev/null 2>&1 9>&- \
      || die "pcscd did not start (see syslog or run pcscd -f -d by hand)"
  fi
fi

for _ in $(seq 1 100); do
  if ready; then
    exit 0
  fi
  sleep 0.1
done

pcscd_running || die "pcscd did not come up (no socket at $SOCKET)"
die "pcscd runs but vpcd does not listen on port $VPCD_PORT (check /etc/reader.conf.d/vpcd)"
