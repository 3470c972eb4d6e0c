"""The editor's number fields: a spin box that may be left empty ("as the exercise says")
and that takes any text, so a wrong value is shown with the words ``--check`` uses instead of
silently refused keystroke by keystroke."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QLabel, QVBoxLayout, QWidget

from sciatica_timer.ui.theme import set_role

MAX_TYPED = 12
"""Characters a field takes (more is never a useful number)."""


class NumberBox(QAbstractSpinBox):
    """Whole seconds or a count within ``low``..``high``; empty means the default shown as
    the placeholder. Up/Down and Page Up/Down step the value, clamped to the limits."""

    edited = Signal(str)

    def __init__(self, name: str, accessible: str, low: int, high: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.low, self.high = low, high
        self.default: int | None = None
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setKeyboardTracking(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(110)
        self.lineEdit().textChanged.connect(self.edited)

    def set_default(self, value: int | None, words: str) -> None:
        """The value used when the field is empty, and how it is said as the placeholder."""
        self.default = value
        self.lineEdit().setPlaceholderText(words)
        self.setToolTip(f"Empty: {words}")

    def text_value(self) -> str:
        return self.lineEdit().text()

    def set_text_value(self, text: str) -> None:
        if text != self.lineEdit().text():
            self.lineEdit().setText(text)

    # QAbstractSpinBox: any text is taken (the editor explains what is wrong with it)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state = QValidator.State.Acceptable if len(text) <= MAX_TYPED else QValidator.State.Invalid
        return state, text, pos

    def fixup(self, text: str) -> str:
        return text

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag
        if not self.isEnabled():
            return flags.StepNone
        now = self._current()
        enabled = flags.StepNone
        if now is None or now < self.high:
            enabled |= flags.StepUpEnabled
        if now is None or now > self.low:
            enabled |= flags.StepDownEnabled
        return enabled

    def stepBy(self, steps: int) -> None:
        now = self._current()
        if now is None:
            now = self.default if self.default is not None else self.low
        value = min(self.high, max(self.low, now + steps))
        self.lineEdit().setText(str(value))

    def _current(self) -> int | None:
        text = self.lineEdit().text().strip()
        return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else None


class FieldBox(QWidget):
    """A field with its own line under it for what is wrong with the value."""

    def __init__(self, field: QWidget) -> None:
        super().__init__()
        self.field = field
        self.error = QLabel()
        self.error.setObjectName(f"{field.objectName()}Error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(False)  # a wrapped label is cut short in a form row
        set_role(self.error, "fine", tone="warning")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        """Show what is wrong (``--check``'s words), or nothing."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.field.setAccessibleDescription(message or "")
