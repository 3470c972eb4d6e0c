"""What the PyInstaller spec leaves out of the bundle, and why.

PyInstaller collects every Qt plugin a module might load and, on Linux, every system
library those plugins link. A plain build of this app is about 190 MiB; most of that is
Qt the app never uses. ``keep`` decides file by file (by the path inside the bundle);
``prune_orphans`` then drops the Linux libraries that only the dropped files needed.

The Qt modules the app uses: QtCore, QtGui, QtWidgets, QtSvg, QtDBus (keeping the screen
awake), QtMultimedia (speech and sounds, through a QAudioSink: no media backend plugin, so
neither FFmpeg nor the QtQuick/QtQml it links), QtCharts and QtPrintSupport (the history
window).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath

TocEntry = tuple[str, str, str]
"""PyInstaller's (destination in the bundle, source path, type code)."""

KEEP_PLATFORMS = frozenset({"qxcb", "qoffscreen", "qminimal", "qwindows", "qcocoa"})
"""Windowing plugins: X11 (and XWayland), offscreen and minimal for --self-test and CI, and
the native one on Windows and macOS. Wayland, eglfs, linuxfb and vnc are left out."""

DROP_PLUGIN_KINDS = frozenset(
    {
        "assetimporters", "canbus", "designer", "egldeviceintegrations", "generic",
        "geometryloaders", "geoservices", "multimedia", "networkinformation", "position",
        "qmltooling",
        "renderers", "renderplugins", "sceneparsers", "scxmldatamodel", "sensors", "sqldrivers",
        "texttospeech", "tls", "vectorimageformats", "wayland-decoration-client",
        "wayland-graphics-integration-client", "wayland-graphics-integration-server",
        "wayland-shell-integration", "webview",
    }
)  # fmt: skip
"""Plugin folders for modules or platforms the app does not use (no network, no QML), and
QtMultimedia's media backends (FFmpeg): the app plays WAVs on a QAudioSink, which needs none
(sciatica_timer/ui/audio/player_process.py)."""

DROP_PLUGINS = frozenset(
    {
        # image formats: the pictures and icons are SVG and PNG (built in); ICO stays, and
        # JPEG (qjpeg): a user's own exercise picture may be one
        "qpdf", "qicns", "qtiff", "qwebp", "qtga", "qwbmp", "qgif",
        "qtvirtualkeyboardplugin",  # an on-screen keyboard, which pulls in QtQuick controls
        "qgtk3",  # the GTK theme: it pulls in GTK, Pango and Cairo; the app draws its own theme
    }
)  # fmt: skip

DROP_LIBRARIES = (
    "Qt6Pdf", "Qt6VirtualKeyboard", "Qt6Wayland", "Qt6WlShell", "Qt6EglFS", "Qt6EglFs",
    "Qt6Quick3D", "Qt6QuickControls2", "Qt6QuickTemplates2", "Qt6QuickDialogs",
    "Qt6QuickLayouts", "Qt6QmlCompiler", "Qt6WebEngine", "Qt6Designer", "Qt6ShaderTools",
    "Qt63D", "Qt6LabsStyleKit",
    # eSpeak NG comes from the system (libespeak-ng1 with its voice data): a copy from the
    # build machine would look for its voices where the build machine keeps them.
    "espeak-ng", "pcaudio", "sonic",
    # OpenSSL, which Qt loads only for network encryption; the app uses no network.
    "ssl.so", "crypto.so",
)  # fmt: skip
"""Library name prefixes (without ``lib``) left out; ``Qt6X`` also matches macOS's ``QtX``."""

SYSTEM_LIBRARIES = (
    "libcups.so", "libpulse.so", "libpulse-simple.so", "libdbus-1.so", "libstdc++.so",
    "libgcc_s.so",
)  # fmt: skip
"""Linux libraries taken from the user's system rather than the bundle, with everything
only they link (systemd, gcrypt, GnuTLS, Kerberos for CUPS ...): CUPS (printing; without it
the print dialog offers PDF only), PulseAudio's client (QtMultimedia; every desktop with
sound has it, and it should match the running sound server), D-Bus (on every desktop; its
client library follows the system bus) and the C++ runtime (on every system; the system's
OpenGL drivers need one at least as new as they are, which a bundled copy may not be).
The README lists them as system packages."""


def _plain(name: str) -> str:
    return name[3:] if name.startswith("lib") else name


def _dropped_library(part: str) -> bool:
    plain = _plain(part)
    return any(
        plain.startswith((prefix, prefix.replace("Qt6", "Qt", 1))) for prefix in DROP_LIBRARIES
    )


