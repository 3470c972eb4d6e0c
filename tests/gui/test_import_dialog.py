"""Importing a routine file in the window: every problem listed exactly as ``--check``
prints it (and nothing imported), a valid file imported and selected, clashes kept both or
replaced, and an exported routine imported into a clean data folder unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QPushButton, QRadioButton
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.core.models import Category, Exercise, Routine, Sides, Step, StepSides
from sciatica_timer.storage.user_library import Clash
from sciatica_timer.ui.screens.import_dialog import ImportDialog

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MINE = sorted((FIXTURES / "import_dialog").glob("[0-9]*.json"))
PRESCRIPTIONS = sorted((FIXTURES / "prescriptions" / "invalid").glob("*.json"))
INVALID = MINE + PRESCRIPTIONS
VALID = FIXTURES / "import_dialog" / "valid-prescription.json"
VALID_PRESCRIPTIONS = sorted((FIXTURES / "prescriptions" / "valid").glob("*.json"))


def open_window(qtbot: QtBot, data: Path) -> AppContext:
    context = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=FakeClock())
    qtbot.addWidget(context.window)
    context.window.resize(1366, 768)
    context.window.show()
    return context


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    context = open_window(qtbot, tmp_path / "data")
    yield context
    context.close()


def check_lines(path: Path) -> list[str]:
    """What ``sciatica-timer --check FILE`` prints, run for real (it exits 2)."""
    proc = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def dialog_for(ctx: AppContext, path: Path) -> ImportDialog:
    dialog = ctx.window.import_file(path)
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def press(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_there_are_at_least_fifteen_invalid_files() -> None:
    assert len(MINE) >= 15
    assert len(PRESCRIPTIONS) >= 15


@pytest.mark.parametrize("path", VALID_PRESCRIPTIONS, ids=[p.name for p in VALID_PRESCRIPTIONS])
def test_each_valid_prescription_imports_through_the_window(
    ctx: AppContext, qtbot: QtBot, path: Path
) -> None:
    wanted = [r["id"] for r in json.loads(path.read_text(encoding="utf-8")).get("routines", [])]
    press(qtbot, dialog_for(ctx, path).import_button)
    mine = ctx.window.user_library
    assert mine is not None
    assert wanted and list(mine.routines) == wanted
    assert ctx.window.home.selected_routine() == wanted[0]


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_an_invalid_file_lists_the_check_lines_and_imports_nothing(
    ctx: AppContext, qtbot: QtBot, path: Path
) -> None:
    dialog = dialog_for(ctx, path)
    expected = check_lines(path)
    assert expected
    assert dialog.problem_lines() == expected
    assert not dialog.import_button.isVisible()
    dialog.copy_problems()
    assert QApplication.clipboard().text() == "\n".join(expected)
    press(qtbot, dialog.close_button)
    assert not dialog.isVisible()
    assert ctx.window.user_library is not None and ctx.window.user_library.routines == {}
    assert not ctx.paths.user_library.exists()


def test_a_valid_file_is_imported_and_selected_on_the_home_screen(
    ctx: AppContext, qtbot: QtBot
) -> None:
    dialog = dialog_for(ctx, VALID)
    assert dialog.clashes() == []
    shown = dialog.findChild(object, "importRoutine_physio-hips")
    assert shown is not None and "Physio: hips, left side" in shown.text()
    press(qtbot, dialog.import_button)
    library = ctx.window.library
    assert "physio-hips" in library.routines
    assert ctx.window.home.selected_routine() == "physio-hips"
    steps = library.routines["physio-hips"].steps
    assert steps[0] == Step("figure-4-stretch", duration_s=30, sets=3, sides=StepSides.LEFT)
    assert library.exercises["wall-hamstring"].name == "Wall hamstring stretch"
    assert "Imported from valid-prescription.json: Physio: hips, left side." in (
        ctx.window.banner.messages()
    )
    again = open_window(qtbot, ctx.paths.data_dir.parent / "other")  # not this data folder
    try:
        assert "physio-hips" not in again.window.library.routines
    finally:
        again.close()


def test_cancel_imports_nothing(ctx: AppContext, qtbot: QtBot) -> None:
    dialog = dialog_for(ctx, VALID)
    press(qtbot, dialog.close_button)
    assert "physio-hips" not in ctx.window.library.routines
    assert not ctx.paths.user_library.exists()


def test_a_clash_kept_both_imports_a_renamed_copy(ctx: AppContext, qtbot: QtBot) -> None:
    press(qtbot, dialog_for(ctx, VALID).import_button)
    dialog = dialog_for(ctx, VALID)
    assert dialog.clashes() == ["physio-hips"]
    keep = dialog.findChild(object, "clashKeepBoth_physio-hips")
    assert keep is not None and keep.isChecked()  # the safe choice is the default
    press(qtbot, dialog.import_button)
    routines = ctx.window.library.routines
    assert routines["physio-hips"].name == "Physio: hips, left side"
    assert routines["physio-hips-2"].name == "Physio: hips, left side (2)"
    assert routines["physio-hips-2"].steps == routines["physio-hips"].steps
    assert ctx.window.home.selected_routine() == "physio-hips-2"


def test_a_clash_replaced_takes_the_old_routines_place(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    press(qtbot, dialog_for(ctx, VALID).import_button)
    changed = json.loads(VALID.read_text())
    changed["routines"][0]["name"] = "Physio: hips, week two"
    changed["routines"][0]["steps"][0]["sets"] = 4
    newer = tmp_path / "week-two.json"
    newer.write_text(json.dumps(changed))
    dialog = dialog_for(ctx, newer)
    assert dialog.clashes() == ["physio-hips"]
    replace = dialog.findChild(QPushButton, "clashReplace_physio-hips")
    assert replace is None  # a radio button, not a push button
    dialog.choose("physio-hips", Clash.REPLACE)
    assert dialog.choices() == {"physio-hips": Clash.REPLACE}
    press(qtbot, dialog.import_button)
    mine = ctx.window.user_library
    assert mine is not None
    assert list(mine.routines) == ["physio-hips"]
    assert mine.routines["physio-hips"].name == "Physio: hips, week two"
    assert mine.routines["physio-hips"].steps[0].sets == 4


def test_a_bundled_routine_is_never_replaced(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    same_id = tmp_path / "flare.json"
    same_id.write_text(
        json.dumps(
            {
                "routines": [
                    {
                        "id": "gentle-flare-up",
                        "name": "My flare-up",
                        "steps": [{"exercise": "childs-pose"}],
                    }
                ]
            }
        )
    )
    dialog = dialog_for(ctx, same_id)
    assert dialog.clashes() == ["gentle-flare-up"]
    dialog.choose("gentle-flare-up", Clash.REPLACE)  # offered, but not enabled
    assert dialog.choices() == {"gentle-flare-up": Clash.KEEP_BOTH}
    press(qtbot, dialog.import_button)
    routines = ctx.window.library.routines
    assert routines["gentle-flare-up"].name != "My flare-up"
    assert routines["gentle-flare-up-2"].name == "My flare-up (2)"


def test_export_then_import_into_a_clean_data_folder_gives_the_same_routine(
    qtbot: QtBot, tmp_path: Path
) -> None:
    first = open_window(qtbot, tmp_path / "physio")
    mine = first.window.user_library
    assert mine is not None
    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(QColor("#1d5fa8"))
    picture = tmp_path / "wall.png"
    assert image.save(str(picture))
    first.window.show_exercise_editor()
    form = first.window.exercise_editor
    form.name.setText("Wall hamstring stretch")
    form.sides.setCurrentIndex(form.sides.findData("each"))
    form.category.setCurrentIndex(form.category.findData("stretch"))
    form.instructions.setPlainText("Lie by a door frame\nRest one heel up the wall")
    assert form.set_picture_file(picture)
    form.save_button.click()
    routine = Routine(
        "physio-hips",
        "Physio: hips",
        (
            Step("figure-4-stretch", duration_s=30, sets=3, sides=StepSides.LEFT),
            Step("glute-roll-uncrossed", duration_s=90, prepare_s=30),
            Step("wall-hamstring-stretch", duration_s=45, rest_s=20),
        ),
        description="From the clinic, week one.",
        switch_s=12,
    )
    mine.put_routine(routine)
    first.window.set_library(mine.library(), routine.id)
    shared = tmp_path / "to-send" / "physio-hips.json"
    shared.parent.mkdir()
    first.window.home.select(routine.id)
    assert first.window.export_routine_to(first.window.home.selected_routine() or "", shared)
    assert any(str(shared) in m for m in first.window.banner.messages())
    made = mine.exercises["wall-hamstring-stretch"]
    first.close()
    first.window.close()

    clean = open_window(qtbot, tmp_path / "patient")
    try:
        dialog = dialog_for(clean, shared)
        press(qtbot, dialog.import_button)
        theirs = clean.window.user_library
        assert theirs is not None
        assert theirs.routines == {routine.id: routine}
        got = theirs.exercises["wall-hamstring-stretch"]
        assert got.image is not None and made.image is not None
        assert Path(got.image).read_bytes() == Path(made.image).read_bytes()
        assert got == Exercise(
            "wall-hamstring-stretch",
            "Wall hamstring stretch",
            Category.STRETCH,
            Sides.EACH,
            instructions=("Lie by a door frame", "Rest one heel up the wall"),
            image=got.image,
        )
        assert clean.window.home.selected_routine() == routine.id
    finally:
        clean.close()


def test_home_offers_import_and_export_in_one_menu(ctx: AppContext) -> None:
    share = ctx.window.findChild(QPushButton, "shareButton")
    assert share is not None and share.isVisible() and share.accessibleName()
    menu = share.menu()
    assert menu is not None
    assert [a.objectName() for a in menu.actions()] == ["importAction", "exportRoutineAction"]
    assert [a.text() for a in menu.actions()] == [
        "Import a routine file…",
        "Export the chosen routine…",
    ]


def test_a_clash_is_answered_with_the_keyboard_only(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    press(qtbot, dialog_for(ctx, VALID).import_button)
    changed = json.loads(VALID.read_text())
    changed["routines"][0]["name"] = "Physio: hips, by keys"
    newer = tmp_path / "keys.json"
    newer.write_text(json.dumps(changed))
    dialog = dialog_for(ctx, newer)
    keep = dialog.findChild(QRadioButton, "clashKeepBoth_physio-hips")
    assert keep is not None
    qtbot.waitUntil(dialog.isActiveWindow)  # the keys go to the dialog, not the window
    for _ in range(10):
        if keep.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert keep.hasFocus()
    qtbot.keyClick(keep, Qt.Key.Key_Down)  # to "replace yours"
    assert dialog.choices() == {"physio-hips": Clash.REPLACE}
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the default: Import
    assert not dialog.isVisible()
    mine = ctx.window.user_library
    assert mine is not None
    assert {r.name for r in mine.routines.values()} == {"Physio: hips, by keys"}
