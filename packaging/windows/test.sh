#!/usr/bin/env bash
# The unit suite (tests/unit) under the Windows CPython in wine (what `make test-windows` runs).
#
#   bash packaging/windows/test.sh                 # tests/unit
#   bash packaging/windows/test.sh -k journal -x   # pytest's own arguments instead
#
# The interpreter and wheels come from env.sh (cached in ~/.cache/sciatica-timer-wine).
# Qt runs offscreen (WINEQT_QPA_PLATFORM: wine passes no QT_* variables on).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$WIN_ROOT"
ensure_windows_python
[ "$#" -gt 0 ] || set -- tests/unit
started=$SECONDS
# pytest's cache folder would hold Windows paths: keep it out of the checkout's .pytest_cache.
# The checkout on sys.path, for the tests that start python -m sciatica_timer elsewhere.
# Qt's offscreen platform reads fonts from a folder (Debian's DejaVu, as on Linux).
PYTHONPATH="$(winpath "$WIN_ROOT")" WINEQT_QPA_PLATFORM=offscreen \
    WINEQT_QPA_FONTDIR="$(winpath /usr/share/fonts/truetype/dejavu)" wpython -m pytest -p no:cacheprovider -q "$@"
say "tests under wine in $(elapsed "$started")"
