"""The real window, driven through its buttons and keys with a fake clock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import check_in
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPaintEvent, QRegion
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.timeline import PhaseKind

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path, clock: FakeClock, short_path: Path) -> Iterator[AppContext]:
    args = ["--data-dir", str(tmp_path / "data"), "--no-voice", "--exercises", str(short_path)]
    context = build(parse_args([*args, "--routine", "short"]), clock=clock)
    qtbot.addWidget(context.window)
    context.window.resize(1366, 768)
    context.window.show()
    yield context
    context.close()


def _label(ctx: AppContext, name: str) -> str:
    label = ctx.window.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def _button(ctx: AppContext, name: str) -> QPushButton:
    button = ctx.window.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _advance(ctx: AppContext, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    ctx.controller.refresh()


def _rows(ctx: AppContext, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(ctx.paths.journal) as db:
        rows = db.execute(sql).fetchall()
    db.close()
    return rows


def _click(ctx: AppContext, qtbot: QtBot, name: str) -> None:
    qtbot.mouseClick(_button(ctx, name), Qt.MouseButton.LeftButton)


def _start(ctx: AppContext, qtbot: QtBot) -> None:
    assert ctx.window.home.selected_routine() == "short"
    _click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    assert ctx.controller.running


def test_whole_short_routine_through_the_window(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
    """Start, pause (frozen), resume, hold, back, skip and finish on the Done screen."""
    _start(ctx, qtbot)
    assert _label(ctx, "phaseLabel") == "GET READY"
    assert _label(ctx, "countdownLabel") == "0:02"
    _advance(ctx, clock, 2.5)
    assert _label(ctx, "phaseLabel") == "ROLL"
    assert _label(ctx, "exerciseLabel") == "Short roll"
    assert "LEFT" in _label(ctx, "sideLabel")
    assert _label(ctx, "countdownLabel") == "0:04"  # 3.5 s left shows as 0:04

    qtbot.keyClick(ctx.window, Qt.Key.Key_Space)  # pause
    assert ctx.controller.engine and ctx.controller.engine.state is SessionState.PAUSED
    _advance(ctx, clock, 30)
    assert _label(ctx, "countdownLabel") == "0:04", "the countdown is frozen while paused"
    assert _button(ctx, "pauseButton").text() == "Resume"
    qtbot.mouseClick(_button(ctx, "pauseButton"), Qt.MouseButton.LeftButton)  # resume
    _advance(ctx, clock, 1)
    assert _label(ctx, "countdownLabel") == "0:03"

    qtbot.keyClick(ctx.window, Qt.Key.Key_H)  # tender-spot hold
    assert _label(ctx, "phaseLabel") == "HOLD"
    assert _label(ctx, "countdownLabel") == "0:20"
    _advance(ctx, clock, 20)
    assert _label(ctx, "phaseLabel") == "ROLL" and _label(ctx, "countdownLabel") == "0:03"

    qtbot.keyClick(ctx.window, Qt.Key.Key_Right)  # skip to the switch
    assert _label(ctx, "phaseLabel") == "SWITCH SIDES"
    assert "RIGHT" in _label(ctx, "sideLabel")
    qtbot.mouseClick(_button(ctx, "backButton"), Qt.MouseButton.LeftButton)
    assert _label(ctx, "phaseLabel") == "ROLL" and "LEFT" in _label(ctx, "sideLabel")
    qtbot.mouseClick(_button(ctx, "skipButton"), Qt.MouseButton.LeftButton)
    _advance(ctx, clock, 1)
    assert "RIGHT" in _label(ctx, "sideLabel") and _label(ctx, "phaseLabel") == "ROLL"

    _advance(ctx, clock, 60)
    # before the strengthening: the session waits for the answer, then goes on
    assert ctx.window.session.check_panel.isVisible()
    _advance(ctx, clock, 30)
    assert ctx.controller.engine.state is SessionState.ASKING, "no countdown runs it away"
    qtbot.keyClick(ctx.window, Qt.Key.Key_N)
    _advance(ctx, clock, 60)
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    assert "complete" in ctx.window.done.title.text()
    summary = ctx.window.done.summary.text()
    assert "Short roll (right)" in summary and "Short roll (left)" in summary
    ((status, completed, skipped),) = _rows(ctx, "select status, completed, skipped from session")
    assert status == "completed"
    assert json.loads(str(completed)) == [
        "Short roll (right)",
        "Short stretch, set 1",
        "Short stretch, set 2",
        "Short reps",
    ]
    assert json.loads(str(skipped)) == ["Short roll (left)"]


@pytest.mark.parametrize("kind", list(PhaseKind))
def test_pain_stop_from_every_phase_kind(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot, kind: PhaseKind
) -> None:
    """From any phase, the red button records the event and shows the safety screen."""
    _start(ctx, qtbot)
    engine = ctx.controller.engine
    assert engine is not None
    while engine.phase.kind is not kind:
        _advance(ctx, clock, 0.5)
    _advance(ctx, clock, 0.25)
    pain = _button(ctx, "painStopButton")
    assert pain.isVisible() and pain.isEnabled()
    phase = engine.phase
    qtbot.mouseClick(pain, Qt.MouseButton.LeftButton)
    assert engine.state is SessionState.STOPPED_PAIN
    (row,) = _rows(ctx, "select exercise_id, side, phase_kind, seconds_into from pain_stop")
    assert row[0] == (phase.exercise.id if phase.exercise else None)
    assert row[1] == (phase.side.value if phase.side else None)
    assert row[2] == kind.value
    if kind is PhaseKind.CHECK:  # the session waits there: no time passes
        assert float(str(row[3])) == 0
    else:
        assert 0 < float(str(row[3])) <= phase.duration_s
    assert _rows(ctx, "select status from session") == [("stopped_pain",)]
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    text = ctx.window.safety.text.text()
    for words in ("peripheralisation", "centralisation", "bladder", "saddle", "weakness"):
        assert words in text
    countdown = _label(ctx, "countdownLabel")
    _advance(ctx, clock, 10)
    assert _label(ctx, "countdownLabel") == countdown, "the countdown stopped"


def test_pain_stop_key_works_while_paused_and_holding(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
    """P stops the session during a hold, even when paused."""
    _start(ctx, qtbot)
    _advance(ctx, clock, 2.5)
    qtbot.keyClick(ctx.window, Qt.Key.Key_H)
    qtbot.keyClick(ctx.window, Qt.Key.Key_Space)
    qtbot.keyClick(ctx.window, Qt.Key.Key_P)
    assert _rows(ctx, "select phase_label from pain_stop") == [("Hold",)]


def test_end_early_is_recorded(ctx: AppContext, clock: FakeClock, qtbot: QtBot) -> None:
    """The End button finishes the session as ended early."""
    _start(ctx, qtbot)
    _advance(ctx, clock, 3)
    qtbot.mouseClick(_button(ctx, "endButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    assert _rows(ctx, "select status from session") == [("ended_early",)]


def test_countdown_is_large_enough_to_read_from_the_floor(ctx: AppContext, qtbot: QtBot) -> None:
    """The countdown's font is at least a sixth of the window height, at two sizes (a fifth
    ran the digits through the ring at 1366x768: they fit inside it now, test_mat_screen)."""
    _start(ctx, qtbot)
    for width, height in ((1366, 768), (1920, 1080)):
        ctx.window.resize(width, height)
        qtbot.waitUntil(lambda h=height: ctx.window.height() == h)
        assert ctx.window.session.countdown_label.pixel_size() >= ctx.window.height() / 6


def test_a_second_passing_repaints_only_what_changed(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
    """Counting costs one small repaint a second (the CPU budget while counting): the
    countdown, a sliver of the ring and the header; never a new layout of the window, nor
    the word-wrapped instructions and caution beside them."""
    ctx.window.start_routine("sciatica-foam-roll")
    _advance(ctx, clock, 20)  # well into the first roll, which lasts two minutes
    qtbot.wait(100)
    ring, countdown = ctx.window.session.ring, ctx.window.session.countdown_label
    painted: Counter[str] = Counter()
    ring_areas: list[int] = []
    layouts: list[str] = []

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if isinstance(event, QPaintEvent):
                painted[watched.objectName()] += 1
                if watched is ring:  # beyond what shows through the countdown's box
                    beyond = event.region().subtracted(QRegion(countdown.geometry()))
                    ring_areas.append(
                        beyond.boundingRect().width() * beyond.boundingRect().height()
                    )
            elif event.type() is QEvent.Type.LayoutRequest:
                layouts.append(f"{type(watched).__name__} {watched.objectName()}")
            return False

    watch = Watch()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(watch)
    try:
        for _ in range(5):
            _advance(ctx, clock, 1)
            qtbot.wait(30)
    finally:
        app.removeEventFilter(watch)
    assert painted["countdownLabel"] == 5
    assert painted["instructionsLabel"] == painted["cautionLabel"] == 0
    assert layouts == []
    assert len(ring_areas) == 5 and max(ring_areas) < 0.1 * ring.width() * ring.height()


def test_controls_have_tooltips_naming_keys_and_accessible_names(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """Every control names its key; key widgets have stable accessible names."""
    _start(ctx, qtbot)
    for name, key in (
        ("pauseButton", "Space"),
        ("skipButton", "Right"),
        ("backButton", "Left"),
        ("painStopButton", "(P)"),
        ("holdButton", "(H)"),
        ("addTimeButton", "(+)"),
    ):
        button = _button(ctx, name)
        assert key in button.toolTip()
        assert button.accessibleName()
    for name in ("countdownLabel", "phaseLabel", "exerciseLabel", "sideLabel"):
        label = ctx.window.findChild(QLabel, name)
        assert label is not None and label.accessibleName()


def test_missing_image_never_breaks_the_screen(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    """An exercise whose picture is missing still shows, with a blank panel."""
    lib = tmp_path / "lib.json"
    lib.write_text(
        '{"exercises": [{"id": "x", "name": "X", "image": "exercises/nope.svg"}],'
        ' "routines": [{"id": "r", "name": "R", "prepare_s": 0, "steps": [{"exercise": "x"}]}]}'
    )
    context = build(
        parse_args(["--data-dir", str(tmp_path / "d"), "--no-voice", "--exercises", str(lib)]),
        clock=clock,
    )
    qtbot.addWidget(context.window)
    context.window.start_routine("r")
    assert context.window.session.exercise_label.text() == "X"
    assert not context.window.session.illustration.has_image()
    context.close()


def test_broken_user_file_keeps_bundled_routines(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    """A broken --exercises file is named in a notice; the bundled routines remain."""
    bad = tmp_path / "mine.json"
    bad.write_text('{"exercises": [')
    context = build(
        parse_args(["--data-dir", str(tmp_path / "d"), "--no-voice", "--exercises", str(bad)]),
        clock=clock,
    )
    qtbot.addWidget(context.window)
    assert "sciatica-foam-roll" in context.library.routines
    assert any(str(bad) in m and "not valid JSON" in m for m in context.window.banner.messages())
    context.close()


def test_last_routine_is_remembered(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    """Starting a routine makes it the preselected one next time."""
    data = tmp_path / "d"
    first = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=clock)
    qtbot.addWidget(first.window)
    first.window.start_routine("gentle-flare-up")
    first.controller.end()
    first.close()
    second = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=clock)
    qtbot.addWidget(second.window)
    assert second.window.home.selected_routine() == "gentle-flare-up"
    assert not any("interrupted" in m for m in second.window.banner.messages())
    second.close()


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    app = QApplication([])
    args = ["--data-dir", sys.argv[1], "--no-voice", "--routine", "sciatica-foam-roll"]
    ctx = build(parse_args(args))
    ctx.window.show()
    ctx.window.start_routine("sciatica-foam-roll")
    ctx.window.session.pain_button.click()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_pain_stop_survives_the_app_being_killed_at_once(tmp_path: Path) -> None:
    """Killed the instant after the pain stop, the event is in the journal."""
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(data)], cwd=ROOT, timeout=60, capture_output=True
    )
    assert proc.returncode == -9, proc.stderr.decode()
    with sqlite3.connect(data / "journal.sqlite3") as db:
        stops = db.execute("select exercise_id, phase_kind from pain_stop").fetchall()
        status = db.execute("select status from session").fetchall()
    db.close()
    assert stops == [(None, "prepare")]
    assert status == [("stopped_pain",)]


def test_killed_mid_session_is_reported_as_interrupted_next_time(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock
) -> None:
    """A session left running (app closed) is marked interrupted and the next start says so."""
    data = tmp_path / "d"
    first = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=clock)
    qtbot.addWidget(first.window)
    first.window.start_routine("sciatica-foam-roll")
    first.close()  # closed mid-session
    second = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=clock)
    qtbot.addWidget(second.window)
    assert any("interrupted" in m for m in second.window.banner.messages())
    assert _rows(second, "select status from session") == [("interrupted",)]
    second.close()


def test_an_hour_of_updates_loses_no_references(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
    """An hour of per-second updates leaves None's reference count alone.

    PySide6 6.12.0 on Python 3.11 dropped one reference per void call and aborted the
    app within minutes; pyproject.toml keeps that version out.
    """
    import sys

    ctx.window.start_routine("short")
    before = sys.getrefcount(None)
    for _ in range(3600):
        ctx.controller.back()
        _advance(ctx, clock, 1)
    assert sys.getrefcount(None) - before > -100


def test_journal_failing_mid_session_warns_and_keeps_the_pain_stop(
    qtbot: QtBot, tmp_path: Path, clock: FakeClock, short_path: Path
) -> None:
    """If the journal file stops being writable, the session runs on, the window warns,
    and the pain stop is kept in memory until it can be written."""
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--no-voice", "--exercises", str(short_path)]
    context = build(parse_args(args), clock=clock)
    qtbot.addWidget(context.window)
    context.window.start_routine("short")
    journal_path = context.paths.journal
    context.journal._disconnect()  # the next write reopens the file...
    moved = journal_path.with_name("elsewhere.sqlite3")
    journal_path.rename(moved)
    journal_path.mkdir()  # ...and finds a folder in its place: a real failure to write
    _advance(context, clock, 2.5)
    context.window.session.pain_button.click()
    assert context.controller.engine is not None
    assert context.controller.engine.state is SessionState.STOPPED_PAIN
    assert any("cannot be saved" in m for m in context.window.banner.messages())
    assert context.journal.pain_stops()[0].exercise_id == "roll"
    journal_path.rmdir()
    moved.rename(journal_path)
    assert context.journal.flush()
    with sqlite3.connect(journal_path) as db:
        stops = db.execute("select exercise_id from pain_stop").fetchall()
    db.close()
    assert stops == [("roll",)]
    context.close()


START_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    app = QApplication([])
    ctx = build(parse_args(["--data-dir", sys.argv[1], "--no-voice", "--exercises", sys.argv[2]]))
    ctx.window.show()
    app.processEvents()
    print(sorted(ctx.library.routines), "jsonschema" in sys.modules, ctx.notices)
    ctx.close()
    """
)


def _launch(data: Path, exercises: Path) -> str:
    """Build and show the window in a fresh process; its last printed line."""
    proc = subprocess.run(
        [sys.executable, "-c", START_SCRIPT, str(data), str(exercises)],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_second_start_does_not_import_jsonschema(tmp_path: Path, short_path: Path) -> None:
    """Files validated at the first start are trusted at the next: no jsonschema in memory."""
    first = _launch(tmp_path / "data", short_path)
    second = _launch(tmp_path / "data", short_path)
    assert first.endswith("True []") and "'short'" in first and "'gentle-flare-up'" in first
    assert second == first.replace("True []", "False []")
