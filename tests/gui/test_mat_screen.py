"""Readable from the mat: the session screen seen from two or three metres away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.timeline import Phase, PhaseKind


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


def test_pause_dims_the_digits_and_shows_a_paused_band_clear_of_the_stop_button(
    ctx: AppContext, clock: FakeClock, qtbot: QtBot
) -> None:
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
    assert band.title.text() == "PAUSED" and "resume" in band.hint.text()
    assert not _in_window(band).intersects(_in_window(view.pain_button))
    assert _in_window(band).width() > ctx.window.width() * 0.8, "a band across the screen"
    assert _in_window(band).height() >= 80
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
    assert digits.palette().color(QPalette.ColorRole.WindowText) == running_colour
