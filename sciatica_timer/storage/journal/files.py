"""The journal's files before SQLite is let near them: what kind of file is there, the
file created private, backups that appear only when complete, and damaged or odd files moved
aside (never deleted). No Qt."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable
from contextlib import closing, suppress
from datetime import datetime
from pathlib import Path

from sciatica_timer.storage.files import aside_name, move_aside
from sciatica_timer.storage.paths import create_private_file, open_private

if sys.platform != "win32":
    import fcntl

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


def lock(fd: int) -> bool:
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
    held = True
    try:
        lock(fd)
        with closing(sqlite3.connect(partial)) as copy:
            copy.execute("PRAGMA journal_mode = OFF")  # no -journal beside a throwaway file
            conn.backup(copy)
        os.fsync(fd)
        if sys.platform == "win32":  # Windows renames (or deletes) no file held open
            held = False
            os.close(fd)
        os.rename(partial, target)
    except BaseException:
        if held and sys.platform == "win32":
            held = False
            os.close(fd)
        with suppress(OSError):
            os.unlink(partial)
        raise
    finally:
        if held:
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
                if lock(fd):
                    os.unlink(path)
            finally:
                os.close(fd)


def move_damaged_aside(path: Path, now: Callable[[], datetime]) -> Path:
    """Rename a damaged journal (and its -wal/-shm beside it) out of the way, to a free
    ``corrupt`` name; returns where it went. Nothing is deleted."""
    target = move_aside(path, "corrupt", now)
    for side in ("-wal", "-shm"):
        if os.path.lexists(old := path.with_name(path.name + side)):
            old.rename(target.with_name(target.name + side))
    return target


def move_odd_sides_aside(path: Path, now: Callable[[], datetime]) -> list[str]:
    """Before SQLite opens anything: a named pipe, socket or device where the journal's
    -wal, -shm or -journal belongs is renamed out of the way (a pipe can hang). What was
    moved, for the user."""
    told = []
    for side in ("-wal", "-shm", "-journal"):
        if kind := not_a_file(odd := path.with_name(path.name + side)):
            odd.rename(target := aside_name(path, f"{side[1:]}-not-a-file", now=now))
            told.append(f"{odd} was {kind}, not a file, so it was moved to {target}.")
    return told
