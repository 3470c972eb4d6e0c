"""What a user does in the routine editor, for the GUI tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.models import Routine
from sciatica_timer.ui.screens.editor import EditorView


def editor_of(ctx: AppContext) -> EditorView:
    editor = ctx.window.editor
    assert ctx.window.stack.currentWidget() is editor
    return editor


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Replace a field's text by typing (select all, then the keys)."""
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Backspace)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    """A key on whatever has the focus, as a person presses it."""
    focused = QApplication.focusWidget()
    assert focused is not None
    if modifier is None:
        qtbot.keyClick(focused, key)
    else:
        qtbot.keyClick(focused, key, modifier)


def tab_to(qtbot: QtBot, target: QWidget, most: int = 40) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user does)."""
    for _ in range(most):
        if QApplication.focusWidget() is target:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName()}")


def step_ids(routine: Routine) -> list[str]:
    return [s.exercise for s in routine.steps]


def row_of(ctx: AppContext, routine_id: str) -> int:
    ids = list(ctx.window.library.routines)
    return ids.index(routine_id)
