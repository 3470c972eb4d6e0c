"""Opening a routine file with the app (``sciatica-timer FILE``, as the desktop does): the
window opens with the import dialog for it; with a window already open for the data
folder, that window is handed the file. Real apps, in real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from support.processes import ROOT, end_process

FIXTURES = ROOT / "tests" / "fixtures" / "import_dialog"
INVALID = FIXTURES / "09-unknown-exercise.json"
VALID = FIXTURES / "valid-prescription.json"

APP = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QObject, QTimer\n"
    "from sciatica_timer.app import main\n"
    "from sciatica_timer.ui.screens.import_dialog import ImportDialog\n"
    "said = []\n"
    "def dialog():\n"
    "    found = [w for w in app.topLevelWidgets() if isinstance(w, ImportDialog)]\n"
    "    if not found or not found[0].isVisible():\n"
    "        QTimer.singleShot(20, dialog); return\n"
    "    d = found[0]\n"
    "    print('dialog', d.windowTitle(), flush=True)\n"
    "    for line in d.problem_lines() or ['clashes: ' + ','.join(d.clashes())]:\n"
    "        print(line, flush=True)\n"
    "    print('end', flush=True)\n"
    "    app.quit()\n"
    "def hook():\n"
    "    instance = app.findChild(QObject, 'singleInstance')\n"
    "    if instance is None or not instance.listening:\n"
    "        QTimer.singleShot(20, hook); return\n"
    "    print('up', flush=True)\n"
    "    dialog()\n"
    "QTimer.singleShot(0, hook)\n"
    "sys.exit(main(['--data-dir', *sys.argv[1:], '--no-voice']))\n"
)
"""The real app; says 'up' once it listens, then the import dialog's lines once it shows."""


def _start(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", APP, *args],
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


def _dialog_lines(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "dialog Import routines"
    lines = []
    while (line := proc.stdout.readline().rstrip("\n")) != "end":
        assert line or proc.poll() is None, "the app ended before the dialog showed"
        lines.append(line)
    return lines


def _check(path: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--check", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout.splitlines()


def test_opening_a_file_with_the_app_shows_its_import_dialog(tmp_path: Path) -> None:
    """The file named as given, its problems exactly the --check lines."""
    relative = os.path.relpath(INVALID, ROOT)
    app = _start(str(tmp_path), relative)
    try:
        assert _dialog_lines(app) == _check(relative)
        assert app.wait(timeout=60) == 0
    finally:
        end_process(app)
    assert not (tmp_path / "library.json").exists()  # nothing imported without the user


def test_a_file_opened_while_the_window_runs_is_handed_to_that_window(tmp_path: Path) -> None:
    first = _start(str(tmp_path))
    try:
        second = subprocess.run(
            [sys.executable, "-m", "sciatica_timer", "--data-dir", str(tmp_path), str(VALID)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr
        assert f"asked to import {VALID}" in second.stderr
        assert _dialog_lines(first) == ["clashes: "]  # the valid file's plan, nothing taken
        assert first.wait(timeout=60) == 0
    finally:
        end_process(first)
