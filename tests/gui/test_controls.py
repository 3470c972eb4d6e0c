"""Keys, the screen-awake request, and the real timer path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.engine import ADD_TIME_S
from sciatica_timer.ui.controller import LONG_PAUSE_MS


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path, short_path: Path) -> Iterator[AppContext]:
    args = ["--data-dir", str(tmp_path), "--no-voice", "--exercises", str(short_path)]
    context = build(parse_args([*args, "--routine", "short"]), clock=FakeClock())
    qtbot.addWidget(context.window)
    context.window.show()
    yield context
    context.close()


def test_screen_is_kept_awake_only_while_a_session_runs(ctx: AppContext, qtbot: QtBot) -> None:
    """Inhibited at start, released after a long pause, again on resume, released at the end."""
    awake = ctx.controller._awake
    assert not awake.active
    ctx.window.start_routine("short")
    assert awake.active
    ctx.controller.toggle_pause()
    assert awake.active, "a short pause keeps the screen on"
    ctx.controller._pause_timer.setInterval(10)
    ctx.controller._pause_timer.start()
    qtbot.waitUntil(lambda: not awake.active, timeout=2000)
    ctx.controller.toggle_pause()
    assert awake.active
    ctx.controller.end()
    assert not awake.active
    assert LONG_PAUSE_MS >= 60_000


def test_keys_overlay_and_fullscreen_and_mute(ctx: AppContext, qtbot: QtBot) -> None:
    """? shows the keys without covering the stop button; F toggles full screen; M mutes."""
    window = ctx.window
    window.start_routine("short")
    qtbot.keyClick(window, Qt.Key.Key_Question)
    assert window.keys_overlay.isVisible()
    pain = window.session.pain_button
    overlay = window.keys_overlay.geometry()
    pain_rect = pain.geometry().translated(
        pain.mapTo(window.centralWidget(), pain.rect().topLeft())
    )
    assert not overlay.intersects(pain_rect)
    qtbot.keyClick(window, Qt.Key.Key_Question)
    assert not window.keys_overlay.isVisible()
    with qtbot.waitSignal(window.mute_toggled) as muted:
        qtbot.keyClick(window, Qt.Key.Key_M)
    assert muted.args == [True]
    assert any("muted" in m for m in window.banner.messages())
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: not window.isFullScreen())


def test_real_clock_counts_down_on_its_own(qtbot: QtBot, tmp_path: Path, short_path: Path) -> None:
    """With the monotonic clock and the real timer, the countdown moves by itself."""
    args = ["--data-dir", str(tmp_path), "--no-voice", "--exercises", str(short_path)]
    context = build(parse_args(args))
    qtbot.addWidget(context.window)
    context.window.show()
    context.window.start_routine("short")
    label = context.window.session.countdown_label
    assert label.text() == "0:02"
    qtbot.waitUntil(lambda: label.text() == "0:01", timeout=3000)
    qtbot.waitUntil(lambda: context.window.session.phase_label.text() == "ROLL", timeout=3000)
    context.close()


# (key, modifiers) as each keyboard layout delivers the character
PLUS_AS_TYPED = [
    (Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier),  # US, UK: Shift and the = key
    (Qt.Key.Key_Plus, Qt.KeyboardModifier.NoModifier),  # German, Nordic: a + key of its own
    (Qt.Key.Key_Plus, Qt.KeyboardModifier.KeypadModifier),  # the keypad
]
QUESTION_AS_TYPED = [
    (Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier),  # US Shift+/, German Shift+ß
    (Qt.Key.Key_Question, Qt.KeyboardModifier.NoModifier),  # a ? key of its own
]


@pytest.mark.parametrize(("key", "modifiers"), PLUS_AS_TYPED)
def test_plus_adds_time_whatever_modifier_the_layout_needs(
    ctx: AppContext, qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    """+ adds the documented seconds also when the layout needs Shift to type it."""
    ctx.window.start_routine("short")
    before = ctx.controller.snapshot()
    assert before is not None
    qtbot.keyClick(ctx.window, key, modifiers)
    after = ctx.controller.snapshot()
    assert after is not None
    assert after.remaining_ns - before.remaining_ns == ADD_TIME_S * 1_000_000_000


@pytest.mark.parametrize(("key", "modifiers"), QUESTION_AS_TYPED)
def test_question_mark_shows_the_keys_whatever_modifier_the_layout_needs(
    ctx: AppContext, qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    """? opens and closes the keys help also when the layout needs Shift to type it."""
    window = ctx.window
    qtbot.keyClick(window, key, modifiers)
    assert window.keys_overlay.isVisible()
    qtbot.keyClick(window, key, modifiers)
    assert not window.keys_overlay.isVisible()


REMOTE_KEYS = [
    (Qt.Key.Key_PageDown, "skip"),  # a presenter clicker's "next"
    (Qt.Key.Key_PageUp, "back"),
    (Qt.Key.Key_MediaNext, "skip"),
    (Qt.Key.Key_MediaPrevious, "back"),
    (Qt.Key.Key_MediaPlay, "pause"),  # a Linux headset's one button: Play both times
    (Qt.Key.Key_MediaTogglePlayPause, "pause"),
    (Qt.Key.Key_MediaPause, "pause_only"),
    (Qt.Key.Key_MediaStop, "pause_only"),
]


def _press(ctx: AppContext, key: Qt.Key) -> None:
    """A real key press and release, given its (empty) text: QTest cannot spell the media
    keys and warns when asked to."""
    for action in (QTest.KeyAction.Press, QTest.KeyAction.Release):
        QTest.sendKeyEvent(action, ctx.window, key, "", Qt.KeyboardModifier.NoModifier)


@pytest.mark.parametrize(("key", "does"), REMOTE_KEYS)
def test_clicker_and_media_keys_drive_the_session(
    ctx: AppContext, qtbot: QtBot, key: Qt.Key, does: str
) -> None:
    """Page Down/Up and the media keys skip, go back and pause/resume (twice: resume)."""
    from sciatica_timer.core.engine import SessionState

    ctx.window.start_routine("short")
    qtbot.keyClick(ctx.window, Qt.Key.Key_PageDown)  # off the get-ready, so back has a way
    before = ctx.controller.snapshot()
    assert before is not None and before.phase is not None
    _press(ctx, key)
    after = ctx.controller.snapshot()
    assert after is not None and after.phase is not None
    if does == "pause":
        assert after.state is SessionState.PAUSED
        _press(ctx, key)
        again = ctx.controller.snapshot()
        assert again is not None and again.state is SessionState.RUNNING
    elif does == "pause_only":
        assert after.state is SessionState.PAUSED
        _press(ctx, key)
        again = ctx.controller.snapshot()
        assert again is not None and again.state is SessionState.PAUSED, "never resumes"
    elif does == "skip":
        assert after.phase.index > before.phase.index
    else:
        assert after.phase.index < before.phase.index  # just begun: back to the one before


@pytest.mark.parametrize("key", [Qt.Key.Key_B, Qt.Key.Key_Period])
def test_a_clickers_blank_screen_key_is_the_pain_stop(
    ctx: AppContext, qtbot: QtBot, key: Qt.Key
) -> None:
    """The blank-screen key (B or ".") stops for pain at once, never asking, as P does."""
    ctx.window.start_routine("short")
    qtbot.keyClick(ctx.window, key)
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    assert not ctx.controller.running
