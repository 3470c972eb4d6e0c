"""Safety gates that act: strengthen only when pain-free, leave out after a stop, a red-flag
yes that holds for the day, ``--start`` that keeps the safety questions, flare-up offers."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from actions import check_in, click
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from support.processes import run_python

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.engine import Outcome, SessionState
from sciatica_timer.core.models import Category
from sciatica_timer.core.safety import RED_FLAGS, Reach
from sciatica_timer.core.timeline import CHECK_QUESTION, PhaseKind
from sciatica_timer.ui.theme import LIGHT


def _skipped_column(ctx: AppContext) -> list[str]:
    with sqlite3.connect(ctx.paths.journal) as db:
        (skipped,) = db.execute("select skipped from session").fetchone()
    db.close()
    return list(json.loads(skipped))


def _run_to_the_check(ctx: AppContext, qtbot: QtBot, spoken: list[str] | None = None) -> None:
    """Start stretch-and-strengthen from the window and skip the stretches up to the check
    (collecting in ``spoken`` the cues the engine gives the voice on the way)."""
    ctx.window.home.select("stretch-and-strengthen")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, pain=2, reach=Reach.BUTTOCK)
    engine = ctx.controller.engine
    assert engine is not None
    if spoken is not None:
        engine.subscribe(lambda e: spoken.append(e.cue.text) if e.cue is not None else None)
    for _ in range(len(engine.timeline.phases)):
        if engine.state is SessionState.ASKING:
            break
        ctx.controller.skip()
    assert engine.state is SessionState.ASKING
    assert engine.phase.kind is PhaseKind.CHECK
    qtbot.waitUntil(lambda: ctx.window.session.check_panel.isVisible())


def test_strengthen_gate_pain_left_skips_every_strengthening_step(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """'Pain left' leaves out every reactivation step, records them as left out by the gate,
    and the done screen says so (seed 002: strengthen only when no pain remains)."""
    spoken: list[str] = []
    _run_to_the_check(ctx, qtbot, spoken)
    assert CHECK_QUESTION in spoken, "the question is spoken, not only shown"
    assert not ctx.window.session.ring.isVisible(), "no countdown while the session waits"
    assert not ctx.window.session.skip_button.isEnabled(), "the question cannot be skipped"
    assert ctx.window.session.pain_button.isVisible(), "the stop button stays on screen"
    click(ctx, qtbot, "checkPainYes")
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    engine = ctx.controller.engine
    assert engine is not None
    outcomes = engine.outcomes()
    strengthening = [
        p
        for p in engine.timeline.work_phases
        if p.exercise and p.exercise.category is Category.REACTIVATION
    ]
    assert strengthening and all(outcomes[p.index] is Outcome.GATED for p in strengthening)
    skipped = _skipped_column(ctx)
    assert any("Glute bridge" in s and "pain before strengthening" in s for s in skipped)
    assert any("Single-leg hip flexion" in s for s in skipped)
    summary = ctx.window.done.summary.text()
    assert "Left out: pain before strengthening" in summary
    assert "Glute bridge" in summary


def test_strengthen_gate_no_pain_goes_on(ctx: AppContext, qtbot: QtBot) -> None:
    """'No pain' resumes with the first strengthening step, counting down again."""
    _run_to_the_check(ctx, qtbot)
    click(ctx, qtbot, "checkPainNo")
    engine = ctx.controller.engine
    assert engine is not None
    assert engine.state is SessionState.RUNNING
    upcoming = [p for p in engine.timeline.phases[engine.index :] if p.exercise]
    assert upcoming[0].exercise is not None
    assert upcoming[0].exercise.category is Category.REACTIVATION
    assert ctx.window.session.ring.isVisible() and not ctx.window.session.check_panel.isVisible()


def test_strengthen_gate_answers_by_key(ctx: AppContext, qtbot: QtBot) -> None:
    """N answers 'no pain' from the keyboard (Y would be 'pain left')."""
    _run_to_the_check(ctx, qtbot)
    qtbot.keyClick(ctx.window, Qt.Key.Key_N)
    engine = ctx.controller.engine
    assert engine is not None and engine.state is SessionState.RUNNING


def test_pain_stop_during_the_gate_still_stops_and_saves(ctx: AppContext, qtbot: QtBot) -> None:
    """The red button works while the question waits."""
    _run_to_the_check(ctx, qtbot)
    click(ctx, qtbot, "painStopButton")
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    with sqlite3.connect(ctx.paths.journal) as db:
        assert db.execute("select count(*) from pain_stop").fetchone() == (1,)
    db.close()


def test_leave_out_is_offered_after_the_first_stop_and_undone_from_home(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """After one pain stop the safety screen offers to leave that exercise out at once;
    the home screen puts it back."""
    ctx.window.start_routine("sciatica-foam-roll")
    ctx.controller.skip()  # past get-ready, into the figure-4 glute roll
    click(ctx, qtbot, "painStopButton")
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    offer = ctx.window.safety.leave_out_button
    assert offer.isVisible() and "Figure-4 glute roll" in offer.text()
    click(ctx, qtbot, "leaveOutAfterStopButton")
    assert "figure-4-glute-roll" in ctx.settings.left_out
    click(ctx, qtbot, "safetyHomeButton")
    put_back = ctx.window.findChild(QPushButton, "leaveOut_figure-4-glute-roll")
    assert put_back is not None and put_back.isVisible() and put_back.text() == "Put it back"
    qtbot.mouseClick(put_back, Qt.MouseButton.LeftButton)
    assert "figure-4-glute-roll" not in ctx.settings.left_out


def _answer_red_flags(ctx: AppContext, qtbot: QtBot, yes: str | None) -> None:
    for flag in RED_FLAGS:
        click(ctx, qtbot, f"redFlag_{flag.key}_{'Yes' if flag.key == yes else 'No'}")
    click(ctx, qtbot, "redFlagContinueButton")


def test_red_flag_yes_still_blocks_after_a_second_try(ctx: AppContext, qtbot: QtBot) -> None:
    """A yes holds for the day: answering no a minute later does not start a session."""
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    _answer_red_flags(ctx, qtbot, yes="bladder_bowel")
    checkin = ctx.window.checkin
    assert checkin.pages.currentWidget() is checkin.blocked_page
    click(ctx, qtbot, "redFlagHomeButton")
    click(ctx, qtbot, "startButton")  # try again at once
    assert checkin.pages.currentWidget() is checkin.blocked_page, "no second chance today"
    assert "asked again on" in checkin.blocked_text.text()
    assert ctx.controller.engine is None
    assert ctx.settings.red_flag_yes_on == date.today().isoformat()


def test_red_flag_yes_is_drawn_in_a_warning_colour(ctx: AppContext, qtbot: QtBot) -> None:
    """A checked 'yes' is not the same teal as a checked 'no'."""
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    first, second = (ctx.window.checkin.red_flag_answers[f.key] for f in RED_FLAGS[:2])
    first.yes.click()
    second.no.click()

    def fill(button: QPushButton) -> str:
        """The colour just inside the button's left edge, clear of its text."""
        image = button.grab().toImage()
        return image.pixelColor(8, image.height() // 2).name()

    assert fill(first.yes) == LIGHT.pain_dark
    assert fill(second.no) == LIGHT.accent


def test_new_tingling_stops_the_routines(ctx: AppContext, qtbot: QtBot) -> None:
    """New numbness or tingling: stop the routines and get checked (seed 001)."""
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    _answer_red_flags(ctx, qtbot, yes="numbness")
    checkin = ctx.window.checkin
    assert checkin.pages.currentWidget() is checkin.blocked_page
    assert "stop the routines" in checkin.blocked_title.text().lower()
    assert "examined" in checkin.blocked_text.text()


def test_flare_day_offers_the_gentle_routine_with_its_time(ctx: AppContext, qtbot: QtBot) -> None:
    """When a flare leaves out most of a routine, the gentle flare-up routine is offered,
    with its length, and choosing it starts that routine."""
    ctx.window.home.select("low-back-indirect-release")
    click(ctx, qtbot, "startButton")
    click(ctx, qtbot, "acceptDisclaimerButton")
    _answer_red_flags(ctx, qtbot, yes=None)
    click(ctx, qtbot, "flareYes")
    offer = ctx.window.checkin.flare_switch
    assert offer.isVisible()
    assert "Gentle flare-up session" in offer.text() and ":" in offer.text()
    click(ctx, qtbot, "flareSwitchButton")
    click(ctx, qtbot, "painBefore4")
    body = ctx.window.checkin.body_map
    qtbot.mouseClick(
        body, Qt.MouseButton.LeftButton, pos=body.region_center(Reach.BUTTOCK).toPoint()
    )
    click(ctx, qtbot, "checkInStartButton")
    engine = ctx.controller.engine
    assert engine is not None and engine.timeline.routine.id == "gentle-flare-up"


def test_done_screen_main_button_keeps_the_answers(ctx: AppContext, qtbot: QtBot) -> None:
    """Answers given after a session are saved even if Save was never pressed."""
    ctx.window.home.select("gentle-flare-up")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, pain=5, reach=Reach.THIGH)
    ctx.controller.end()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    click(ctx, qtbot, "painAfter2")
    after = ctx.window.done.after.body_map
    qtbot.mouseClick(
        after, Qt.MouseButton.LeftButton, pos=after.region_center(Reach.BUTTOCK).toPoint()
    )
    click(ctx, qtbot, "homeButton")
    with sqlite3.connect(ctx.paths.journal) as db:
        assert db.execute("select pain_after, reach_after from session").fetchone() == (
            2,
            "buttock",
        )
    db.close()
    assert ctx.window.stack.currentWidget() is ctx.window.home


