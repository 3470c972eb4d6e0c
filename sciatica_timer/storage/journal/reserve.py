"""The reserve: a file allocated next to the journal while there is room, holding the
entries the journal could not save (a full disk) as lines of JSON, to be replayed at the
next open. No Qt."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sciatica_timer.storage.journal.files import lock, open_regular
from sciatica_timer.storage.paths import create_private_file, make_private_dir

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

RESERVE_SIZE = 64 * 1024
"""Bytes set aside next to the journal, while there is room, for entries it cannot save."""


def _read_at(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from the start of the file (``os.pread`` is POSIX only)."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, left = [], size
    while left and (chunk := os.read(fd, left)):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_at(fd: int, data: bytes, offset: int) -> None:
    """All of ``data`` at ``offset`` (``os.pwrite`` is POSIX only); OSError if it cannot."""
    os.lseek(fd, offset, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Reserve:
    """A file of ``RESERVE_SIZE`` bytes next to the journal, allocated while there is
    room, that holds the journal's unsaved entries as lines of JSON (then NUL bytes) while
    the database cannot be written. It is rewritten in place, so a full disk does not stop
    it; the next open replays it. One process at a time owns it (a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._capacity = 0
        self._used = False
        self._created = False

    @property
    def ready(self) -> bool:
        """True when entries can be kept in the reserve."""
        return self._fd is not None and self._capacity > 0

    def open(self) -> tuple[list[bytes], bool]:
        """Take the reserve (creating it if missing): the entries it holds, and whether
        anything else was in it (a partial line, bytes that are not JSON lines). Raises
        OSError when it cannot be had; the journal then works without it."""
        make_private_dir(self.path.parent)
        try:
            fd = open_regular(self.path, os.O_RDWR)
        except FileNotFoundError:
            fd = create_private_file(self.path, os.O_RDWR)
            self._created = True
        if not lock(fd):
            os.close(fd)
            raise BlockingIOError(f"{self.path.name} is in use by another Sciatica Timer")
        self._fd = fd
        size = os.fstat(fd).st_size
        data = _read_at(fd, RESERVE_SIZE + 1)
        text, _, rest = data.partition(b"\0")
        *lines, tail = text.split(b"\n")
        entries = [line for line in lines if line.strip()]
        self._used = bool(entries)
        self._capacity = min(size, RESERVE_SIZE)
        self._allocate()
        return entries, bool(tail.strip() or rest.strip(b"\0") or size > RESERVE_SIZE)

    def _allocate(self) -> None:
        """Grow the reserve to its full size with real zeros (no holes), if there is room."""
        assert self._fd is not None
        if self._capacity >= RESERVE_SIZE:
            return
        try:
            _write_at(self._fd, bytes(RESERVE_SIZE - self._capacity), self._capacity)
            os.fsync(self._fd)
        except OSError:
            self._capacity = min(os.fstat(self._fd).st_size, RESERVE_SIZE)
        else:
            self._capacity = RESERVE_SIZE

    def keep(self, entries: Sequence[bytes]) -> int:
        """Write the entries (the first ones that fit, in order) over the reserve's content
        and sync; how many were kept. OSError when it cannot be written."""
        if self._fd is None:
            raise OSError(f"{self.path.name} is not open")
        kept, data = 0, b""
        for entry in entries:
            if len(data) + len(entry) + 1 > self._capacity - 1:  # room for the final NUL
                break
            data += entry + b"\n"
            kept += 1
        self._write(data)
        self._used = kept > 0
        return kept

    def clear(self) -> None:
        """Empty the reserve once everything it held is saved (it keeps its size)."""
        if self._used:
            self._write(b"")
            self._used = False

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        _write_at(self._fd, data.ljust(self._capacity, b"\0"), 0)
        os.fsync(self._fd)

    def set_aside(self, target: Path) -> None:
        """Rename what holds the reserve's content to ``target`` (kept for the user) and
        start an empty reserve in its place."""
        self.close()
        os.rename(self.path, target)
        self._created = False
        self.open()

    def discard_if_new(self) -> None:
        """Remove the reserve if this run created it and never used it."""
        if self._created and not self._used and self._fd is not None:
            if os.name == "nt":  # Windows deletes no file held open
                self.close()
            with suppress(OSError):
                os.unlink(self.path)
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_Entry = TypeVar("_Entry", bound="DataclassInstance")


def entry_line(kind: str, values: Mapping[str, object]) -> bytes:
    """One line of the reserve: the entry's fields as JSON, ASCII only."""
    data = {**values, "kind": kind}
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _fits(kind: str, value: object, enums: Mapping[str, type[StrEnum]]) -> bool:
    """Whether a value read from the reserve has the type a field declares."""
    if value is None:
        return kind.endswith(" | None")
    kind = kind.removesuffix(" | None")
    checks: dict[str, Callable[[Any], bool]] = {
        "int": lambda v: type(v) is int,
        "bool": lambda v: type(v) is bool,
        "float": lambda v: type(v) in (int, float),
        "str": lambda v: type(v) is str,
        "tuple[str, ...]": lambda v: type(v) is list and all(type(x) is str for x in v),
    }
    if kind in enums:
        return value in {member.value for member in enums[kind]}
    return checks[kind](value)  # KeyError for a type not checked here yet


def entry_from_line(
    line: bytes, kinds: Mapping[str, type[_Entry]], enums: Mapping[str, type[StrEnum]]
) -> _Entry:
    """The entry a line of the reserve holds, each field checked against its declared type;
    ValueError, TypeError or KeyError when the line is not one."""
    data = json.loads(line)
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise ValueError("not an entry")
    cls = kinds[data["kind"]]
    args: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data:
            kind, value = str(f.type), data[f.name]
            if not _fits(kind, value, enums):
                raise ValueError(f"{f.name} is not {kind}")
            enum = enums.get(kind.removesuffix(" | None"))
            args[f.name] = (tuple(value) if isinstance(value, list)
                            else enum(value) if enum and value is not None else value)  # fmt: skip
    return cls(**args)
