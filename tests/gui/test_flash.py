"""The optional colour flash (issue 14): off by default; on, a soft wash at each phase
change and at 3, 2, 1 that never moves the stop button nor takes its clicks."""

from __future__ import annotations

import json
from pathlib import Path

from actions import open_window
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.storage.settings import Settings, load_settings
from sciatica_timer.ui.theme import palette_of
from sciatica_timer.ui.widgets.flash import (
    FLASH_MS,
    FRAME_MS,
    PEAK_ALPHA,
    RISE_SHARE,
    flash_alpha,
)

ROUTINE = "sciatica-foam-roll"


def _flash_on(ctx: AppContext) -> None:
    ctx.window.change_settings(flash_on=True)


def _run_first_phase(ctx: AppContext, qtbot: QtBot) -> list[str]:
    """Start the routine, then step the fake clock through its get-ready into the next part;
    what happened at each step that flashed: "start", a second shown, or "next"."""
    window = ctx.window
    window.start_routine(ROUTINE)
    session = window.session
    overlay = session.flash_overlay
    clock = ctx.controller._clock
    assert isinstance(clock, FakeClock)
    snap = ctx.controller.snapshot()
    assert snap is not None and snap.phase is not None
    first = snap.phase.index
    flashed: list[str] = []
    count = overlay.flashes
    if count:
        flashed.append("start")
        qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)
    for _ in range(int(snap.phase.duration_s) * 4 + 4):  # a quarter second at a time
        clock.advance(0.25)
        ctx.controller.refresh()
        if overlay.flashes > count:
            count = overlay.flashes
            now = ctx.controller.snapshot()
            assert now is not None and now.phase is not None
            changed = now.phase.index != first
            flashed.append("next" if changed else str(now.display_seconds))
            qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)  # it fades out
            if changed:
                break
    return flashed


def test_the_flash_is_off_by_default(ctx: AppContext, qtbot: QtBot) -> None:
    assert Settings().flash_on is False
    assert ctx.window.settings.flash_on is False
    assert _run_first_phase(ctx, qtbot) == []
    assert not ctx.window.session.flash_overlay.isVisible()


def test_on_it_flashes_at_each_phase_change_and_at_three_two_one(
    ctx: AppContext, qtbot: QtBot
) -> None:
    _flash_on(ctx)
    assert _run_first_phase(ctx, qtbot) == ["start", "3", "2", "1", "next"]


def test_a_flash_while_one_shows_is_dropped(ctx: AppContext, qtbot: QtBot) -> None:
    """Skipping part after part by keys never makes a strobe: a second request while one
    shows is dropped, so at most two a second (a flash lasts half a second)."""
    _flash_on(ctx)
    ctx.window.start_routine(ROUTINE)
    overlay = ctx.window.session.flash_overlay
    assert overlay.flashing() and overlay.flashes == 1
    for _ in range(4):
        ctx.controller.skip()
    assert overlay.flashes == 1
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)
    ctx.controller.skip()
    assert overlay.flashes == 2
    assert FLASH_MS >= 1000 / 3 + 100


def test_a_flash_paints_no_more_than_25_frames_a_second(ctx: AppContext, qtbot: QtBot) -> None:
    """Each frame repaints the whole screen under the wash: a flash paints a frame every
    FRAME_MS (40 ms), about 13 in all, not Qt's 60 a second (30 a flash, 148 ms of CPU)."""
    _flash_on(ctx)
    ctx.window.start_routine(ROUTINE)
    overlay = ctx.window.session.flash_overlay
    assert overlay.flashing()
    before = overlay.frames
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=3000)
    painted = overlay.frames - before
    assert 1 <= painted <= FLASH_MS // FRAME_MS + 1, painted
    assert FRAME_MS >= 40


def test_what_changes_under_a_flash_shows_through_it(ctx: AppContext, qtbot: QtBot) -> None:
    """A frame paints a picture of the screen taken once, not every widget again; when the
    countdown moves on during a flash, the picture is taken again, so the wash never hides
    a second shown."""
    _flash_on(ctx)
    ctx.window.start_routine(ROUTINE)
    session = ctx.window.session
    overlay = session.flash_overlay
    overlay.stop()
    overlay.duration_ms = 60_000  # held, so that a busy machine cannot end it first
    overlay.flash(palette_of(session).accent)
    qtbot.waitUntil(lambda: overlay._backdrop is not None)
    first = overlay._backdrop
    assert first is not None
    label = session.countdown_label
    digits = QRect(label.mapTo(session, QPoint(0, 0)), label.size())
    shown = session.countdown_label.text()
    clock = ctx.controller._clock
    assert isinstance(clock, FakeClock)
    clock.advance(1.0)
    ctx.controller.refresh()
    assert session.countdown_label.text() != shown
    qtbot.waitUntil(lambda: overlay._backdrop is not None and overlay._backdrop is not first)
    second = overlay._backdrop
    assert second is not None
    ratio = first.devicePixelRatio()
    box = QRect(
        round(digits.x() * ratio),
        round(digits.y() * ratio),
        round(digits.width() * ratio),
        round(digits.height() * ratio),
    )
    assert first.toImage().copy(box) != second.toImage().copy(box)
    overlay.stop()


