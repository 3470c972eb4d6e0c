"""The macOS app's pieces that can be checked here: the .icns is a valid icon family with
every size macOS asks for, and the Info.plist entries the spec gives the bundle."""

from __future__ import annotations

import plistlib
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packaging" / "macos"))
import info_plist  # noqa: E402

ICNS = ROOT / "assets" / "icons" / "sciatica-timer.icns"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Apple's PNG element types and the pixel size of each (16 to 512 points, 1x and 2x).
PNG_TYPES = {
    b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512,
    b"ic10": 1024, b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512,
}  # fmt: skip


def _elements(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"icns", "not an icns file"
    (total,) = struct.unpack(">I", data[4:8])
    assert total == len(data), f"the header says {total} bytes, the file has {len(data)}"
    out, pos = [], 8
    while pos < total:
        kind, (size,) = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])
        assert size >= 8 and pos + size <= total, f"element {kind!r} runs past the end"
        out.append((kind, data[pos + 8 : pos + size]))
        pos += size
    return out


def test_icns_is_a_valid_family_of_png_icons_of_every_size() -> None:
    elements = _elements(ICNS.read_bytes())
    kinds = [kind for kind, _ in elements]
    assert sorted(kinds) == sorted(PNG_TYPES), kinds
    for kind, payload in elements:
        assert payload[:8] == PNG_SIGNATURE, f"{kind!r} is not a PNG"
        assert payload[12:16] == b"IHDR"
        width, height = struct.unpack(">II", payload[16:24])
        assert (width, height) == (PNG_TYPES[kind],) * 2, kind


@pytest.mark.skipif(shutil.which("icns2png") is None, reason="needs icns2png (icnsutils)")
def test_libicns_reads_the_large_icons(tmp_path: Path) -> None:
    """An independent reader (libicns, which predates the small PNG types) extracts the
    256, 512 and 1024 pixel icons as PNG files of those sizes."""
    subprocess.run(
        ["icns2png", "-x", "-o", str(tmp_path), str(ICNS)], check=True, capture_output=True
    )
    sizes = set()
    for png in tmp_path.glob("*.png"):
        data = png.read_bytes()
        assert data[:8] == PNG_SIGNATURE
        sizes.add(struct.unpack(">I", data[16:20])[0])
    assert {256, 512, 1024} <= sizes, sizes


def test_info_plist_names_the_app_and_asks_for_the_microphone_plainly() -> None:
    entries = info_plist.info_plist("Sciatica Timer", "1.2.3", "MIT")
    assert entries["CFBundleShortVersionString"] == "1.2.3"
    assert entries["NSMicrophoneUsageDescription"] == (
        'Listens for the word "stop" on this computer only when you turn on voice stop; '
        "nothing is recorded."
    )
    assert entries["LSMinimumSystemVersion"] == info_plist.MINIMUM_MACOS
    assert plistlib.loads(plistlib.dumps(entries)) == entries  # a valid property list


def test_the_spec_bundles_the_icns_with_this_plist() -> None:
    spec = (ROOT / "packaging" / "sciatica-timer.spec").read_text()
    assert 'f"{NAME}.icns"' in spec and "info_plist.info_plist(" in spec
    assert "bundle_identifier=metadata.RDNS_ID" in spec
