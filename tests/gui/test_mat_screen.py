"""Readable from the mat: the session screen seen from two or three metres away."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.timeline import Phase, PhaseKind
from sciatica_timer.storage.settings import TEXT_SIZES


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    context = build(parse_args(["--data-dir", str(tmp_path), "--no-voice"]), clock=clock)
    qtbot.addWidget(context.window)
    context.window.resize(1366, 768)
    context.window.show()
    qtbot.waitExposed(context.window)
    yield context
    context.close()


def _advance(ctx: AppContext, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    ctx.controller.refresh()


def _in_window(widget: QWidget) -> QRect:
    """The widget's rectangle in its window's coordinates."""
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def _phase(ctx: AppContext) -> Phase:
    snap = ctx.controller.snapshot()
    assert snap is not None and snap.phase is not None
    return snap.phase


def _skip_to(ctx: AppContext, exercise_id: str, kind: PhaseKind = PhaseKind.WORK) -> Phase:
    """Skip through the session (answering 'no pain left') to the exercise's first phase."""
    for _ in range(200):
        phase = _phase(ctx)
        if phase.kind is kind and phase.exercise and phase.exercise.id == exercise_id:
            return phase
        if phase.kind is PhaseKind.CHECK:
            ctx.controller.answer_check(False)
        else:
            ctx.controller.skip()
    raise AssertionError(f"no {kind} phase of {exercise_id}")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (992, 528)])
def test_pause_dims_the_digits_and_shows_a_paused_band_clear_of_the_stop_button(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot, width: int, height: int
) -> None:
    """At the usual size and in a maximised window on a 1024x600 screen."""
    ctx.window.resize(width, height)
    qtbot.waitUntil(lambda: ctx.window.size() == QSize(width, height))
    ctx.window.start_routine("sciatica-foam-roll")
    _advance(ctx, clock, 20)
    view = ctx.window.session
    band = view.paused_band
    digits = view.countdown_label
    running_colour = digits.palette().color(QPalette.ColorRole.WindowText)
    assert not band.isVisible()

    ctx.controller.toggle_pause()
    assert ctx.controller.engine and ctx.controller.engine.state is SessionState.PAUSED
    assert band.isVisible()
    assert view.phase_label.text() == "PAUSED"
    assert band.title.text() == "PAUSED" and "resume" in band.hint.text()
    assert not _in_window(band).intersects(_in_window(view.pain_button))
    assert _in_window(band).width() > ctx.window.width() * 0.8, "a band across the screen"
    assert _in_window(band).height() >= 80
    for button in (b for b in view.findChildren(QPushButton) if b.isVisible()):
        assert not _in_window(band).intersects(_in_window(button)), button.objectName()
    assert ctx.window.rect().contains(_in_window(band))
    paused_colour = digits.palette().color(QPalette.ColorRole.WindowText)
    background = view.palette().color(QPalette.ColorRole.Window)

    def distance(a: QColor, b: QColor) -> int:
        return sum(abs(x - y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))

    assert distance(paused_colour, background) < distance(running_colour, background) / 2, (
        "the digits dim towards the background while paused"
    )

    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)  # resume
    assert ctx.controller.engine.state is SessionState.RUNNING
    assert not band.isVisible()
    assert view.phase_label.text() == "ROLL", "the phase's name comes back"
    assert digits.palette().color(QPalette.ColorRole.WindowText) == running_colour


def test_rep_phase_shows_the_rep_count_big_and_the_set_and_time_small(
    ctx: AppContext, clock: FakeClock
) -> None:
    ctx.window.start_routine("stretch-and-strengthen")
    phase = _skip_to(ctx, "glute-bridge")
    assert phase.reps == 12
    view = ctx.window.session
    _advance(ctx, clock, phase.lead_in_s + 6.5 * phase.rep_s)  # into the seventh rep
    assert view.countdown_label.text() == "7 of 12"
    assert view.countdown_label.accessibleName() == "Repetition"
    small = view.set_label.text()
    assert ":" in small, "the set's time left is in the small label"
    if phase.sets > 1:
        assert f"set {phase.set_number} of {phase.sets}" in small
    _advance(ctx, clock, phase.rep_s)
    assert view.countdown_label.text() == "8 of 12"


