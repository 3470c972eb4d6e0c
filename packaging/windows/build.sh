#!/usr/bin/env bash
# The Windows app and its installer, built on Debian under wine, then smoke-tested there
# (what `make package-windows` and CI run).
#
#   bash packaging/windows/build.sh              # build, installer, smoke test
#   bash packaging/windows/build.sh --no-smoke   # build and installer only
#   bash packaging/windows/build.sh --smoke-only # the smoke test of the installer already built
#
# 1. the wine prefix, Windows CPython and Windows wheels (env.sh; cached in
#    ~/.cache/sciatica-timer-wine, so a second run starts at step 2);
# 2. PyInstaller inside wine with packaging/sciatica-timer.spec: the one-folder app in
#    dist/windows/sciatica-timer/, with sciatica-timer.exe (windowed) and
#    sciatica-timer-cli.exe (the console copy); the frozen --self-test and --list;
# 3. the per-user NSIS installer dist/sciatica-timer-VERSION-windows-x86_64-setup.exe;
# 4. smoke.sh: silent install into a fresh copy of the prefix, --self-test and --list of the
#    installed app, a screenshot of its window under Xvfb, silent uninstall.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WIN_ROOT"

smoke=1 build=1
case "${1:-}" in
--no-smoke) smoke=0 ;;
--smoke-only) build=0 ;;
"") ;;
*) echo "usage: $0 [--no-smoke | --smoke-only]" >&2 && exit 2 ;;
esac

NAME=$(python3 packaging/metadata.py name)
VERSION=$(python3 packaging/metadata.py version)
DIST="$WIN_ROOT/dist/windows"
APP="$DIST/$NAME"
SETUP="$WIN_ROOT/dist/$NAME-$VERSION-windows-x86_64-setup.exe"
started=$SECONDS

if [ "$build" = 1 ]; then
    ensure_windows_python

    step=$SECONDS
    say "PyInstaller inside wine"
    wpython packaging/build.py --no-archive --dist "$(winpath "$DIST")" \
        --work "$(winpath "$WIN_ROOT/build/pyinstaller-windows")"
    say "built in $(elapsed "$step")"
    for exe in "$NAME.exe" "$NAME-cli.exe"; do
        [ -f "$APP/$exe" ] || { say "FAIL: $APP/$exe is missing" && exit 1; }
    done

    # The frozen app, from the build folder, never touching the prefix's user folders.
    check_home="$(mktemp -d)"
    trap 'rm -rf "$check_home"' EXIT
    WINEQT_QPA_PLATFORM=offscreen wrun "$APP/$NAME-cli.exe" --self-test
    wrun "$APP/$NAME-cli.exe" --data-dir "$(winpath "$check_home")" --list >"$check_home/list.txt"
    head -n 3 "$check_home/list.txt"
    [ -s "$check_home/list.txt" ] || { say "FAIL: --list printed nothing" && exit 1; }
    say "frozen --self-test and --list passed"

    step=$SECONDS
    say "NSIS installer"
    read -r -a numbers <<<"$(python3 -c 'import sys; sys.path.insert(0, "packaging"); import metadata; print(*metadata.read().version_tuple)')"
    makensis -V2 -INPUTCHARSET UTF8 \
        -DNAME="$NAME" -DVERSION="$VERSION" \
        -DVERSION4="${numbers[0]}.${numbers[1]}.${numbers[2]}.${numbers[3]}" \
        -DAPPDIR="$APP" -DICON="$WIN_ROOT/assets/icons/$NAME.ico" -DOUTFILE="$SETUP" \
        "$WIN_HERE/installer.nsi"
    size_app=$(du -sm "$APP" | cut -f1)
    size_setup=$(du -m "$SETUP" | cut -f1)
    say "installer ${SETUP#"$WIN_ROOT"/}: $size_setup MiB (the app folder: $size_app MiB), made in $(elapsed "$step")"
fi

if [ "$smoke" = 1 ]; then
    bash "$WIN_HERE/smoke.sh" "$SETUP"
fi
say "done in $(elapsed "$started")"
