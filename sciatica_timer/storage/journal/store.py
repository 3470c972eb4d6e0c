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

import csv
import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import astuple, dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO, TypeVar

from sciatica_timer.storage.journal.files import (
    Reserve,
    create_journal_file,
    entry_from_line,
    entry_line,
    is_odd,
    not_a_file,
    probe,
    remove_stale_partials,
    write_backup,
)
from sciatica_timer.storage.paths import make_private_dir, seal_private_file

MIGRATIONS: list[str] = [
    """
    CREATE TABLE session (
        session_id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT,
        routine_id TEXT NOT NULL, routine_name TEXT NOT NULL, status TEXT NOT NULL,
        stopped_exercise TEXT, stopped_side TEXT,
        completed TEXT NOT NULL DEFAULT '[]', skipped TEXT NOT NULL DEFAULT '[]'  -- JSON lists
    );
    CREATE TABLE pain_stop (
        pain_stop_id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES session (session_id), at TEXT NOT NULL,
        routine_id TEXT NOT NULL, exercise_id TEXT, exercise_name TEXT, side TEXT,
        phase_kind TEXT NOT NULL, phase_label TEXT NOT NULL, seconds_into REAL NOT NULL
    );
    CREATE INDEX pain_stop_by_session ON pain_stop (session_id);
    """,
    """
    ALTER TABLE session ADD COLUMN pain_before INTEGER;
    ALTER TABLE session ADD COLUMN reach_before TEXT;
    ALTER TABLE session ADD COLUMN pain_after INTEGER;
    ALTER TABLE session ADD COLUMN reach_after TEXT;
    ALTER TABLE session ADD COLUMN flare INTEGER;
    ALTER TABLE pain_stop ADD COLUMN radiated_to TEXT;
    ALTER TABLE pain_stop ADD COLUMN qualities TEXT NOT NULL DEFAULT '[]';  -- JSON list
    ALTER TABLE pain_stop ADD COLUMN intensity INTEGER;
    """,
    """
    ALTER TABLE session ADD COLUMN elapsed_s REAL;  -- measured on the monotonic clock
    """,
]
"""SQL scripts; ``MIGRATIONS[n]`` takes a journal from schema version n to n + 1. Append only."""

CSV_COLUMNS = ("session_id", "started_at", "ended_at", "routine_id", "status", "stopped_exercise",
               "stopped_side", "routine_name", "completed", "skipped", "pain_before",
               "reach_before", "pain_after", "reach_after", "flare", "elapsed_s")  # fmt: skip
_COLUMNS = ", ".join(CSV_COLUMNS)
_STOP_COLUMNS = "session_id, at, routine_id, exercise_id, exercise_name, side, phase_kind, "
_STOP_COLUMNS += "phase_label, seconds_into"
_STOP_DETAILS = "radiated_to, qualities, intensity"
STOP_CSV_COLUMNS = (*_STOP_COLUMNS.split(", "), *_STOP_DETAILS.split(", "))


class SessionStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    STOPPED_PAIN = "stopped_pain"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    started_at: str
    ended_at: str | None
    routine_id: str
    routine_name: str
    status: SessionStatus
    stopped_exercise: str | None
    stopped_side: str | None
    completed: tuple[str, ...]
    skipped: tuple[str, ...]
    pain_before: int | None = None
    reach_before: str | None = None
    pain_after: int | None = None
    reach_after: str | None = None
    flare: bool | None = None
    elapsed_s: float | None = None
    """How long it ran, on the monotonic clock (None for sessions before this was kept)."""


@dataclass(frozen=True)
class PainStop:
    session_id: int
    at: str
    routine_id: str
    exercise_id: str | None
    exercise_name: str | None
    side: str | None
    phase_kind: str
    phase_label: str
    seconds_into: float
    radiated_to: str | None = None
    qualities: tuple[str, ...] = ()
    intensity: int | None = None
    session_elapsed_s: float | None = None
    """How long the session had run when stopped, on the monotonic clock (not a column of
    pain_stop: it is the session's length)."""


@dataclass(frozen=True)
class _Start:
    session_id: int
    """A provisional (negative) id until the row is in the file."""
    started_at: str
    routine_id: str
    routine_name: str
    pain_before: int | None = None
    reach_before: str | None = None
    flare: bool | None = None


@dataclass(frozen=True)
class _After:
    session_id: int
    pain_after: int | None
    reach_after: str | None