def test_a_resize_during_a_flash_keeps_the_stop_button_out_of_it(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """The window resized while a flash shows: the flash leaves out the stop button where
    it now is, not where it was."""
    window = ctx.window
    window.start_routine(ROUTINE)
    session = window.session
    overlay = session.flash_overlay
    overlay.stop()
    overlay.duration_ms = 60_000
    overlay.flash(palette_of(session).accent)
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: session.width() < 1100)
    stop = session.pain_button.geometry()
    assert overlay.geometry() == session.rect()
    assert not overlay.mask().contains(stop.center())
    ring = session.ring
    assert overlay.mask().contains(ring.mapTo(session, ring.rect().center()))
    overlay.stop()


def test_the_flash_is_soft_and_brief() -> None:
    """It rises and falls; never stronger than PEAK_ALPHA, gone at the end."""
    values = [flash_alpha(k / 100) for k in range(101)]
    assert max(values) <= PEAK_ALPHA < 0.5
    assert values[0] == values[-1] == 0.0
    top = values.index(max(values))
    rise, fall = values[: top + 1], values[top:]
    assert rise == sorted(rise) and fall == sorted(fall, reverse=True)
    assert 400 <= FLASH_MS <= 600


def test_the_stop_button_stays_put_and_clickable_under_the_flash(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """While the flash shows, the stop button is where it was, the mouse reaches it through
    the flash, and a click there is the pain stop."""
    window = ctx.window
    window.start_routine(ROUTINE)
    session = window.session
    qtbot.waitUntil(lambda: session.pain_button.isVisible())
    stop = session.pain_button
    before = stop.geometry()
    others = [w.geometry() for w in (session.countdown_label, session.side_label,
                                     session.back_button)]  # fmt: skip
    session.flash_on = True
    ctx.controller.skip()  # a phase change: the flash
    overlay = session.flash_overlay
    assert overlay.isVisible() and overlay.flashing()
    assert overlay.geometry() == session.rect()
    assert stop.geometry() == before
    assert [w.geometry() for w in (session.countdown_label, session.side_label,
                                   session.back_button)] == others  # fmt: skip
    centre = stop.mapTo(window, stop.rect().center())
    assert window.childAt(centre) is stop, "the flash lets the mouse through to STOP"
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    handle = window.windowHandle()
    assert handle is not None
    QTest.mouseClick(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(centre))  # fmt: skip
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)


def test_the_setting_is_on_the_settings_page_by_keyboard_and_kept(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The check box takes Tab focus, has a name in words, Space turns it on, and it is
    saved (a corrupt value in the file is the default, off)."""
    ctx = open_window(qtbot, tmp_path)
    try:
        ctx.window.show_settings()
        page = ctx.window.settings_page
        box = page.flash
        assert box.accessibleName() and box.accessibleDescription()
        assert box.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert box in page.controls()
        box.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()
        page.apply_now()
        assert ctx.window.settings.flash_on is True
    finally:
        ctx.close()
    path = tmp_path / "config" / "settings.json"
    assert load_settings(path)[0].flash_on is True
    raw = json.loads(path.read_text())
    raw["flash_on"] = "yes"
    path.write_text(json.dumps(raw))
    settings, notices = load_settings(path)
    assert settings.flash_on is False and "flash_on" in notices[0]


def test_the_flash_washes_the_screen_in_the_accent_but_not_the_stop_button(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """Drawn at its peak: the screen's background takes on the accent colour, the stop
    button's pixels are exactly as they were."""
    window = ctx.window
    window.start_routine(ROUTINE)
    session = window.session
    qtbot.waitUntil(lambda: session.pain_button.isVisible())
    stop = session.pain_button.geometry()
    inside_stop = stop.center()
    background = QPoint(session.ring.geometry().left() + 4, session.ring.geometry().top() + 4)
    before = session.grab().toImage()
    overlay = session.flash_overlay
    overlay.hold_at(RISE_SHARE, palette_of(session).accent)
    during = session.grab().toImage()
    overlay.stop()
    ratio = before.width() / session.width()  # the device pixel ratio of the grab

    def at(image: QImage, point: QPoint) -> QColor:
        return image.pixelColor(round(point.x() * ratio), round(point.y() * ratio))

    assert at(during, inside_stop) == at(before, inside_stop)
    for corner in (stop.topLeft(), stop.bottomRight()):
        assert at(during, corner) == at(before, corner)
    washed, plain = at(during, background), at(before, background)
    accent = QColor(palette_of(session).accent)
    assert washed != plain
    # each channel moved towards the accent's, by about the peak strength
    for channel in ("red", "green", "blue"):
        a, p, w = (getattr(c, channel)() for c in (accent, plain, washed))
        assert abs(w - (p + (a - p) * PEAK_ALPHA)) <= 3, channel
