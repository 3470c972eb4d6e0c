"""A picture the user chose for an exercise: checked, then copied into the data folder.

Only PNG, JPEG and plain SVG are taken, recognised by their content (never by the name),
at most ``MAX_BYTES`` and ``MAX_SIDE_PX`` pixels a side. An SVG may not hold a script,
an event handler, a document type (entities) or a reference to another file or web
address: the window draws it, and it must draw only what is in it. The copy is private
(0600) in ``images/`` and named by its content, so the original may then be deleted and two
exercises with the same picture share one file. Decoding the pixels is the window's job
(``ui/widgets/picture.py``): this module reads the files' structure only, without Qt.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from sciatica_timer.storage.paths import PRIVATE_FILE_MODE, make_private_dir
from sciatica_timer.storage.problems import printable

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE_PX = 4096
LIMIT_WORDS = "at most 5 MiB and 4096 pixels a side"
KINDS = {"png": ".png", "jpeg": ".jpg", "svg": ".svg"}
FILE_FILTER = "Pictures (*.png *.jpg *.jpeg *.svg)"

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "http://www.w3.org/2000/svg"
_NOT_DRAWN = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


class PictureError(Exception):
    """The picture cannot be used; the message is one plain sentence naming the file."""


@dataclass(frozen=True)
class Picture:
    """A checked picture: its kind (``png``, ``jpeg``, ``svg``), its bytes, and its size
    in pixels when the file says it (an SVG may not)."""

    kind: str
    data: bytes
    width: int | None = None
    height: int | None = None


def read_picture(path: Path) -> Picture:
    """The picture at ``path``, checked; raises ``PictureError``."""
    name = printable(path.name or str(path))
    data = _read_limited(path, name)
    if data.startswith(_PNG_MAGIC):
        width, height = _png_size(data, name)
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        width, height = _jpeg_size(data, name)
        kind = "jpeg"
    elif _looks_like_svg(data):
        _check_svg(data, name)
        return Picture("svg", data)
    else:
        raise PictureError(f"{name} is not a PNG, JPEG or SVG picture.")
    check_pixels(name, width, height)
    return Picture(kind, data, width, height)


def check_pixels(name: str, width: int, height: int) -> None:
    """Refuse a picture with no pixels or more than ``MAX_SIDE_PX`` a side."""
    if width <= 0 or height <= 0:
        raise PictureError(f"{name} says it has no pixels ({width} × {height}).")
    if max(width, height) > MAX_SIDE_PX:
        raise PictureError(
            f"{name} is {width} × {height} pixels, larger than the limit of {MAX_SIDE_PX} "
            "pixels a side."
        )


def store_picture(picture: Picture, images_dir: Path) -> Path:
    """Copy the checked picture into ``images_dir`` (private, named by its content) and
    return the copy's absolute path; a copy already there is kept. Raises OSError."""
    digest = hashlib.sha256(picture.data).hexdigest()[:24]
    target = images_dir.resolve() / f"{digest}{KINDS[picture.kind]}"
    with contextlib.suppress(OSError):
        if target.is_file() and not target.is_symlink() and target.read_bytes() == picture.data:
            return target
    make_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=".picture-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if os.name == "posix":
                os.fchmod(fh.fileno(), PRIVATE_FILE_MODE)
            fh.write(picture.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


# --- reading ---------------------------------------------------------------------------


def _read_limited(path: Path, name: str) -> bytes:
    """The file's bytes, never more than ``MAX_BYTES`` read; only a regular file (a pipe
    or a device would never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise PictureError(f"{name} could not be opened: {exc.strerror or exc}.") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(fd)
        if stat.S_ISREG(info.st_mode):
            raise PictureError(_too_large(name, info.st_size))
        raise PictureError(f"{name} is not a file.")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise PictureError(f"{name} could not be read: {exc.strerror or exc}.") from exc
    if len(data) > MAX_BYTES:
        raise PictureError(_too_large(name, len(data)))
    if not data:
        raise PictureError(f"{name} is empty.")
    return data


def _too_large(name: str, size: int) -> str:
    return (
        f"{name} is {size / (1024 * 1024):.1f} MiB, larger than the limit of "
        f"{MAX_BYTES // (1024 * 1024)} MiB for a picture."
    )


def _png_size(data: bytes, name: str) -> tuple[int, int]:
    """Width and height from IHDR, after walking every chunk to IEND (CRCs checked): a
    truncated or damaged file is refused."""
    damaged = PictureError(f"{name} is a damaged or incomplete PNG file.")
    pos = len(_PNG_MAGIC)
    size: tuple[int, int] | None = None
    while True:
        if pos + 8 > len(data):
            raise damaged
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise damaged
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise damaged
        if size is None:
            if kind != b"IHDR" or length != 13:
                raise damaged
            size = struct.unpack(">II", body[:8])
        if kind == b"IEND":
            return size
        pos = end


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes, name: str) -> tuple[int, int]:
    """Width and height from the frame header; the file must reach its end marker."""
    damaged = PictureError(f"{name} is a damaged or incomplete JPEG file.")
    pos = 2
    size: tuple[int, int] | None = None
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise damaged
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise damaged
        if marker in _SOF and length >= 7:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: the coded data runs to the end marker
            if size is None or not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
                raise damaged
            return size
        pos += 2 + length
    raise damaged


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")


def _check_svg(data: bytes, name: str) -> None:
    """A plain SVG: its root element ``svg``, nothing that runs or reaches outside it."""
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise PictureError(f"{name} is an SVG with a document type, which is not allowed.")
    if re.search(rb"<\?(?!xml[\s?])", lowered):
        raise PictureError(f"{name} is an SVG with processing instructions, which are not allowed.")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, col = exc.position
        raise PictureError(
            f"{name} is not a readable SVG picture ({expat.ErrorString(exc.code)} at line "
            f"{line}, column {col + 1})."
        ) from exc
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", _SVG_NS):
        raise PictureError(f"{name} is not a PNG, JPEG or SVG picture.")
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "script":
            raise PictureError(f"{name} is an SVG with a script, which is not allowed.")
        if tag in _NOT_DRAWN:
            raise PictureError(f"{name} is an SVG with a {tag} element, which is not allowed.")
        for key, value in element.attrib.items():
            attr = _local(key)
            if attr.lower().startswith("on"):
                raise PictureError(
                    f"{name} is an SVG with a script ({attr} on {tag}), which is not allowed."
                )
            refs = [value] if attr == "href" else []
            refs += _URL.findall(value)
            for ref in refs:
                if not ref.strip().startswith("#"):
                    raise PictureError(
                        f"{name} is an SVG that refers to something outside it "
                        f"({printable(ref.strip()[:60])}), which is not allowed."
                    )
        if tag == "style" and element.text:
            style = element.text.lower()
            outside = [u for u in _URL.findall(element.text) if not u.strip().startswith("#")]
            if "@import" in style or outside:
                raise PictureError(
                    f"{name} is an SVG whose style refers to something outside it, "
                    "which is not allowed."
                )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""
