"""Every control a screen reader meets says what it is in words, on every screen of a session;
every one a keyboard can reach (Tab, or the session's documented keys); Tab follows the screen."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TypeVar

import pytest
from actions import check_in, click
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QApplication, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.safety import RED_FLAGS, Reach
from sciatica_timer.ui.screens.main_window import KEYS

T = TypeVar("T")

CONTROLS = {
    QAccessible.Role.PushButton,
    QAccessible.Role.CheckBox,
    QAccessible.Role.RadioButton,
    QAccessible.Role.Slider,
    QAccessible.Role.ComboBox,
    QAccessible.Role.EditableText,
    QAccessible.Role.SpinBox,
    QAccessible.Role.List,
    QAccessible.Role.Table,
}


def _controls(node: QAccessibleInterface | None) -> list[tuple[str, str, str]]:
    """(role, object name, accessible name) of every visible control under ``node``."""
    if node is None or not node.isValid():
        return []
    found = []
    if node.role() in CONTROLS and not node.state().invisible:
        obj = node.object()
        found.append(
            (node.role().name, obj.objectName() if obj else "", node.text(QAccessible.Text.Name))
        )
    for k in range(node.childCount()):
        found += _controls(node.child(k))
    return found


def _badly_named(ctx: AppContext) -> list[tuple[str, str, str]]:
    controls = _controls(QAccessible.queryAccessibleInterface(ctx.window))
    assert controls, "the walk found controls"
    return [
        c for c in controls
        if not any(ch.isalnum() for ch in c[2]) or any(0x2190 <= ord(ch) <= 0x2BFF for ch in c[2])
    ]  # fmt: skip


SESSION_KEYED = {
    "backButton": "back",
    "pauseButton": "pause",
    "skipButton": "skip",
    "addTimeButton": "add",
    "holdButton": "hold",
    "endButton": "end",
    "painStopButton": "pain_stop",
}
"""The session's buttons that take no focus on purpose (Space always pauses there, so no
button may hold the focus and take it): the action each one's key does instead."""
KEYED_ACTIONS = {action for keys in KEYS for _key, action in keys.bindings}


def _in_words(name: str) -> bool:
    return any(ch.isalnum() for ch in name)


def _widgets(node: QAccessibleInterface | None) -> list[tuple[QAccessibleInterface, QWidget]]:
    """Every visible widget of the accessibility tree under ``node``, with its node."""
    if node is None or not node.isValid():
        return []
    found = []
    obj = node.object()
    if isinstance(obj, QWidget) and obj.isVisible():
        found.append((node, obj))
    for k in range(node.childCount()):
        found += _widgets(node.child(k))
    return found


def _in_a_reachable_group(widget: QWidget) -> bool:
    """A button of an exclusive group with a Tab stop: Qt keeps one Tab stop per group (the
    checked button, or the first) and the arrow keys move along the group, as radio
    buttons do."""
    group = widget.group() if isinstance(widget, QAbstractButton) else None
    return (
        group is not None
        and group.exclusive()
        and any(b.focusPolicy() & Qt.FocusPolicy.TabFocus for b in group.buttons())
    )


def _twin_of(widget: QWidget) -> QWidget | None:
    """The focusable spin box a settings −/+ button is the mouse's twin of (its Up and Down
    keys do the same), or None."""
    name = widget.objectName()
    for suffix in ("Less", "More"):
        if name.endswith(suffix) and widget.window() is not None:
            spin = widget.window().findChild(QSpinBox, name.removesuffix(suffix))
            if spin is not None and spin.focusPolicy() & Qt.FocusPolicy.TabFocus:
                return spin
    return None


def _unreachable(ctx: AppContext) -> list[str]:
    """Controls a keyboard user cannot reach, and Tab stops with no name in words."""
    window = ctx.window
    session = window.session if "session" in window.__dict__ else None
    problems = []
    for node, widget in _widgets(QAccessible.queryAccessibleInterface(window)):
        what = (
            f"{type(widget).__name__} {widget.objectName()!r} {node.text(QAccessible.Text.Name)!r}"
        )
        tab_stop = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if tab_stop and widget.isEnabled() and not _in_words(node.text(QAccessible.Text.Name)):
            problems.append(f"unnamed Tab stop: {what}")
        if node.role() not in CONTROLS or not widget.isEnabled() or tab_stop:
            continue
        keyed = SESSION_KEYED.get(widget.objectName())
        if session is not None and keyed and session.isAncestorOf(widget):
            if keyed not in KEYED_ACTIONS:
                problems.append(f"no key for {keyed}: {what}")
        elif not _in_a_reachable_group(widget) and _twin_of(widget) is None:
            problems.append(f"not reachable by Tab: {what}")
    return problems


def _names(ctx: AppContext) -> set[str]:
    return {c[2] for c in _controls(QAccessible.queryAccessibleInterface(ctx.window))}


