"""The settings screen: reached from home, by keyboard too; every setting takes effect at
once in the real window, and is there again after a restart on the same data folder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from actions import check_in
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.models import Pauses
from sciatica_timer.core.safety import Reach
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import PhaseKind, Side, build_timeline
from sciatica_timer.storage.settings import TEXT_SIZES, VERSION, Settings, load_settings
from sciatica_timer.ui import theme
from sciatica_timer.ui.screens.settings import SettingsView
from sciatica_timer.ui.theme import DARK, HIGH_CONTRAST, LIGHT, palette_of

ROUTINE = "sciatica-foam-roll"

Start = Callable[[Path], AppContext]


@pytest.fixture
def start(qtbot: QtBot) -> Iterator[Start]:
    """Start the real app on a data folder (again: a restart); each is closed at the end.

    Sounds are off unless the test wrote its own settings: a sound player started and
    killed with each of several windows is not what these tests are about."""
    started: list[AppContext] = []

    def run(data: Path) -> AppContext:
        if started:
            started[-1].close()
        settings = data / "config" / "settings.json"
        if not settings.exists():
            settings.parent.mkdir(parents=True)
            settings.write_text('{"sounds_on": false}')
        ctx = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=FakeClock())
        qtbot.addWidget(ctx.window)
        ctx.window.resize(1366, 768)
        ctx.window.show()
        ctx.window.activateWindow()  # offscreen activates it: the keys reach the shortcuts
        qtbot.waitUntil(ctx.window.isActiveWindow)
        started.append(ctx)
        return ctx

    yield run
    started[-1].close()


def open_settings(ctx: AppContext, qtbot: QtBot) -> SettingsView:
    qtbot.mouseClick(ctx.window.home.sound_button, Qt.MouseButton.LeftButton)
    page = ctx.window.settings_page
    assert ctx.window.stack.currentWidget() is page
    return page


def back_home(ctx: AppContext, qtbot: QtBot, page: SettingsView) -> None:
    qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)
    assert ctx.window.stack.currentWidget() is ctx.window.home


def choose(combo_owner: SettingsView, name: str, data: object) -> None:
    combo = getattr(combo_owner, name)
    index = combo.findData(data)
    assert index >= 0, (name, data)
    combo.setCurrentIndex(index)


def saved(ctx: AppContext) -> Settings:
    settings, notices = load_settings(ctx.paths.settings)
    assert notices == []
    return settings


def first_sided_work(ctx: AppContext) -> Side | None:
    engine = ctx.controller.engine
    assert engine is not None
    return next(p.side for p in engine.timeline.phases if p.kind is PhaseKind.WORK and p.side)


def run_session(ctx: AppContext, qtbot: QtBot) -> None:
    """From home through the check-in into a session of ROUTINE."""
    assert ctx.window.home.select(ROUTINE)
    qtbot.mouseClick(ctx.window.home.start_button, Qt.MouseButton.LeftButton)
    check_in(ctx, qtbot)
    assert ctx.controller.running


def end_session(ctx: AppContext) -> None:
    ctx.controller.end()
    ctx.window.show_home()


# --- the screen -------------------------------------------------------------------------


def test_the_home_button_says_settings_and_esc_returns_home(start: Start, tmp_path: Path,
                                                            qtbot: QtBot) -> None:  # fmt: skip
    ctx = start(tmp_path)
    assert ctx.window.home.sound_button.text() == "Settings"
    page = open_settings(ctx, qtbot)
    qtbot.keyClick(page.voice_on, Qt.Key.Key_Escape)
    assert ctx.window.stack.currentWidget() is ctx.window.home


def test_every_control_is_named_for_a_screen_reader(start: Start, tmp_path: Path,
                                                    qtbot: QtBot) -> None:  # fmt: skip
    page = open_settings(start(tmp_path), qtbot)
    widgets = [*page.controls(), *page.findChildren(QAbstractButton)]
    unnamed = [w.objectName() for w in widgets if not w.accessibleName()]
    assert not unnamed
    assert len({w.accessibleName() for w in page.controls()}) == len(page.controls())


def test_it_fits_a_small_screen_by_scrolling(start: Start, tmp_path: Path, qtbot: QtBot) -> None:
    """At 1024x600 the page scrolls; moving the focus to the last control brings it into view."""
    ctx = start(tmp_path)
    ctx.window.resize(1024, 600)
    page = open_settings(ctx, qtbot)
    bar = page.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.value() == 0
    while ctx.window.focusWidget() is not page.text_size:
        qtbot.keyClick(ctx.window.focusWidget(), Qt.Key.Key_Tab)
    assert bar.value() > 0
    viewport = page.scroll_area.viewport()
    top_left = page.text_size.mapTo(viewport, page.text_size.rect().topLeft())
    assert viewport.rect().contains(top_left)


def test_the_keyboard_alone_reaches_and_changes_every_setting(start: Start, tmp_path: Path,
                                                              qtbot: QtBot) -> None:  # fmt: skip
    """Tab from home to Settings, Space opens it; Tab visits every control in order, the
    arrow keys and Space change them; Esc goes home, and the changes are saved."""
    ctx = start(tmp_path)
    window = ctx.window
    window.activateWindow()
    window.home.routine_list.setFocus(Qt.FocusReason.OtherFocusReason)
    for _ in range(10):
        if window.focusWidget() is window.home.sound_button:
            break
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert window.focusWidget() is window.home.sound_button
    qtbot.keyClick(window.home.sound_button, Qt.Key.Key_Space)
    page = window.settings_page
    assert window.stack.currentWidget() is page and window.focusWidget() is page.back
    visited = [page.back]
    for _ in page.controls()[1:]:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        visited.append(window.focusWidget())
    assert visited == page.controls()
    # change some by keys: a check box, a spin box, two combo boxes, a slider
    qtbot.keyClick(page.keep_awake, Qt.Key.Key_Space)
    qtbot.keyClick(page.hold, Qt.Key.Key_Up)
    qtbot.keyClick(page.theme, Qt.Key.Key_End)
    qtbot.keyClick(page.first_side, Qt.Key.Key_Down)
    qtbot.keyClick(page.volume, Qt.Key.Key_Home)
    qtbot.keyClick(page.text_size, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.home
    s = saved(ctx)
    assert (s.keep_awake, s.hold_s, s.theme, s.first_side, s.volume) == (
        False, 21, "contrast", "right", 0.0,
    )  # fmt: skip


def test_a_change_is_applied_a_moment_after_it_is_made(start: Start, tmp_path: Path,
                                                       qtbot: QtBot) -> None:  # fmt: skip
    """Without leaving the page: a slider dragged sends one change when it stops."""
    ctx = start(tmp_path)
    page = open_settings(ctx, qtbot)
    with qtbot.waitSignal(page.changed, timeout=5000) as blocker:
        for value in range(100, 60, -5):
            page.volume.setValue(value)
    assert blocker.args == [{"volume": 0.65}]
    assert saved(ctx).volume == 0.65 and ctx.window.stack.currentWidget() is page


# --- each setting takes effect, and survives a restart ----------------------------------


def test_timing_defaults_shape_the_session_and_the_home_totals(start: Start, tmp_path: Path,
                                                               qtbot: QtBot) -> None:  # fmt: skip
    ctx = start(tmp_path)
    page = open_settings(ctx, qtbot)
    page.prepare.setValue(40)
    page.rest.setValue(5)
    page.switch.setValue(0)
    back_home(ctx, qtbot, page)
    pauses = Pauses(40, 5, 0)
    total = build_timeline(ctx.window.library, ROUTINE, pauses).total_s
    assert total != build_timeline(ctx.window.library, ROUTINE).total_s

    def home_row(ctx: AppContext) -> str:
        for row in range(ctx.window.home.routine_list.count()):
            item = ctx.window.home.routine_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == ROUTINE:
                label = ctx.window.home.routine_list.itemWidget(item)
                assert isinstance(label, QLabel)
                return label.text()
        raise AssertionError(ROUTINE)

    assert f" · {format_clock(total)} · " in home_row(ctx)
    for ctx in (ctx, start(tmp_path)):  # noqa: B020 (and after a restart)
        assert f" · {format_clock(total)} · " in home_row(ctx)
        run_session(ctx, qtbot)
        engine = ctx.controller.engine
        assert engine is not None
        phases = engine.timeline.phases
        assert (phases[0].kind, phases[0].duration_s) == (PhaseKind.PREPARE, 40)
        assert not any(p.kind is PhaseKind.SWITCH for p in phases)
        assert {p.duration_s for p in phases if p.kind is PhaseKind.REST} == {5}
        assert engine.timeline.total_s == total
        end_session(ctx)


def test_the_tender_spot_hold_lasts_as_set(start: Start, tmp_path: Path, qtbot: QtBot) -> None:
    ctx = start(tmp_path)
    page = open_settings(ctx, qtbot)
    page.hold.setValue(27)
    back_home(ctx, qtbot, page)
    for ctx, seconds in ((ctx, 27), (start(tmp_path), 27)):  # noqa: B020 (and after a restart)
        run_session(ctx, qtbot)
        ctx.controller.skip()  # the get-ready: into the first roll
        ctx.controller.hold()
        snap = ctx.controller.snapshot()
        assert snap is not None and snap.holding
        assert snap.total_ns == seconds * 1_000_000_000
        ctx.controller.hold()  # released
        end_session(ctx)
    page = open_settings(ctx, qtbot)
    page.hold.setValue(15)
    page.apply_now()
    run_session(ctx, qtbot)  # a change is used at once, without leaving the screen
    ctx.controller.skip()
    ctx.controller.hold()
    snap = ctx.controller.snapshot()
    assert snap is not None and snap.total_ns == 15 * 1_000_000_000


def test_the_starting_side_left_right_or_alternating(start: Start, tmp_path: Path,
                                                     qtbot: QtBot) -> None:  # fmt: skip
    ctx = start(tmp_path)
    run_session(ctx, qtbot)
    assert first_sided_work(ctx) is Side.LEFT
    end_session(ctx)
    page = open_settings(ctx, qtbot)
    choose(page, "first_side", "right")
    back_home(ctx, qtbot, page)
    run_session(ctx, qtbot)
    assert first_sided_work(ctx) is Side.RIGHT
    end_session(ctx)
    page = open_settings(ctx, qtbot)
    choose(page, "first_side", "alternate")
    back_home(ctx, qtbot, page)
    sides = []
    for restart in (False, False, True, False):
        if restart:
            ctx = start(tmp_path)
        run_session(ctx, qtbot)
        sides.append(first_sided_work(ctx))
        end_session(ctx)
    assert sides == [Side.LEFT, Side.RIGHT, Side.LEFT, Side.RIGHT]
    assert saved(ctx).last_first_side == "right"


def test_sessions_start_in_full_screen_when_asked(start: Start, tmp_path: Path,
                                                  qtbot: QtBot) -> None:  # fmt: skip
    ctx = start(tmp_path)
    run_session(ctx, qtbot)
    assert not ctx.window.isFullScreen()
    end_session(ctx)
    page = open_settings(ctx, qtbot)
    page.fullscreen.setChecked(True)
    back_home(ctx, qtbot, page)
    for ctx in (ctx, start(tmp_path)):  # noqa: B020 (the same after a restart)
        assert not ctx.window.isFullScreen()
        run_session(ctx, qtbot)
        qtbot.waitUntil(ctx.window.isFullScreen)
        end_session(ctx)  # back home: the window as it was
        qtbot.waitUntil(lambda ctx=ctx: not ctx.window.isFullScreen())


@pytest.mark.qt_log_ignore("This plugin does not support")  # the history window's raise()
def test_the_side_that_hurts_is_preselected_and_named_in_the_history(
    start: Start, tmp_path: Path, qtbot: QtBot
) -> None:
    ctx = start(tmp_path)
    ctx.window.ask_then_start(ROUTINE)
    checkin = ctx.window.checkin
    assert checkin.side_choice.value() == "both" and checkin.body_map.side() == "both"
    ctx.window.show_home()
    page = open_settings(ctx, qtbot)
    choose(page, "pain_side", "left")
    back_home(ctx, qtbot, page)
    for ctx in (ctx, start(tmp_path)):  # noqa: B020 (the same test after a restart)
        window = ctx.window
        window.show_history()
        assert window._history is not None
        assert window._history.side_note.text() == "Pain on the left side"
        window._history.close()
        window.ask_then_start(ROUTINE)
        checkin = window.checkin
        check_in(ctx, qtbot, reach=Reach.BELOW_KNEE)  # the picture is clicked on the left leg
        assert checkin.side_choice.value() == "left" and checkin.body_map.side() == "left"
        body = checkin.body_map
        assert body.region_center(Reach.BELOW_KNEE).x() < body.width() / 2
        end_session(ctx)
    # told in the check-in: remembered as the side that hurts
    ctx.window.ask_then_start(ROUTINE)
    qtbot.mouseClick(checkin.side_choice.buttons["right"], Qt.MouseButton.LeftButton)
    assert checkin.body_map.side() == "right"
    check_in(ctx, qtbot)
    assert saved(ctx).pain_side == "right"


def test_keep_awake_off_leaves_the_screen_free(start: Start, tmp_path: Path,
                                               qtbot: QtBot) -> None:  # fmt: skip
    """The setting reaches the inhibitor the controller uses (over D-Bus: test_awake_dbus)."""
    ctx = start(tmp_path)
    page = open_settings(ctx, qtbot)
    page.keep_awake.setChecked(False)
    back_home(ctx, qtbot, page)
    for ctx in (ctx, start(tmp_path)):  # noqa: B020 (the same after a restart)
        awake = ctx.controller._awake
        run_session(ctx, qtbot)
        assert awake.wanted and not awake.active and not awake.enabled
        end_session(ctx)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_the_theme_and_text_size_restyle_every_window_at_once(start: Start, tmp_path: Path,
                                                              qtbot: QtBot) -> None:  # fmt: skip
    ctx = start(tmp_path)
    window = ctx.window
    assert palette_of(window.home) is LIGHT  # "follow the system": offscreen has no scheme
    window.show_history()
    history = window._history
    assert history is not None
    page = open_settings(ctx, qtbot)
    title = page.findChild(QLabel)
    assert title is not None and title.font().pixelSize() == 30
    choose(page, "theme", "dark")
    page.text_size.setCurrentIndex(3)
    page.apply_now()  # without leaving the page
    big = round(30 * TEXT_SIZES[3])
    qtbot.waitUntil(lambda: title.font().pixelSize() == big)
    assert palette_of(page) is DARK and palette_of(history) is DARK
    colour = page.palette().color(QPalette.ColorRole.Window).name()
    assert colour == DARK.background
    assert history.palette().color(QPalette.ColorRole.Window).name() == DARK.background
    back_home(ctx, qtbot, page)
    row = window.home.routine_list.itemWidget(window.home.routine_list.item(0))
    assert isinstance(row, QLabel)
    assert DARK.muted in row.text() and f"font-size:{round(22 * TEXT_SIZES[3])}px" in row.text()
    history.close()
    ctx = start(tmp_path)
    assert palette_of(ctx.window.home) is DARK
    row = ctx.window.home.routine_list.itemWidget(ctx.window.home.routine_list.item(0))
    assert isinstance(row, QLabel) and f"font-size:{round(16 * TEXT_SIZES[3])}px" in row.text()
    page = open_settings(ctx, qtbot)
    choose(page, "theme", "contrast")
    page.text_size.setCurrentIndex(0)
    back_home(ctx, qtbot, page)
    run_session(ctx, qtbot)
    session = ctx.window.session
    assert palette_of(session) is HIGH_CONTRAST
    assert session.palette().color(QPalette.ColorRole.Window).name() == HIGH_CONTRAST.background
    end_session(ctx)


def test_follow_the_system_follows_a_change_of_the_desktops_scheme(
    start: Start, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offscreen platform has no scheme to change: the desktop's answer is stood in for,
    and its signal sent as the desktop would."""
    ctx = start(tmp_path)
    hints = QGuiApplication.styleHints()
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert palette_of(ctx.window.home) is DARK
    page = open_settings(ctx, qtbot)
    choose(page, "theme", "light")
    page.apply_now()
    assert palette_of(ctx.window.home) is LIGHT
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert palette_of(ctx.window.home) is LIGHT, "a theme chosen is kept"
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    choose(page, "theme", "system")
    page.apply_now()
    assert palette_of(ctx.window.home) is LIGHT


