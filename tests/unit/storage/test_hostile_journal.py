"""Hostile journal files: tables that do not match their format, impossible versions, named
pipes, someone else's tables, killed migrations and a full disk.

Each is met with the real SQLite file. Whatever the journal cannot use is moved aside (never
deleted) with a notice saying where, and a new journal starts; nothing hangs (the runs that
could hang run in a subprocess with a timeout), and a pain stop made on a full disk is not
lost at exit.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from support.journal import Clock, opened, query
from support.platforms import POSIX

from sciatica_timer.app import AppContext
from sciatica_timer.core.records import PainStopDetails, PainStopRecord, Reach, SessionStatus
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal import schema as journal_schema
from sciatica_timer.storage.journal import writes
from sciatica_timer.storage.journal.reserve import RESERVE_SIZE
from sciatica_timer.storage.journal.store import Journal

ROOT = Path(__file__).resolve().parents[3]
V1_FIXTURE = ROOT / "tests" / "fixtures" / "journal" / "v1.sqlite3"
CURRENT = len(journal_schema.MIGRATIONS)
posix_only = pytest.mark.skipif(os.name != "posix", reason="pipes, locks and file-size limits")


def make_db(path: Path, sql: str, version: int) -> None:
    """A database file made by hand: ``sql``, then ``user_version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(sql)
        conn.execute(f"PRAGMA user_version = {version}")


def pain_stop(journal: Journal, session_id: int) -> int:
    return journal.record_pain_stop(
        PainStopRecord(session_id, "evening", "piriformis", "Piriformis stretch", Side.LEFT,
                       PhaseKind.WORK, "Hold", 12.5)
    )  # fmt: skip


def moved(path: Path) -> Path:
    """The one file the journal was moved to."""
    (target,) = path.parent.glob(f"{path.name}.corrupt-*[0-9]")
    return target


def assert_works_again(journal: Journal, path: Path) -> None:
    """The new journal saves a pain stop in the file at once."""
    session = journal.start_session("evening", "Evening stretches")
    pain_stop(journal, session)
    assert journal.writable, journal.notices
    assert query(path, "SELECT session_id, exercise_id FROM pain_stop") == [(session, "piriformis")]
    assert query(path, "SELECT status FROM session") == [("stopped_pain",)]


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Python in a subprocess, the repository importable; a run longer than ``timeout``
    (a hang) fails the test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


RECORD = """
    import json, sys
    from pathlib import Path
    from sciatica_timer.core.records import PainStopRecord
    from sciatica_timer.core.timeline import PhaseKind, Side
    from sciatica_timer.storage.journal.store import Journal
    with Journal.open(Path(sys.argv[1])) as journal:
        session = journal.start_session("evening", "Evening stretches")
        journal.record_pain_stop(PainStopRecord(session, "evening", "piriformis", None, Side.LEFT,
                                                PhaseKind.WORK, "Hold", 3))
        print(json.dumps({"writable": journal.writable, "notices": journal.notices}))
"""


# --- 1, 2: a file whose tables or version are not what it says --------------------------

M = journal_schema.MIGRATIONS


@pytest.mark.parametrize(
    ("sql", "version"),
    [
        pytest.param("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);", 2, id="v2-no-tables"),
        pytest.param("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);", CURRENT,
                     id="current-no-tables"),
        pytest.param(M[0], 2, id="v2-missing-columns"),
        pytest.param(M[0] + M[1], CURRENT, id="current-missing-a-column"),
    ],
)  # fmt: skip
def test_tables_that_do_not_match_the_version_are_moved_aside(
    path: Path, sql: str, version: int
) -> None:
    """A file that says it is format 2 (or the current format) but lacks the tables or
    columns that format has is moved aside whole, with a notice saying where, and a new
    journal takes pain stops at once (before, it was memory only, or reading failed with
    'no such table' from the in-memory copy)."""
    make_db(path, sql, version)
    before = path.read_bytes()
    with opened(path) as journal:
        target = moved(path)
        assert target.read_bytes() == before
        assert any(str(target) in n and "damaged" in n for n in journal.notices), journal.notices
        assert journal.sessions() == [] and journal.pain_stops() == []
        assert_works_again(journal, path)
    assert query(path, "PRAGMA user_version") == [(CURRENT,)]


