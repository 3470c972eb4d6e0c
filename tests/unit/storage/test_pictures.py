"""A picture the user chose: checked by its content, size-limited, copied privately."""

from __future__ import annotations

import os
import stat
import struct
import zlib
from pathlib import Path

import pytest

from sciatica_timer.storage.paths import assets_dir
from sciatica_timer.storage.pictures import (
    MAX_BYTES,
    PictureError,
    read_picture,
    store_picture,
)


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (grey pixels), written by hand."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPEG")
    return bytes(data.data())


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient></defs>'
    b'<rect width="40" height="30" fill="url(#g)"/></svg>'
)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "kind", "suffix"),
    [("knee.png", "png", ".png"), ("knee.jpeg", "jpeg", ".jpg"), ("knee.svg", "svg", ".svg")],
)
def test_png_jpeg_and_svg_are_copied_privately_and_outlive_the_original(
    tmp_path: Path, name: str, kind: str, suffix: str
) -> None:
    data = {"png": png_bytes, "jpeg": jpeg_bytes, "svg": lambda: SVG}[kind]()
    original = write(tmp_path, name, data)
    images = tmp_path / "data" / "images"
    picture = read_picture(original)
    assert picture.kind == kind
    copy = store_picture(picture, images)
    original.unlink()
    assert copy.parent == images.resolve()
    assert copy.suffix == suffix
    assert copy.read_bytes() == data
    if os.name == "posix":
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert [p.name for p in images.iterdir()] == [copy.name]  # no temporary file left


def test_pictures_are_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    picture = read_picture(write(tmp_path, "photo.txt", png_bytes(7, 5)))
    assert (picture.kind, picture.width, picture.height) == ("png", 7, 5)


def test_the_same_picture_twice_is_one_file(tmp_path: Path) -> None:
    images = tmp_path / "images"
    first = store_picture(read_picture(write(tmp_path, "a.png", png_bytes())), images)
    second = store_picture(read_picture(write(tmp_path, "b.png", png_bytes())), images)
    other = store_picture(read_picture(write(tmp_path, "c.png", png_bytes(5, 5))), images)
    assert first == second != other
    assert len(list(images.iterdir())) == 2


def test_every_bundled_picture_passes_the_check() -> None:
    pictures = sorted((assets_dir() / "exercises").glob("*.svg"))
    assert pictures
    assert {read_picture(p).kind for p in pictures} == {"svg"}


BAD = {
    "renamed text file": (
        "notes.png",
        b"Figure-4 stretch, 3 x 30 s\n",
        "notes.png is not a PNG, JPEG or SVG picture.",
    ),
    "truncated PNG": ("cut.png", png_bytes()[:-20], "cut.png is a damaged or incomplete PNG file."),
    "PNG with a wrong checksum": (
        "flip.png",
        png_bytes()[:30] + b"\x00" + png_bytes()[31:],
        "flip.png is a damaged or incomplete PNG file.",
    ),
    "truncated JPEG": (
        "cut.jpg",
        b"",  # filled in below (needs Qt's encoder)
        "cut.jpg is a damaged or incomplete JPEG file.",
    ),
    "SVG with a script": (
        "evil.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "evil.svg is an SVG with a script, which is not allowed.",
    ),
    "SVG with an event handler": (
        "click.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
        "click.svg is an SVG with a script (onload on rect), which is not allowed.",
    ),
    "SVG with an external picture": (
        "far.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="http://example.com/x.png"/></svg>',
        "far.svg is an SVG that refers to something outside it (http://example.com/x.png), "
        "which is not allowed.",
    ),
    "SVG with a local file in a style": (
        "style.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(/etc/passwd)"/></svg>',
        "style.svg is an SVG that refers to something outside it (/etc/passwd), "
        "which is not allowed.",
    ),
    "SVG with entities": (
        "laughs.svg",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
        "laughs.svg is an SVG with a document type, which is not allowed.",
    ),
    "XML that is not an SVG": (
        "page.svg",
        b'<?xml version="1.0"?><html><body/></html>',
        "page.svg is not a PNG, JPEG or SVG picture.",
    ),
    "broken SVG": (
        "half.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect',
        "half.svg is not a readable SVG picture (unclosed token at line 1, column 41).",
    ),
    "PNG too wide": (
        "wide.png",
        png_bytes(5000, 1),
        "wide.png is 5000 × 1 pixels, larger than the limit of 4096 pixels a side.",
    ),
    "empty file": ("empty.png", b"", "empty.png is empty."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_what_is_not_a_usable_picture_is_refused_naming_the_file(tmp_path: Path, case: str) -> None:
    name, data, message = BAD[case]
    if case == "truncated JPEG":
        data = jpeg_bytes()[:-200]
    with pytest.raises(PictureError) as caught:
        read_picture(write(tmp_path, name, data))
    assert str(caught.value) == message


def test_a_picture_over_five_mebibytes_is_refused_saying_the_limit(tmp_path: Path) -> None:
    big = write(tmp_path, "huge.png", png_bytes() + b"\x00" * MAX_BYTES)
    with pytest.raises(PictureError) as caught:
        read_picture(big)
    assert str(caught.value) == "huge.png is 5.0 MiB, larger than the limit of 5 MiB for a picture."


def test_a_missing_file_or_a_folder_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PictureError, match=r"^gone\.png could not be opened: "):
        read_picture(tmp_path / "gone.png")
    (tmp_path / "pics.png").mkdir()
    with pytest.raises(PictureError, match=r"^pics\.png "):
        read_picture(tmp_path / "pics.png")


@pytest.mark.skipif(os.name != "posix", reason="named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    with pytest.raises(PictureError) as caught:
        read_picture(pipe)
    assert str(caught.value) == "pipe.png is not a file."