# --- the file -----------------------------------------------------------------------------


def test_a_damaged_settings_file_gives_defaults_and_is_kept_aside(
    start: Start, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text('{"theme": "dark", ')
    ctx = start(tmp_path)
    assert ctx.settings == Settings()
    notices = [m for m in ctx.window.banner.messages() if "settings" in m]
    assert len(notices) == 1 and str(config / "settings.json") in notices[0]
    assert [p.read_text() for p in config.glob("settings.json.corrupt-*")] == ['{"theme": "dark", ']
    assert palette_of(ctx.window.home) is LIGHT


def test_a_newer_versions_file_is_used_and_kept(start: Start, tmp_path: Path,
                                                qtbot: QtBot) -> None:  # fmt: skip
    config = tmp_path / "config"
    config.mkdir()
    text = json.dumps({"version": VERSION + 1, "theme": "dark", "hold_s": 25, "future": True})
    (config / "settings.json").write_text(text)
    ctx = start(tmp_path)
    assert ctx.settings.theme == "dark" and ctx.settings.hold_s == 25
    assert palette_of(ctx.window.home) is DARK
    told = [m for m in ctx.window.banner.messages() if "newer version" in m]
    assert len(told) == 1
    page = open_settings(ctx, qtbot)
    page.rest.setValue(20)
    back_home(ctx, qtbot, page)  # saved: in this version's format
    assert (config / f"settings.json.v{VERSION + 1}").read_text() == text
    assert saved(ctx).rest_s == 20
    ctx = start(tmp_path)
    assert not [m for m in ctx.window.banner.messages() if "newer version" in m]


def _overlapping(page: QWidget) -> list[tuple[str, str]]:
    """Pairs of visible labels and buttons on ``page`` drawn over each other."""
    shown = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, QLabel | QAbstractButton) and w.isVisibleTo(page) and w.text()
    ]
    rects = [(w, w.rect().translated(w.mapTo(page, w.rect().topLeft()))) for w in shown]
    return [
        (a.text(), b.text())
        for i, (a, ra) in enumerate(rects)
        for b, rb in rects[i + 1 :]
        if ra.intersects(rb) and not (a.isAncestorOf(b) or b.isAncestorOf(a))
    ]


