"""announce() sends a real QAccessibleAnnouncementEvent on this Qt (issue 14)."""

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from sciatica_timer.ui import announce


def test_announce_sends_an_event_and_tells_listeners(qtbot: QtBot) -> None:
    label = QLabel("Hold")
    qtbot.addWidget(label)
    heard: list[str] = []
    announce.listeners.append(heard.append)
    try:
        assert announce.announce(label, "Right side. Hold 30 seconds") is True
    finally:
        announce.listeners.remove(heard.append)
    assert heard == ["Right side. Hold 30 seconds"]