def keep(dest: str) -> bool:
    """False for a file (its path inside the bundle) the app never uses."""
    parts = PurePath(dest).parts
    if "translations" in parts and ("Qt" in parts or "PySide6" in parts):
        return False  # Qt's own translations: the app is in English only
    if parts[:2] == ("jsonschema", "benchmarks"):
        return False
    if parts[:2] == ("pocketsphinx", "model") and parts[2:4] != ("en-us", "en-us"):
        return False  # keyword spotting uses the acoustic model only (no 26 MB LM)
    if "plugins" in parts:
        index = parts.index("plugins")
        kind = parts[index + 1] if len(parts) > index + 1 else ""
        stem = _plain(parts[-1].split(".")[0])
        if kind in DROP_PLUGIN_KINDS or stem in DROP_PLUGINS:
            return False
        return kind != "platforms" or stem in KEEP_PLATFORMS
    return not any(_dropped_library(part) for part in parts)


@functools.cache
def needed(path: str) -> list[str]:
    """The shared libraries an ELF file links (its DT_NEEDED entries)."""
    out = subprocess.run(
        ["objdump", "-p", path], capture_output=True, text=True, check=False
    ).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def _is_root(dest: str) -> bool:
    """Loaded by Python or Qt by path, not through another library's DT_NEEDED."""
    name = PurePath(dest).name
    return (
        "plugins" in PurePath(dest).parts
        or ".cpython-" in name
        or ".abi3." in name
        or name.startswith("libpython")
        or "." not in name  # the executable
    )


def _reachable(
    entries: Sequence[TocEntry], cut: Iterable[str], roots: Iterable[str] = ()
) -> set[str]:
    """Bundle paths loaded from the roots through DT_NEEDED, not following ``cut`` names."""
    cut = tuple(cut)
    by_name = {PurePath(dest).name: (dest, src) for dest, src, _ in entries}
    seen: set[str] = set()
    stack = [*roots, *(dest for dest, _, _ in entries if _is_root(dest))]
    sources = {dest: src for dest, src, _ in entries}
    while stack:
        dest = stack.pop()
        if dest in seen:
            continue
        seen.add(dest)
        for soname in needed(sources[dest]):
            if soname.startswith(cut) or soname not in by_name:
                continue
            stack.append(by_name[soname][0])
    return seen


def prune_orphans(kept: list[TocEntry], dropped: list[TocEntry]) -> list[TocEntry]:
    """``kept`` without the libraries only ``dropped`` files or ``SYSTEM_LIBRARIES`` needed.

    Only libraries that were reachable before and are not now are removed, so a library
    PyInstaller collected for another reason (loaded with ctypes or dlopen) stays.
    """
    before = _reachable([*kept, *dropped], (), roots=[dest for dest, _, _ in dropped])
    after = _reachable(kept, SYSTEM_LIBRARIES)
    orphans = {dest for dest in before - after if not _is_root(dest)}
    orphans |= {dest for dest, _, _ in kept if PurePath(dest).name.startswith(SYSTEM_LIBRARIES)}
    return [entry for entry in kept if entry[0] not in orphans]


def stripped(entries: Sequence[TocEntry], workdir: Path) -> list[TocEntry]:
    """Linux: the entries with their binaries replaced by copies stripped of symbols.

    Python itself is often built with debugging symbols (pyenv's libpython is 20 MiB, 4 of
    them code). PyInstaller's own ``strip=True`` cannot be used: it also strips the PySide6
    wheel's FFmpeg libraries, which are stripped already and which ``strip`` then breaks
    ("ELF load command address/offset not page-aligned", so QtMultimedia has no backend).
    So the wheel's files (PySide6/, shiboken6/) are left as they are, but for its ICU
    libraries, which it ships with their symbol tables (1.4 MiB of libicuuc and libicui18n).
    """
    out: list[TocEntry] = []
    for dest, src, kind in entries:
        top = PurePath(dest).parts[0]
        wheel = top in ("PySide6", "shiboken6") and not PurePath(dest).name.startswith("libicu")
        if kind not in ("BINARY", "EXTENSION") or wheel:
            out.append((dest, src, kind))
            continue
        copy = workdir / dest
        source = Path(src)
        if not copy.is_file() or copy.stat().st_mtime < source.stat().st_mtime:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            copy.chmod(0o755)
            subprocess.run(["strip", "--strip-unneeded", str(copy)], check=True)
        out.append((dest, str(copy), kind))
    return out
