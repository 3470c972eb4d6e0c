#!/usr/bin/env bash
# After `make package-deb`: install the .deb as a user would, run it, remove it. Run by CI
# (as root, or with sudo); exit 1 on a failure, with the reason. It changes the system:
# run it on a machine (or container) where installing sciatica-timer is fine.
#
#   bash packaging/deb-smoke.sh [dist/sciatica-timer_VERSION_ARCH.deb]
#
# 1. `dpkg -i` (then `apt-get install -f` if a dependency was missing);
# 2. `/opt/sciatica-timer/sciatica-timer --self-test` offscreen, and `sciatica-timer --list`
#    through the /usr/bin link;
# 3. the installed desktop entry and metainfo validate, the icons and the routine file type
#    are where the desktop looks for them;
# 4. `dpkg -r`, then nothing of the package is left (/opt/sciatica-timer, /usr/bin link).
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=sciatica-timer
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
VERSION=$("$PYTHON" packaging/metadata.py version)
DEB=${1:-dist/${NAME}_${VERSION}_$(dpkg --print-architecture).deb}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ ! -f "$DEB" ]; then
    echo "deb-smoke: $DEB is missing: run make package-deb first" >&2
    exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sciatica-deb-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# The installed app must never touch the real user folders.
export XDG_DATA_HOME="$WORK/xdg/data" XDG_CONFIG_HOME="$WORK/xdg/config"
export XDG_CACHE_HOME="$WORK/xdg/cache" XDG_STATE_HOME="$WORK/xdg/state"

failures=()
fail() { failures+=("$1"); echo "deb-smoke: FAIL: $1"; }

echo "deb-smoke: $DEB ($(du -m "$DEB" | cut -f1) MiB)"
dpkg-deb --info "$DEB" | sed -n 's/^ \(Depends\|Installed-Size\|Version\|Architecture\):/deb-smoke:   \1:/p'

# 1. install
if ! $SUDO dpkg -i "$DEB" >"$WORK/dpkg.log" 2>&1; then
    echo "deb-smoke: dpkg -i left dependencies missing; apt-get install -f"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >>"$WORK/dpkg.log" 2>&1 ||
        { cat "$WORK/dpkg.log"; fail "dpkg -i $DEB failed"; }
fi
status=$(dpkg-query -W -f='${Status}' "$NAME" 2>/dev/null || true)
[ "$status" = "install ok installed" ] || { cat "$WORK/dpkg.log"; fail "$NAME is not installed ($status)"; }

# 2. run it
if QT_QPA_PLATFORM=offscreen /opt/$NAME/$NAME --self-test >"$WORK/self-test.log" 2>&1; then
    echo "deb-smoke: /opt/$NAME/$NAME --self-test passed ($(tail -n1 "$WORK/self-test.log"))"
else
    sed 's/^/    /' "$WORK/self-test.log"
    fail "/opt/$NAME/$NAME --self-test failed"
fi
[ "$(readlink /usr/bin/$NAME)" = "/opt/$NAME/$NAME" ] || fail "/usr/bin/$NAME is not a link to /opt/$NAME/$NAME"
if routines=$(QT_QPA_PLATFORM=offscreen $NAME --list 2>"$WORK/list.log") && [ -n "$routines" ]; then
    echo "deb-smoke: $NAME --list (from PATH): $(echo "$routines" | wc -l) lines"
else
    cat "$WORK/list.log"
    fail "$NAME --list failed or printed nothing"
fi

# 3. what the desktop reads
desktop=/usr/share/applications/$NAME.desktop
metainfo=/usr/share/metainfo/org.sciaticatimer.SciaticaTimer.metainfo.xml
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" || fail "$desktop does not validate"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$metainfo" >"$WORK/appstream.log" 2>&1 ||
        { cat "$WORK/appstream.log"; fail "$metainfo does not validate"; }
fi
for size in 16 32 48 64 128 256 512; do
    [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/$NAME.png" ] || fail "no ${size}x${size} icon"
done
[ -f "/usr/share/icons/hicolor/scalable/apps/$NAME.svg" ] || fail "no scalable icon"
[ -f "/usr/share/mime/packages/$NAME.xml" ] || fail "no routine file type"
echo "deb-smoke: desktop entry, metainfo, icons and file type installed and valid"

# 4. remove it
$SUDO dpkg -r "$NAME" >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; fail "dpkg -r $NAME failed"; }
for left in /opt/$NAME /usr/bin/$NAME "$desktop" "$metainfo"; do
    if [ -e "$left" ] || [ -L "$left" ]; then fail "$left is left after dpkg -r"; fi
done
echo "deb-smoke: dpkg -r removed /opt/$NAME and the rest"

if [ ${#failures[@]} -gt 0 ]; then
    echo "deb-smoke: ${#failures[@]} failed: ${failures[*]}"
    exit 1
fi
echo "deb-smoke: all passed"
