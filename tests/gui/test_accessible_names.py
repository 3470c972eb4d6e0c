"""Every control a screen reader meets says what it is in words, on every screen of a session."""

from __future__ import annotations

import pytest
from actions import check_in, click
from PySide6.QtGui import QAccessible, QAccessibleInterface
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.safety import RED_FLAGS

CONTROLS = {
    QAccessible.Role.PushButton,
    QAccessible.Role.CheckBox,
    QAccessible.Role.RadioButton,
    QAccessible.Role.Slider,
    QAccessible.Role.ComboBox,
    QAccessible.Role.EditableText,
    QAccessible.Role.SpinBox,
    QAccessible.Role.List,
    QAccessible.Role.Table,
}


def _controls(node: QAccessibleInterface | None) -> list[tuple[str, str, str]]:
    """(role, object name, accessible name) of every visible control under ``node``."""
    if node is None or not node.isValid():
        return []
    found = []
    if node.role() in CONTROLS and not node.state().invisible:
        obj = node.object()
        found.append(
            (node.role().name, obj.objectName() if obj else "", node.text(QAccessible.Text.Name))
        )
    for k in range(node.childCount()):
        found += _controls(node.child(k))
    return found


def _badly_named(ctx: AppContext) -> list[tuple[str, str, str]]:
    controls = _controls(QAccessible.queryAccessibleInterface(ctx.window))
    assert controls, "the walk found controls"
    return [
        c for c in controls
        if not any(ch.isalnum() for ch in c[2]) or any(0x2190 <= ord(ch) <= 0x2BFF for ch in c[2])
    ]  # fmt: skip


def _names(ctx: AppContext) -> set[str]:
    return {c[2] for c in _controls(QAccessible.queryAccessibleInterface(ctx.window))}


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")
def test_every_control_on_every_screen_is_named_in_words(ctx: AppContext, qtbot: QtBot) -> None:
    window = ctx.window
    screens = {}
    screens["home"] = _badly_named(ctx)
    click(ctx, qtbot, "startButton")
    screens["disclaimer"] = _badly_named(ctx)
    click(ctx, qtbot, "acceptDisclaimerButton")
    screens["red flags"] = _badly_named(ctx)
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_No")
    click(ctx, qtbot, "redFlagContinueButton")
    screens["pain"] = _badly_named(ctx)
    check_in(ctx, qtbot)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session)
    screens["session"] = _badly_named(ctx)
    assert "Pause" in _names(ctx)
    ctx.controller.toggle_pause()
    ctx.controller.refresh()
    screens["paused"] = _badly_named(ctx)
    assert "Resume" in _names(ctx), "the name follows the button's text"
    ctx.controller.pain_stop()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)
    screens["safety"] = _badly_named(ctx)
    window.show_home()
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    ctx.controller.end()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    screens["done"] = _badly_named(ctx)
    assert screens == {key: [] for key in screens}


def test_a_red_flag_answer_says_its_question(ctx: AppContext, qtbot: QtBot) -> None:
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    flag = RED_FLAGS[0]
    answer = ctx.window.checkin.red_flag_answers[flag.key]
    assert answer.no.accessibleName() == "No"
    assert answer.no.accessibleDescription() == flag.question
