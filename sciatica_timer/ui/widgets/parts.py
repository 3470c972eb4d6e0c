"""Small builders the screens share: titles, big buttons, scrolling text."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea

from sciatica_timer.ui.theme import set_role


def title(text: str, large: bool = False) -> QLabel:
    """A screen's title, shown as written; ``large`` on the home, done and safety screens."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_role(label, "title", **({"large": True} if large else {}))
    label.setWordWrap(True)
    return label


def spoken(text: str) -> str:
    """A control's text as a screen reader should say it: words only, without the arrows and
    signs drawn beside them ("Start  ▶" is "Start")."""
    return " ".join(re.sub(r"[\u2190-\u2bff]", " ", text).split())


def big_button(text: str, name: str, checkable: bool = False) -> QPushButton:
    """A button for the questions: reached with Tab, Space or Enter presses it (never used on the
    session screen, where Space pauses)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(spoken(text))
    button.setCheckable(checkable)
    button.setMinimumHeight(56)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setAutoDefault(True)  # Enter/Return click it when focused, as Space does
    return button


def tall_button(text: str, name: str) -> QPushButton:
    """A button at the foot of a screen."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(spoken(text))
    button.setMinimumHeight(64)
    return button


def scrolling_text(name: str, html: str = "", accessible: str = "") -> tuple[QLabel, QScrollArea]:
    """A rich-text label that scrolls when the window is small: the scroll area is a Tab
    stop called ``accessible`` (the arrow and page keys scroll it), framed while focused."""
    label = QLabel(html)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(label)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setObjectName(f"{name}Scroll")
    scroll.setAccessibleName(accessible)
    set_role(scroll, "reading")
    return label, scroll
