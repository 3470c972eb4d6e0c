"""The voice as the real window drives it: the right words at the right seconds."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from support.processes import run_python
from support.sound_server import SoundServer

from sciatica_timer.app import build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import NS_PER_S, FakeClock
from sciatica_timer.core.timeline import STOP_RULE

ROOT = Path(__file__).resolve().parents[2]
THREE_SECONDS_OF_THE_APP = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QTimer; QTimer.singleShot(3000, app.quit)\n"
    "from sciatica_timer.app import main\n"
    "from sciatica_timer.storage.paths import AppPaths\n"
    "from sciatica_timer.storage.settings import Settings, save_settings\n"
    "import datetime, pathlib\n"
    "today = datetime.date.today().isoformat()\n"
    "save_settings(AppPaths.under(pathlib.Path(sys.argv[1])).settings,\n"
    "              Settings(disclaimer_accepted=True, red_flags_clear_on=today))\n"
    "args = ['--data-dir', sys.argv[1], '--routine', 'sciatica-foam-roll', '--start']\n"
    "sys.exit(main(args))\n"
)
"""The real app (``main``), a session started at once, closed after three seconds (the
disclaimer accepted and today's safety questions answered before, as ``--start`` asks
them otherwise)."""


def test_window_session_asks_for_side_aware_cues_on_time(
    qtbot: QtBot, tmp_path: Path, short_path: Path
) -> None:
    """Each cue is asked for on the second it is due, naming the side."""
    clock = FakeClock()
    args = ["--data-dir", str(tmp_path), "--exercises", str(short_path), "--routine", "short"]
    ctx = build(parse_args(args), clock=clock)
    qtbot.addWidget(ctx.window)
    assert ctx.voice is not None
    heard: list[tuple[float, str]] = []
    start = clock.now_ns()
    ctx.voice.cue_requested.connect(
        lambda text: heard.append(((clock.now_ns() - start) / NS_PER_S, text))
    )
    ctx.window.start_routine("short")
    for _ in range(40):
        clock.advance(1)
        ctx.controller.refresh()
        ctx.controller.answer_check(pain_left=False)  # the strengthening check, at once
    said = dict((text, at) for at, text in reversed(heard))
    assert said["Get ready. First: Short roll, left side. " + STOP_RULE] == 0
    assert said["Short roll, left side, 4 seconds"] == 2
    assert said["Switch sides"] == 6
    assert said["Short roll, right side, 4 seconds"] == 7
    assert said["Session complete"] == ctx.controller.engine.timeline.total_s  # type: ignore[union-attr]
    ctx.close()


def test_voice_notice_reaches_the_window_once(tmp_path: Path) -> None:
    """With no sound output at all (no sound server), the window shows one plain notice,
    and the session runs on."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.app import build\n"
        "from sciatica_timer.cli import parse_args\n"
        "from sciatica_timer.core.clock import FakeClock\n"
        "clock = FakeClock()\n"
        "ctx = build(parse_args(['--data-dir', sys.argv[1]]), clock=clock)\n"
        "ctx.window.start_routine('sciatica-foam-roll')\n"
        "def sound_notices():\n"
        "    return [m for m in ctx.window.banner.messages() if 'sound' in m.lower()]\n"
        "loop = QEventLoop(); look = QTimer(); look.setInterval(20)\n"
        "look.timeout.connect(lambda: sound_notices() and loop.quit()); look.start()\n"
        "QTimer.singleShot(60000, loop.quit)\n"  # the player's report, however busy the machine
        "loop.exec(); look.stop()\n"
        "for _ in range(30):\n"
        "    clock.advance(1); ctx.controller.refresh()\n"
        "loop = QEventLoop(); QTimer.singleShot(0, loop.quit); loop.exec()\n"
        "print(len(sound_notices()), ctx.window.session.countdown_label.text())\n"
        "ctx.close()\n"
    )
    run = run_python(code, str(tmp_path / "data"), no_sound_in=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-2:] == ["1", "1:45"]  # 30 s in: 15 s get-ready, then 2:00


def test_voice_settings_page_saves_and_applies(qtbot: QtBot, tmp_path: Path) -> None:
    """Voice on/off, voice, speed, volume, verbosity and sounds are saved and reach the voice."""
    from PySide6.QtCore import Qt

    from sciatica_timer.core.cues import Verbosity
    from sciatica_timer.storage.settings import load_settings

    ctx = build(parse_args(["--data-dir", str(tmp_path)]), clock=FakeClock())
    qtbot.addWidget(ctx.window)
    qtbot.mouseClick(ctx.window.home.sound_button, Qt.MouseButton.LeftButton)
    page = ctx.window.settings_page
    assert ctx.window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.voice.count() > 2, timeout=5000)  # the engine's voices
    page.voice.setCurrentIndex(2)
    page.rate.setValue(120)
    page.volume.setValue(50)
    page.verbosity.setCurrentIndex(page.verbosity.findData("short"))
    page.sounds.setChecked(False)
    chosen = page.voice.currentData()
    qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)
    saved, notices = load_settings(ctx.paths.settings)
    assert notices == []
    assert (saved.voice_id, saved.rate, saved.volume, saved.verbosity, saved.sounds_on) == (
        chosen, 120, 0.5, "short", False,
    )  # fmt: skip
    assert ctx.voice is not None
    applied = ctx.voice.settings
    assert (applied.voice_id, applied.rate, applied.verbosity, applied.sounds_on) == (
        chosen, 120, Verbosity.SHORT, False,
    )  # fmt: skip
    assert ctx.window.stack.currentWidget() is ctx.window.home
    ctx.close()


def test_voice_and_sounds_off_never_load_multimedia(tmp_path: Path) -> None:
    """With both off, a session never loads QtMultimedia (about 6 MB)."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text('{"voice_on": false, "sounds_on": false}')
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from sciatica_timer.app import build\n"
        "from sciatica_timer.cli import parse_args\n"
        "app = QApplication([])\n"
        f"ctx = build(parse_args(['--data-dir', {str(tmp_path)!r}]))\n"
        "ctx.window.start_routine('sciatica-foam-roll')\n"
        "ctx.controller.skip()\n"
        "app.processEvents()\n"
        "print('QtMultimedia' in ' '.join(sys.modules))\n"
        "ctx.close()\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"


def test_the_app_keeps_qts_expected_notes_off_the_terminal(
    tmp_path: Path, sound_server: SoundServer
) -> None:
    """Started from a terminal, a session with sound prints none of Qt's notes about what
    the app leaves out on purpose (the media backend, PipeWire); they go to the log."""
    run = run_python(THREE_SECONDS_OF_THE_APP, str(tmp_path))
    assert run.returncode == 0, run.stderr
    err = run.stderr
    assert "No QtMultimedia backends found" not in err and "pipewire" not in err
    assert "Traceback" not in err
    log = (tmp_path / "logs" / "sciatica-timer.log").read_text()
    assert "Qt: No QtMultimedia backends found" in log


def test_with_no_sound_server_the_terminal_stays_quiet_too(tmp_path: Path) -> None:
    """With no sound server the window says so once; Qt's own line about it goes to the
    log, not the terminal."""
    run = run_python(THREE_SECONDS_OF_THE_APP, str(tmp_path / "data"), no_sound_in=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "PulseAudioService" not in run.stderr and "Traceback" not in run.stderr
    log = (tmp_path / "data" / "logs" / "sciatica-timer.log").read_text()
    assert "Qt: PulseAudioService: pa_context_connect() failed" in log
