"""The pain score by keyboard: a digit picks it, 1 then 0 within a second is 10."""

from __future__ import annotations

from actions import click
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.safety import RED_FLAGS
from sciatica_timer.ui.widgets.answers import TEN_WITHIN_NS


def _to_the_pain_question(ctx: AppContext, qtbot: QtBot) -> None:
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_No")
    click(ctx, qtbot, "redFlagContinueButton")
    assert ctx.window.checkin.pages.currentWidget() is ctx.window.checkin.pain_page


def _type(ctx: AppContext, qtbot: QtBot, *keys: Qt.Key) -> None:
    for key in keys:
        qtbot.keyClick(ctx.window, key)


def test_a_digit_picks_the_pain_score(ctx: AppContext, qtbot: QtBot) -> None:
    """Typing 7 chooses 7, as clicking its button would; typing 3 then changes it to 3."""
    _to_the_pain_question(ctx, qtbot)
    scale = ctx.window.checkin.pain_scale
    assert scale.value() is None
    with qtbot.waitSignal(scale.changed) as chosen:
        _type(ctx, qtbot, Qt.Key.Key_7)
    assert chosen.args == [7] and scale.value() == 7
    _type(ctx, qtbot, Qt.Key.Key_3)
    assert scale.value() == 3
    _type(ctx, qtbot, Qt.Key.Key_0)
    assert scale.value() == 0, "0 after a 3 is 0, not 30"


def test_one_then_zero_within_a_second_is_ten_and_later_is_zero(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """1 then 0 at once gives 10; a 0 typed more than a second after the 1 is 0."""
    _to_the_pain_question(ctx, qtbot)
    scale = ctx.window.checkin.pain_scale
    clock = FakeClock()
    scale._now_ns = clock.now_ns
    _type(ctx, qtbot, Qt.Key.Key_1)
    assert scale.value() == 1
    clock.set_ns(clock.now_ns() + TEN_WITHIN_NS)
    _type(ctx, qtbot, Qt.Key.Key_0)
    assert scale.value() == 10
    _type(ctx, qtbot, Qt.Key.Key_1)
    clock.set_ns(clock.now_ns() + TEN_WITHIN_NS + 1)
    _type(ctx, qtbot, Qt.Key.Key_0)
    assert scale.value() == 0


def test_digits_choose_nothing_away_from_the_pain_question(ctx: AppContext, qtbot: QtBot) -> None:
    """On the home screen and the disclaimer a digit does nothing to the score."""
    _type(ctx, qtbot, Qt.Key.Key_5)
    click(ctx, qtbot, "startButton")
    checkin = ctx.window.checkin
    assert checkin.pages.currentWidget() is checkin.disclaimer_page
    _type(ctx, qtbot, Qt.Key.Key_5)
    assert checkin.pain_scale.value() is None


def test_the_question_names_the_keys_and_they_pick_the_score(ctx: AppContext, qtbot: QtBot) -> None:
    """The help says digits and the arrow keys pick the score; so they do: Right, Right and
    Space pick 2 from 0; a typed 7 picks 7 and takes the focus, and Left then gives 6."""
    _to_the_pain_question(ctx, qtbot)
    checkin = ctx.window.checkin
    text = checkin.pain_question.text()
    assert "arrow keys" in text and "Type the number" in text and "1 then 0" in text
    scale = checkin.pain_scale
    ctx.window.activateWindow()
    qtbot.waitUntil(ctx.window.isActiveWindow)
    scale.group.button(0).setFocus(Qt.FocusReason.TabFocusReason)
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Space):
        qtbot.keyClick(ctx.window.focusWidget(), key)
    assert scale.value() == 2
    qtbot.keyClick(ctx.window.focusWidget(), Qt.Key.Key_7)
    assert scale.value() == 7 and ctx.window.focusWidget() is scale.group.button(7)
    qtbot.keyClick(ctx.window.focusWidget(), Qt.Key.Key_Left)
    assert scale.value() == 6
