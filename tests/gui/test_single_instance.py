"""One window per data folder (issue 11, item 13): a second start brings the first to the
front instead of marking its running session 'interrupted'. Real apps, in real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from support.processes import ROOT, end_process

FIRST = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QObject, QTimer\n"
    "from sciatica_timer.app import main\n"
    "def hook():\n"
    "    instance = app.findChild(QObject, 'singleInstance')\n"
    "    if instance is None or not instance.listening:\n"
    "        QTimer.singleShot(20, hook); return\n"
    "    instance.activated.connect(lambda: (print('raised', flush=True), app.quit()))\n"
    "    if len(sys.argv) > 2:  # a session running, as on the mat\n"
    "        from sciatica_timer.ui.screens.main_window import MainWindow\n"
    "        (window,) = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]\n"
    "        if not window.library.routines:\n"
    "            QTimer.singleShot(20, hook); return\n"
    "        window.start_routine(sys.argv[2])\n"
    "    print('up', flush=True)\n"
    "QTimer.singleShot(0, hook)\n"
    "sys.exit(main(['--data-dir', sys.argv[1], '--no-voice']))\n"
)
"""The real app; says 'up' once it holds the folder, 'raised' when asked to come forward."""


def _start_first(folder: Path, routine: str | None = None) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", FIRST, str(folder), *([routine] if routine else [])],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    watchdog = threading.Timer(120, proc.kill)  # a hang fails the test instead of blocking it
    watchdog.daemon = True
    watchdog.start()
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "up", proc.stderr.read() if proc.stderr else ""
    return proc


def _second(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--data-dir", str(folder), "--no-voice"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_second_start_brings_the_first_forward_and_exits(tmp_path: Path) -> None:
    """The second start exits at once saying the app is open; the first is asked forward."""
    first = _start_first(tmp_path)
    try:
        second = _second(tmp_path)
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stderr
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "raised"
        assert first.wait(timeout=60) == 0
    finally:
        end_process(first)


def test_a_killed_window_does_not_keep_the_folder_locked(tmp_path: Path) -> None:
    """After the first window is killed (no clean exit), the next start gets the folder."""
    first = _start_first(tmp_path)
    first.send_signal(signal.SIGKILL)
    end_process(first)
    end_process(_start_first(tmp_path))


def _export(folder: Path) -> str:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sciatica_timer",
            "--data-dir",
            str(folder),
            "--export-history",
            "-",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_export_sees_a_killed_session_as_interrupted_but_not_a_live_one(tmp_path: Path) -> None:
    """While the window runs its session, --export-history says 'running'; once the window
    was killed, any reader sees the session as 'interrupted' (issue 11, item 14)."""
    first = _start_first(tmp_path, "gentle-flare-up")
    try:
        assert ",running," in _export(tmp_path)
    finally:
        first.send_signal(signal.SIGKILL)
        end_process(first)
    exported = _export(tmp_path)
    assert ",interrupted," in exported and ",running," not in exported
