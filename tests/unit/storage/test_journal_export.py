"""The journal's one CSV export path: what the command line and the history window write."""

from __future__ import annotations

import io
from pathlib import Path

from support.journal import Clock

from sciatica_timer.cli import parse_args, run_command
from sciatica_timer.core.records import PainStopDetails, PainStopRecord, Reach, SessionStatus
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal.export import (
    PAIN_STOP_COLUMNS,
    SESSION_COLUMNS,
    save_folder,
    write_pain_stops,
    write_sessions,
)
from sciatica_timer.storage.journal.store import Journal


def _history(data: Path) -> None:
    """Two sessions, one with a pain stop and its follow-up, one with a name like a formula."""
    with Journal.open(data / "journal.sqlite3", Clock()) as journal:
        sid = journal.start_session("evening", 'Evening, "gentle"', 6, Reach.THIGH, True)
        stop = journal.record_pain_stop(
            PainStopRecord(sid, "evening", "piriformis", "Piriformis stretch", Side.LEFT,
                           PhaseKind.WORK, "Hold", 12.5, session_elapsed_s=80.25)
        )  # fmt: skip
        journal.add_pain_stop_details(stop, PainStopDetails(Reach.BELOW_KNEE, ("shooting",), 7))
        journal.record_after(sid, 4, Reach.BUTTOCK)
        done = journal.start_session("morning", "=SUM(1)")
        journal.finish_session(done, SessionStatus.COMPLETED, ["cat_cow"], ["bridge"], 600.04)


def test_command_line_writes_the_bytes_the_window_export_writes(tmp_path: Path) -> None:
    """--export-history FILE and '-' write byte for byte the sessions.csv that the history
    window's export (``save_folder``) writes."""
    data = tmp_path / "data"
    _history(data)
    with Journal.open(data / "journal.sqlite3") as journal:
        sessions, stops = save_folder(journal, tmp_path)
    assert (sessions.name, stops.name) == ("sessions.csv", "pain-stops.csv")
    out = tmp_path / "cli.csv"
    told = io.StringIO()
    assert (
        run_command(parse_args(["--data-dir", str(data), "--export-history", str(out)]), told) == 0
    )
    assert out.read_bytes() == sessions.read_bytes()
    piped = io.StringIO(newline="")
    assert run_command(parse_args(["--data-dir", str(data), "--export-history", "-"]), piped) == 0
    assert piped.getvalue().encode("utf-8") == sessions.read_bytes()


def test_export_rows_are_the_pinned_text(tmp_path: Path) -> None:
    """The column lists are the files' headers, and each row reads as before: enums as
    their stored text, blanks for unknowns, formula-like names neutralised."""
    _history(tmp_path)
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        sessions, stops = io.StringIO(newline=""), io.StringIO(newline="")
        assert (write_sessions(journal, sessions), write_pain_stops(journal, stops)) == (2, 1)
    assert sessions.getvalue().splitlines() == [
        ",".join(SESSION_COLUMNS),
        "1,2026-03-01T09:15:31+02:00,2026-03-01T09:15:32+02:00,evening,stopped_pain,piriformis,"
        'left,"Evening, ""gentle""",,,6,thigh,4,buttock,1,80.2',
        "2,2026-03-01T09:15:33+02:00,2026-03-01T09:15:34+02:00,morning,completed,,,'=SUM(1),"
        "cat_cow,bridge,,,,,,600.0",
    ]
    assert stops.getvalue().splitlines() == [
        ",".join(PAIN_STOP_COLUMNS),
        "1,2026-03-01T09:15:32+02:00,evening,piriformis,Piriformis stretch,left,work,Hold,12.5,"
        "below_knee,shooting,7",
    ]
