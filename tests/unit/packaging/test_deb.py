"""packaging/deb.py lays out the .deb as the desktop expects, from a stand-in app folder
(the real one takes PyInstaller; CI's packaging/deb-smoke.sh installs that one)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packaging"))
import deb  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = tmp_path_factory.mktemp("dist") / "sciatica-timer"
    (app / "_internal").mkdir(parents=True)
    exe = app / "sciatica-timer"
    exe.write_text("#!/bin/sh\necho stand-in\n")
    exe.chmod(0o700)  # a tight umask: the package must still make it 0755
    (app / "_internal" / "data.txt").write_text("x")
    (app / "_internal" / "data.txt").chmod(0o600)
    return deb.build(app, tmp_path_factory.mktemp("out"))


def _listing(package: Path) -> dict[str, str]:
    """Path -> 'mode owner [-> target]' of every entry in the package."""
    out = subprocess.run(
        ["dpkg-deb", "-c", str(package)], check=True, capture_output=True, text=True
    ).stdout
    entries = {}
    for line in out.splitlines():
        mode, owner, _size, _date, _time, name, *link = line.split()
        entries[name.removeprefix(".")] = " ".join([mode, owner, *link])
    return entries


def test_files_are_where_the_desktop_looks_owned_by_root(built: Path) -> None:
    entries = _listing(built)
    assert entries["/opt/sciatica-timer/sciatica-timer"].startswith("-rwxr-xr-x root/root")
    assert entries["/opt/sciatica-timer/_internal/data.txt"].startswith("-rw-r--r-- root/root")
    assert entries["/usr/bin/sciatica-timer"].endswith("-> /opt/sciatica-timer/sciatica-timer")
    for path in (
        "/usr/share/applications/sciatica-timer.desktop",
        "/usr/share/metainfo/org.sciaticatimer.SciaticaTimer.metainfo.xml",
        "/usr/share/mime/packages/sciatica-timer.xml",
        "/usr/share/icons/hicolor/scalable/apps/sciatica-timer.svg",
        "/usr/share/doc/sciatica-timer/copyright",
        *(f"/usr/share/icons/hicolor/{n}x{n}/apps/sciatica-timer.png" for n in (16, 48, 512)),
    ):
        assert path in entries, path
    assert all(owner == "root/root" for owner in (e.split()[1] for e in entries.values()))


def test_control_names_version_and_the_system_libraries(built: Path) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(built), "Package", "Version", "Depends"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Package: sciatica-timer" in fields
    assert f"Version: {deb.metadata.read().version}" in fields
    for library in ("libespeak-ng1", "libpulse0", "libgl1", "libegl1", "libxkbcommon0",
                    "fontconfig", "libxcb-cursor0", "libxcb-xkb1"):  # fmt: skip
        assert f" {library}" in fields or f"{library}," in fields, library