@pytest.mark.parametrize("version", [-5, -1])
def test_a_negative_version_is_damage(path: Path, version: int) -> None:
    """A negative format number (which no version writes) is damage: the file is moved
    aside and a new journal started (before, opening raised IndexError)."""
    make_db(path, M[0], version)
    with opened(path) as journal:
        target = moved(path)
        assert query(target, "PRAGMA user_version") == [(version,)]
        assert any(str(target) in n and str(version) in n for n in journal.notices)
        assert_works_again(journal, path)


# --- 3: named pipes and sockets -----------------------------------------------------------


@posix_only
@pytest.mark.parametrize("kind", ["pipe", "socket"])
def test_a_pipe_or_socket_at_the_journal_path_is_moved_aside(path: Path, kind: str) -> None:
    """A named pipe (opening it waited forever) or a socket where the journal belongs is
    renamed out of the way, never opened, and a new journal saves the pain stop."""
    path.parent.mkdir()
    os.mknod(path, (stat.S_IFIFO if kind == "pipe" else stat.S_IFSOCK) | 0o600)
    run = run_python(RECORD, str(path))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    target = moved(path)
    is_kind = stat.S_ISFIFO if kind == "pipe" else stat.S_ISSOCK
    assert is_kind(os.lstat(target).st_mode)
    assert result["writable"] and any(str(target) in n for n in result["notices"])
    assert stat.S_ISREG(os.lstat(path).st_mode)
    assert query(path, "SELECT exercise_id FROM pain_stop") == [("piriformis",)]


@posix_only
@pytest.mark.parametrize("side", ["-wal", "-shm", ".reserve"])
def test_a_pipe_beside_the_journal_is_moved_aside(path: Path, side: str) -> None:
    """A named pipe where SQLite's -wal or -shm (or the journal's reserve) belongs is moved
    aside; the journal beside it keeps its sessions and saves the new ones (before, SQLite
    failed with 'disk I/O error' and sessions stayed in memory)."""
    with opened(path) as journal:
        journal.start_session("morning", "Morning routine")
    odd = path.with_name(path.name + side)
    if odd.exists():
        odd.unlink()
    os.mkfifo(odd)
    run = run_python(RECORD, str(path))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["writable"], result["notices"]
    assert not any("cannot be saved" in n for n in result["notices"]), result["notices"]
    (aside,) = [p for p in path.parent.iterdir() if stat.S_ISFIFO(os.lstat(p).st_mode)]
    assert aside != odd and any(str(aside) in n for n in result["notices"])
    assert query(path, "SELECT routine_id FROM session ORDER BY session_id") == [
        ("morning",), ("evening",),
    ]  # fmt: skip


# --- 4: someone else's tables; one backup per migration ---------------------------------


@pytest.mark.parametrize(
    ("sql", "version"),
    [
        pytest.param("CREATE TABLE session (id TEXT PRIMARY KEY, token TEXT);"
                     "INSERT INTO session VALUES ('abc', 'secret');", 0, id="another-apps-session"),
        pytest.param("".join(M) + "DROP TABLE session; CREATE TABLE session (id TEXT);",
                     CURRENT, id="session-with-other-columns"),
        pytest.param("".join(M) + "CREATE TRIGGER no_stops BEFORE INSERT ON pain_stop "
                     "BEGIN SELECT RAISE(ABORT, 'no'); END;", CURRENT, id="trigger-on-pain-stop"),
    ],
)  # fmt: skip
def test_someone_elses_tables_are_moved_aside_at_open(path: Path, sql: str, version: int) -> None:
    """A session table made by another program (other columns, at format 0 or the current
    one), or a trigger on the journal's tables, is found at open: the file is moved aside
    and a new journal saves every call, with no backup copies (before: memory only, and a
    full .bak copy on every journal call)."""
    make_db(path, sql, version)
    with opened(path) as journal:
        target = moved(path)
        assert any(str(target) in n for n in journal.notices), journal.notices
        for _ in range(8):
            assert journal.sessions() == [] and journal.flush()
        assert_works_again(journal, path)
    assert list(path.parent.glob("*.bak*")) == []


