"""The editor's checks as one types: wrong values refused with ``--check``'s words, the
total time, the flare-up flag, reordering by drag and drop and by keys, and the picker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from actions import click
from editing import editor_of, press, step_ids, type_into
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.models import Exercise, Library, Routine, Sides, Step
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.ui.screens.editor import EditorView
from sciatica_timer.ui.widgets.exercise_picker import FLARE_MARK

ROOT = Path(__file__).resolve().parents[2]


def _duplicate(ctx: AppContext, qtbot: QtBot, routine_id: str) -> EditorView:
    assert ctx.window.home.select(routine_id)
    click(ctx, qtbot, "duplicateRoutineButton")
    return editor_of(ctx)


def _check_says(tmp_path: Path, step: dict[str, object], routine: dict[str, object]) -> str:
    """What ``sciatica-timer --check`` prints for a file with this step and routine."""
    entry = {"id": "x", "name": "X", **routine, "steps": [{"exercise": "figure-4-stretch", **step}]}
    path = tmp_path / "prescription.json"
    path.write_text(json.dumps({"routines": [entry]}), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_wrong_values_are_refused_inline_with_the_words_of_check(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    editor = _duplicate(ctx, qtbot, "stretch-and-strengthen")
    editor.select_step(0)  # figure-4 stretch
    cases = [
        (editor.step_fields["duration_s"], "duration_s", "0", 0),
        (editor.step_fields["duration_s"], "duration_s", "3601", 3601),
        (editor.step_fields["sets"], "sets", "21", 21),
        (editor.step_fields["rest_s"], "rest_s", "-1", -1),
        (editor.step_fields["prepare_s"], "prepare_s", "601", 601),
        (editor.step_fields["sets"], "sets", "two", "two"),
        (editor.step_fields["duration_s"], "duration_s", "1.5", 1.5),
    ]
    for field, key, typed, in_file in cases:
        type_into(qtbot, field, typed)
        message = editor.step_boxes[key].error.text()
        assert message, f"{key}={typed} is refused"
        assert editor.step_boxes[key].error.isVisible()
        assert message in _check_says(tmp_path, {key: in_file}, {}), (key, typed, message)
        click(ctx, qtbot, "editorSaveButton")
        assert ctx.window.stack.currentWidget() is editor, "nothing is saved"
        type_into(qtbot, field, "")  # empty: the exercise's own value again
        assert not editor.step_boxes[key].error.isVisible()
    assert editor.step_boxes["duration_s"].error.text() == ""

    type_into(qtbot, editor.routine_fields["switch_s"], "4000")
    message = editor.routine_boxes["switch_s"].error.text()
    assert message == "must be between 0 and 3600 seconds, got 4000"
    assert message in _check_says(tmp_path, {}, {"switch_s": 4000})
    assert editor.summary.text() == f"To fix before saving: switch sides: {message}"
    type_into(qtbot, editor.routine_fields["switch_s"], "")
    type_into(qtbot, editor.name_edit, "")
    assert editor.name_box.error.text() == "must not be empty"
    click(ctx, qtbot, "editorSaveButton")
    assert ctx.window.stack.currentWidget() is editor
    assert editor.name_edit.hasFocus(), "Save takes you to what is wrong"
    assert not ctx.paths.user_library.exists()


def test_a_routine_without_steps_is_not_saved(ctx: AppContext, qtbot: QtBot) -> None:
    click(ctx, qtbot, "newRoutineButton")
    editor = editor_of(ctx)
    click(ctx, qtbot, "editorSaveButton")
    assert ctx.window.stack.currentWidget() is editor
    assert editor.summary.text() == "To fix before saving: steps: must not be empty"
    assert editor.add_button.hasFocus()


def test_the_total_time_follows_the_typing(ctx: AppContext, qtbot: QtBot) -> None:
    editor = _duplicate(ctx, qtbot, "sciatica-foam-roll")
    library = ctx.window.library

    def expected(steps: tuple[Step, ...], **pauses: int) -> str:
        alone = Library(library.exercises, {"x": Routine("x", "x", steps, **pauses)})
        return f"Total {format_clock(build_timeline(alone, 'x').total_s)}"

    steps = library.routines["sciatica-foam-roll"].steps
    assert editor.total_label.text() == expected(steps)
    editor.select_step(0)
    field = editor.step_fields["duration_s"]
    type_into(qtbot, field, "")
    seen = []
    for typed in ("9", "90", "900"):
        qtbot.keyClick(field, typed[-1])
        changed = (Step("figure-4-glute-roll", duration_s=int(typed)), *steps[1:])
        assert editor.total_label.text() == expected(changed)
        seen.append(editor.total_label.text())
    assert len(set(seen)) == 3, "each key changes the total"
    type_into(qtbot, editor.routine_fields["switch_s"], "30")
    changed = (Step("figure-4-glute-roll", duration_s=900), *steps[1:])
    assert editor.total_label.text() == expected(changed, switch_s=30)
    type_into(qtbot, editor.routine_fields["switch_s"], "x")  # wrong: left to the default
    assert editor.total_label.text() == expected(changed)


def test_a_flare_up_routine_with_an_exercise_to_avoid_in_a_flare_is_flagged(
    ctx: AppContext, qtbot: QtBot
) -> None:
    editor = _duplicate(ctx, qtbot, "gentle-flare-up")
    assert editor.flare_check.isChecked(), "its name says it is for flare-ups"
    assert not editor.flare_frame.isVisible()
    click(ctx, qtbot, "addStepButton")
    qtbot.keyClicks(editor.picker.search, "hamstring")
    press(qtbot, Qt.Key.Key_Down)
    assert editor.model.step(editor.current_row()).exercise == "hamstring-roll"
    assert editor.flare_frame.isVisible()
    assert editor.flare_flag.text() == (
        "⚠ This routine is for flare-up days, but Hamstring roll is best avoided in a flare-up."
    )
    row_text = editor.model.data(editor.model.index(editor.current_row()))
    assert isinstance(row_text, str) and FLARE_MARK in row_text

    click(ctx, qtbot, "removeStepButton")
    assert not editor.flare_frame.isVisible()


def test_ticking_for_flare_up_days_flags_any_routine(ctx: AppContext, qtbot: QtBot) -> None:
    editor = _duplicate(ctx, qtbot, "sciatica-foam-roll")
    type_into(qtbot, editor.name_edit, "Morning roll")
    assert not editor.flare_check.isChecked()
    assert not editor.flare_frame.isVisible(), "an ordinary routine may hold them"
    editor.flare_check.setFocus()
    press(qtbot, Qt.Key.Key_Space)  # the key ticks the box, it pauses nothing
    assert editor.flare_check.isChecked()
    assert editor.flare_frame.isVisible()
    assert "IT-band roll, Hamstring roll are best avoided" in editor.flare_flag.text()
    click(ctx, qtbot, "editorSaveButton")
    assert ctx.window.stack.currentWidget() is ctx.window.home
    user = ctx.window.user_library
    assert user is not None
    (saved,) = user.routines.values()
    assert saved.for_flare_days, "the tick is kept with the routine"
    raw = json.loads(ctx.paths.user_library.read_text(encoding="utf-8"))
    assert raw["routines"][0]["for_flare_days"] is True
    ctx.window.show_editor(saved.id)
    assert editor.flare_check.isChecked() and editor.flare_frame.isVisible()


def test_steps_reorder_by_drag_and_drop_by_keys_and_by_buttons(
    ctx: AppContext, qtbot: QtBot
) -> None:
    editor = _duplicate(ctx, qtbot, "stretch-and-strengthen")
    model = editor.model
    start = ["figure-4-stretch", "childs-pose", "unilateral-hip-flexion", "glute-bridge"]
    assert step_ids(editor.routine()) == start

    # drag the first step and drop it below the third, as the view does
    mime = model.mimeData([model.index(0)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    after_drop = ["childs-pose", "unilateral-hip-flexion", "figure-4-stretch", "glute-bridge"]
    assert step_ids(editor.routine()) == after_drop
    mime = model.mimeData([model.index(3)])  # the last one dropped on the first: before it
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, model.index(0))
    assert step_ids(editor.routine())[0] == "glute-bridge"
    mime = model.mimeData([model.index(0)])  # and back to the end, on the empty space
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert step_ids(editor.routine()) == after_drop

    editor.select_step(0)
    editor.step_list.setFocus()
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert step_ids(editor.routine())[:2] == ["unilateral-hip-flexion", "childs-pose"]
    assert editor.current_row() == 1, "the moved step stays chosen"
    press(qtbot, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert step_ids(editor.routine())[2] == "childs-pose"
    press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert step_ids(editor.routine()) == after_drop
    press(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # already first: stays
    assert step_ids(editor.routine()) == after_drop
    assert not editor.up_button.isEnabled()

    editor.select_step(2)
    click(ctx, qtbot, "moveUpButton")
    click(ctx, qtbot, "moveUpButton")
    assert step_ids(editor.routine()) == start
    click(ctx, qtbot, "moveDownButton")
    assert step_ids(editor.routine())[:2] == ["childs-pose", "figure-4-stretch"]
    assert (
        editor.model.data(editor.model.index(1)) == "2. Figure-4 hip stretch · each side · 3 × 30 s"
    )


def test_the_picker_shows_picture_cautions_the_flare_mark_and_a_placeholder(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    editor = _duplicate(ctx, qtbot, "sciatica-foam-roll")
    picker = editor.picker
    editor.select_step(1)  # IT-band roll
    assert picker.exercise_id() == "it-band-roll"
    assert picker.picture.has_image()
    it_band = ctx.window.library.exercises["it-band-roll"]
    text = picker.details.text()
    assert FLARE_MARK in text
    assert all(c.split(";")[0].split(",")[0][:20] in text for c in it_band.cautions)
    listed = picker.list.currentItem().text()
    assert listed == f"{it_band.name}   {FLARE_MARK}"

    qtbot.keyClicks(picker.search, "ball")
    assert picker.visible_ids() == ["lacrosse-ball-glutes", "peanut-ball-glutes"]
    type_into(qtbot, picker.search, "")
    assert len(picker.visible_ids()) == len(ctx.window.library.exercises)

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    own = Library(
        {
            "mine": Exercise("mine", "My own stretch", sides=Sides.EACH, image=str(broken)),
            "gone": Exercise("gone", "Gone picture", image=str(tmp_path / "missing.svg")),
        },
        {},
    )
    editor.begin(own, Routine("r", "R", (Step("mine"), Step("gone"))))
    for row in (0, 1):
        editor.select_step(row)
        assert not picker.picture.has_image()
        name = ("broken.png", "missing.svg")[row]
        assert picker.picture.placeholder_text() == f"Picture could not be read: {name}"
        shot = picker.picture.grab().toImage()
        colours = {
            QColor(shot.pixel(x, y)).name()
            for x in range(0, shot.width(), 3)
            for y in range(0, shot.height(), 3)
        }
        assert len(colours) > 2, "a framed placeholder with words, never an empty box"


def test_sides_are_off_for_an_exercise_without_sides_and_reps_for_a_timed_one(
    ctx: AppContext, qtbot: QtBot
) -> None:
    editor = _duplicate(ctx, qtbot, "stretch-and-strengthen")
    editor.select_step(1)  # child's pose: no sides, timed
    assert not editor.sides_combo.isEnabled()
    assert not editor.step_fields["reps"].isEnabled()
    assert editor.step_fields["duration_s"].isEnabled()
    editor.select_step(3)  # glute bridge: reps
    assert editor.step_fields["reps"].isEnabled()
    assert editor.step_fields["rep_s"].isEnabled()
    assert not editor.step_fields["duration_s"].isEnabled()
    assert editor.step_fields["reps"].lineEdit().placeholderText() == "12 (the exercise's)"
    editor.select_step(0)
    assert editor.step_fields["prepare_s"].lineEdit().placeholderText() == "15 (the get ready)"
    assert editor.routine_fields["prepare_s"].lineEdit().placeholderText() == (
        "15 (your default from Settings)"
    )


def test_a_step_dropped_on_the_list_moves_and_nothing_is_lost(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """The drop as the list view gets it from a drag (its own data, put down on a row)."""
    editor = _duplicate(ctx, qtbot, "stretch-and-strengthen")
    view, model = editor.step_list, editor.model
    mime = model.mimeData([model.index(3)])
    target = view.visualRect(model.index(1)).topLeft() + QPoint(10, 2)  # the top of row 2
    for kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
        cls = QDragEnterEvent if kind is QEvent.Type.DragEnter else QDragMoveEvent
        QApplication.sendEvent(
            view.viewport(),
            cls(target, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier),
        )  # fmt: skip
    drop = QDropEvent(
        QPointF(target), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), drop)
    assert step_ids(editor.routine()) == [
        "figure-4-stretch",
        "glute-bridge",
        "childs-pose",
        "unilateral-hip-flexion",
    ]