def test_done_screen_says_how_often(ctx: AppContext, qtbot: QtBot) -> None:
    """Seed 003: 3-5 times a week; seed 000: don't overdo it."""
    ctx.window.start_routine("gentle-flare-up")
    ctx.controller.end()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    text = ctx.window.done.summary.text()
    assert "3 to 5 times a week" in text and "overdo" in text


START_ON_A_NEW_FOLDER = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
    "from PySide6.QtCore import QTimer\n"
    "from sciatica_timer.app import main\n"
    "from sciatica_timer.ui.screens.main_window import MainWindow\n"
    "def look():\n"  # once the routines are loaded and --start has acted (or a session runs)
    "    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]\n"
    "    window = windows[0] if windows else None\n"
    "    if window is None or not ('checkin' in window.__dict__ or window.controller.running):\n"
    "        QTimer.singleShot(50, look); return\n"
    "    page = window.checkin.pages.currentWidget()\n"
    "    print('disclaimer' if page is window.checkin.disclaimer_page else 'other',\n"
    "          window.stack.currentWidget() is window.checkin, window.controller.engine is None)\n"
    "    app.quit()\n"
    "QTimer.singleShot(0, look)\n"
    "sys.exit(main(['--data-dir', sys.argv[1], '--routine', 'gentle-flare-up', '--start',\n"
    "               '--no-voice']))\n"
)


