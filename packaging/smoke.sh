#!/usr/bin/env bash
# After `make package`: check the frozen app and print its figures. Run by CI; exit 1 on a
# failure, with the reason.
#
#   bash packaging/smoke.sh
#
# 1. `dist/sciatica-timer/sciatica-timer --self-test`, offscreen;
# 2. the size budgets: the folder (du -sm, so rounded up to whole MiB) at most MAX_DIR_MIB
#    (100), its .tar.gz at most MAX_ARCHIVE_MIB (the archive `make package` wrote, or a
#    fresh one); packaging/trim.py and packaging/icu_data.py say what is left out to fit;
# 3. launch to window: the median of RUNS starts, each timed from exec to the main window
#    being mapped (polled with xwininfo), under Xvfb when there is no DISPLAY; at most
#    MAX_START_S;
# 4. the desktop entry and AppStream metainfo validate (when desktop-file-validate and
#    appstreamcli are installed), and the metainfo's newest release is this version; the
#    routine file type (linux/sciatica-timer.xml) builds into a MIME database that maps
#    *.sciatica.json to the type the desktop entry opens (when update-mime-database is).
# Needs: xvfb-run (package xvfb) and xwininfo (x11-utils) for step 3.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=sciatica-timer
APP="dist/$NAME/$NAME"
MAX_DIR_MIB=${MAX_DIR_MIB:-100}  # issue 16: the one-folder app in at most 100 MiB
MAX_ARCHIVE_MIB=${MAX_ARCHIVE_MIB:-50}
MAX_START_S=${MAX_START_S:-2.0}
RUNS=${RUNS:-5}
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sciatica-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# The frozen app must never touch the real user folders.
export XDG_DATA_HOME="$WORK/xdg/data" XDG_CONFIG_HOME="$WORK/xdg/config"
export XDG_CACHE_HOME="$WORK/xdg/cache" XDG_STATE_HOME="$WORK/xdg/state"

failures=()
fail() { failures+=("$1"); echo "smoke: FAIL: $1"; }

# Step 3 runs on its own, inside Xvfb: `smoke.sh --startup` prints one time per line.
startup_times() {
    local i start now pid id deadline
    for i in $(seq "$RUNS"); do
        start=$(date +%s%N)
        "$APP" --data-dir "$WORK/startup-$i" --no-voice >"$WORK/startup-$i.log" 2>&1 &
        pid=$!
        deadline=$((start + 20 * 1000000000))
        id=""
        while :; do
            # The main window has a WM_CLASS; Qt's 1x1 helper windows with the same name do not.
            id=$(xwininfo -root -tree 2>/dev/null |
                awk '/"Sciatica Timer": \("/ {print $1; exit}' || true)
            if [ -n "$id" ] && xwininfo -id "$id" 2>/dev/null | grep -q "IsViewable"; then
                break
            fi
            now=$(date +%s%N)
            if [ "$now" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
                id=""
                break
            fi
            sleep 0.01
        done
        now=$(date +%s%N)
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        if [ -z "$id" ]; then
            echo "no-window"
            sed 's/^/    /' "$WORK/startup-$i.log" >&2
        else
            echo "$(( (now - start) / 1000000 ))"
        fi
    done
}
if [ "${1:-}" = "--startup" ]; then
    startup_times
    exit 0
fi

if [ ! -x "$APP" ]; then
    echo "smoke: $APP is missing: run make package first" >&2
    exit 1
fi
VERSION=$("$PYTHON" packaging/metadata.py version)
echo "smoke: $NAME $VERSION, $APP"

# 1. self-test
echo "smoke: --self-test (offscreen)"
if ! QT_QPA_PLATFORM=offscreen "$APP" --self-test; then
    fail "the frozen self-test failed"
fi

# 1b. the voice stop's listener: its speech model is in the package (and only it), so with
# no sound system it gets as far as "no microphone"
echo "smoke: --voice-listener (no sound system)"
heard=$(PULSE_SERVER="unix:$WORK/no-pulse" QT_QPA_PLATFORM=offscreen "$APP" --voice-listener </dev/null | tail -n 1)
case "$heard" in
    *'"problem": "no-microphone"'*) echo "smoke: voice listener: $heard" ;;
    *) fail "the frozen voice listener said: $heard" ;;
esac
if find "dist/$NAME" -name 'en-us.lm.bin' -o -name 'cmudict-en-us.dict' | grep -q .; then
    fail "the package holds PocketSphinx's language model or dictionary (not needed)"
