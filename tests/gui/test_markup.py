"""Text from an exercises file is shown as written, never as markup (issue 11, item 9):
an ``<img src=...>`` in a name must not make the app open a file, nor a style grow a font."""

from __future__ import annotations

import json
from pathlib import Path

from actions import check_in, click
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.safety import Reach

PAYLOAD = '<img src="/etc/hostname"><span style="font-size:900px">HUGE</span>'


def _hostile_file(tmp_path: Path) -> Path:
    doc = {
        "exercises": [
            {
                "id": "evil",
                "name": f"Roll {PAYLOAD}",
                "category": "release",
                "sides": "each",
                "duration_s": 5,
                "instructions": [f"Step {PAYLOAD}"],
                "cautions": [f"Careful {PAYLOAD}"],
                "equipment": [f"roller {PAYLOAD}"],
            }
        ],
        "routines": [
            {
                "id": "evil-routine",
                "name": f"Routine {PAYLOAD}",
                "description": f"About {PAYLOAD}",
                "steps": [{"exercise": "evil"}],
            }
        ],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    return path


def _markup_shown(root: QWidget) -> list[str]:
    """Labels that would render the payload as markup (rich text holding it unescaped)."""
    bad = []
    for label in root.findChildren(QLabel):
        text = label.text()
        fmt = label.textFormat()
        rich = fmt is Qt.TextFormat.RichText or (
            fmt is Qt.TextFormat.AutoText and QtGui.mightBeRichText(text)
        )
        if rich and ("<img" in text or '<span style="font-size:900px"' in text):
            bad.append(f"{label.objectName() or type(label).__name__}: {text[:80]}")
    return bad


def test_file_text_is_never_rendered_as_markup(qtbot: QtBot, tmp_path: Path) -> None:
    """Home, check-in, session, done and safety screens show the payload as plain text."""
    path = _hostile_file(tmp_path)
    args = ["--data-dir", str(tmp_path / "data"), "--no-voice", "--exercises", str(path)]
    ctx = build(parse_args(args), clock=FakeClock())
    qtbot.addWidget(ctx.window)
    ctx.window.show()
    assert ctx.window.home.select("evil-routine")
    assert _markup_shown(ctx.window) == []
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, pain=2, reach=Reach.BUTTOCK)
    assert _markup_shown(ctx.window) == []
    ctx.controller.skip()  # into the exercise: name, steps, cautions on screen
    assert "HUGE" in ctx.window.session.exercise_label.text()
    assert _markup_shown(ctx.window) == []
    ctx.controller.pain_stop()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    assert _markup_shown(ctx.window) == []
    ctx.window.show_home()
    ctx.window.start_routine("evil-routine")
    ctx.controller.end()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    assert _markup_shown(ctx.window) == []
    ctx.close()