def test_start_on_a_new_data_folder_shows_the_disclaimer(tmp_path: Path) -> None:
    """--start never skips the first-use disclaimer (the real app, in a fresh process)."""
    run = run_python(START_ON_A_NEW_FOLDER, str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["disclaimer", "True", "True"]


def test_start_skips_only_the_pain_check_in(ctx: AppContext, qtbot: QtBot) -> None:
    """After the disclaimer and the red flags, --start begins at once without pain questions."""
    ctx.window.ask_then_start("gentle-flare-up", pain_questions=False)
    click(ctx, qtbot, "acceptDisclaimerButton")
    _answer_red_flags(ctx, qtbot, yes=None)
    engine = ctx.controller.engine
    assert engine is not None and engine.state is SessionState.RUNNING
    assert ctx.window.stack.currentWidget() is ctx.window.session


@pytest.mark.parametrize("size", [(1024, 600), (800, 560), (1280, 720)])
def test_stop_button_words_are_never_cut_off(
    ctx: AppContext, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """On a small laptop screen the stop button is as wide as its words need."""
    ctx.window.start_routine("sciatica-foam-roll")
    ctx.window.resize(*size)
    pain = ctx.window.session.pain_button
    qtbot.waitUntil(lambda: ctx.window.session.width() <= size[0])
    qtbot.waitUntil(lambda: pain.width() >= pain.sizeHint().width())
    metrics = pain.fontMetrics()
    assert pain.contentsRect().width() >= metrics.horizontalAdvance(pain.text())


def test_verdict_names_the_exercises_it_followed(qtbot: QtBot, tmp_path: Path) -> None:
    """Pain that spread after a session is reported with the exercise done last."""
    clock = FakeClock()
    ctx = build(parse_args(["--data-dir", str(tmp_path), "--no-voice"]), clock=clock)
    qtbot.addWidget(ctx.window)
    ctx.window.show()
    ctx.window.home.select("gentle-flare-up")
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot, pain=4, reach=Reach.BUTTOCK)
    engine = ctx.controller.engine
    assert engine is not None
    first = engine.timeline.work_phases[0]
    clock.advance(first.end_s + 0.5)  # get-ready and the first part run their course
    ctx.controller.refresh()
    ctx.controller.end()
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.done)
    after = ctx.window.done.after.body_map
    qtbot.mouseClick(
        after, Qt.MouseButton.LeftButton, pos=after.region_center(Reach.BELOW_KNEE).toPoint()
    )
    click(ctx, qtbot, "saveAfterButton")
    verdict = ctx.window.done.after.result.text()
    assert "peripheralised" in verdict
    assert first.exercise is not None and first.exercise.name in verdict
    ctx.close()


def test_pain_stop_stops_even_when_the_journal_write_raises(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the journal write does, the session stops and the user is told (a fault
    no real file produces any more, so the write is made to raise)."""

    def broken(*_args: object) -> None:
        raise UnicodeEncodeError("utf-8", "\udc00", 0, 1, "surrogates not allowed")

    ctx.window.start_routine("sciatica-foam-roll")
    ctx.controller.skip()
    monkeypatch.setattr(ctx.controller.journal, "record_pain_stop", broken)
    click(ctx, qtbot, "painStopButton")
    engine = ctx.controller.engine
    assert engine is not None and engine.state is SessionState.STOPPED_PAIN
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety)
    assert any("could not be saved" in m for m in ctx.window.banner.messages())
