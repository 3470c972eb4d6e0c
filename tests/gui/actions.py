"""What a user does in the window, for the GUI tests: clicking, answering the check-in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.safety import RED_FLAGS, Reach


def open_window(qtbot: QtBot, data: Path) -> AppContext:
    """The real window at 1366x768 on the data folder ``data``, no voice, a fake clock
    (twice on one folder: the app started again)."""
    context = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=FakeClock())
    qtbot.addWidget(context.window)
    context.window.resize(1366, 768)
    context.window.show()
    return context


def click(ctx: AppContext, qtbot: QtBot, name: str) -> None:
    """Click the window's button with this object name."""
    button = ctx.window.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def check_in(
    ctx: AppContext, qtbot: QtBot, pain: int = 3, reach: Reach = Reach.THIGH, flare: bool = False
) -> None:
    """Answer the questions before a session as a user would, by clicking."""
    checkin = ctx.window.checkin
    if checkin.pages.currentWidget() is checkin.disclaimer_page:
        click(ctx, qtbot, "acceptDisclaimerButton")
    if checkin.pages.currentWidget() is checkin.red_flag_page:
        for flag in RED_FLAGS:
            click(ctx, qtbot, f"redFlag_{flag.key}_No")
        click(ctx, qtbot, "redFlagContinueButton")
    assert checkin.pages.currentWidget() is checkin.pain_page
    click(ctx, qtbot, f"painBefore{pain}")
    body = checkin.body_map
    qtbot.mouseClick(body, Qt.MouseButton.LeftButton, pos=body.region_center(reach).toPoint())
    click(ctx, qtbot, "flareYes" if flare else "flareNo")
    click(ctx, qtbot, "checkInStartButton")
