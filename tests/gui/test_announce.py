"""announce() sends a real QAccessibleAnnouncementEvent on this Qt (issue 14)."""

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.clock import FakeClock
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


def test_a_session_announces_each_phase_with_its_side_and_the_last_three_seconds(
    ctx: AppContext,
) -> None:
    """The screen reader hears the phase, the exercise and the side (in words, no arrows)
    as each part begins, and 3, 2, 1 once each before it ends."""
    heard: list[str] = []
    announce.listeners.append(heard.append)
    try:
        ctx.window.start_routine("sciatica-foam-roll")
        clock = ctx.controller._clock
        assert isinstance(clock, FakeClock)
        snap = ctx.controller.snapshot()
        assert snap is not None and snap.phase is not None
        for _ in range(int(snap.phase.duration_s) * 4 + 8):  # a quarter second at a time
            clock.advance(0.25)
            ctx.controller.refresh()
    finally:
        announce.listeners.remove(heard.append)
    assert heard[0].startswith("Get ready.") and "◀" not in heard[0] and "▶" not in heard[0]
    assert heard[1:4] == ["3", "2", "1"]
    assert heard[4].endswith("side.") and heard[4].split(". ")[0] != "Get ready"
