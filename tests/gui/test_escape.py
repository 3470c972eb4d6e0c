"""Esc goes back: out of the check-in, from the done and safety screens, and out of full
screen in a session (never ending it)."""

from __future__ import annotations

import sqlite3

from actions import check_in, click
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.engine import SessionState


def _escape(ctx: AppContext, qtbot: QtBot) -> None:
    qtbot.keyClick(ctx.window, Qt.Key.Key_Escape)


def test_escape_leaves_the_check_in_from_each_of_its_pages(ctx: AppContext, qtbot: QtBot) -> None:
    """The disclaimer, and the pain question after the red flags: Esc is Back."""
    window = ctx.window
    click(ctx, qtbot, "startButton")
    assert window.stack.currentWidget() is window.checkin
    _escape(ctx, qtbot)
    assert window.stack.currentWidget() is window.home
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    for button in window.checkin.red_flag_answers.values():
        qtbot.mouseClick(button.no, Qt.MouseButton.LeftButton)
    click(ctx, qtbot, "redFlagContinueButton")
    assert window.checkin.pages.currentWidget() is window.checkin.pain_page
    _escape(ctx, qtbot)
    assert window.stack.currentWidget() is window.home
    assert not ctx.controller.running


def test_escape_in_a_session_leaves_full_screen_and_the_session_runs_on(
    ctx: AppContext, qtbot: QtBot
) -> None:
    window = ctx.window
    window.start_routine("gentle-flare-up")
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen)
    _escape(ctx, qtbot)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    _escape(ctx, qtbot)  # a second Esc, not full screen: nothing at all
    snap = ctx.controller.snapshot()
    assert snap is not None and snap.state is SessionState.RUNNING
    assert window.stack.currentWidget() is window.session


def test_escape_goes_home_from_the_done_screen_keeping_the_answers(
    ctx: AppContext, qtbot: QtBot
) -> None:
    window = ctx.window
    window.home.select("gentle-flare-up")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    ctx.controller.end()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    click(ctx, qtbot, "painAfter2")
    _escape(ctx, qtbot)
    assert window.stack.currentWidget() is window.home
    db = sqlite3.connect(ctx.paths.journal)
    try:
        assert db.execute("select pain_after from session").fetchone() == (2,)
    finally:
        db.close()


def test_escape_goes_home_from_the_safety_screen_after_a_pain_stop(
    ctx: AppContext, qtbot: QtBot
) -> None:
    window = ctx.window
    window.start_routine("gentle-flare-up")
    qtbot.keyClick(window, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)
    assert not ctx.controller.running
    _escape(ctx, qtbot)
    assert window.stack.currentWidget() is window.home
