"""The displayed second changes on its boundary, not a timer tick later: a timer woken just
short of the boundary waits out the rest itself, and the new second is painted at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.clock import FakeClock, MonotonicClock
from sciatica_timer.ui.controller import FINISH_NS

ROUTINE = "sciatica-foam-roll"


def test_a_timer_woken_just_short_of_the_boundary_finishes_the_wait(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """Qt's timers count whole milliseconds: woken 1 ms early, the controller does not arm
    another timer (which would show the second a millisecond or more late) but waits until
    the boundary, then shows the new second."""
    controller = ctx.controller
    clock = controller._clock
    assert isinstance(clock, FakeClock)
    ctx.window.start_routine(ROUTINE)
    before = controller.snapshot()
    assert before is not None
    boundary = controller._boundary_ns
    clock.set_ns(boundary - FINISH_NS + 500_000)  # 1 ms short of it
    controller._on_timer()
    assert clock.now_ns() == boundary  # waited out, exactly
    after = controller.snapshot()
    assert after is not None
    assert after.display_seconds == before.display_seconds - 1
    assert ctx.window.session.countdown_label.text() != ""


def test_the_real_clock_waits_to_the_deadline_and_no_further() -> None:
    clock = MonotonicClock()
    deadline = clock.now_ns() + 800_000
    woke = clock.wait_until_ns(deadline)
    assert woke >= deadline
    assert clock.wait_until_ns(deadline - 1_000_000) >= deadline  # a past deadline: at once


def test_the_new_second_is_painted_within_the_timer_s_own_turn(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """The countdown's repaint is taken at once, inside the snapshot's delivery, not left
    for a later turn of the event loop (where a cue or a D-Bus message may come first)."""
    window = ctx.window
    window.show()
    qtbot.waitExposed(window)
    window.start_routine(ROUTINE)
    label = window.session.countdown_label
    qtbot.waitUntil(lambda: label.isVisible())
    painted: list[str] = []

    class Watch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(label.text())
            return False

    watch = Watch()
    label.installEventFilter(watch)
    clock = ctx.controller._clock
    assert isinstance(clock, FakeClock)
    clock.advance(1.0)
    ctx.controller.refresh()  # no event loop turn in between
    label.removeEventFilter(watch)
    assert painted and painted[-1] == label.text()
