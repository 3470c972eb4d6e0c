"""Your own exercises in the window: the form, its picture, and finding it again after a
restart; a missing picture shows a placeholder, never a white box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import click, open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.models import Category, Routine, Sides, Step
from sciatica_timer.ui.theme import LIGHT
from sciatica_timer.ui.widgets.picture import Picture, take_picture


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    context = open_window(qtbot, tmp_path / "data")
    yield context
    context.close()


def picture_file(folder: Path, name: str, color: str = "#c62828", fmt: str = "PNG") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    path = folder / name
    assert image.save(str(path), fmt)
    return path


def colors_in(widget: QWidget) -> set[str]:
    """Every colour the widget paints (sampled on a grid)."""
    image = widget.grab().toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def test_a_custom_exercise_with_a_picture_is_there_after_a_restart(
    qtbot: QtBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = open_window(qtbot, data)
    click(first, qtbot, "myExercisesButton")
    form = first.window.exercise_editor
    assert first.window.stack.currentWidget() is form
    type_into(qtbot, form.name, "Wall figure-4 stretch")
    type_into(qtbot, form.instructions, "Lie on your back by a wall")
    qtbot.keyClick(form.instructions, Qt.Key.Key_Return)
    qtbot.keyClicks(form.instructions, "Cross one ankle over the other knee")
    type_into(qtbot, form.cautions, "Ease off if the leg tingles")
    form.sides.setCurrentIndex(form.sides.findData("each"))
    form.duration.setValue(30)
    form.sets.setValue(3)
    form.category.setCurrentIndex(form.category.findData("stretch"))
    form.avoid_in_flare.setChecked(True)
    original = picture_file(tmp_path, "from-my-physio.png")
    assert form.set_picture_file(original)
    assert form.picture.has_image()
    original.unlink()  # the copy in the data folder is what is kept
    click(first, qtbot, "exerciseSaveButton")
    assert first.window.stack.currentWidget() is first.window.home
    assert "Wall figure-4 stretch is saved in your exercises." in first.window.banner.messages()
    first.close()
    first.window.close()

    again = open_window(qtbot, data)
    try:
        mine = again.window.user_library
        assert mine is not None
        (exercise,) = mine.exercises.values()
        assert exercise.id == "wall-figure-4-stretch"
        assert exercise.name == "Wall figure-4 stretch"
        assert exercise.instructions == (
            "Lie on your back by a wall",
            "Cross one ankle over the other knee",
        )
        assert exercise.cautions == ("Ease off if the leg tingles",)
        assert (exercise.sides, exercise.duration_s, exercise.sets) == (Sides.EACH, 30, 3)
        assert (exercise.category, exercise.avoid_in_flare, exercise.reps) == (
            Category.STRETCH,
            True,
            None,
        )
        assert exercise.image is not None
        picture = Path(exercise.image)
        assert picture.parent == (data / "images").resolve() and picture.is_file()
        assert again.window.library.exercises[exercise.id] == exercise  # for the picker
        again.window.show_exercise_editor(exercise.id)
        form = again.window.exercise_editor
        assert form.name.text() == "Wall figure-4 stretch"
        assert form.picture.has_image()
        assert QColor("#c62828").name() in colors_in(form.picture)
    finally:
        again.close()


def test_the_form_is_named_for_screen_readers_and_reached_by_tab(
    ctx: AppContext, qtbot: QtBot
) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    qtbot.waitUntil(lambda: form.name.hasFocus())
    fields = (QLineEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox, QAbstractButton)
    controls = [
        w
        for w in form.findChildren(QWidget)
        if isinstance(w, fields) and w.isVisibleTo(form) and not w.objectName().startswith("qt_")
    ]
    assert len(controls) >= 14
    assert [w.objectName() for w in controls if not w.accessibleName()] == []
    reached = []
    for _ in range(len(controls) + 2):
        reached.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    for widget in (form.name, form.instructions, form.cautions, form.sides, form.duration):
        assert widget in reached, widget.objectName()
    for widget in (form.category, form.avoid_in_flare, form.choose_button, form.save_button):
        assert widget in reached, widget.objectName()


def test_typing_in_the_form_never_fires_the_session_keys(ctx: AppContext, qtbot: QtBot) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    type_into(qtbot, form.name, "Hip hinge? Easy + slow")  # ?, H, E, + are session keys
    assert form.name.text() == "Hip hinge? Easy + slow"
    assert not ctx.window.keys_overlay.isVisible()
    assert ctx.window.stack.currentWidget() is form


def test_escape_and_cancel_go_back_home_saving_nothing(ctx: AppContext, qtbot: QtBot) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    type_into(qtbot, form.name, "Not this one")
    qtbot.keyClick(form.name, Qt.Key.Key_Escape)
    assert ctx.window.stack.currentWidget() is ctx.window.home
    ctx.window.show_exercise_editor()
    click(ctx, qtbot, "exerciseCancelButton")
    assert ctx.window.stack.currentWidget() is ctx.window.home
    assert ctx.window.user_library is not None and ctx.window.user_library.exercises == {}


def test_a_nameless_exercise_is_refused_inline(ctx: AppContext, qtbot: QtBot) -> None:
    ctx.window.show_exercise_editor()
    click(ctx, qtbot, "exerciseSaveButton")
    form = ctx.window.exercise_editor
    assert form.problem.text() == "Give the exercise a name."
    assert ctx.window.stack.currentWidget() is form


def test_a_refused_picture_is_explained_and_the_chosen_one_stays(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    assert form.set_picture_file(picture_file(tmp_path, "good.jpg", fmt="JPEG"))
    kept = form.picture_path()
    text = tmp_path / "notes.png"
    text.write_text("3 x 30 s, left only\n")
    assert not form.set_picture_file(text)
    assert form.problem.text() == "notes.png is not a PNG, JPEG or SVG picture."
    assert form.picture_path() == kept and form.picture.has_image()
    click(ctx, qtbot, "removePictureButton")
    assert form.picture_path() is None
    assert form.picture.placeholder_text() == "No picture"


def test_a_png_whose_pixels_cannot_be_decoded_is_refused_naming_it(tmp_path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    bad = tmp_path / "garbled.png"  # every chunk sound, the pixel data not zlib at all
    bad.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not deflate data")
        + chunk(b"IEND", b"")
    )
    with pytest.raises(Exception, match=r"^garbled\.png is a damaged picture that cannot be shown"):
        take_picture(bad, tmp_path / "images")
    assert not (tmp_path / "images").exists()


@pytest.mark.parametrize("case", ["none", "missing", "broken"])
def test_the_picture_widget_draws_a_placeholder_never_a_white_box(
    qtbot: QtBot, tmp_path: Path, case: str
) -> None:
    widget = Picture()
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    path = {"none": None, "missing": tmp_path / "gone.png", "broken": tmp_path / "half.svg"}[case]
    if case == "broken":
        (tmp_path / "half.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><rect")
    assert not widget.set_image(path)
    expected = "No picture" if path is None else f"Picture could not be read: {path.name}"
    assert widget.placeholder_text() == expected
    assert widget.accessibleDescription() == expected
    painted = colors_in(widget)
    assert QColor(LIGHT.muted).name() in painted  # the words, drawn
    assert painted - {QColor(LIGHT.panel).name(), QColor(LIGHT.background).name()}


def test_a_users_deleted_picture_shows_the_placeholder_in_the_session(
    qtbot: QtBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = open_window(qtbot, data)
    first.window.show_exercise_editor()
    form = first.window.exercise_editor
    type_into(qtbot, form.name, "Towel calf stretch")
    assert form.set_picture_file(picture_file(tmp_path, "towel.png"))
    click(first, qtbot, "exerciseSaveButton")
    mine = first.window.user_library
    assert mine is not None
    mine.put_routine(Routine("towel", "Towel", (Step("towel-calf-stretch", duration_s=20),)))
    first.close()
    first.window.close()
    (exercise,) = mine.exercises.values()
    assert exercise.image is not None
    Path(exercise.image).unlink()  # gone from the data folder

    again = open_window(qtbot, data)
    try:
        again.window.start_routine("towel")
        shown = again.window.session.illustration
        assert again.window.session.exercise_label.text() == "Towel calf stretch"
        assert shown.placeholder_text() == f"Picture could not be read: {Path(exercise.image).name}"
        assert QColor(LIGHT.muted).name() in colors_in(shown)
    finally:
        again.close()


def test_an_exercise_a_routine_uses_is_not_deleted_and_an_unused_one_is(
    ctx: AppContext, qtbot: QtBot
) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    type_into(qtbot, form.name, "Seated nerve glide")
    click(ctx, qtbot, "exerciseSaveButton")
    mine = ctx.window.user_library
    assert mine is not None
    mine.put_routine(Routine("glides", "Glides", (Step("seated-nerve-glide"),)))
    ctx.window.show_exercise_editor("seated-nerve-glide")
    assert form.name.text() == "Seated nerve glide"
    click(ctx, qtbot, "deleteExerciseButton")
    assert ctx.window.stack.currentWidget() is form
    assert form.problem.text() == (
        "Not deleted: 'Seated nerve glide' is used by 'Glides'; take it out of those "
        "routines first."
    )
    assert "seated-nerve-glide" in mine.exercises
    mine.remove_routine("glides")
    ctx.window.show_exercise_editor("seated-nerve-glide")
    click(ctx, qtbot, "deleteExerciseButton")
    assert "seated-nerve-glide" not in mine.exercises
    assert "seated-nerve-glide" not in ctx.window.library.exercises
    assert ctx.window.stack.currentWidget() is ctx.window.home


def test_pictures_chosen_but_not_kept_leave_nothing_behind(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    images = ctx.paths.images_dir
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    assert form.set_picture_file(picture_file(tmp_path, "first.png", "#1d5fa8"))
    click(ctx, qtbot, "exerciseCancelButton")
    assert list(images.iterdir()) == []
    ctx.window.show_exercise_editor()
    type_into(qtbot, form.name, "Side-lying clam")
    assert form.set_picture_file(picture_file(tmp_path, "first.png", "#1d5fa8"))
    assert form.set_picture_file(picture_file(tmp_path, "second.png", "#b8520f"))
    click(ctx, qtbot, "exerciseSaveButton")
    mine = ctx.window.user_library
    assert mine is not None
    kept = mine.exercises["side-lying-clam"].image
    assert kept is not None
    assert list(images.iterdir()) == [Path(kept)]


def test_an_exercise_is_made_and_saved_with_the_keyboard_only(
    ctx: AppContext, qtbot: QtBot
) -> None:
    ctx.window.show_exercise_editor()
    form = ctx.window.exercise_editor
    qtbot.waitUntil(lambda: form.name.hasFocus())

    def key(k: Qt.Key, times: int = 1) -> None:
        for _ in range(times):
            qtbot.keyClick(QApplication.focusWidget(), k)

    qtbot.keyClicks(form.name, "Bird dog")
    key(Qt.Key.Key_Tab)
    assert form.instructions.hasFocus()
    qtbot.keyClicks(form.instructions, "Kneel on all fours")
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)  # past the cautions
    assert form.sides.hasFocus()
    key(Qt.Key.Key_Up)  # "Each side" is first
    key(Qt.Key.Key_Tab)
    assert form.duration.hasFocus()
    key(Qt.Key.Key_Tab, 2)
    assert form.reps.hasFocus()
    key(Qt.Key.Key_Up, 8)
    key(Qt.Key.Key_Tab, 2)
    assert form.category.hasFocus()
    key(Qt.Key.Key_Down, 2)  # reactivation
    while not form.save_button.hasFocus():
        key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Space)
    mine = ctx.window.user_library
    assert mine is not None
    made = mine.exercises["bird-dog"]
    assert (made.name, made.instructions, made.sides) == (
        "Bird dog",
        ("Kneel on all fours",),
        Sides.EACH,
    )
    assert (made.reps, made.category) == (8, Category.REACTIVATION)
    assert ctx.window.stack.currentWidget() is ctx.window.home


def test_a_new_exercise_made_from_the_routine_editor_goes_into_its_step(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """In the routine editor, "New exercise…" opens the form; saving comes back to the
    editor with what was typed kept, the new exercise in the picker and in the step."""
    window = ctx.window
    click(ctx, qtbot, "newRoutineButton")
    editor = window.editor
    editor.name_edit.clear()
    qtbot.keyClicks(editor.name_edit, "Physio plan")
    click(ctx, qtbot, "addStepButton")
    click(ctx, qtbot, "newExerciseButton")
    form = window.exercise_editor
    assert window.stack.currentWidget() is form
    type_into(qtbot, form.name, "Towel nerve glide")
    click(ctx, qtbot, "exerciseSaveButton")
    assert window.stack.currentWidget() is editor
    assert editor.name_edit.text() == "Physio plan", "nothing typed in the editor is lost"
    assert "towel-nerve-glide" in editor.picker.visible_ids()
    assert editor.picker.exercise_id() == "towel-nerve-glide"
    assert [s.exercise for s in editor.routine().steps] == ["towel-nerve-glide"]


def test_the_picture_goes_under_the_fields_when_the_window_is_narrow(
    ctx: AppContext, qtbot: QtBot
) -> None:
    """With the largest text in the narrowest window the picture column moves under the
    fields rather than being cut off at the right; on a wide window it stands beside."""
    window = ctx.window
    window.change_settings(text_size=3)
    window.resize(window.minimumWidth(), 600)
    window.show_exercise_editor()
    form = window.exercise_editor
    choose = form.choose_button
    viewport = form._scroll.viewport()

    def inside() -> bool:
        right = choose.mapTo(viewport, choose.rect().topRight()).x()
        return choose.isVisible() and 0 < right <= viewport.width()

    qtbot.waitUntil(inside)
    below = choose.mapTo(viewport, choose.rect().topLeft()).y()
    window.change_settings(text_size=1)
    window.resize(1920, 1080)
    qtbot.waitUntil(
        lambda: inside() and choose.mapTo(viewport, choose.rect().topLeft()).y() < below
    )


def test_the_picture_is_drawn_once_for_its_size_and_side(qtbot: QtBot) -> None:
    """An SVG is rendered once per size and side, then reused on every repaint (the whole
    screen repaints under a colour flash); mirrored, it is the same picture flipped."""
    widget = Picture()
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    svg = Path(__file__).resolve().parents[2] / "assets" / "exercises" / "clamshell.svg"
    assert widget.set_image(svg)
    plain = widget.grab().toImage()
    drawn = widget._drawn
    assert drawn is not None
    assert widget.grab().toImage() == plain
    assert widget._drawn is drawn  # reused, not rendered again
    widget.set_mirrored(True)
    flipped = widget.grab().toImage()
    assert widget._drawn is not drawn
    expected = plain.flipped(Qt.Orientation.Horizontal)
    differ = sum(
        1
        for x in range(0, plain.width(), 2)
        for y in range(0, plain.height(), 2)
        if abs(flipped.pixelColor(x, y).lightness() - expected.pixelColor(x, y).lightness()) > 40
    )
    assert differ < plain.width() * plain.height() / 4 / 100, differ  # under 1 %
    assert flipped != plain
