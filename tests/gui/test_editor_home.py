"""The home screen's routine buttons: new, edit, duplicate, rename, delete and its undo."""

from __future__ import annotations

import json
from pathlib import Path

from actions import click
from editing import editor_of, press, step_ids, type_into
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.models import Routine, Step, StepSides


def _own_routines(ctx: AppContext) -> list[Routine]:
    """Three routines of the user's own, put in the library as an import would."""
    ul = ctx.window.user_library
    assert ul is not None
    made = [
        Routine("first", "First", (Step("figure-4-stretch", sides=StepSides.RIGHT),)),
        Routine("second", "Second", (Step("childs-pose", sets=2), Step("glute-bridge", reps=8))),
        Routine("third", "Third", (Step("fabre-stretch", prepare_s=25),), rest_s=30),
    ]
    for routine in made:
        ul.put_routine(routine)
    ctx.window.set_library(ul.library(), "first")
    return made


def _file_ids(path: Path) -> list[str]:
    return [r["id"] for r in json.loads(path.read_text(encoding="utf-8"))["routines"]]


def _list_ids(ctx: AppContext) -> list[str]:
    listing = ctx.window.home.routine_list
    return [listing.item(r).data(Qt.ItemDataRole.UserRole) for r in range(listing.count())]


def test_a_bundled_routine_is_read_only_and_edit_offers_a_copy(
    ctx: AppContext, qtbot: QtBot
) -> None:
    home = ctx.window.home
    assert home.select("gentle-flare-up")
    assert not home.delete_button.isEnabled()
    assert "cannot be deleted" in home.delete_button.toolTip()
    click(ctx, qtbot, "editRoutineButton")
    assert ctx.window.stack.currentWidget() is home, "nothing opens to change it"
    assert home.offer_row.isVisible()
    assert home.offer_label.text() == (
        "'Gentle flare-up session' came with the app and cannot be changed. "
        "Duplicate it to make your own copy, then change that."
    )
    click(ctx, qtbot, "offerDuplicateButton")
    editor = editor_of(ctx)
    assert editor.heading.text() == "Duplicate routine"
    assert editor.name_edit.text() == "Gentle flare-up session (copy)"
    bundled = ctx.window.library.routines["gentle-flare-up"]
    assert editor.routine().steps == bundled.steps
    assert editor.routine_fields["rest_s"].text_value() == "20", "its own rest comes along"
    click(ctx, qtbot, "editorSaveButton")
    assert home.selected_routine() == "gentle-flare-up-session-copy"
    assert ctx.window.library.routines["gentle-flare-up"] == bundled, "the bundled one is as it was"
    assert ctx.window.user_library is not None
    assert not ctx.window.user_library.is_bundled("gentle-flare-up-session-copy")
    assert home.delete_button.isEnabled()


def test_duplicate_then_edit_changes_only_the_copy(ctx: AppContext, qtbot: QtBot) -> None:
    home = ctx.window.home
    assert home.select("stretch-and-strengthen")
    click(ctx, qtbot, "duplicateRoutineButton")
    click(ctx, qtbot, "editorSaveButton")
    copy_id = home.selected_routine()
    assert copy_id == "stretch-and-strengthen-copy"
    original = ctx.window.library.routines["stretch-and-strengthen"]
    assert ctx.window.library.routines[copy_id].steps == original.steps

    click(ctx, qtbot, "editRoutineButton")  # one's own: it opens at once
    editor = editor_of(ctx)
    assert editor.heading.text() == "Edit routine"
    editor.select_step(1)
    click(ctx, qtbot, "removeStepButton")
    type_into(qtbot, editor.name_edit, "Stretch, less")
    click(ctx, qtbot, "editorSaveButton")
    assert home.selected_routine() == copy_id, "the id stays when the name changes"
    changed = ctx.window.library.routines[copy_id]
    assert changed.name == "Stretch, less"
    assert step_ids(changed) == ["figure-4-stretch", "unilateral-hip-flexion", "glute-bridge"]
    assert ctx.window.library.routines["stretch-and-strengthen"] == original


def test_rename_keeps_the_routine_its_id_and_its_place(ctx: AppContext, qtbot: QtBot) -> None:
    made = _own_routines(ctx)
    home = ctx.window.home
    assert home.select("second")
    click(ctx, qtbot, "renameRoutineButton")
    assert home.rename_row.isVisible()
    assert home.rename_edit.text() == "Second"
    type_into(qtbot, home.rename_edit, "Evening stretch")
    press(qtbot, Qt.Key.Key_Return)  # Enter renames (it does not start the routine)
    assert not ctx.controller.running
    assert ctx.window.stack.currentWidget() is home
    assert not home.rename_row.isVisible()
    renamed = ctx.window.library.routines["second"]
    assert renamed == Routine("second", "Evening stretch", made[1].steps)
    assert _file_ids(ctx.paths.user_library) == ["first", "second", "third"]
    assert home.selected_routine() == "second"


def test_delete_asks_nothing_and_undo_puts_it_back_exactly_in_its_place(
    ctx: AppContext, qtbot: QtBot
) -> None:
    made = _own_routines(ctx)
    home = ctx.window.home
    before = _list_ids(ctx)
    assert home.select("second")
    click(ctx, qtbot, "deleteRoutineButton")
    assert "second" not in ctx.window.library.routines
    assert _file_ids(ctx.paths.user_library) == ["first", "third"]
    assert home.undo_row.isVisible()
    assert home.undo_label.text() == "Deleted 'Second'."
    assert home.selected_routine() == "third", "the next routine is selected"

    click(ctx, qtbot, "undoDeleteButton")
    assert not home.undo_row.isVisible()
    assert ctx.window.library.routines["second"] == made[1]
    assert _file_ids(ctx.paths.user_library) == ["first", "second", "third"]
    assert _list_ids(ctx) == before
    assert home.selected_routine() == "second"


def test_the_undo_goes_after_a_while(ctx: AppContext, qtbot: QtBot) -> None:
    _own_routines(ctx)
    home = ctx.window.home
    home.UNDO_MS = 50
    assert home.select("first")
    click(ctx, qtbot, "deleteRoutineButton")
    assert home.undo_row.isVisible()
    qtbot.waitUntil(lambda: not home.undo_row.isVisible())
    assert "first" not in ctx.window.library.routines


def test_a_routine_that_cannot_be_saved_is_told_and_kept_in_the_editor(
    ctx: AppContext, qtbot: QtBot
) -> None:
    ul = ctx.window.user_library
    assert ul is not None
    ul.blocked = "the test keeps it read-only"
    click(ctx, qtbot, "newRoutineButton")
    editor = editor_of(ctx)
    click(ctx, qtbot, "addStepButton")
    click(ctx, qtbot, "editorSaveButton")
    assert ctx.window.stack.currentWidget() is editor, "nothing typed is lost"
    assert any(
        str(ctx.paths.user_library) in m and "could not be saved" in m
        for m in ctx.window.banner.messages()
    )


def test_add_action_puts_a_button_in_the_row_under_the_list(ctx: AppContext) -> None:
    from PySide6.QtWidgets import QPushButton

    home = ctx.window.home
    button = QPushButton("Import…")
    home.add_action(button)
    assert button.parentWidget() is home
    row = home.actions_row
    at = row.indexOf(button)
    assert at > row.indexOf(home.delete_button), "after the routine's own buttons"
    assert at == row.count() - 1, "after the actions added before it"
