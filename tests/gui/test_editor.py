"""The physiotherapist's routine, built in the editor: "figure-4 stretch, left only,
3 × 30 s; glute roll 90 s a side; skip the hamstrings". Saved, run in the window, and found
again when the app starts again on the same data folder."""

from __future__ import annotations

import json
from pathlib import Path

from actions import check_in, click
from editing import editor_of, press, step_ids, tab_to, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.models import Library, Routine, Step, StepSides
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import PhaseKind, Side, build_timeline

PRESCRIBED = (
    Step("figure-4-stretch", duration_s=30, sets=3, sides=StepSides.LEFT),
    Step("figure-4-glute-roll", duration_s=90),
)


def _work(ctx: AppContext) -> list[tuple[str, Side | None, int]]:
    engine = ctx.controller.engine
    assert engine is not None
    return [
        (p.exercise.id, p.side, p.duration_s)
        for p in engine.timeline.phases
        if p.kind is PhaseKind.WORK and p.exercise is not None
    ]


def _run_and_check(ctx: AppContext, qtbot: QtBot, routine_id: str) -> None:
    """Start the saved routine from the home screen: the session does the left side only
    for the stretch, three times, and 90 s each side of the glute roll."""
    assert ctx.window.home.selected_routine() == routine_id
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    assert ctx.controller.running
    assert _work(ctx) == [
        ("figure-4-stretch", Side.LEFT, 30),
        ("figure-4-stretch", Side.LEFT, 30),
        ("figure-4-stretch", Side.LEFT, 30),
        ("figure-4-glute-roll", Side.LEFT, 90),
        ("figure-4-glute-roll", Side.RIGHT, 90),
    ]
    ctx.controller.end()
    qtbot.waitUntil(lambda: not ctx.controller.running)


def _found_after_restart(qtbot: QtBot, data: Path, routine: Routine) -> None:
    again = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=FakeClock())
    try:
        qtbot.addWidget(again.window)
        assert again.window.home.select(routine.id)
        assert again.window.library.routines[routine.id] == routine
    finally:
        again.close()


