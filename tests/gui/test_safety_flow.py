"""Safety first: red flags, before and after, flare-ups, repeat offenders, history and report."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from actions import check_in, click
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from support.history import seed_history

from sciatica_timer.app import AppContext
from sciatica_timer.core.records import SessionStatus
from sciatica_timer.core.safety import RED_FLAGS, Reach


def rows(ctx: AppContext, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(ctx.paths.journal) as db:
        found = db.execute(sql).fetchall()
    db.close()
    return found


def test_red_flag_blocks_the_start(ctx: AppContext, qtbot: QtBot) -> None:
    """Any yes to a red flag stops the session from starting and says to seek urgent care."""
    ctx.window.home.select("sciatica-foam-roll")
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_{'Yes' if flag.key == 'saddle' else 'No'}")
    click(ctx, qtbot, "redFlagContinueButton")
    checkin = ctx.window.checkin
    assert checkin.pages.currentWidget() is checkin.blocked_page
    assert "Saddle numbness" in checkin.blocked_text.text()
    assert not ctx.controller.running
    assert rows(ctx, "select count(*) from session") == [(0,)]
    assert ctx.settings.red_flags_clear_on is None, "a yes is not remembered as clear"


def test_answers_are_remembered_for_the_day(ctx: AppContext, qtbot: QtBot) -> None:
    """After one clear check, the disclaimer and red flags are not asked again today."""
    ctx.window.home.select("gentle-flare-up")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    ctx.controller.end()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    ctx.window.show_home()
    click(ctx, qtbot, "startButton")
    assert ctx.window.checkin.pages.currentWidget() is ctx.window.checkin.pain_page
    assert ctx.settings.disclaimer_accepted


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (Reach.BELOW_KNEE, Reach.BUTTOCK, "centralised"),
        (Reach.THIGH, Reach.THIGH, "as far as before"),
        (Reach.BUTTOCK, Reach.FOOT, "peripheralised"),
    ],
)
def test_before_and_after_are_stored_and_the_change_explained(
    ctx: AppContext, qtbot: QtBot, before: Reach, after: Reach, words: str
) -> None:
    """Pain and reach before and after go to the journal; the change is named in one line."""
    ctx.window.home.select("sciatica-foam-roll")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, pain=6, reach=before)
    while ctx.controller.running:
        ctx.controller.skip()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    click(ctx, qtbot, "painAfter4")
    body = ctx.window.done.after.body_map
    qtbot.mouseClick(body, Qt.MouseButton.LeftButton, pos=body.region_center(after).toPoint())
    click(ctx, qtbot, "saveAfterButton")
    assert words in ctx.window.done.after.result.text()
    assert rows(ctx, "select pain_before, reach_before, pain_after, reach_after from session") == [
        (6, before.value, 4, after.value)
    ]


def test_flare_up_leaves_out_the_right_exercises(ctx: AppContext, qtbot: QtBot) -> None:
    """On a flare-up day the hamstring and IT-band rolls are named and left out of the
    foam-roll routine (seed 001: in a flare, roll only the glutes and hips)."""
    ctx.window.home.select("sciatica-foam-roll")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, flare=True)
    assert "Hamstring roll" in ctx.window.checkin.flare_note.text()
    assert "IT-band roll" in ctx.window.checkin.flare_note.text()
    engine = ctx.controller.engine
    assert engine is not None
    used = {p.exercise.id for p in engine.timeline.work_phases if p.exercise}
    assert used == {"figure-4-glute-roll"}
    assert rows(ctx, "select flare from session") == [(1,)]


def test_pain_stop_follow_up_is_added_to_the_saved_event(ctx: AppContext, qtbot: QtBot) -> None:
    """The optional follow-up adds where, how and how strong to the stop already saved."""
    ctx.window.start_routine("sciatica-foam-roll")  # --start style: no questions
    ctx.controller.skip()
    ctx.window.session.pain_button.click()
    assert rows(ctx, "select exercise_id, radiated_to from pain_stop") == [
        ("figure-4-glute-roll", None)
    ]
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    follow = ctx.window.safety.follow_up
    qtbot.mouseClick(
        follow.body_map,
        Qt.MouseButton.LeftButton,
        pos=follow.body_map.region_center(Reach.BELOW_KNEE).toPoint(),
    )
    follow.qualities["shooting"].setChecked(True)
    follow.qualities["tingling"].setChecked(True)
    click(ctx, qtbot, "stopIntensity7")
    click(ctx, qtbot, "saveFollowUpButton")
    assert rows(ctx, "select radiated_to, qualities, intensity from pain_stop") == [
        ("below_knee", '["shooting", "tingling"]', 7)
    ]


def _pain_stop_on(ctx: AppContext, exercise_index: int) -> None:
    ctx.window.start_routine("sciatica-foam-roll")
    engine = ctx.controller.engine
    assert engine is not None
    while engine.phase.kind.value != "work" or engine.phase.step_index != exercise_index:
        ctx.controller.skip()
    ctx.window.session.pain_button.click()
    ctx.window.show_home()


def test_repeat_offender_is_flagged_after_the_second_stop(ctx: AppContext, qtbot: QtBot) -> None:
    """Two pain stops on the IT-band roll flag it on home, and it can be left out."""
    _pain_stop_on(ctx, 1)
    assert not ctx.window.home.flags_box.isVisible()
    _pain_stop_on(ctx, 1)
    assert ctx.window.home.flags_box.isVisible()
    leave_out = ctx.window.findChild(QPushButton, "leaveOut_it-band-roll")
    assert leave_out is not None
    qtbot.mouseClick(leave_out, Qt.MouseButton.LeftButton)
    assert ctx.settings.left_out == ("it-band-roll",)
    ctx.window.start_routine("sciatica-foam-roll")
    engine = ctx.controller.engine
    assert engine is not None
    assert "it-band-roll" not in {p.exercise.id for p in engine.timeline.work_phases if p.exercise}


# The offscreen platform cannot raise or size a second top-level window, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")
def test_history_window_and_pdf_report(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    """Weeks of sessions show in the tables and chart; CSV and a one-page PDF are written."""
    seed_history(ctx.controller.journal, weeks=4)
    ctx.window.show_history()
    history = ctx.window._history
    assert history is not None
    qtbot.addWidget(history)
    assert history.session_table.rowCount() == len(ctx.controller.journal.sessions()) >= 20
    assert history.stop_table.rowCount() == len(ctx.controller.journal.pain_stops()) >= 3
    assert len(history.chart.series()) == 4
    sessions, stops = history.export_csv(tmp_path)
    assert sessions.read_text().startswith("session_id,started_at")
    assert stops.read_text().count("\n") == history.stop_table.rowCount() + 1
    pdf = history.export_pdf(tmp_path / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_mode & 0o777 == 0o600
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Hamstring roll" in text and "Pain stops" in text
    assert any(s.status is SessionStatus.STOPPED_PAIN for s in ctx.controller.journal.sessions())
