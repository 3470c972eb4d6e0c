#!/usr/bin/env bash
# On macOS, after `python packaging/build.py`: put dist/Sciatica Timer.app in a disk image,
# with a link to /Applications to drag it onto, and check the image mounts and holds the app.
#
#   bash packaging/macos/make_dmg.sh     # dist/sciatica-timer-VERSION-macos-ARCH.dmg
set -euo pipefail
cd "$(dirname "$0")/../.."

APP="dist/Sciatica Timer.app"
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
VERSION=$("$PYTHON" packaging/metadata.py version)
DMG="dist/sciatica-timer-$VERSION-macos-$(uname -m).dmg"
[ -d "$APP" ] || { echo "make_dmg: $APP is missing: run packaging/build.py first" >&2; exit 1; }
plutil -lint "$APP/Contents/Info.plist"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ditto "$APP" "$STAGE/Sciatica Timer.app"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "Sciatica Timer" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"
echo "make_dmg: $DMG ($(du -m "$DMG" | cut -f1) MiB)"