def _home_buttons_whole(ctx: AppContext, qtbot: QtBot, width: int) -> None:
    """Every button of the home screen whole inside the window, none over another."""
    window = ctx.window
    size = (width, 0)
    home = window.home
    qtbot.waitUntil(lambda: home.start_button.isVisible())
    buttons = [b for b in home.findChildren(QAbstractButton) if b.isVisibleTo(home)]
    assert {"startButton", "newRoutineButton", "shareButton"} <= {b.objectName() for b in buttons}
    for button in buttons:  # the row of routine buttons wraps: the window stays on screen
        whole = button.rect().translated(button.mapTo(window, button.rect().topLeft()))
        assert window.rect().contains(whole), (button.text(), whole, window.rect())
    assert window.width() == size[0]
    rects = [b.rect().translated(b.mapTo(home, b.rect().topLeft())) for b in buttons]
    assert not [
        (a.text(), b.text())
        for i, (a, ra) in enumerate(zip(buttons, rects, strict=True))
        for b, rb in zip(buttons[i + 1 :], rects[i + 1 :], strict=True)
        if ra.intersects(rb)
    ], "no button drawn over another"


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)])
def test_the_largest_text_on_a_small_screen_squeezes_nothing_and_hides_no_stop_button(
    start: Start, tmp_path: Path, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """A page that does not fit scrolls instead of drawing its questions over each other;
    the session's stop button is always whole on screen."""
    ctx = start(tmp_path)
    window = ctx.window
    window.resize(*size)
    window.show_notice("A notice of two lines takes room too. " * 6)
    page = open_settings(ctx, qtbot)
    page.text_size.setCurrentIndex(len(TEXT_SIZES) - 1)
    back_home(ctx, qtbot, page)
    _home_buttons_whole(ctx, qtbot, size[0])
    window.ask_then_start(ROUTINE)
    checkin = window.checkin
    qtbot.mouseClick(checkin.findChild(QAbstractButton, "acceptDisclaimerButton"),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    for answer in checkin.red_flag_answers.values():
        answer.no.click()
    checkin.red_flag_continue.click()
    assert checkin.pages.currentWidget() is checkin.pain_page
    qtbot.waitUntil(lambda: checkin.pain_page.height() > 0)
    assert _overlapping(checkin.pain_page) == []
    check_in(ctx, qtbot)
    pain = window.session.pain_button
    qtbot.waitUntil(lambda: pain.isVisible())
    whole = pain.rect().translated(pain.mapTo(window, pain.rect().topLeft()))
    assert window.rect().contains(whole), (whole, window.rect())
    assert pain.width() >= pain.sizeHint().width()
    ctx.controller.end()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    qtbot.waitUntil(lambda: window.done.height() > 0)
    assert _overlapping(window.done) == []


def test_the_home_buttons_wrap_at_the_narrowest_window_with_the_largest_text(
    start: Start, tmp_path: Path, qtbot: QtBot
) -> None:
    """The row of routine buttons goes onto a second line rather than widening the window
    past the screen (Start and Settings cut off at the right)."""
    ctx = start(tmp_path)
    window = ctx.window
    window.resize(window.minimumWidth(), 600)
    page = open_settings(ctx, qtbot)
    page.text_size.setCurrentIndex(len(TEXT_SIZES) - 1)
    back_home(ctx, qtbot, page)
    _home_buttons_whole(ctx, qtbot, window.minimumWidth())


@pytest.mark.parametrize("text_size", [1, len(TEXT_SIZES) - 1])
def test_the_controls_of_every_section_line_up(
    start: Start, tmp_path: Path, qtbot: QtBot, text_size: int
) -> None:
    """The voice, timing, side and theme controls start at one x, whatever the text size:
    the page reads as one column of answers."""
    ctx = start(tmp_path)
    page = open_settings(ctx, qtbot)
    page.text_size.setCurrentIndex(text_size)
    qtbot.waitUntil(lambda: ctx.window.settings.text_size == text_size)
    content = page.scroll_area.widget()

    def left(widget: QWidget) -> int:
        return widget.mapTo(content, widget.rect().topLeft()).x()

    lefts = {left(w) for w in (page.voice, page.pain_side, page.theme, page.text_size)}
    assert len(lefts) == 1, lefts
