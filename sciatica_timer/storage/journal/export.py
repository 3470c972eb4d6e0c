"""The journal as CSV, for a spreadsheet or a clinician: one row per session, one per pain
stop, oldest first. The command line and the history window both write it from here."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.storage.paths import open_private_text

SESSION_COLUMNS = ("session_id", "started_at", "ended_at", "routine_id", "status",
                   "stopped_exercise", "stopped_side", "routine_name", "completed", "skipped",
                   "pain_before", "reach_before", "pain_after", "reach_after", "flare",
                   "elapsed_s")  # fmt: skip
"""The sessions file's header (its first seven columns are documented: keep them first)."""
PAIN_STOP_COLUMNS = ("session_id", "at", "routine_id", "exercise_id", "exercise_name", "side",
                     "phase_kind", "phase_label", "seconds_into", "radiated_to", "qualities",
                     "intensity")  # fmt: skip
"""The pain stops file's header."""
SESSIONS_FILE = "sessions.csv"
PAIN_STOPS_FILE = "pain-stops.csv"

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


def _blank(value: int | bool | None) -> str | int:
    """CSV cell for an optional number or flag: empty when unknown."""
    return "" if value is None else int(value)


def _word(member: StrEnum | None) -> str:
    """CSV cell for an optional side or reach: its stored value, empty when unknown."""
    return "" if member is None else member.value


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


def write_sessions(journal: Journal, out: TextIO) -> int:
    """Write one row per session, oldest first, to a file opened with newline=''; how many.
    Times are ISO 8601 with their UTC offset."""
    writer = _SafeWriter(out)
    writer.writerow(SESSION_COLUMNS)
    rows = journal.sessions()[::-1]
    for r in rows:
        writer.writerow(
            (r.session_id, _with_offset(r.started_at), _with_offset(r.ended_at), r.routine_id,
             r.status.value, r.stopped_exercise or "", _word(r.stopped_side), r.routine_name,
             ";".join(r.completed), ";".join(r.skipped), _blank(r.pain_before),
             _word(r.reach_before), _blank(r.pain_after), _word(r.reach_after), _blank(r.flare),
             "" if r.elapsed_s is None else round(r.elapsed_s, 1))
        )  # fmt: skip
    return len(rows)


def write_pain_stops(journal: Journal, out: TextIO) -> int:
    """Write one row per pain stop, oldest first, to a file opened with newline=''; how
    many. Times are ISO 8601 with their UTC offset."""
    writer = _SafeWriter(out)
    writer.writerow(PAIN_STOP_COLUMNS)
    stops = journal.pain_stops()[::-1]
    for p in stops:
        writer.writerow(
            (p.session_id, _with_offset(p.at), p.routine_id, p.exercise_id or "",
             p.exercise_name or "", _word(p.side), p.phase_kind.value, p.phase_label,
             p.seconds_into, _word(p.radiated_to), ";".join(p.qualities), _blank(p.intensity))
        )  # fmt: skip
    return len(stops)


def save_sessions(journal: Journal, path: Path) -> int:
    """The sessions CSV in a new file readable by the user only; how many sessions."""
    with open_private_text(path) as fh:
        return write_sessions(journal, fh)


def save_folder(journal: Journal, folder: Path) -> tuple[Path, Path]:
    """sessions.csv and pain-stops.csv in ``folder``, readable by the user only."""
    sessions, stops = folder / SESSIONS_FILE, folder / PAIN_STOPS_FILE
    save_sessions(journal, sessions)
    with open_private_text(stops) as fh:
        write_pain_stops(journal, fh)
    return sessions, stops
