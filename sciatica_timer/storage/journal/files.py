"""The journal's files before SQLite is let near them: what kind of file is there, whether
its tables are the ones its format version means, backups that appear only when complete,
and the reserve that keeps unsaved entries when the disk is full. No Qt."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sciatica_timer.storage.paths import create_private_file, make_private_dir, open_private

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

if sys.platform != "win32":
    import fcntl

RESERVE_SIZE = 64 * 1024
"""Bytes set aside next to the journal, while there is room, for entries it cannot save."""
PARTIAL = ".partial"
"""Suffix of a backup being written; it is renamed to its ``.bak`` name once complete."""
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def not_a_file(path: Path) -> str | None:
    """What is at ``path`` when it must never be opened as a file (opening a named pipe
    waits forever for a writer; a socket or device is nothing the journal wrote); None when
    nothing is there, or a regular file, folder or symbolic link (opening those either
    works or fails at once, and the journal refuses them with its own notice)."""
    try:
        kind = os.lstat(path).st_mode
    except OSError:  # nothing there, or no way there: opening it fails at once too
        return None
    if stat.S_ISFIFO(kind):
        return "a named pipe"
    if stat.S_ISSOCK(kind):
        return "a socket"
    if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        return "a device"
    return None


def is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


def open_regular(path: Path, flags: int) -> int:
    """A descriptor on the regular file at ``path`` (never waiting on a named pipe, never
    through a symbolic link); OSError for anything else."""
    fd = os.open(path, flags | _NONBLOCK | _NOFOLLOW | _BINARY)
    if not is_regular(fd):
        os.close(fd)
        raise OSError(f"{path.name} is not a regular file")
    return fd


def is_odd(path: Path) -> bool:
    """True when something other than a regular file is at ``path`` (a link, a folder...)."""
    try:
        return not stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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


def create_journal_file(path: Path) -> None:
    """Create the file if missing, readable by the user only; an existing file keeps its
    mode. A journal that is a symbolic link is refused (OSError, so sessions stay in memory
    with a notice) rather than used: SQLite would put the -wal and -shm with the health data
    next to the link's target, in a folder the app did not make, with the target's mode, and
    the app must not chmod through the link to fix that. Anything but a regular file is
    refused too, without waiting (a named pipe that appeared since it was checked)."""
    fd = open_private(path, os.O_WRONLY | _NONBLOCK)
    try:
        if not is_regular(fd):
            raise OSError(f"{path.name} is not a regular file")
    finally:
        os.close(fd)


# --- schema -----------------------------------------------------------------------------

_Objects = dict[str, tuple[str, str, tuple[tuple[object, ...], ...]]]
"""name -> (type, table it belongs to, columns as PRAGMA table_info gives them)."""


def _objects(conn: sqlite3.Connection) -> _Objects:
    found: _Objects = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'"
    ).fetchall()
    for kind, name, table in rows:
        columns: list[tuple[object, ...]] = []
        if kind == "table":
            columns = conn.execute("SELECT * FROM pragma_table_info(?)", (name,)).fetchall()
        found[str(name)] = (str(kind), str(table), tuple(columns))
    return found


@functools.lru_cache(maxsize=16)
def _schema(scripts: tuple[str, ...]) -> _Objects:
    """What the migration scripts make, run on an empty database."""
    with closing(sqlite3.connect(":memory:")) as conn:
        for script in scripts:
            conn.executescript(script)
        return _objects(conn)


def schema_problem(conn: sqlite3.Connection, version: int, migrations: Sequence[str]) -> str | None:
    """Why the file's tables are not what format ``version`` means (a file made by hand or
    by another program, or damaged), or None when they are. Tables of other programs are
    allowed, except under the names of the journal's own tables, indexes and triggers."""
    if version < 0:
        return f"its format number is {version}, which no version of Sciatica Timer writes"
    expected = _schema(tuple(migrations[:version]))
    ours = _schema(tuple(migrations))
    present = _objects(conn)
    for name, (kind, table, columns) in expected.items():
        if name not in present:
            return f"it says it is format {version} but has no {kind} named {name}"
        if present[name] != (kind, table, columns):
            return f"its {kind} {name} is not the one format {version} has"
    for name, (kind, table, _) in present.items():
        if name in ours and name not in expected:
            return f"it already has a {kind} named {name}, which format {version} does not"
        if kind == "trigger" and name not in expected and table in ours:
            return f"it has a trigger {name} on the journal's {table} table"
    return None


def probe(conn: sqlite3.Connection, migrations: Sequence[str]) -> tuple[int, str | None]:
    """The file's schema version, and why the file is damaged (None when it is not): SQLite
    finds it damaged or not a database, or its tables are not what its version means."""
    try:
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return 0, "SQLite finds it damaged"
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(migrations):
            return version, None  # a newer app's: not ours to judge
        return version, schema_problem(conn, version, migrations)
    except sqlite3.DatabaseError as exc:
        if str(getattr(exc, "sqlite_errorname", "")).startswith(
            ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        ):
            return 0, "it is not a database SQLite can read"
        raise


# --- backups ----------------------------------------------------------------------------


def _lock(fd: int) -> bool:
    """Hold an exclusive lock on the file while ``fd`` is open; False when another process
    (or another descriptor) holds it. Always True where there are no such locks."""
    if sys.platform == "win32":
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _sync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every system can)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_backup(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the database to ``target``: written as ``target.partial`` (0600, locked while it
    is written) and renamed into place only once complete and synced, so a backup name
    never holds half a copy. A copy that fails part-way is removed."""
    partial = target.with_name(target.name + PARTIAL)
    fd = create_private_file(partial, os.O_RDWR)
    try:
        _lock(fd)
        with closing(sqlite3.connect(partial)) as copy:
            copy.execute("PRAGMA journal_mode = OFF")  # no -journal beside a throwaway file
            conn.backup(copy)
        os.fsync(fd)
        os.rename(partial, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(partial)
        raise
    finally:
        os.close(fd)
    _sync_dir(target.parent)


def remove_stale_partials(journal: Path) -> None:
    """Remove the incomplete backups a killed migration left (``*.bak.partial``, named as
    this module names them, regular files that no live process is writing)."""
    name = re.escape(journal.name)
    ours = re.compile(rf"{name}\.v\d+-\d{{8}}-\d{{6}}(?:-\d+)?\.bak{re.escape(PARTIAL)}")
    stale: list[Path] = []
    with suppress(OSError), os.scandir(journal.parent) as entries:
        stale = [Path(e.path) for e in entries if ours.fullmatch(e.name)]
    for path in stale:
        with suppress(OSError):
            fd = open_regular(path, os.O_RDONLY)
            try:
                if _lock(fd):
                    os.unlink(path)
            finally:
                os.close(fd)


# --- the reserve ------------------------------------------------------------------------


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
        if not _lock(fd):
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