def test_a_migration_that_fails_is_backed_up_once(path: Path) -> None:
    """A migration that fails after its backup (another program holds the write lock)
    is retried on every call without a new copy each time: one .bak, then the migration
    goes through once the lock is released."""
    make_db(path, "PRAGMA journal_mode = WAL;" + M[0] + M[1], 2)
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with opened(path, busy_timeout_s=0.01) as journal:
            for _ in range(8):
                journal.start_session("r", "R")
            assert not journal.writable
            assert len(list(path.parent.glob("journal.sqlite3.v2-*.bak"))) == 1
            other.execute("ROLLBACK")
            assert journal.flush() and journal.writable
            assert len(journal.sessions()) == 8
    (backup,) = path.parent.glob("*.bak*")
    assert query(backup, "PRAGMA user_version") == [(2,)]
    assert query(path, "PRAGMA user_version") == [(CURRENT,)]


# --- 5: backups appear only when complete -------------------------------------------------

KILLED_MIGRATION = """
    import resource, signal, sys
    from pathlib import Path
    from sciatica_timer.storage.journal.store import Journal
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; the default kills
    limit = int(sys.argv[2])  # a write past it kills the process (SIGXFSZ), mid-backup
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    Journal.open(Path(sys.argv[1]))
"""


@posix_only
def test_a_killed_migration_leaves_no_incomplete_backup(path: Path) -> None:
    """A migration killed while it copies the journal (by the kernel: a file-size limit
    that the copy crosses) leaves a .bak.partial, never a .bak; the next open removes the
    partial copy, makes a complete one and migrates."""
    rows = "".join(
        f"INSERT INTO session (started_at, routine_id, routine_name, status) VALUES "
        f"('2026-01-01T08:00:00', 'r{n}', '{'a long routine name ' * 20}', 'completed');"
        for n in range(3000)
    )
    make_db(path, M[0] + M[1] + rows, 2)
    size = path.stat().st_size
    assert size > 16 * RESERVE_SIZE
    run = run_python(KILLED_MIGRATION, str(path), str(4 * RESERVE_SIZE))
    assert run.returncode == -signal.SIGXFSZ, run.stderr
    assert list(path.parent.glob("*.bak")) == []
    (partial,) = path.parent.glob("journal.sqlite3.v2-*.bak.partial")
    assert partial.stat().st_size < size
    with opened(path) as journal:
        assert len(journal.sessions()) == 3000
        (backup,) = path.parent.glob("journal.sqlite3.v2-*.bak")
        assert any(str(backup) in n for n in journal.notices)
    assert not partial.exists() and list(path.parent.glob("*.partial*")) == []
    assert query(backup, "SELECT count(*) FROM session") == [(3000,)]
    assert query(backup, "PRAGMA integrity_check") == [("ok",)]


@posix_only
def test_a_partial_backup_being_written_is_left_alone(path: Path) -> None:
    """A .bak.partial that a live process is still writing (it holds the file's lock) is
    not removed by another open; once no one holds it, it is."""
    import fcntl

    with opened(path):
        pass
    partial = path.with_name("journal.sqlite3.v1-20260301-091531.bak.partial")
    partial.write_bytes(b"half a copy")
    not_ours = path.with_name("journal.sqlite3.mine.bak.partial")
    not_ours.write_bytes(b"the user's")
    with partial.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with opened(path):
            assert partial.exists()
    with opened(path):
        assert not partial.exists()
    assert not_ours.read_bytes() == b"the user's"


# --- 6: a full disk -----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs (root only, where mounting works; skipped otherwise)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if sys.platform != "linux":
        pytest.skip("mounting a small tmpfs: Linux only")
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)]
    done = subprocess.run(mount, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True, timeout=30)


def fill(disk: Path) -> None:
    """Use up every free byte of the disk (again: the journal frees SQLite's -wal when it
    drops its connection after a failed write)."""
    n = len(list(disk.glob("filler-*")))
    with open(disk / f"filler-{n}", "wb", buffering=0) as filler:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    filler.write(bytes(chunk))
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    with pytest.raises(OSError):
        (disk / "probe").write_bytes(b"x" * 4096)


def free(disk: Path) -> None:
    for filler in disk.glob("filler-*"):
        filler.unlink()
    (disk / "probe").unlink(missing_ok=True)


