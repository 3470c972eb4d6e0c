#!/usr/bin/env bash
# The Windows installer, smoke-tested under wine in a fresh copy of the cached prefix (run by
# build.sh; exit 1 on a failure, with the reason):
#
#   bash packaging/windows/smoke.sh dist/sciatica-timer-VERSION-windows-x86_64-setup.exe
#
# 1. silent per-user install (/S): the app, its Start-menu entry and its Apps entry;
# 2. --self-test (offscreen) and --list of the INSTALLED app, through sciatica-timer-cli.exe;
# 3. the installed windowed exe under Xvfb, from the user's own data folder, until its window
#    is drawn: a screenshot in dist/windows-screenshot.png;
# 4. silent uninstall: the install folder, entry and shortcut gone, the user's data kept;
# 5. install again, then `Uninstall.exe /S /DELETEDATA`: the data goes too.
# Needs: Xvfb (package xvfb), xdotool, ImageMagick's import/identify (or xwd and convert).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WIN_ROOT"

SETUP=$(realpath "${1:?usage: smoke.sh SETUP.exe}")
NAME=$(python3 packaging/metadata.py name)
SHOT="$WIN_ROOT/dist/windows-screenshot.png"
started=$SECONDS

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sciatica-wine-smoke.XXXXXX")
xvfb_pid=""
app_pid=""
cleanup() {
    "$WINESERVER" -k 2>/dev/null || true # this copy's wine processes only (its own server)
    [ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null || true
    [ -z "$xvfb_pid" ] || { kill "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null; } || true
    rm -rf "$WORK"
}
trap cleanup EXIT

failures=()
fail() { failures+=("$1"); say "smoke: FAIL: $1"; }
check() { # description, command...
    local what=$1
    shift
    if "$@"; then say "smoke: ok: $what"; else fail "$what"; fi
}

ensure_prefix
cp -a "$WINEPREFIX" "$WORK/prefix"
export WINEPREFIX="$WORK/prefix"
unset DISPLAY
USERDIR="$WINEPREFIX/drive_c/users/$(id -un)"
INSTDIR="$USERDIR/AppData/Local/Programs/Sciatica Timer"
DATADIR="$USERDIR/AppData/Local/$NAME"
SHORTCUT="$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Sciatica Timer.lnk"
UNINSTALL_KEY="HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$NAME"

install() {
    local step=$SECONDS
    wrun "$SETUP" /S
    "$WINESERVER" -w
    say "smoke: installed in $(elapsed "$step")"
}
uninstall() {
    local step=$SECONDS
    # The uninstaller copies itself to TEMP and runs from there: wait for all of wine.
    wrun "$INSTDIR/Uninstall.exe" /S "$@"
    "$WINESERVER" -w
    say "smoke: uninstalled in $(elapsed "$step")"
}
registered() { wrun reg query "$UNINSTALL_KEY" /v DisplayVersion >/dev/null 2>&1; }
unregistered() { ! registered; }

# 1.
install
check "the app is installed in AppData\\Local\\Programs" test -f "$INSTDIR/$NAME.exe"
check "the console copy is installed" test -f "$INSTDIR/$NAME-cli.exe"
check "the Start-menu entry exists" test -f "$SHORTCUT"
check "Settings > Apps lists it" registered

# 2.
if WINEQT_QPA_PLATFORM=offscreen wrun "$INSTDIR/$NAME-cli.exe" --self-test >"$WORK/self-test.txt" 2>&1; then
    say "smoke: ok: --self-test of the installed app ($(tail -n 1 "$WORK/self-test.txt"))"
else
    sed 's/^/    /' "$WORK/self-test.txt"
    fail "--self-test of the installed app"
fi
wrun "$INSTDIR/$NAME-cli.exe" --list >"$WORK/list.txt" 2>&1 || true
check "--list of the installed app names the routines ($(head -n 1 "$WORK/list.txt"))" \
    test "$(wc -l <"$WORK/list.txt")" -ge 2

# 3. Xvfb picks a free display and writes its number to fd 3. The wine server of the steps
# above (no display) must be gone first: a window asked of its desktop is refused.
"$WINESERVER" -w
exec 3>"$WORK/display"
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
deadline=$((SECONDS + 20))
until [ -s "$WORK/display" ] || [ $SECONDS -gt $deadline ]; do sleep 0.1; done
export DISPLAY=":$(cat "$WORK/display")"
rm -rf "$DATADIR" # so that the check below sees the app make it
step=$SECONDS
(true | "$WINE" "$INSTDIR/$NAME.exe" 2>&1 | cat >"$WORK/window.log") &
app_pid=$!
window=""
deadline=$((SECONDS + 90))
while [ -z "$window" ] && [ $SECONDS -le $deadline ]; do
    window=$(xdotool search --onlyvisible --name '^Sciatica Timer' 2>/dev/null | head -n 1 || true)
    [ -n "$window" ] || sleep 0.2
done
if [ -z "$window" ]; then
    sed 's/^/    /' "$WORK/window.log"
    fail "the installed app's window did not appear within 90 s"
else
    # Wait until the window is drawn (many colours, the same in two pictures in a row).
    colours=0 previous=-1
    while [ $SECONDS -le $deadline ]; do
        import -window "$window" "$SHOT" 2>/dev/null || true
        colours=$(identify -format '%k' "$SHOT" 2>/dev/null || echo 0)
        [ "$colours" -gt 200 ] && [ "$colours" = "$previous" ] && break
        previous=$colours
        sleep 0.5
    done
    check "the window is drawn ($colours colours, $(elapsed "$step") after start): ${SHOT#"$WIN_ROOT"/}" \
        test "$colours" -gt 200
    check "the app made the user's data folder AppData\\Local\\$NAME" test -d "$DATADIR"
fi
"$WINESERVER" -k 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""
kill "$xvfb_pid" 2>/dev/null || true
wait "$xvfb_pid" 2>/dev/null || true
xvfb_pid=""
unset DISPLAY
mkdir -p "$DATADIR" && echo "kept" >"$DATADIR/smoke-marker.txt" # data to keep, in any case

# 4.
uninstall
check "the install folder is gone" test ! -e "$INSTDIR"
check "the Start-menu entry is gone" test ! -e "$SHORTCUT"
check "Settings > Apps no longer lists it" unregistered
check "the user's data is kept" test -f "$DATADIR/smoke-marker.txt"

# 5.
install
uninstall /DELETEDATA
check "/DELETEDATA: the install folder is gone" test ! -e "$INSTDIR"
check "/DELETEDATA: the user's data is gone" test ! -e "$DATADIR"

if [ "${#failures[@]}" -gt 0 ]; then
    say "smoke: ${#failures[@]} failed: ${failures[*]}"
    exit 1
fi
say "smoke: the installer passed (installed, self-test, list, window, uninstalled) in $(elapsed "$started")"