def _ink_corners(label: QWidget, text: str) -> list[QPointF]:
    """The corners of the ink of ``text`` as the centred label draws it, in the label's
    parent's coordinates."""
    metrics = QFontMetrics(label.font())
    ink = metrics.tightBoundingRect(text)
    x0 = label.x() + (label.width() - metrics.horizontalAdvance(text)) / 2
    baseline = label.y() + (label.height() - metrics.height()) / 2 + metrics.ascent()
    left, right = x0 + min(0, ink.left()), x0 + max(metrics.horizontalAdvance(text), ink.right())
    top, bottom = baseline + ink.top(), baseline + ink.bottom() + 1
    return [QPointF(x, y) for x in (left, right) for y in (top, bottom)]


def _assert_inside_ring(view: QWidget, text: str, where: str) -> None:
    ring, label = view.ring, view.countdown_label  # type: ignore[attr-defined]
    centre = ring.ring_rect().center()
    radius = ring.inner_radius()
    for corner in _ink_corners(label, text):
        reach = math.hypot(corner.x() - centre.x(), corner.y() - centre.y())
        assert reach <= radius, f"{text!r} runs into the ring at {where}: {reach:.1f} > {radius}"


# 200 % scale: Qt lays the window out in logical pixels, so a 1920x1080 screen at 200 % is a
# 960x540 window (the fonts are set in logical pixels too: the fit does not depend on the
# device pixel ratio); at the largest text size as well, which must not change the fit.
SIZES = [(1024, 600), (1280, 720), (1366, 768), (1920, 1080), (960, 540)]


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_countdown_digits_fit_inside_the_ring(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot, width: int, height: int
) -> None:
    window = ctx.window
    window.change_settings(text_size=len(TEXT_SIZES) - 1)
    window.setMinimumSize(0, 0)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size() == QSize(width, height))
    window.start_routine("stretch-and-strengthen")
    view = window.session
    _advance(ctx, clock, 1)
    _assert_inside_ring(view, view.countdown_label.text(), f"{width}x{height}")
    roll = _skip_to(ctx, "figure-4-stretch")
    _advance(ctx, clock, 1)
    _assert_inside_ring(view, view.countdown_label.text(), f"{width}x{height}, roll")
    _assert_inside_ring(view, "8:88", f"{width}x{height}, roll")
    while len(view.countdown_label.text()) < 5:  # time added past ten minutes
        ctx.controller.add_time()
    assert view.countdown_label.text().startswith("10:"), roll.duration_s
    _assert_inside_ring(view, "88:88", f"{width}x{height}, ten minutes")
    _skip_to(ctx, "glute-bridge")
    _advance(ctx, clock, 30)
    assert view.countdown_label.text().endswith("of 12")
    _assert_inside_ring(view, "12 of 12", f"{width}x{height}, reps")
    _assert_inside_ring(view, "88 of 88", f"{width}x{height}, reps")
    assert view.countdown_label.pixel_size() >= height * 0.1, "still large from the mat"


def test_a_long_notice_in_a_session_moves_neither_countdown_nor_side_nor_stop_button(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
    window = ctx.window
    window.start_routine("sciatica-foam-roll")
    _advance(ctx, clock, 20)  # a sided roll
    view = window.session
    assert view.side_label.isVisible()
    watched = (view.countdown_label, view.side_label, view.pain_button, view.ring)

    def places() -> list[QRect]:
        return [_in_window(w) for w in watched]

    before = places()
    window.show_notice("No sound can be played: the cues will only show on screen. " * 5)
    assert window.banner.isVisible()
    qtbot.waitUntil(lambda: window.banner.height() > 0)
    QApplication.processEvents()  # any layout the notice asked for has happened
    assert places() == before
    banner = _in_window(window.banner)
    for widget in watched:
        assert not banner.intersects(_in_window(widget)), widget.objectName()
    assert window.rect().contains(banner)

    window.show_notice("Voice muted (M to unmute).")
    QApplication.processEvents()
    assert places() == before
    window.show_notice("")
    assert not window.banner.isVisible()
    window.show_home()
    window.show_notice("Back home, a notice sits above the page again.")
    QApplication.processEvents()
    assert window.banner.isVisible() and _in_window(window.banner).top() == 0
    assert _in_window(window.home).top() >= window.banner.height()