def test_entries_made_on_a_full_disk_survive_the_exit(small_disk: Path) -> None:
    """On a real full disk (tmpfs), a session, its pain stop, the follow-up, its end and the
    pain after are kept in memory and in the reserve made at open; the notices say where,
    the exit notice too. At the next open, once there is room, all of it lands in the journal
    and the reserve is emptied."""
    path = small_disk / "data" / "journal.sqlite3"
    reserve = path.with_name("journal.sqlite3.reserve")
    with opened(path) as journal:
        earlier = journal.start_session("morning", "Morning routine")
        assert journal.writable and reserve.stat().st_size == RESERVE_SIZE
        fill(small_disk)
        session = journal.start_session("evening", "Evening stretches", 6, Reach.THIGH, True)
        assert session < 0 and not journal.writable
        assert "cannot be saved" in journal.notices[0] and str(reserve) in journal.notices[0]
        stop: list[int] = []
        details = PainStopDetails(Reach.BELOW_KNEE, ("shooting",), 7)
        for record in (
            lambda: stop.append(pain_stop(journal, session)),
            lambda: journal.add_pain_stop_details(stop[0], details),
            lambda: journal.finish_session(session, SessionStatus.ENDED_EARLY, ["cat_cow"]),
            lambda: journal.record_after(session, 4, Reach.BUTTOCK),
        ):
            fill(small_disk)
            record()
        assert journal.sessions()[0].status is SessionStatus.STOPPED_PAIN
    assert str(reserve) in journal.notices[-1] and "5 journal entries" in journal.notices[-1]
    assert query(path, "SELECT count(*) FROM pain_stop") == [(0,)]
    free(small_disk)
    with opened(path) as journal:
        assert any("5 journal entries" in n and str(reserve) in n for n in journal.notices)
        assert journal.writable
        row, first = journal.sessions()
        (stop,) = journal.pain_stops()
        assert [r.session_id for r in journal.mark_interrupted()] == [earlier]
    assert first.session_id == earlier and row.session_id > earlier
    assert (row.status, row.stopped_exercise, row.completed) == (
        SessionStatus.STOPPED_PAIN, "piriformis", ("cat_cow",))  # fmt: skip
    assert (row.pain_before, row.reach_before, row.flare, row.pain_after, row.reach_after) == (
        6, "thigh", True, 4, "buttock")  # fmt: skip
    assert (stop.session_id, stop.radiated_to, stop.qualities, stop.intensity) == (
        row.session_id, "below_knee", ("shooting",), 7)  # fmt: skip
    assert reserve.read_bytes() == bytes(RESERVE_SIZE)


KILLED_ON_A_FULL_DISK = """
    import os, sys
    from pathlib import Path
    from sciatica_timer.core.records import PainStopRecord
    from sciatica_timer.core.timeline import PhaseKind, Side
    from sciatica_timer.storage.journal.store import Journal
    disk = Path(sys.argv[1])
    journal = Journal.open(disk / "data" / "journal.sqlite3")
    session = journal.start_session("evening", "Evening stretches")
    with open(disk / "filler-0", "wb", buffering=0) as filler:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    filler.write(bytes(chunk))
            except OSError:
                pass
    journal.record_pain_stop(PainStopRecord(session, "evening", "piriformis", None, Side.LEFT,
                                            PhaseKind.WORK, "Hold", 3))
    assert not journal.writable
    os._exit(0)
"""


def test_a_pain_stop_on_a_full_disk_survives_the_process_dying(small_disk: Path) -> None:
    """A process killed right after a pain stop it could not save (a real full disk) has it
    in the reserve; the next open saves it, once, even if the reserve is replayed again (as
    when the app died between saving it and emptying the reserve)."""
    path = small_disk / "data" / "journal.sqlite3"
    reserve = path.with_name("journal.sqlite3.reserve")
    run = run_python(KILLED_ON_A_FULL_DISK, str(small_disk))
    assert run.returncode == 0, run.stderr
    kept = reserve.read_bytes()
    assert b"piriformis" in kept and len(kept) == RESERVE_SIZE
    free(small_disk)
    for _ in range(2):
        with opened(path) as journal:
            (row,) = journal.sessions()
            assert row.status is SessionStatus.STOPPED_PAIN and journal.writable
        assert query(path, "SELECT exercise_id, side FROM pain_stop") == [("piriformis", "left")]
        reserve.write_bytes(kept)  # as if saved, then killed before the reserve was emptied


