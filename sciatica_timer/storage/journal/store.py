"""The session journal: every session and every pain stop, in a private SQLite file.

Each write is its own transaction, committed (WAL, ``synchronous=FULL``) before the call
returns. When the file cannot be written the journal keeps working in memory: writes are
queued, retried on every later call and on ``flush()``, and kept in a reserve file next to
the journal (allocated at open, so a full disk cannot stop it) to be replayed at the next
open. No call raises for a bad file, folder or disk; a file that is not the journal it says
it is (a named pipe, tables that do not match its format) is moved aside, never deleted.
What went wrong is told to the user through ``notices``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing, suppress
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sciatica_timer.core.records import (
    PainStop,
    PainStopDetails,
    PainStopRecord,
    Reach,
    SessionRow,
    SessionStatus,
)
from sciatica_timer.storage.files import aside_name
from sciatica_timer.storage.journal import schema, tables
from sciatica_timer.storage.journal.files import (
    create_journal_file,
    is_odd,
    move_damaged_aside,
    move_odd_sides_aside,
    not_a_file,
    remove_stale_partials,
    write_backup,
)
from sciatica_timer.storage.journal.reserve import Reserve
from sciatica_timer.storage.journal.writes import (
    After,
    Finish,
    Plain,
    Replayed,
    Start,
    Stop,
    StopDetails,
    Write,
    from_line,
    plain,
    storable,
    to_line,
)
from sciatica_timer.storage.paths import make_private_dir, seal_private_file


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _known(ids: dict[int, int], provisional: int | None) -> int | None:
    """The id in the file for a provisional one, once the file has given it."""
    return None if provisional is None else ids.get(provisional, provisional)


class Journal:
    """The journal file, or while it cannot be written, the journal in memory."""

    def __init__(self, path: Path, now: Callable[[], datetime], busy_timeout_s: float) -> None:
        self.path = path
        self.notices: list[str] = []
        self._now = now
        self._timeout = busy_timeout_s
        self._conn: sqlite3.Connection | None = None
        self._pending: list[Write] = []
        self._ids: dict[int, int] = {}
        """Provisional session id -> id in the file, once its start has been saved."""
        self._stop_ids: dict[int, int] = {}
        """Provisional pain stop id -> id in the file, once the stop has been saved."""
        self._mine: set[int] = set()
        """Sessions started by this process (in the file), which are never 'interrupted'."""
        self._last_provisional = 0
        self._last_stop = 0
        self._newer = False
        self._failing = False
        self._closed = False
        self._reserve = Reserve(path.with_name(path.name + ".reserve"))
        self._reserved: list[Write] = []
        """The pending writes the reserve holds (the same objects), as last written."""
        self._kept = 0
        """How many of them fitted in it."""
        self._reserve_failing = False
        self._backed_up: set[tuple[int, int, int]] = set()
        """(device, inode, version) of files copied before a migration this run."""

    @classmethod
    def open(
        cls, path: Path, now: Callable[[], datetime] = _local_now, *, busy_timeout_s: float = 2.0
    ) -> Journal:
        """Open or create the journal; never raises for a bad file, folder or disk."""
        journal = cls(path, now, busy_timeout_s)
        remove_stale_partials(path)
        journal._open_reserve()
        journal.flush()
        return journal

    @property
    def writable(self) -> bool:
        """True when everything recorded so far is saved in the file."""
        return self._conn is not None and not self._pending

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writes -------------------------------------------------------------------------

    def start_session(
        self,
        routine_id: str,
        routine_name: str,
        pain_before: int | None = None,
        reach_before: Reach | None = None,
        flare: bool | None = None,
    ) -> int:
        """Record a running session; returns its id (negative while only in memory)."""
        self._last_provisional -= 1
        provisional = self._last_provisional
        start = Start(provisional, self._stamp(), routine_id, routine_name, pain_before,
                      reach_before, flare)  # fmt: skip
        self._submit(start)
        return self._ids.get(provisional, provisional)

    def record_after(
        self, session_id: int, pain_after: int | None, reach_after: Reach | None
    ) -> None:
        """Record how the pain was after the session."""
        self._submit(After(session_id, pain_after, reach_after))

    def record_pain_stop(self, stop: PainStopRecord) -> int:
        """Record a pain stop, stamped now, and mark its session stopped_pain, in one
        transaction; returns the stop's id (negative while only in memory)."""
        self._last_stop -= 1
        provisional = self._last_stop
        at = self._stamp()
        self._submit(Stop(**{**vars(stop), "at": at, "stop_id": provisional}))
        return self._stop_ids.get(provisional, provisional)

    def add_pain_stop_details(self, stop_id: int, details: PainStopDetails) -> None:
        """Add the optional follow-up answers to the pain stop ``record_pain_stop`` gave."""
        self._submit(
            StopDetails(details.radiated_to, tuple(details.qualities), details.intensity, stop_id)
        )

    def finish_session(
        self,
        session_id: int,
        status: SessionStatus,
        completed: Sequence[str] = (),
        skipped: Sequence[str] = (),
        elapsed_s: float | None = None,
    ) -> None:
        """Record how a session ended and how long it ran (``elapsed_s``, measured on the
        monotonic clock: wall-clock jumps don't change it); a session stopped for pain keeps
        that status."""
        if status in (SessionStatus.RUNNING, SessionStatus.INTERRUPTED):
            raise ValueError(f"a session cannot be finished as {status.value!r}")
        ended = self._stamp()
        self._submit(Finish(session_id, status, ended, tuple(completed), tuple(skipped), elapsed_s))

    def mark_interrupted(self) -> list[SessionRow]:
        """Mark sessions left running by an earlier run 'interrupted' and return them."""
        if not self.flush() or self._conn is None:
            return []
        mine = ",".join(str(i) for i in sorted(self._mine))
        where = f"status = 'running' AND session_id NOT IN ({mine})"
        try:
            with tables.transaction(self._conn):
                rows = self._conn.execute(
                    f"SELECT {tables.SESSION_COLUMNS} FROM session WHERE {where} "
                    "ORDER BY session_id DESC"
                ).fetchall()
                self._conn.execute(f"UPDATE session SET status = 'interrupted' WHERE {where}")
        except sqlite3.Error as exc:
            self._fail(exc)
            return []
        return [replace(tables.session_row(r), status=SessionStatus.INTERRUPTED) for r in rows]

    def flush(self) -> bool:
        """Try to save everything kept in memory; True when nothing is left unsaved."""
        if self._closed or self._newer:
            return not self._pending
        try:
            conn = self._conn or self._connect()
            if conn is None:
                return False
            while self._pending:
                self._write(conn, self._pending[0])
                self._pending.pop(0)
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)
            self._keep_in_reserve()
            return False
        self._keep_in_reserve()
        if self._failing:
            self._failing = False
            self.notices.append(f"The journal is being saved again in {self.path.parent}.")
        return True

    def close(self) -> None:
        """Save what can be saved and close the file."""
        self.flush()
        if self._pending and not self._newer:
            unsaved = f"{len(self._pending)} journal entries could not be saved in "
            unsaved += str(self.path.parent)
            later = "will be added to the journal when Sciatica Timer next starts"
            if self._kept == len(self._pending):
                unsaved += f". They are kept in {self._reserve.path} and {later}"
            elif self._kept:
                unsaved += (f"; the first {self._kept} are kept in {self._reserve.path} and "
                            f"{later}, the others are lost")  # fmt: skip
            self.notices.append(unsaved + ".")
        self._closed = True
        self._disconnect()
        self._reserve.close()

    # --- reads --------------------------------------------------------------------------

    def sessions(self) -> list[SessionRow]:
        """All sessions, newest first, including any not saved yet."""
        sql = f"SELECT {tables.SESSION_COLUMNS} FROM session ORDER BY {tables.NEWEST_SESSIONS}"
        return [tables.session_row(r) for r in self._read(sql)]

    def pain_stops(self) -> list[PainStop]:
        """All pain stops, newest first, including any not saved yet."""
        sql = f"SELECT {tables.STOP_COLUMNS} FROM pain_stop ORDER BY {tables.NEWEST_STOPS}"
        return [tables.pain_stop_row(r) for r in self._read(sql)]

    def _read(self, sql: str) -> list[Any]:
        """Rows from the file, or while writes are pending, from a copy in memory with them."""
        if self.flush() and self._conn is not None:
            try:
                return self._conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                self._fail(exc)
        with closing(self._shadow()) as shadow:
            for write in self._pending:
                self._write(shadow, write, in_memory=True)
            return shadow.execute(sql).fetchall()

    def _shadow(self) -> sqlite3.Connection:
        """An in-memory copy of the file as far as it can be read, else an empty journal."""
        shadow = sqlite3.connect(":memory:", isolation_level=None)
        uri = f"{self.path.absolute().as_uri()}?mode=ro"
        if not self._newer and not_a_file(self.path) is None:  # a named pipe would hang
            with suppress(sqlite3.Error), closing(sqlite3.connect(uri, uri=True)) as saved:
                if schema.probe(saved) == (schema.latest(), None):
                    saved.backup(shadow)
        if shadow.execute("PRAGMA user_version").fetchone()[0] == 0:
            schema.create(shadow)
        return shadow

    # --- the queue ----------------------------------------------------------------------

    def _stamp(self) -> str:
        """Now as local ISO 8601 with its UTC offset, to the second."""
        now = self._now()
        return (now if now.tzinfo else now.astimezone()).isoformat(timespec="seconds")

    def _in_file(self, w: Plain) -> Plain:
        """The write with the ids the file gave its session and pain stop, where it gave them."""
        changes: dict[str, Any] = {"session_id": _known(self._ids, w.session_id)}
        if isinstance(w, Stop | StopDetails):
            changes["stop_id"] = _known(self._stop_ids, w.stop_id)
        return replace(w, **changes)

    def _submit(self, write: Write) -> None:
        self._pending.append(storable(write))
        self.flush()

    def _write(self, conn: sqlite3.Connection, write: Write, in_memory: bool = False) -> None:
        """Apply one write in its own committed transaction (in_memory: keep provisional ids)."""
        w = plain(write)
        replayed = isinstance(write, Replayed)
        new_id = tables.apply(conn, self._in_file(w), replayed, in_memory)
        if new_id is None or in_memory:
            return
        if isinstance(w, Start):
            self._ids[w.session_id] = new_id
            if not replayed:  # an earlier run's session is not this run's
                self._mine.add(new_id)
        elif isinstance(w, Stop):
            self._stop_ids[w.stop_id] = new_id

    def _fail(self, exc: BaseException) -> None:
        """Drop the connection after a failure; tell the user once per outage."""
        self._disconnect()
        if not self._failing:
            self._failing = True
            kept = (f"; until then they are also kept in {self._reserve.path}, so closing the "
                    "app does not lose them") if self._reserve.ready else ""  # fmt: skip
            self.notices.append(
                f"The journal cannot be saved in {self.path.parent} ({exc}). Sessions are kept "
                f"in memory and will be saved as soon as that folder can be written again{kept}."
            )

    # --- the reserve --------------------------------------------------------------------

    def _aside(self, label: str, ext: str = "") -> Path:
        """A free name next to the journal: ``journal.sqlite3.{label}-{timestamp}{ext}``."""
        return aside_name(self.path, label, ext, self._now)

    def _open_reserve(self) -> None:
        """Take the reserve (creating it) and queue, first, what an earlier run left in it."""
        reserve = self._reserve
        try:
            if is_odd(reserve.path):  # a link, folder or pipe where the reserve belongs
                os.rename(reserve.path, target := self._aside("reserve.corrupt"))
                self.notices.append(f"{reserve.path} was not a file, so it was moved to {target}.")
            lines, damaged = reserve.open()
        except OSError:  # no reserve (another app owns it, or the folder is unusable)
            return
        sessions: dict[int, int] = {}
        stops: dict[int, int] = {}
        for line in lines:
            try:
                write = self._renumbered(from_line(line), sessions, stops)
            except (ValueError, TypeError, KeyError, RecursionError):
                damaged = True
                continue
            self._pending.append(Replayed(write))
        self._reserved, self._kept = list(self._pending), len(self._pending)  # what it holds
        if self._pending:
            self.notices.append(
                f"{len(self._pending)} journal entries that could not be saved last time were "
                f"found in {reserve.path}; they are added to the journal now."
            )
        if damaged:
            with suppress(OSError):
                reserve.set_aside(target := self._aside("reserve.corrupt"))
                self._reserved, self._kept = [], 0  # the new reserve holds nothing yet
                self.notices.append(
                    f"{reserve.path} held something that is not a journal entry, so it was "
                    f"moved to {target}."
                )

    def _renumbered(self, w: Plain, sessions: dict[int, int], stops: dict[int, int]) -> Plain:
        """A write kept by an earlier run, its provisional ids (negative: that run had not
        saved the session or stop) given anew in this run; KeyError for one never given."""
        if isinstance(w, Start) and w.session_id < 0:
            self._last_provisional -= 1
            sessions[w.session_id] = self._last_provisional
        if isinstance(w, Stop) and w.stop_id <= 0:  # 0: kept by a version that gave no id
            self._last_stop -= 1
            stops[w.stop_id] = self._last_stop
        if w.session_id is not None and w.session_id < 0:
            w = replace(w, session_id=sessions[w.session_id])
        if isinstance(w, Stop | StopDetails) and w.stop_id is not None and w.stop_id <= 0:
            w = replace(w, stop_id=stops[w.stop_id])
        return w

    def _keep_in_reserve(self) -> None:
        """Make the reserve hold what is unsaved: the pending writes, or nothing."""
        if len(self._pending) == len(self._reserved) and all(
            a is b for a, b in zip(self._pending, self._reserved, strict=True)
        ):
            return
        try:
            if self._pending:
                lines = [to_line(self._in_file(plain(w))) for w in self._pending]
                self._kept = self._reserve.keep(lines)
            else:
                self._reserve.clear()
                self._kept = 0
        except OSError as exc:
            self._kept = 0
            if self._reserve.ready and not self._reserve_failing:
                self._reserve_failing = True
                self.notices.append(
                    f"Unsaved journal entries cannot be kept in {self._reserve.path} either "
                    f"({exc}): they are lost if the app closes before the journal can be saved."
                )
            return
        self._reserve_failing = False
        self._reserved = list(self._pending)

    # --- the file -----------------------------------------------------------------------

    def _disconnect(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _sqlite(self) -> sqlite3.Connection:
        create_journal_file(self.path)
        return sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)

    def _connect(self) -> sqlite3.Connection | None:
        """Open, check, migrate and configure the file; None if a newer app wrote it."""
        make_private_dir(self.path.parent)
        self._move_odd_files_aside()
        conn = self._sqlite()
        try:
            version, damage = schema.probe(conn)
            if damage is not None:
                with suppress(OSError):  # while open, so closing cannot delete a stale -wal
                    self._move_aside(damage)
                conn.close()
                if os.path.lexists(self.path):
                    self._move_aside(damage)
                conn = self._sqlite()
                version, damage = schema.probe(conn)
                if damage is not None:
                    raise sqlite3.DatabaseError(f"the new journal is unusable: {damage}")
            if version > schema.latest():
                conn.close()
                self._newer = True
                self._reserve.discard_if_new()  # entries this version keeps, a newer one can't
                self.notices.append(
                    f"The journal at {self.path} was written by a newer version of Sciatica "
                    f"Timer (format {version}; this version knows {schema.latest()}). It was "
                    "left untouched, and sessions from now on are kept in memory only."
                )
                return None
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            self._migrate(conn, version)
            for side in ("-wal", "-shm"):  # SQLite's own, beside our file: never via a link
                with suppress(OSError):
                    seal_private_file(self.path.with_name(self.path.name + side))
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _move_aside(self, why: str) -> None:
        """Rename a damaged file (and its -wal/-shm) out of the way; nothing is deleted."""
        target = move_damaged_aside(self.path, self._now)
        self.notices.append(
            f"The journal was damaged ({why}), so it was moved to {target} and a new journal "
            "was started."
        )

    def _move_odd_files_aside(self) -> None:
        """Before SQLite opens anything: a named pipe, socket or device where the journal or
        its -wal, -shm or -journal belongs is renamed out of the way (a pipe can hang)."""
        if kind := not_a_file(self.path):
            self._move_aside(f"it is {kind}, not a file")
        self.notices += move_odd_sides_aside(self.path, self._now)

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        """Back up the file, then bring it to the newest schema one step at a time."""
        if version == schema.latest():
            return
        file = os.stat(self.path)
        copied = (file.st_dev, file.st_ino, version)
        if copied in self._backed_up:
            pass  # a migration that failed after its copy was made: one copy is enough
        elif version > 0 or conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            write_backup(conn, backup := self._aside(f"v{version}", ".bak"))
            self._backed_up.add(copied)
            self.notices.append(f"The journal was updated; a copy of the old one is at {backup}.")
        schema.migrate(conn, version)
