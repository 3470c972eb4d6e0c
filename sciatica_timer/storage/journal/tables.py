"""The journal's two tables: each write applied in its own committed transaction, and rows
read back as records. The one place where the records' enums become text and back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from enum import StrEnum
from typing import Any, TypeVar

from sciatica_timer.core.records import PainStop, Reach, SessionRow, SessionStatus
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal.writes import (
    After,
    Finish,
    Plain,
    Start,
    Stop,
    StopDetails,
)

SESSION_COLUMNS = (
    "session_id, started_at, ended_at, routine_id, routine_name, status, stopped_exercise, "
    "stopped_side, completed, skipped, pain_before, reach_before, pain_after, reach_after, "
    "flare, elapsed_s"
)
"""What ``session_row`` reads, in SessionRow's order."""
STOP_COLUMNS = (
    "session_id, at, routine_id, exercise_id, exercise_name, side, phase_kind, phase_label, "
    "seconds_into, radiated_to, qualities, intensity, pain_stop_id"
)
"""What ``pain_stop_row`` reads, in PainStop's order."""
NEWEST_SESSIONS = "session_id < 0 DESC, abs(session_id) DESC"
NEWEST_STOPS = "pain_stop_id < 0 DESC, abs(pain_stop_id) DESC"
"""Newest first: ids not in the file yet (negative, in memory) are newer than any in it."""

_E = TypeVar("_E", bound=StrEnum)


def _text(member: StrEnum | None) -> str | None:
    return None if member is None else member.value


def _member(enum: type[_E], value: str | None) -> _E | None:
    """The member stored as ``value``; None for none, or for text no version writes (a
    hand-edited row)."""
    try:
        return None if value is None else enum(value)
    except ValueError:
        return None


def session_row(row: Sequence[Any]) -> SessionRow:
    sid, started, ended, routine_id, name, status, exercise, side, done, skipped = row[:10]
    pain_before, reach_before, pain_after, reach_after, flare, elapsed = row[10:]
    return SessionRow(sid, started, ended, routine_id, name, SessionStatus(status), exercise,
                      _member(Side, side), tuple(json.loads(done)), tuple(json.loads(skipped)),
                      pain_before, _member(Reach, reach_before), pain_after,
                      _member(Reach, reach_after), None if flare is None else bool(flare),
                      elapsed)  # fmt: skip


def pain_stop_row(row: Sequence[Any]) -> PainStop:
    sid, at, routine_id, exercise_id, name, side, kind, label, into = row[:9]
    radiated, qualities, level, stop_id = row[9:]
    return PainStop(sid, at, routine_id, exercise_id, name, _member(Side, side), PhaseKind(kind),
                    label, into, _member(Reach, radiated), tuple(json.loads(qualities)), level,
                    stop_id)  # fmt: skip


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _saved(conn: sqlite3.Connection, w: Start | Stop) -> int | None:
    """The id of the session or pain stop the file already has for this write, if any."""
    if isinstance(w, Start):
        sql = "SELECT session_id FROM session WHERE started_at = ? AND routine_id = ? AND "
        row = conn.execute(sql + "routine_name = ?", (w.started_at, w.routine_id, w.routine_name))
    else:
        sql = "SELECT pain_stop_id FROM pain_stop WHERE session_id = ? AND at = ? AND "
        row = conn.execute(sql + "phase_label = ? AND seconds_into = ?",
                           (w.session_id, w.at, w.phase_label, w.seconds_into))  # fmt: skip
    found = row.fetchone()
    return None if found is None else int(found[0])


def apply(conn: sqlite3.Connection, w: Plain, replayed: bool, in_memory: bool) -> int | None:
    """Apply one write, its ids those of this file, in its own committed transaction; the id
    of the session or pain stop it made (or, ``replayed`` from the reserve, found already
    made), else None. ``in_memory``: a copy that keeps the provisional ids."""
    with transaction(conn):
        # (the other writes set values: applying them twice changes nothing)
        if replayed and isinstance(w, Start | Stop) and (saved := _saved(conn, w)) is not None:
            return saved
        if isinstance(w, Start):
            return conn.execute(
                "INSERT INTO session (session_id, started_at, routine_id, routine_name, status,"
                " pain_before, reach_before, flare) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                (w.session_id if in_memory else None, w.started_at, w.routine_id, w.routine_name,
                 w.pain_before, _text(w.reach_before), None if w.flare is None else int(w.flare)),
            ).lastrowid  # fmt: skip
        if isinstance(w, After):
            conn.execute(
                "UPDATE session SET pain_after = ?, reach_after = ? WHERE session_id = ?",
                (w.pain_after, _text(w.reach_after), w.session_id),
            )
        elif isinstance(w, StopDetails):
            conn.execute(
                "UPDATE pain_stop SET radiated_to = ?, qualities = ?, intensity = ? WHERE "
                "pain_stop_id = coalesce(?, (SELECT max(pain_stop_id) FROM pain_stop WHERE "
                "session_id = ?))",
                (
                    _text(w.radiated_to),
                    json.dumps(w.qualities),
                    w.intensity,
                    w.stop_id,
                    w.session_id,
                ),
            )
        elif isinstance(w, Finish):
            conn.execute(
                "UPDATE session SET status = CASE status WHEN 'stopped_pain' THEN status "
                "ELSE ? END, ended_at = coalesce(ended_at, ?), completed = ?, skipped = ?, "
                "elapsed_s = coalesce(elapsed_s, ?) WHERE session_id = ?",
                (w.status.value, w.ended_at, json.dumps(w.completed), json.dumps(w.skipped),
                 w.elapsed_s, w.session_id),
            )  # fmt: skip
        else:
            new_id = conn.execute(
                "INSERT INTO pain_stop (pain_stop_id, session_id, at, routine_id, exercise_id, "
                "exercise_name, side, phase_kind, phase_label, seconds_into) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (w.stop_id if in_memory else None, w.session_id, w.at, w.routine_id, w.exercise_id,
                 w.exercise_name, _text(w.side), w.phase_kind.value, w.phase_label,
                 w.seconds_into),
            ).lastrowid  # fmt: skip
            conn.execute(
                "UPDATE session SET status = 'stopped_pain', ended_at = ?, "
                "stopped_exercise = ?, stopped_side = ?, elapsed_s = ? WHERE session_id = ?",
                (
                    w.at,
                    w.exercise_id or w.exercise_name,
                    _text(w.side),
                    w.session_elapsed_s,
                    w.session_id,
                ),
            )
            return new_id
    return None