def test_a_reserve_with_garbage_is_moved_aside_and_its_entries_kept(path: Path) -> None:
    """A reserve holding lines that are not journal entries (or entries of the wrong types)
    is moved aside with a notice; the entries it did hold are still saved."""
    with opened(path):
        pass
    good = writes.to_line(writes.Start(-1, "2026-03-01T09:00:00+02:00", "r", "R"))
    bad = [b"not json", b'{"kind":"start","session_id":"x"}', b"[" * 5000, b'{"kind":"nuke"}']
    reserve = path.with_name("journal.sqlite3.reserve")
    reserve.write_bytes(b"\n".join([good, *bad, b"partial line"]))
    with opened(path) as journal:
        assert [r.routine_id for r in journal.sessions()] == ["r"] and journal.writable
        (aside,) = path.parent.glob("journal.sqlite3.reserve.corrupt-*")
        assert any(str(aside) in n for n in journal.notices), journal.notices
    assert aside.read_bytes().startswith(good) and reserve.read_bytes() == bytes(RESERVE_SIZE)
    assert not POSIX or stat.S_IMODE(reserve.stat().st_mode) == 0o600


OLD_RESERVE = [
    b'{"session_id":-1,"started_at":"2026-03-01T09:00:00+02:00","routine_id":"r",'
    b'"routine_name":"R","pain_before":null,"reach_before":null,"flare":null,"kind":"start"}',
    b'{"session_id":-1,"at":"2026-03-01T09:05:00+02:00","routine_id":"r","exercise_id":"x",'
    b'"exercise_name":"X","side":"left","phase_kind":"work","phase_label":"Roll",'
    b'"seconds_into":3.0,"radiated_to":null,"qualities":[],"intensity":null,'
    b'"session_elapsed_s":300.0,"kind":"pain_stop"}',
    b'{"session_id":-1,"radiated_to":"thigh","qualities":["shooting"],"intensity":5,'
    b'"kind":"stop_details"}',
]
"""A session, its pain stop and the follow-up as the version before stop ids kept them."""


def test_a_reserve_kept_before_stop_ids_is_replayed(path: Path) -> None:
    """Entries an earlier version kept in the reserve (a pain stop without an id, its
    follow-up naming only the session) land in the journal as that version meant: the
    follow-up on the session's latest stop."""
    with opened(path):
        pass
    path.with_name("journal.sqlite3.reserve").write_bytes(b"\n".join([*OLD_RESERVE, b""]))
    with opened(path) as journal:
        assert journal.writable and not any("moved" in n for n in journal.notices)
        (row,) = journal.sessions()
        (stop,) = journal.pain_stops()
    assert (row.status, row.stopped_side, row.elapsed_s) == (
        SessionStatus.STOPPED_PAIN, Side.LEFT, 300.0)  # fmt: skip
    assert (stop.session_id, stop.side, stop.phase_kind) == (row.session_id, Side.LEFT,
                                                             PhaseKind.WORK)  # fmt: skip
    assert (stop.radiated_to, stop.qualities, stop.intensity) == (Reach.THIGH, ("shooting",), 5)


def test_the_exit_notice_reaches_the_terminal(tmp_path: Path, capsys: Any) -> None:
    """When entries are still unsaved as the app closes, the notice (where they are kept)
    is printed on the terminal: the window that showed notices is gone by then."""
    path = tmp_path / "data" / "journal.sqlite3"
    path.mkdir(parents=True)  # a folder where the journal belongs: nothing can be saved
    journal = Journal.open(path, Clock())
    pain_stop(journal, journal.start_session("evening", "Evening stretches"))
    parts = SimpleNamespace(shutdown=lambda: None)
    ctx = AppContext(*cast(Any, [None, None, None, journal, None, parts, None, parts, None]))
    ctx.close()
    err = capsys.readouterr().err
    assert "2 journal entries could not be saved" in err
    assert str(path.with_name("journal.sqlite3.reserve")) in err
