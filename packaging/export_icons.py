"""Export the app icon from its SVG master to the sizes and formats each OS needs.

    .venv/bin/python packaging/export_icons.py

Renders ``assets/icons/sciatica-timer.svg`` with QSvgRenderer (offscreen, no display
needed) and writes, next to it:

- ``hicolor/NxN/apps/sciatica-timer.png`` for N in 16..512 (Linux; the freedesktop
  icon theme layout, so the folder can be copied into ``~/.local/share/icons/``),
- ``sciatica-timer.ico`` (Windows: 16..256, PNG-compressed entries),
- ``sciatica-timer.icns`` (macOS: 16..1024, PNG entries including the @2x ones).

The ICO and ICNS containers are written here directly (both are a small header and a
table of PNG images), so nothing beyond PySide6 is needed. The output is deterministic:
re-running it on an unchanged SVG changes no file.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "assets" / "icons"
MASTER = ICONS / "sciatica-timer.svg"
NAME = "sciatica-timer"

LINUX_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16@2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128@2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256@2x
    (b"ic10", 1024),  # 512@2x
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn into a transparent size x size square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"export_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"export_icons: cannot encode a {size}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding these PNG images (Windows Vista and later read PNG entries)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        png = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with one PNG element per type in ICNS_TYPES."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    sizes = sorted({*LINUX_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(MASTER, size) for size in sizes}
    outputs = {
        ICONS / "hicolor" / f"{s}x{s}" / "apps" / f"{NAME}.png": pngs[s] for s in LINUX_SIZES
    }
    outputs[ICONS / f"{NAME}.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
    outputs[ICONS / f"{NAME}.icns"] = icns_bytes(pngs)
    for path, data in outputs.items():
        changed = write_if_changed(path, data)
        print(f"{'wrote' if changed else 'same '} {path.relative_to(ROOT)} ({len(data)} bytes)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