fi

# 2. sizes
dir_mib=$(du -sm "dist/$NAME" | cut -f1)
archive="dist/$NAME-$VERSION-linux-$(uname -m | tr '[:upper:]' '[:lower:]').tar.gz"
if [ ! -f "$archive" ] || [ "$archive" -ot "$APP" ]; then
    archive="$WORK/$NAME.tar.gz"
    tar -czf "$archive" -C dist "$NAME"
fi
archive_bytes=$(stat -c %s "$archive")
archive_mib=$(awk -v b="$archive_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "smoke: size: dist/$NAME is $dir_mib MiB (budget $MAX_DIR_MIB), $(basename "$archive") is $archive_mib MiB (budget $MAX_ARCHIVE_MIB)"
[ "$dir_mib" -le "$MAX_DIR_MIB" ] || fail "dist/$NAME is $dir_mib MiB, over $MAX_DIR_MIB MiB"
awk -v a="$archive_mib" -v m="$MAX_ARCHIVE_MIB" 'BEGIN { exit !(a <= m) }' ||
    fail "the archive is $archive_mib MiB, over $MAX_ARCHIVE_MIB MiB"

# 3. launch to window
if ! command -v xwininfo >/dev/null; then
    fail "xwininfo (x11-utils) is not installed: cannot time the start-up"
elif [ -z "${DISPLAY:-}" ] && ! command -v xvfb-run >/dev/null; then
    fail "no DISPLAY and no xvfb-run (xvfb): cannot time the start-up"
else
    if [ -n "${DISPLAY:-}" ]; then
        times=$(bash "$0" --startup)
    else
        times=$(xvfb-run -a -s "-screen 0 1366x768x24" bash "$0" --startup)
    fi
    echo "smoke: launch to window, ms: $(echo "$times" | tr '\n' ' ')"
    if echo "$times" | grep -q no-window; then
        fail "the window did not appear in at least one of $RUNS starts"
    else
        median_ms=$(echo "$times" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
        median_s=$(awk -v m="$median_ms" 'BEGIN { printf "%.2f", m / 1000 }')
        echo "smoke: launch to window: median $median_s s of $RUNS (budget $MAX_START_S s)"
        awk -v s="$median_s" -v m="$MAX_START_S" 'BEGIN { exit !(s <= m) }' ||
            fail "the window took $median_s s to appear (median), over $MAX_START_S s"
    fi
fi

# 4. desktop entry and metainfo
desktop=packaging/linux/$NAME.desktop
metainfo=$(ls packaging/linux/*.metainfo.xml)
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" || fail "$desktop does not validate"
    echo "smoke: $desktop validates"
else
    echo "smoke: $desktop not validated (desktop-file-utils is not installed)"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$metainfo" >"$WORK/appstream.log" 2>&1 ||
        { cat "$WORK/appstream.log"; fail "$metainfo does not validate"; }
    echo "smoke: $metainfo validates"
else
    echo "smoke: $metainfo not validated (appstream is not installed)"
fi
mime=packaging/linux/$NAME.xml
mime_type=$(grep -o 'mime-type type="[^"]*"' "$mime" | cut -d'"' -f2)
grep -qx "MimeType=$mime_type;" "$desktop" || fail "$desktop does not open $mime_type ($mime)"
grep -q '^Exec=.* %f$' "$desktop" || fail "$desktop: Exec= does not pass the file (%f)"
if command -v update-mime-database >/dev/null; then
    mkdir -p "$WORK/mime/packages"
    cp "$mime" "$WORK/mime/packages/"
    update-mime-database "$WORK/mime" >"$WORK/mime.log" 2>&1 ||
        { cat "$WORK/mime.log"; fail "$mime does not build a MIME database"; }
    grep -qx "[0-9]*:$mime_type:\*\.sciatica\.json" "$WORK/mime/globs2" ||
        fail "$mime does not map *.sciatica.json to $mime_type"
    echo "smoke: $mime builds, *.sciatica.json is $mime_type"
else
    echo "smoke: $mime not checked (shared-mime-info is not installed)"
fi
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n1 | cut -d'"' -f2)
[ "$newest" = "$VERSION" ] || fail "$metainfo: newest release is $newest, not $VERSION"

if [ ${#failures[@]} -gt 0 ]; then
    echo "smoke: ${#failures[@]} failed: ${failures[*]}"
    exit 1
fi
echo "smoke: all passed"
