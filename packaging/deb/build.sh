#!/usr/bin/env bash
# Builds the Debian package of pickup-kiosk with dpkg-deb:
#   packaging/deb/build.sh [OUT_DIR]        (default: dist-deb/)
# It stages the built kiosk (dist/, bin/, config/, docs/, package files) and
# its production node_modules (dev dependencies pruned, native modules as
# built on this machine: build on the architecture you install on) under
# /opt/pickup-kiosk, the units under /lib/systemd/system, the udev rules under
# /lib/udev/rules.d, an example config as a conffile in /etc/pickup-kiosk,
# and /usr/bin/pickup-kiosk. postinst makes the user and groups and runs
# `pickup-kiosk doctor` as its last step.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/dist-deb}"
cd "$root"

[ -f dist/src/cli.js ] && [ -f dist/kiosk/cli.cjs ] || { echo "build.sh: no dist/: run npm run build first" >&2; exit 1; }
version=$(node -p "require('./package.json').version")
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app="$stage/opt/pickup-kiosk"
mkdir -p "$app" "$stage/DEBIAN" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" "$stage/etc/pickup-kiosk" "$stage/usr/bin"

# The application: compiled code only (no TypeScript sources, tests or benches).
cp -a bin package.json package-lock.json README.md "$app/"
mkdir -p "$app/dist"
cp -a dist/src dist/drivers dist/kiosk "$app/dist/"
rm -f "$app/dist/kiosk/meta.json"
cp -a config docs systemd "$app/"
find "$app/dist" -name '*.map' -delete

# Production dependencies: this checkout's node_modules, dev dependencies pruned offline.
# Hard links where the stage is on the same file system (seconds instead of copying
# 200 MB); prune only removes entries, and the one file it rewrites, npm's hidden
# lockfile, is made a copy of its own first so the checkout's is never written.
if ! cp -al node_modules "$app/" 2>/dev/null; then
  rm -rf "$app/node_modules"
  cp -a node_modules "$app/"
fi
if [ -f "$app/node_modules/.package-lock.json" ]; then
  rm -f "$app/node_modules/.package-lock.json"
  cp -p node_modules/.package-lock.json "$app/node_modules/.package-lock.json"
fi
(cd "$app" && npm prune --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null 2>&1)
rm -rf "$app/node_modules/.cache"

install -m 0644 systemd/pickup-kiosk.service systemd/pickup-kiosk-browser.service "$stage/lib/systemd/system/"
install -m 0644 systemd/99-pickup-kiosk.rules "$stage/lib/udev/rules.d/"
install -m 0640 config/hardware.example.json "$stage/etc/pickup-kiosk/kiosk.json"
ln -s /opt/pickup-kiosk/bin/pickup-kiosk.js "$stage/usr/bin/pickup-kiosk"

size=$(du -sk "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: pickup-kiosk
Version: $version
Architecture: $arch
Maintainer: pickup-kiosk maintainers <maintainers@pickup-kiosk.invalid>
Installed-Size: $size
Depends: nodejs (>= 20), adduser, systemd
Recommends: pcscd, chromium, fonts-ipafont-gothic | fonts-noto-cjk
Section: misc
Priority: optional
Description: software for parcel pickup kiosks (lockers and counters)
 Drives the scanner, keypad, card reader, fingerprint pad, locker relays and
 door sensors of a pickup point; checks recipient codes offline or online
 over MQTT; reports receipts through a durable outbox.
CONTROL
echo /etc/pickup-kiosk/kiosk.json > "$stage/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"

mkdir -p "$out"
deb="$out/pickup-kiosk_${version}_${arch}.deb"
# DEB_COMPRESSION=none|gzip|xz (default xz; tests use none to save minutes).
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
echo "$deb"