def _every_screen(ctx: AppContext, qtbot: QtBot, look: Callable[[AppContext], T]) -> dict[str, T]:
    """``look`` at each screen in turn, as a user reaches it: home, settings, disclaimer,
    red flags, pain, session, paused, safety (after a pain stop), done (after E)."""
    window = ctx.window
    screens = {"home": look(ctx)}
    window.show_settings()
    screens["settings"] = look(ctx)
    window.settings_page.back.click()
    click(ctx, qtbot, "startButton")
    screens["disclaimer"] = look(ctx)
    click(ctx, qtbot, "acceptDisclaimerButton")
    screens["red flags"] = look(ctx)
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_No")
    click(ctx, qtbot, "redFlagContinueButton")
    screens["pain"] = look(ctx)
    check_in(ctx, qtbot)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.session)
    screens["session"] = look(ctx)
    ctx.controller.toggle_pause()
    ctx.controller.refresh()
    screens["paused"] = look(ctx)
    ctx.controller.pain_stop()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.safety)
    screens["safety"] = look(ctx)
    window.show_home()
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    ctx.controller.end()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    screens["done"] = look(ctx)
    return screens


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")
def test_every_control_on_every_screen_is_named_in_words(ctx: AppContext, qtbot: QtBot) -> None:
    screens = _every_screen(ctx, qtbot, lambda c: (_badly_named(c), _names(c)))
    assert "Pause" in screens["session"][1]
    assert "Resume" in screens["paused"][1], "the name follows the button's text"
    bad = {key: problems for key, (problems, _) in screens.items()}
    assert bad == {key: [] for key in bad}


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")
def test_every_control_on_every_screen_is_reached_by_keys(ctx: AppContext, qtbot: QtBot) -> None:
    """Each enabled control takes Tab focus, or is a session button reached by its key
    (KEYS), or a settings −/+ button whose spin box's Up and Down do the same; and
    nothing that takes Tab focus is nameless."""
    screens = _every_screen(ctx, qtbot, _unreachable)
    assert screens == {key: [] for key in screens}


def _tab_chain(ctx: AppContext, qtbot: QtBot, first: QWidget) -> list[QWidget]:
    """The widgets Tab visits from ``first`` until it comes round again."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    chain = [first]
    for _ in range(80):
        qtbot.keyClick(QApplication.focusWidget() or ctx.window, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is None or focus is first:
            break
        assert focus not in chain, f"Tab went round without {first.objectName()}"
        chain.append(focus)
    else:
        raise AssertionError("Tab never came round again")
    back = [first]
    for _ in chain[1:]:
        qtbot.keyClick(QApplication.focusWidget() or ctx.window, Qt.Key.Key_Backtab)
        back.append(QApplication.focusWidget())
    assert back == [first, *reversed(chain[1:])], "Shift+Tab goes back the same way"
    return chain


def _placed(ctx: AppContext, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(ctx.window, widget.rect().topLeft()), widget.size())


def _reading_order_breaks(ctx: AppContext, chain: list[QWidget]) -> list[str]:
    """Steps of the chain that go against the screen: up within a column, or leftwards
    within a row (a step to the next column, or down to the next row, is fine)."""
    breaks = []
    for a, b in itertools.pairwise(chain):
        ra, rb = _placed(ctx, a), _placed(ctx, b)
        same_row = rb.top() < ra.bottom() and ra.top() < rb.bottom()
        same_column = rb.left() < ra.right() and ra.left() < rb.right()
        if (same_row and rb.center().x() < ra.center().x()) or (
            same_column and not same_row and rb.top() < ra.top()
        ):
            breaks.append(f"{a.objectName() or type(a).__name__} -> {b.objectName()}")
    return breaks


def test_tab_follows_the_check_in_and_done_screens_from_top_left(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """Tab and Shift+Tab go down each column and along each row as the screen reads,
    and reach every control that takes Tab focus on the page."""
    window = ctx.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    checkin = window.checkin
    chains: dict[str, list[QWidget]] = {}
    click(ctx, qtbot, "startButton")
    chains["disclaimer"] = _tab_chain(ctx, qtbot, window.findChild(QWidget, "disclaimerBackButton"))
    click(ctx, qtbot, "acceptDisclaimerButton")
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_No")
    first_answer = checkin.red_flag_answers[RED_FLAGS[0].key].no
    chains["red flags"] = _tab_chain(ctx, qtbot, first_answer)
    click(ctx, qtbot, "redFlagContinueButton")
    checkin.pain_scale.group.button(4).click()
    checkin.body_map.set_reach(Reach.THIGH)
    click(ctx, qtbot, "flareYes")  # the offer of a gentler routine, where it shows
    chains["pain"] = _tab_chain(ctx, qtbot, checkin.pain_scale.group.button(4))
    click(ctx, qtbot, "flareNo")
    check_in(ctx, qtbot)
    ctx.controller.end()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.done)
    done = window.done
    chains["done"] = _tab_chain(ctx, qtbot, done.findChild(QWidget, "doneSummaryScroll"))
    breaks = {page: _reading_order_breaks(ctx, chain) for page, chain in chains.items()}
    assert breaks == {page: [] for page in chains}
    assert _reading_order_breaks(ctx, chains["done"][::-1]), "the check sees a wrong order"
    assert [w.objectName() for w in chains["done"]] == [
        "doneSummaryScroll", "painAfter0", "noReachAfterButton", "saveAfterButton",
        "reachAfterMap", "homeButton",
    ]  # fmt: skip
    names = [w.objectName() for w in chains["pain"]]
    assert names[:4] == ["painBefore4", "noReachButton", "flareYes", "flareSwitchButton"], names
    assert names[-3:] == ["reachBeforeMap", "checkInBackButton", "checkInStartButton"], names


def test_a_red_flag_answer_says_its_question(ctx: AppContext, qtbot: QtBot) -> None:
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    flag = RED_FLAGS[0]
    answer = ctx.window.checkin.red_flag_answers[flag.key]
    assert answer.no.accessibleName() == "No"
    assert answer.no.accessibleDescription() == flag.question
