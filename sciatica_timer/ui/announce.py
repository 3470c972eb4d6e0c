"""Spoken-by-screen-reader announcements (issue 14): phase, side and the last seconds.

Uses QAccessibleAnnouncementEvent (Qt 6.8+); on an older Qt it does nothing. Every announcement
also goes to the observers in ``listeners`` so tests can see what was sent."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

try:
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
except ImportError:  # Qt older than 6.8: no announcements
    QAccessibleAnnouncementEvent = None  # type: ignore[assignment,misc]

listeners: list[Callable[[str], None]] = []


def announce(widget: QWidget, text: str) -> bool:
    """Ask screen readers to read ``text`` out for ``widget``; True if an event was sent."""
    for listener in listeners:
        listener(text)
    if QAccessibleAnnouncementEvent is None:
        return False
    event = QAccessibleAnnouncementEvent(widget, text)
    QAccessible.updateAccessibility(event)
    return True
