"""Fault injection: the real app killed and suspended mid-session (issue 11's own suite).

Each case runs the real window in a fresh process, with a session running on the real
monotonic clock, and does to it what a hostile world would.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

from support.processes import ROOT, end_process

SESSION = (
    "import sys, time\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QTimer\n"
    "from sciatica_timer.app import build\n"
    "from sciatica_timer.cli import parse_args\n"
    "ctx = build(parse_args(['--data-dir', sys.argv[1], '--no-voice']))\n"
    "ctx.window.show()\n"
    "ctx.window.start_routine('sciatica-foam-roll')\n"
    "ctx.controller.skip()\n"  # into the first roll, so a stop has an exercise
    "if len(sys.argv) > 2:\n"
    "    QTimer.singleShot(int(sys.argv[2]), ctx.controller.pain_stop)\n"
    "def report():\n"
    "    snap = ctx.controller.snapshot()\n"
    "    print(f'{time.monotonic():.3f} {snap.remaining_ns if snap else -1}', flush=True)\n"
    "timer = QTimer(); timer.timeout.connect(report); timer.start(100)\n"
    "print('running', flush=True)\n"
    "app.exec()\n"
)
"""A session started at once; prints the monotonic time and the countdown every 100 ms.
With a second argument, presses the pain stop that many milliseconds in."""


def _launch(folder: Path, *extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SESSION, str(folder), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killer = threading.Timer(120, proc.kill)  # a hang fails the test, never blocks it
    killer.daemon = True
    killer.start()
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "running", proc.stderr.read() if proc.stderr else ""
    return proc


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def test_twenty_random_kills_mid_session_leave_a_sound_journal(tmp_path: Path) -> None:
    """SIGKILL at a random moment of a session, twenty times, some right after a pain
    stop: the journal passes integrity_check every time, every pain stop pressed before
    the kill is on disk, and the next start reports the killed sessions as interrupted."""
    rng = random.Random(11)
    journal = tmp_path / "journal.sqlite3"
    stops_pressed = 0
    for i in range(20):
        stop_at = rng.choice([None, 50, 150]) if i % 2 else None
        proc = _launch(tmp_path, *([str(stop_at)] if stop_at else []))
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 8)):  # 0.1 to 0.8 s of session on the real clock
            proc.stdout.readline()
        if stop_at is not None:  # the stop is due by now: wait for it to show, then kill
            while _rows(journal, "select count(*) from pain_stop")[0][0] <= stops_pressed:
                assert proc.stdout.readline(), "the app died before its pain stop"
            stops_pressed += 1
        proc.send_signal(signal.SIGKILL)
        end_process(proc)
        assert _rows(journal, "PRAGMA integrity_check") == [("ok",)], f"kill {i + 1}"
    assert _rows(journal, "select count(*) from pain_stop") == [(stops_pressed,)]
    statuses = dict(_rows(journal, "select status, count(*) from session group by status"))
    assert sum(statuses.values()) == 20
    assert statuses.get("stopped_pain", 0) == stops_pressed
    run = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--data-dir", str(tmp_path),
         "--export-history", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0 and ",running," not in run.stdout
    assert run.stdout.count(",interrupted,") == 20 - stops_pressed


def test_a_suspended_app_catches_up_exactly_on_resume(tmp_path: Path) -> None:
    """SIGSTOP for a second and a half, then SIGCONT: the countdown is a deadline on the
    monotonic clock, so right after resuming it shows the true time left, not the time
    left when it was frozen."""
    proc = _launch(tmp_path)
    assert proc.stdout is not None
    try:
        first_at, first_left = map(float, proc.stdout.readline().split())
        proc.send_signal(signal.SIGSTOP)
        threading.Event().wait(1.5)  # the suspension itself is what is under test
        proc.send_signal(signal.SIGCONT)
        for _ in range(5):  # a report or two may have been queued before the stop
            at, left = map(float, proc.stdout.readline().split())
            if at - first_at > 1.4:
                break
        elapsed_ns = (at - first_at) * 1e9
        assert abs((first_left - left) - elapsed_ns) < 0.25e9, (first_left, left, elapsed_ns)
    finally:
        end_process(proc)
    assert os.path.exists(tmp_path / "journal.sqlite3")


LIBFAKETIME = next(
    (
        p
        for p in (
            Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/faketime/libfaketime.so.1"),
        )
        if p.exists()
    ),
    None,
)

ENDS_ON_REQUEST = (
    "import sys\n"
    "from pathlib import Path\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QTimer\n"
    "from sciatica_timer.app import build\n"
    "from sciatica_timer.cli import parse_args\n"
    "ctx = build(parse_args(['--data-dir', sys.argv[1], '--no-voice']))\n"
    "ctx.window.start_routine('sciatica-foam-roll')\n"
    "flag = Path(sys.argv[2])\n"
    "def poll():\n"
    "    if flag.exists():\n"
    "        ctx.controller.end(); ctx.close(); app.quit()\n"
    "timer = QTimer(); timer.timeout.connect(poll); timer.start(20)\n"
    "print('running', flush=True)\n"
    "app.exec()\n"
)


def test_wall_clock_set_back_mid_session_changes_no_length_or_order(tmp_path: Path) -> None:
    """Under libfaketime the wall clock jumps back an hour mid-session: the session's
    length is still its true length (the monotonic clock), and the next session is still
    listed after it. Needs Debian's faketime (installed by .ci/run)."""
    assert LIBFAKETIME is not None, "install Debian's faketime package (see .ci/run)"
    offset = tmp_path / "offset"
    offset.write_text("+0\n")
    env = {
        **os.environ,
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME_TIMESTAMP_FILE": str(offset),
        "FAKETIME_NO_CACHE": "1",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    data = tmp_path / "data"
    lengths = []
    for n, jump in enumerate(("-1h", "-2h")):
        flag = tmp_path / f"end-{n}"
        with subprocess.Popen(
            [sys.executable, "-c", ENDS_ON_REQUEST, str(data), str(flag)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) as proc:  # fmt: skip
            assert proc.stdout is not None and proc.stderr is not None
            assert proc.stdout.readline().strip() == "running", proc.stderr.read()
            started = _monotonic_now()
            offset.write_text(f"{jump}\n")  # the clock is set back (further each time)
            flag.touch()
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
            lengths.append(_monotonic_now() - started)
    rows = _rows(data / "journal.sqlite3", "select session_id, started_at, elapsed_s from session")
    assert [r[0] for r in rows] == [1, 2]
    assert str(rows[1][1]) < str(rows[0][1]), "the second session's clock text is earlier"
    for (_, _, elapsed), upper in zip(rows, lengths, strict=True):
        assert elapsed is not None and 0 <= float(str(elapsed)) <= upper + 1
    run = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--data-dir", str(data), "--export-history", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = run.stdout.splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["1", "2"], "oldest first, by when written"


def _monotonic_now() -> float:
    import time

    return time.monotonic()


READ_ONLY_SESSION = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from sciatica_timer.app import build\n"
    "from sciatica_timer.cli import parse_args\n"
    "ctx = build(parse_args(['--data-dir', sys.argv[1], '--no-voice']))\n"
    "ctx.window.start_routine('sciatica-foam-roll')\n"
    "ctx.controller.skip()\n"
    "ctx.controller.pain_stop()\n"
    "print(len(ctx.journal.pain_stops()), ctx.controller.engine.state.value)\n"
    "print('|'.join(ctx.window.banner.messages()))\n"
    "ctx.close()\n"
)


def _read_only_folder(tmp_path: Path) -> tuple[Path, bool]:
    """A read-only tmpfs mount where the machine allows it (root), else the nearest real
    fault: a data folder whose path runs through a regular file, which nothing can create."""
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if done.returncode == 0:
        return mount / "data", True
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "data", False


def test_a_read_only_data_folder_still_runs_and_stops(tmp_path: Path) -> None:
    """With a data folder that cannot be written, the window opens, a session runs, the
    pain stop stops it and is kept (in memory), and the window names the folder."""
    folder, mounted = _read_only_folder(tmp_path)
    try:
        run = subprocess.run(
            [sys.executable, "-c", READ_ONLY_SESSION, str(folder)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        if mounted:
            subprocess.run(["umount", str(folder.parent)], timeout=30, check=False)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    counts, notices = run.stdout.splitlines()[:2]
    assert counts == "1 stopped_pain"
    assert "cannot be saved" in notices and str(folder.parent) in notices
