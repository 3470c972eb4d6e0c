"""One start-up path: the routines are read once, the routine to select is resolved once,
and a settings change that is not about speech leaves the voice alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from support.processes import run_python

from sciatica_timer.app import AppContext

START_WITH_A_ROUTINE = (
    "import json, sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QTimer\n"
    "import sciatica_timer.app as app_module\n"
    "from sciatica_timer.ui.screens.main_window import MainWindow\n"
    "reads = []\n"
    "real = app_module.load_library\n"
    "def counted(path, *args, **kwargs):\n"
    "    reads.append(str(path))\n"
    "    return real(path, *args, **kwargs)\n"
    "app_module.load_library = counted\n"
    "def look():\n"
    "    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]\n"
    "    if not windows or 'checkin' not in windows[0].__dict__:\n"
    "        QTimer.singleShot(50, look); return\n"
    "    window = windows[0]\n"
    "    print(json.dumps({'reads': reads, 'selected': window.home.selected_routine(),\n"
    "                      'asked_for': window._pending_routine}))\n"
    "    app.quit()\n"
    "QTimer.singleShot(0, look)\n"
    "sys.exit(app_module.main(['--data-dir', sys.argv[1], '--routine', sys.argv[2],\n"
    "                          '--start', '--no-voice']))\n"
)


@pytest.mark.parametrize("routine", ["gentle-flare-up", "stretch-and-strengthen"])
def test_a_routine_from_the_command_line_is_read_once_and_started(
    tmp_path: Path, routine: str
) -> None:
    """--routine X --start: the bundled file is read once, X is selected and X is asked for."""
    run = run_python(START_WITH_A_ROUTINE, str(tmp_path), routine)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(seen["reads"]) == 1 and seen["reads"][0].endswith("exercises.json"), seen
    assert seen["selected"] == routine
    assert seen["asked_for"] == routine


def test_the_last_routine_used_is_selected_when_none_is_asked_for(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """With no --routine, the window opens on the routine used last (resolved in one place)."""
    ctx.window.change_settings(last_routine="gentle-flare-up")
    ctx.load_library()
    assert ctx.routine == "gentle-flare-up"
    assert ctx.window.home.selected_routine() == "gentle-flare-up"
    ctx.window.change_settings(last_routine="no-such-routine")
    ctx.load_library()
    assert ctx.routine == next(iter(ctx.library.routines))


def test_saving_a_routine_choice_does_not_reconfigure_the_voice(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a change to the speech settings reaches the voice; other settings do not."""
    applied: list[object] = []
    monkeypatch.setattr(ctx.voice, "apply", applied.append)
    ctx.window.change_settings(last_routine="gentle-flare-up")
    assert applied == []
    ctx.window.change_settings(rate=ctx.settings.rate + 10)
    assert len(applied) == 1
    saved = json.loads(ctx.paths.settings.read_text())
    assert saved["last_routine"] == "gentle-flare-up"


def test_the_quiet_qt_notes_are_the_ones_the_tests_ignore() -> None:
    """The app logs quietly exactly the Qt notes pytest is told to ignore (one list)."""
    import tomllib

    from sciatica_timer.ui.audio.player_client import NO_DEVICE_QT_WARNINGS, expected_qt_message

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["pytest"]["ini_options"]["qt_log_ignore"] == list(NO_DEVICE_QT_WARNINGS)
    assert expected_qt_message("Couldn't load pipewire-0.3 library")
    assert expected_qt_message("PulseAudioService: pa_context_connect() failed")
    assert not expected_qt_message("QPainter::begin: Paint device returned engine == 0")
