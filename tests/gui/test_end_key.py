"""E asks once: a first E only says how to end, a second one ends; the STOP never asks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.engine import SessionState
from sciatica_timer.ui.screens.main_window import END_AGAIN


def _state(ctx: AppContext) -> SessionState | None:
    snap = ctx.controller.snapshot()
    return None if snap is None else snap.state


def test_a_first_e_asks_and_a_second_ends(ctx: AppContext, qtbot: QtBot) -> None:
    window = ctx.window
    window.start_routine("gentle-flare-up")
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert _state(ctx) is SessionState.RUNNING
    assert END_AGAIN in window.banner.messages()
    assert window.banner.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    assert not ctx.controller.running
    assert END_AGAIN not in window.banner.messages()


def test_a_lone_e_is_forgotten_and_the_next_e_asks_again(ctx: AppContext, qtbot: QtBot) -> None:
    window = ctx.window
    window.start_routine("gentle-flare-up")
    window.end_asks.timer.setInterval(10)
    qtbot.keyClick(window, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: END_AGAIN not in window.banner.messages(), timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert _state(ctx) is SessionState.RUNNING, "asked again, not ended"
    assert END_AGAIN in window.banner.messages()


def test_the_pain_stop_never_asks_even_after_a_first_e(ctx: AppContext, qtbot: QtBot) -> None:
    window = ctx.window
    window.start_routine("gentle-flare-up")
    qtbot.keyClick(window, Qt.Key.Key_E)
    qtbot.keyClick(window, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)
    assert not ctx.controller.running
    assert END_AGAIN not in window.banner.messages()
