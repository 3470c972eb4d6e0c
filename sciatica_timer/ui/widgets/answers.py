"""Answers to click: the 0-10 pain scale and a yes/no pair."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QVBoxLayout, QWidget

from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.parts import big_button


def _checked(group: QButtonGroup) -> int | None:
    """The id of the chosen button, None when nothing is chosen yet."""
    chosen = group.checkedId()
    return None if chosen < 0 else chosen


def _clear(group: QButtonGroup) -> None:
    """Unchoose every button (an exclusive group will not let the last one go)."""
    group.setExclusive(False)
    for button in group.buttons():
        button.setChecked(False)
    group.setExclusive(True)


TEN_WITHIN_NS = 1_000_000_000
"""A 0 typed this soon after a 1 makes the score 10 (there is no key for 10)."""


class PainScale(QWidget):
    """0 to 10, one large button each; a digit typed picks it (1 then 0 for 10)."""

    changed = Signal(int)

    def __init__(
        self,
        prefix: str,
        parent: QWidget | None = None,
        now_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        super().__init__(parent)
        self._now_ns = now_ns
        self._one_typed_ns: int | None = None
        self.group = QButtonGroup(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for n in range(11):
            button = big_button(str(n), f"{prefix}{n}", checkable=True)
            set_role(button, "scale")
            button.setMinimumWidth(40)
            self.group.addButton(button, n)
            row.addWidget(button)
        self.group.idClicked.connect(self.changed)

    def value(self) -> int | None:
        return _checked(self.group)

    def type_digit(self, digit: int) -> None:
        """Pick the score a typed digit means: 1 then 0 within a second is 10."""
        now = self._now_ns()
        one_before = self._one_typed_ns
        self._one_typed_ns = now if digit == 1 else None
        if digit == 0 and one_before is not None and now - one_before <= TEN_WITHIN_NS:
            digit = 10
        self.group.button(digit).click()

    def reset(self) -> None:
        self._one_typed_ns = None
        _clear(self.group)


class YesNo(QWidget):
    """Two big exclusive buttons."""

    changed = Signal(bool)

    def __init__(
        self,
        prefix: str,
        parent: QWidget | None = None,
        yes_warns: bool = False,
        stacked: bool = False,
    ) -> None:
        """``yes_warns``: a checked yes in the warning colour (yes means trouble);
        ``stacked``: yes above no, each the full width, for long answers."""
        super().__init__(parent)
        self.group = QButtonGroup(self)
        row = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.no = big_button("No", f"{prefix}No", checkable=True)
        self.yes = big_button("Yes", f"{prefix}Yes", checkable=True)
        set_role(self.no, "answer")
        set_role(self.yes, "answer", **({"tone": "warning"} if yes_warns else {}))
        order = ((self.yes, 1), (self.no, 0)) if stacked else ((self.no, 0), (self.yes, 1))
        for button, ident in order:
            button.setMinimumWidth(110)
            self.group.addButton(button, ident)
            row.addWidget(button)
        row.addStretch(1)
        self.group.idClicked.connect(lambda ident: self.changed.emit(bool(ident)))

    def value(self) -> bool | None:
        chosen = _checked(self.group)
        return None if chosen is None else bool(chosen)

    def reset(self) -> None:
        _clear(self.group)