@dataclass(frozen=True)
class _StopDetails:
    session_id: int
    radiated_to: str | None
    qualities: tuple[str, ...]
    intensity: int | None


@dataclass(frozen=True)
class _Finish:
    session_id: int
    status: SessionStatus
    ended_at: str
    completed: tuple[str, ...]
    skipped: tuple[str, ...]
    elapsed_s: float | None = None


_Plain = _Start | _Finish | PainStop | _After | _StopDetails


@dataclass(frozen=True)
class _Replayed:
    """A write kept in the reserve by an earlier run: skipped if the file already has it (the
    earlier run may have saved it and died before emptying the reserve)."""

    write: _Plain

    @property
    def session_id(self) -> int:
        return self.write.session_id


_Write = _Plain | _Replayed
_W = TypeVar("_W", bound=_Write)
_KINDS: dict[str, type[_Plain]] = {"start": _Start, "finish": _Finish, "pain_stop": PainStop,
                                   "after": _After, "stop_details": _StopDetails}  # fmt: skip


def _encode(write: _Plain, session_id: int) -> bytes:
    """One line of the reserve."""
    kind = next(k for k, cls in _KINDS.items() if isinstance(write, cls))
    return entry_line(kind, {**{f.name: getattr(write, f.name) for f in fields(write)},
                             "session_id": session_id})  # fmt: skip


def _blank(value: int | bool | None) -> str | int:
    """CSV cell for an optional number or flag: empty when unknown."""
    return "" if value is None else int(value)


def _with_offset(stamp: str | None) -> str:
    """A stored time for export, always with its UTC offset (ISO 8601), so a spreadsheet
    reads the moment the screen shows. This version stamps every time with its offset; a time
    without one (an older or hand-made row) is taken as local time, as the history screen
    reads it. Empty for none; text that is not a time is kept as it is."""
    if not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return stamp if when.tzinfo else when.astimezone().isoformat()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Characters a spreadsheet reads as the start of a formula."""


def _neutral(cell: object) -> object:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe (OWASP's advice for CSV injection). Numbers are left as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class _SafeWriter:
    """``csv.writer`` whose every text cell is neutralised (names come from files)."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow([_neutral(cell) for cell in row])


def _local_now() -> datetime:
    return datetime.now().astimezone()


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _session(row: Sequence[Any]) -> SessionRow:
    sid, started, ended, routine_id, status, exercise, side, name, done, skipped = row[:10]
    pain_before, reach_before, pain_after, reach_after, flare, elapsed = row[10:]
    return SessionRow(sid, started, ended, routine_id, name, SessionStatus(status), exercise,
                      side, tuple(json.loads(done)), tuple(json.loads(skipped)), pain_before,
                      reach_before, pain_after, reach_after,
                      None if flare is None else bool(flare), elapsed)  # fmt: skip


def _pain_stop(row: Sequence[Any]) -> PainStop:
    *base, radiated, qualities, level = row
    sid, at, routine_id, exercise_id, name, side, kind, label, into = base
    return PainStop(sid, at, routine_id, exercise_id, name, side, kind, label, into, radiated,
                    tuple(json.loads(qualities)), level)  # fmt: skip