def test_physio_routine_from_a_duplicate_is_saved_run_and_found_after_a_restart(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    home = ctx.window.home
    assert home.select("sciatica-foam-roll")
    click(ctx, qtbot, "duplicateRoutineButton")
    editor = editor_of(ctx)
    assert editor.name_edit.text() == "Sciatica foam roll (copy)"
    assert step_ids(editor.routine()) == ["figure-4-glute-roll", "it-band-roll", "hamstring-roll"]
    type_into(qtbot, editor.name_edit, "Physio: left piriformis")

    editor.select_step(2)  # skip the hamstrings
    click(ctx, qtbot, "removeStepButton")
    editor.select_step(1)  # and the IT band: the prescription does not have it
    click(ctx, qtbot, "removeStepButton")
    editor.select_step(0)
    type_into(qtbot, editor.step_fields["duration_s"], "90")  # glute roll 90 s a side

    click(ctx, qtbot, "addStepButton")  # added after it, the search has the focus
    assert editor.current_row() == 1
    qtbot.keyClicks(editor.picker.search, "figure-4 stretch")
    assert editor.picker.visible_ids() == ["figure-4-stretch"]
    item = editor.picker.list.item(
        next(
            r
            for r in range(editor.picker.list.count())
            if editor.picker.list.item(r).data(Qt.ItemDataRole.UserRole) == "figure-4-stretch"
        )
    )
    rect = editor.picker.list.visualItemRect(item)
    qtbot.mouseClick(editor.picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor.sides_combo.setCurrentIndex(editor.sides_combo.findText("Left only"))
    type_into(qtbot, editor.step_fields["sets"], "3")
    type_into(qtbot, editor.step_fields["duration_s"], "30")
    click(ctx, qtbot, "moveUpButton")  # the stretch first, as prescribed

    assert editor.current_problems() == {}
    assert editor.routine().steps == PRESCRIBED
    alone = Library(ctx.window.library.exercises, {"x": Routine("x", "x", PRESCRIBED)})
    expected = build_timeline(alone, "x").total_s
    assert editor.total_label.text() == f"Total {format_clock(expected)}"
    click(ctx, qtbot, "editorSaveButton")

    assert ctx.window.stack.currentWidget() is home
    rid = home.selected_routine()
    assert rid == "physio-left-piriformis"
    saved = Routine(
        rid, "Physio: left piriformis", PRESCRIBED, description=editor.routine().description
    )
    assert ctx.window.library.routines[rid] == saved
    on_disk = json.loads((tmp_path / "library.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in on_disk["routines"]] == [rid]
    assert on_disk["routines"][0]["steps"][0]["sides"] == "left"
    _run_and_check(ctx, qtbot, rid)
    _found_after_restart(qtbot, tmp_path, saved)


def test_physio_routine_from_nothing_with_the_keyboard_only(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    home = ctx.window.home
    home.new_button.setFocus()
    press(qtbot, Qt.Key.Key_Space)  # New
    editor = editor_of(ctx)
    assert editor.heading.text() == "New routine"
    assert QApplication.focusWidget() is editor.name_edit
    type_into(qtbot, editor.name_edit, "Prescribed by Sam")
    assert editor.total_label.text() == "Total 0:00"

    tab_to(qtbot, editor.add_button)
    press(qtbot, Qt.Key.Key_Space)  # a first step; the search field has the focus
    assert QApplication.focusWidget() is editor.picker.search
    qtbot.keyClicks(editor.picker.search, "figure-4 stretch")
    press(qtbot, Qt.Key.Key_Down)  # into the list: the one exercise left is chosen
    assert editor.model.step(0).exercise == "figure-4-stretch"
    tab_to(qtbot, editor.step_fields["duration_s"])
    type_into(qtbot, editor.step_fields["duration_s"], "30")
    tab_to(qtbot, editor.sides_combo)
    press(qtbot, Qt.Key.Key_Down)  # Both sides -> Left only
    assert editor.sides_combo.currentText() == "Left only"
    tab_to(qtbot, editor.step_fields["sets"])
    type_into(qtbot, editor.step_fields["sets"], "3")

    tab_to(qtbot, editor.add_button)
    press(qtbot, Qt.Key.Key_Space)  # the second step, after the first
    qtbot.keyClicks(editor.picker.search, "glute roll")
    press(qtbot, Qt.Key.Key_Return)  # Enter takes the first one found
    assert editor.model.step(1).exercise == "figure-4-glute-roll"
    tab_to(qtbot, editor.step_fields["duration_s"])
    press(qtbot, Qt.Key.Key_Up)  # the spin box steps from the exercise's 120 s
    assert editor.step_fields["duration_s"].text_value() == "121"
    type_into(qtbot, editor.step_fields["duration_s"], "90")

    assert editor.routine().steps == PRESCRIBED
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # save
    assert ctx.window.stack.currentWidget() is home
    rid = home.selected_routine()
    assert rid == "prescribed-by-sam"
    saved = ctx.window.library.routines[rid]
    assert saved == Routine(rid, "Prescribed by Sam", PRESCRIBED)
    _run_and_check(ctx, qtbot, rid)
    _found_after_restart(qtbot, tmp_path, saved)


def test_escape_leaves_the_editor_without_saving_asking_again_after_changes(
    ctx: AppContext, qtbot: QtBot
) -> None:
    click(ctx, qtbot, "newRoutineButton")
    editor = editor_of(ctx)
    press(qtbot, Qt.Key.Key_Escape)  # nothing changed: it just leaves
    assert ctx.window.stack.currentWidget() is ctx.window.home

    click(ctx, qtbot, "newRoutineButton")
    type_into(qtbot, editor.name_edit, "Never kept")
    press(qtbot, Qt.Key.Key_Escape)
    assert ctx.window.stack.currentWidget() is editor, "a stray Esc loses nothing"
    assert editor.summary.text().startswith("Your changes are not saved.")
    press(qtbot, Qt.Key.Key_Escape)
    assert ctx.window.stack.currentWidget() is ctx.window.home
    assert all(r.name != "Never kept" for r in ctx.window.library.routines.values())
    assert not ctx.paths.user_library.exists()
