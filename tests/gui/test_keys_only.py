"""From the mat with the keyboard only: no click anywhere, from the first start to the first
countdown, and through the pain stop, the safety screen, the done screen and the history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.safety import RED_FLAGS, Reach


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _tab_to(ctx: AppContext, qtbot: QtBot, name: str, most: int = 60) -> QWidget:
    """Tab until the control called ``name`` has the focus (it must be reachable)."""
    for _ in range(most):
        widget = _focused()
        if widget is not None and widget.objectName() == name:
            return widget
        qtbot.keyClick(widget or ctx.window, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name}; stuck at {_focused()!r}")


def _press(ctx: AppContext, qtbot: QtBot, name: str, key: Qt.Key = Qt.Key.Key_Space) -> None:
    qtbot.keyClick(_tab_to(ctx, qtbot, name), key)


def _first_start_by_keys(ctx: AppContext, qtbot: QtBot) -> None:
    window = ctx.window
    window.activateWindow()
    qtbot.waitUntil(lambda: _focused() is not None)
    qtbot.keyClick(_focused() or window, Qt.Key.Key_Return)  # home: Enter starts
    checkin = window.checkin
    qtbot.waitUntil(lambda: window.stack.currentWidget() is checkin)
    _press(ctx, qtbot, "acceptDisclaimerButton")
    assert checkin.pages.currentWidget() is checkin.red_flag_page
    for flag in RED_FLAGS:
        _press(ctx, qtbot, f"redFlag_{flag.key}_No")
    _press(ctx, qtbot, "redFlagContinueButton", Qt.Key.Key_Return)
    assert checkin.pages.currentWidget() is checkin.pain_page
    qtbot.keyClick(_focused() or window, Qt.Key.Key_4)
    assert checkin.pain_scale.value() == 4
    body = _tab_to(ctx, qtbot, checkin.body_map.objectName())
    for _ in range(3):
        qtbot.keyClick(body, Qt.Key.Key_Down)
    assert checkin.body_map.reach() is Reach.THIGH
    qtbot.keyClick(body, Qt.Key.Key_Up)
    assert checkin.body_map.reach() is Reach.BUTTOCK
    _press(ctx, qtbot, "flareNo")
    _press(ctx, qtbot, "checkInStartButton", Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session)


def test_from_the_first_start_to_the_first_countdown_by_keys_only(
    ctx: AppContext, qtbot: QtBot
) -> None:
    _first_start_by_keys(ctx, qtbot)
    snap = ctx.controller.snapshot()
    assert snap is not None and snap.state is SessionState.RUNNING
    assert ctx.controller.engine is not None


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")  # offscreen
def test_through_the_pain_stop_safety_done_and_history_by_keys_only(
    ctx: AppContext, qtbot: QtBot
) -> None:
    _first_start_by_keys(ctx, qtbot)
    window = ctx.window
    qtbot.keyClick(window, Qt.Key.Key_P)  # the pain stop: at once
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)
    assert not ctx.controller.running
    qtbot.keyClick(_focused() or window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home)
    qtbot.keyClick(_focused() or window, Qt.Key.Key_Return)  # today's answers are kept
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.checkin)
    checkin = window.checkin
    assert checkin.pages.currentWidget() is checkin.pain_page, "today's answers kept"
    qtbot.keyClick(_focused() or window, Qt.Key.Key_2)
    body = _tab_to(ctx, qtbot, checkin.body_map.objectName())
    qtbot.keyClick(body, Qt.Key.Key_Home)
    assert checkin.body_map.reach() is Reach.LOWER_BACK
    _press(ctx, qtbot, "flareNo")
    _press(ctx, qtbot, "checkInStartButton", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session)
    qtbot.keyClick(window, Qt.Key.Key_E)
    qtbot.keyClick(window, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    after = window.done.after
    # the scale is one stop for Tab, as a radio group: the arrows move along it
    qtbot.keyClick(_tab_to(ctx, qtbot, "painAfter0"), Qt.Key.Key_Right)
    assert _focused() is window.findChild(QPushButton, "painAfter1")
    qtbot.keyClick(_focused() or window, Qt.Key.Key_Space)
    qtbot.keyClick(_tab_to(ctx, qtbot, "reachAfterMap"), Qt.Key.Key_Home)
    assert (after.pain_scale.value(), after.body_map.reach()) == (1, Reach.LOWER_BACK)
    _press(ctx, qtbot, "homeButton", Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home)
    _press(ctx, qtbot, "historyButton")
    history = window._history
    assert history is not None
    qtbot.waitUntil(history.isVisible)
    assert history.session_table.rowCount() == 2, "the pain stop and the session ended early"
    assert history.stop_table.rowCount() == 1
    history.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is history)
    qtbot.keyClick(QApplication.focusWidget() or history, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not history.isVisible())