def _text(value: str) -> str:
    """Text SQLite can store: a lone surrogate (from a file that slipped past the checks)
    is kept as its escape, so one bad name never blocks a write, least of all a pain stop."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _storable(write: _W) -> _W:
    changes: dict[str, Any] = {}
    for f in fields(write):
        value = getattr(write, f.name)
        if isinstance(value, str):
            changes[f.name] = _text(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_text(v) if isinstance(v, str) else v for v in value)
    return replace(write, **changes)


def _saved(conn: sqlite3.Connection, w: _Plain, sid: int) -> int | None:
    """The id of the session or pain stop the file already has for this write, if any (the
    other writes set values, so applying them twice changes nothing)."""
    if isinstance(w, _Start):
        sql = "SELECT session_id FROM session WHERE started_at = ? AND routine_id = ? AND "
        row = conn.execute(sql + "routine_name = ?", (w.started_at, w.routine_id, w.routine_name))
    elif isinstance(w, PainStop):
        sql = "SELECT pain_stop_id FROM pain_stop WHERE session_id = ? AND at = ? AND "
        row = conn.execute(sql + "phase_label = ? AND seconds_into = ?",
                           (sid, w.at, w.phase_label, w.seconds_into))  # fmt: skip
    else:
        return None
    found = row.fetchone()
    return None if found is None else int(found[0])


class Journal:
    """The journal file, or while it cannot be written, the journal in memory."""

    def __init__(self, path: Path, now: Callable[[], datetime], busy_timeout_s: float) -> None:
        self.path = path
        self.notices: list[str] = []
        self._now = now
        self._timeout = busy_timeout_s
        self._conn: sqlite3.Connection | None = None
        self._pending: list[_Write] = []
        self._ids: dict[int, int] = {}
        """Provisional id -> id in the file, once its start has been saved."""
        self._mine: set[int] = set()
        """Sessions started by this process (in the file), which are never 'interrupted'."""
        self._last_provisional = 0
        self._newer = False
        self._failing = False
        self._closed = False
        self._reserve = Reserve(path.with_name(path.name + ".reserve"))
        self._reserved: list[_Write] = []
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

    def start_session(
        self,
        routine_id: str,
        routine_name: str,
        pain_before: int | None = None,
        reach_before: str | None = None,
        flare: bool | None = None,
    ) -> int:
        """Record a running session; returns its id (negative while only in memory)."""
        self._last_provisional -= 1
        provisional = self._last_provisional
        start = _Start(provisional, self._stamp(), routine_id, routine_name, pain_before,
                       reach_before, flare)  # fmt: skip
        self._submit(start)
        return self._ids.get(provisional, provisional)

    def record_after(
        self, session_id: int, pain_after: int | None, reach_after: str | None
    ) -> None:
        """Record how the pain was after the session."""
        self._submit(_After(session_id, pain_after, reach_after))

    def add_pain_stop_details(
        self,
        session_id: int,
        radiated_to: str | None,
        qualities: Sequence[str] = (),
        intensity: int | None = None,
    ) -> None:
        """Add the optional follow-up answers to the session's (latest) pain stop."""
        self._submit(_StopDetails(session_id, radiated_to, tuple(qualities), intensity))

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
        finish = _Finish(session_id, status, ended, tuple(completed), tuple(skipped), elapsed_s)
        self._submit(finish)

    def record_pain_stop(
        self,
        session_id: int,
        routine_id: str,
        exercise_id: str | None,
        exercise_name: str | None,
        side: str | None,
        phase_kind: str,
        phase_label: str,
        seconds_into: float,
        session_elapsed_s: float | None = None,
    ) -> None:
        """Record a pain stop and mark its session stopped_pain, in one transaction
        (``session_elapsed_s``: how long the session ran, on the monotonic clock)."""
        stop = PainStop(session_id, self._stamp(), routine_id, exercise_id, exercise_name, side,
                        phase_kind, phase_label, seconds_into,
                        session_elapsed_s=session_elapsed_s)  # fmt: skip
        self._submit(stop)

    def mark_interrupted(self) -> list[SessionRow]:
        """Mark sessions left running by an earlier run 'interrupted' and return them."""
        if not self.flush() or self._conn is None:
            return []
        mine = ",".join(str(i) for i in sorted(self._mine))
        where = f"status = 'running' AND session_id NOT IN ({mine})"
        try:
            with _transaction(self._conn):
                rows = self._conn.execute(
                    f"SELECT {_COLUMNS} FROM session WHERE {where} ORDER BY session_id DESC"
                ).fetchall()
                self._conn.execute(f"UPDATE session SET status = 'interrupted' WHERE {where}")
        except sqlite3.Error as exc:
            self._fail(exc)
            return []
        return [replace(_session(r), status=SessionStatus.INTERRUPTED) for r in rows]

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

    def sessions(self) -> list[SessionRow]:
        """All sessions, newest first, including any not saved yet."""
        order = "session_id < 0 DESC, abs(session_id) DESC"
        return [_session(r) for r in self._read(f"SELECT {_COLUMNS} FROM session ORDER BY {order}")]

    def pain_stops(self) -> list[PainStop]:
        """All pain stops, newest first, including any not saved yet."""
        sql = f"SELECT {_STOP_COLUMNS}, {_STOP_DETAILS} FROM pain_stop ORDER BY pain_stop_id DESC"
        return [_pain_stop(r) for r in self._read(sql)]

    def export_csv(self, out: TextIO) -> int:
        """Write one row per session, oldest first, to a file opened with newline=''.
        Times are ISO 8601 with their UTC offset."""
        writer = _SafeWriter(out)
        writer.writerow(CSV_COLUMNS)
        rows = self.sessions()[::-1]
        for r in rows:
            done, skipped = ";".join(r.completed), ";".join(r.skipped)
            started, ended = _with_offset(r.started_at), _with_offset(r.ended_at)
            exercise, side = r.stopped_exercise or "", r.stopped_side or ""
            writer.writerow(
                (r.session_id, started, ended, r.routine_id, r.status.value, exercise, side,
                 r.routine_name, done, skipped, _blank(r.pain_before), r.reach_before or "",
                 _blank(r.pain_after), r.reach_after or "", _blank(r.flare),
                 "" if r.elapsed_s is None else round(r.elapsed_s, 1))
            )  # fmt: skip
        return len(rows)

    def export_pain_stops_csv(self, out: TextIO) -> int:
        """Write one row per pain stop, oldest first, to a file opened with newline=''.
        Times are ISO 8601 with their UTC offset."""
        writer = _SafeWriter(out)
        writer.writerow(STOP_CSV_COLUMNS)
        stops = self.pain_stops()[::-1]
        for p in stops:
            writer.writerow(
                (p.session_id, _with_offset(p.at), p.routine_id, p.exercise_id or "",
                 p.exercise_name or "", p.side or "", p.phase_kind, p.phase_label,
                 p.seconds_into, p.radiated_to or "", ";".join(p.qualities), _blank(p.intensity))
            )  # fmt: skip
        return len(stops)

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
                if probe(saved, MIGRATIONS) == (len(MIGRATIONS), None):
                    saved.backup(shadow)
        if shadow.execute("PRAGMA user_version").fetchone()[0] == 0:
            for script in MIGRATIONS:
                shadow.executescript(script)
        return shadow

    def _stamp(self) -> str:
        """Now as local ISO 8601 with its UTC offset, to the second."""
        now = self._now()
        return (now if now.tzinfo else now.astimezone()).isoformat(timespec="seconds")

    def _id(self, session_id: int) -> int:
        return self._ids.get(session_id, session_id)

    def _submit(self, write: _Write) -> None:
        self._pending.append(_storable(write))
        self.flush()

    def _write(self, conn: sqlite3.Connection, write: _Write, in_memory: bool = False) -> None:
        """Apply one write in its own committed transaction (in_memory: keep provisional ids)."""
        w = write.write if isinstance(write, _Replayed) else write
        sid = self._id(w.session_id)
        new_id: int | None = None
        with _transaction(conn):
            if isinstance(write, _Replayed) and (saved := _saved(conn, w, sid)) is not None:
                new_id = saved
            elif isinstance(w, _Start):
                new_id = conn.execute(
                    "INSERT INTO session (session_id, started_at, routine_id, routine_name, status,"
                    " pain_before, reach_before, flare) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                    (sid if in_memory else None, w.started_at, w.routine_id, w.routine_name,
                     w.pain_before, w.reach_before, None if w.flare is None else int(w.flare)),
                ).lastrowid  # fmt: skip
            elif isinstance(w, _After):
                conn.execute(
                    "UPDATE session SET pain_after = ?, reach_after = ? WHERE session_id = ?",
                    (w.pain_after, w.reach_after, sid),
                )
            elif isinstance(w, _StopDetails):
                conn.execute(
                    "UPDATE pain_stop SET radiated_to = ?, qualities = ?, intensity = ? WHERE "
                    "pain_stop_id = (SELECT max(pain_stop_id) FROM pain_stop WHERE session_id = ?)",
                    (w.radiated_to, json.dumps(w.qualities), w.intensity, sid),
                )
            elif isinstance(w, _Finish):
                conn.execute(
                    "UPDATE session SET status = CASE status WHEN 'stopped_pain' THEN status "
                    "ELSE ? END, ended_at = coalesce(ended_at, ?), completed = ?, skipped = ?, "
                    "elapsed_s = coalesce(elapsed_s, ?) WHERE session_id = ?",
                    (w.status.value, w.ended_at, json.dumps(w.completed), json.dumps(w.skipped),
                     w.elapsed_s, sid),
                )  # fmt: skip
            else:
                conn.execute(
                    f"INSERT INTO pain_stop ({_STOP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    astuple(replace(w, session_id=sid))[:9],
                )
                conn.execute(
                    "UPDATE session SET status = 'stopped_pain', ended_at = ?, "
                    "stopped_exercise = ?, stopped_side = ?, elapsed_s = ? WHERE session_id = ?",
                    (w.at, w.exercise_id or w.exercise_name, w.side, w.session_elapsed_s, sid),
                )
        if isinstance(w, _Start) and new_id is not None and not in_memory:
            self._ids[w.session_id] = new_id
            if not isinstance(write, _Replayed):  # an earlier run's session
                self._mine.add(new_id)

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
        renumbered: dict[int, int] = {}
        for line in lines:
            try:
                write = _storable(entry_from_line(line, _KINDS, {"SessionStatus": SessionStatus}))
                if write.session_id < 0:  # provisional in the run that kept it
                    if isinstance(write, _Start):
                        self._last_provisional -= 1
                        renumbered[write.session_id] = self._last_provisional
                    write = replace(write, session_id=renumbered[write.session_id])
            except (ValueError, TypeError, KeyError, RecursionError):
                damaged = True
                continue
            self._pending.append(_Replayed(write))
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

    def _keep_in_reserve(self) -> None:
        """Make the reserve hold what is unsaved: the pending writes, or nothing."""
        if len(self._pending) == len(self._reserved) and all(
            a is b for a, b in zip(self._pending, self._reserved, strict=True)
        ):
            return
        try:
            if self._pending:
                plain = (w.write if isinstance(w, _Replayed) else w for w in self._pending)
                self._kept = self._reserve.keep([_encode(w, self._id(w.session_id)) for w in plain])
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
            version, damage = probe(conn, MIGRATIONS)
            if damage is not None:
                with suppress(OSError):  # while open, so closing cannot delete a stale -wal
                    self._move_aside(damage)
                conn.close()
                if os.path.lexists(self.path):
                    self._move_aside(damage)
                conn = self._sqlite()
                version, damage = probe(conn, MIGRATIONS)
                if damage is not None:
                    raise sqlite3.DatabaseError(f"the new journal is unusable: {damage}")
            if version > len(MIGRATIONS):
                conn.close()
                self._newer = True
                self._reserve.discard_if_new()  # entries this version keeps, a newer one can't
                self.notices.append(
                    f"The journal at {self.path} was written by a newer version of Sciatica "
                    f"Timer (format {version}; this version knows {len(MIGRATIONS)}). It was "
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

    def _aside(self, label: str, ext: str = "") -> Path:
        """A free name next to the journal: ``journal.sqlite3.{label}-{timestamp}{ext}``."""
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        names = (f"{stamp}-{n}" if n > 1 else stamp for n in itertools.count(1))
        paths = (self.path.with_name(f"{self.path.name}.{label}-{s}{ext}") for s in names)
        return next(p for p in paths if not os.path.lexists(p))

    def _move_aside(self, why: str) -> None:
        """Rename a damaged file (and its -wal/-shm) out of the way; nothing is deleted."""
        target = self._aside("corrupt")
        self.path.rename(target)
        for side in ("-wal", "-shm"):
            if os.path.lexists(old := self.path.with_name(self.path.name + side)):
                old.rename(target.with_name(target.name + side))
        self.notices.append(
            f"The journal was damaged ({why}), so it was moved to {target} and a new journal "
            "was started."
        )

    def _move_odd_files_aside(self) -> None:
        """Before SQLite opens anything: a named pipe, socket or device where the journal or
        its -wal, -shm or -journal belongs is renamed out of the way (a pipe can hang)."""
        if kind := not_a_file(self.path):
            self._move_aside(f"it is {kind}, not a file")
        for side in ("-wal", "-shm", "-journal"):
            if kind := not_a_file(odd := self.path.with_name(self.path.name + side)):
                odd.rename(target := self._aside(f"{side[1:]}-not-a-file"))
                self.notices.append(f"{odd} was {kind}, not a file, so it was moved to {target}.")

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        """Back up the file, then bring it to the newest schema one step at a time."""
        if version == len(MIGRATIONS):
            return
        file = os.stat(self.path)
        copied = (file.st_dev, file.st_ino, version)
        if copied in self._backed_up:
            pass  # a migration that failed after its copy was made: one copy is enough
        elif version > 0 or conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            write_backup(conn, backup := self._aside(f"v{version}", ".bak"))
            self._backed_up.add(copied)
            self.notices.append(f"The journal was updated; a copy of the old one is at {backup}.")
        for n in range(version, len(MIGRATIONS)):
            try:
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[n]};\nPRAGMA user_version = {n + 1};\nCOMMIT;"
                )
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
