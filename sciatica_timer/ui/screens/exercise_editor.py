"""Your own exercises: a page of the main window listing them, and a form to make or change
one (name, instructions, cautions, sides, default timing, category, flare-up flag, an
optional picture). The limits are the file format's (``exercises.schema.json``), so what
the form saves ``--check`` accepts."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.models import Category, Exercise, Sides
from sciatica_timer.storage.library_checks import load_schema
from sciatica_timer.storage.pictures import FILE_FILTER, LIMIT_WORDS, PictureError
from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.parts import title
from sciatica_timer.ui.widgets.picture import Picture, take_picture

CATEGORIES = (
    (
        Category.RELEASE,
        "Release",
        "roller, stick or ball work on a tight muscle; may pause on a tender spot",
    ),
    (Category.STRETCH, "Stretch", "a held, gentle stretch"),
    (Category.REACTIVATION, "Reactivation", "gentle strengthening, usually counted in repetitions"),
)
SIDES = (
    (Sides.EACH, "Each side", "done on the left, then on the right"),
    (Sides.NONE, "No sides", "both sides at once, or the middle of the body"),
)
NEW_ITEM = "+ New exercise"
PREVIEW = QSize(240, 180)


def _limits() -> dict[str, int]:
    """The file format's limits, read from the schema ``--check`` uses."""
    schema = load_schema()
    defs: dict[str, Any] = schema["$defs"]
    props: dict[str, Any] = defs["exercise"]["properties"]
    return {
        "name": props["name"]["maxLength"],
        "text": defs["text"]["maxLength"],
        "lines": defs["texts"]["maxItems"],
        "duration": defs["duration"]["maximum"],
        "sets": props["sets"]["maximum"],
        "reps": defs["count"]["maximum"],
        "rep_s": props["rep_s"]["maximum"],
    }


class _KeepKeys(QObject):
    """Typing in the form never triggers the session's one-key shortcuts (Space, letters,
    arrows, Enter): the focused field gets the key. Esc still reaches the page."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() is QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            ctrl = event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            )
            if event.key() != Qt.Key.Key_Escape and not ctrl:
                event.accept()
                return True
        return False


class ExerciseEditor(QWidget):
    """The "My exercises" page: the user's exercises on the left, the form on the right."""

    saved = Signal(object)  # Exercise
    delete_requested = Signal(str)  # exercise id
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseEditor")
        self._limits = _limits()
        self._editing: Exercise | None = None
        self._exercises: dict[str, Exercise] = {}
        self._images_dir = Path("images")
        self._new_id: Callable[[str], str] = lambda name: name
        self._image: str | None = None
        self._copied: set[Path] = set()
        self._keys = _KeepKeys(self)

        self.exercise_list = QListWidget()
        self.exercise_list.setObjectName("ownExerciseList")
        self.exercise_list.setAccessibleName("Your exercises")
        self.exercise_list.setMaximumWidth(260)
        self.exercise_list.setMinimumWidth(170)
        self.exercise_list.currentItemChanged.connect(self._picked)

        self.name = QLineEdit()
        self.name.setObjectName("exerciseName")
        self.name.setMaxLength(self._limits["name"])
        self.name.setPlaceholderText("For example: Figure-4 stretch against the wall")
        self.instructions = self._lines("exerciseInstructions", "Instructions, one per line")
        self.cautions = self._lines("exerciseCautions", "Cautions, one per line")
        self.sides = QComboBox()
        self.sides.setMaximumWidth(360)
        self.sides.setObjectName("exerciseSides")
        for side, text, _words in SIDES:
            self.sides.addItem(text, side.value)
        self.sides_note = self._note("exerciseSidesNote")
        self.sides.currentIndexChanged.connect(self._explain)
        self.duration = self._spin("exerciseDuration", 1, self._limits["duration"], " s")
        self.sets = self._spin("exerciseSets", 1, self._limits["sets"])
        self.reps = self._spin("exerciseReps", 0, self._limits["reps"])
        self.reps.setSpecialValueText("none (held for the time)")
        self.rep_s = self._spin("exerciseRepSeconds", 1, self._limits["rep_s"], " s")
        self.category = QComboBox()
        self.category.setMaximumWidth(360)
        self.category.setObjectName("exerciseCategory")
        for value, text, _words in CATEGORIES:
            self.category.addItem(text, value.value)
        self.category_note = self._note("exerciseCategoryNote")
        self.category.currentIndexChanged.connect(self._explain)
        self.avoid_in_flare = QCheckBox("Leave it out of sessions during a flare-up")
        self.avoid_in_flare.setObjectName("exerciseAvoidInFlare")

        self.picture = Picture(minimum=QSize(160, 120))
        self.picture.setObjectName("exercisePicture")
        self.choose_button = QPushButton("Choose picture…")
        self.choose_button.setObjectName("choosePictureButton")
        self.choose_button.setToolTip(f"A PNG, JPEG or SVG picture, {LIMIT_WORDS}")
        self.choose_button.clicked.connect(self.choose_picture)
        self.remove_button = QPushButton("Remove picture")
        self.remove_button.setObjectName("removePictureButton")
        self.remove_button.clicked.connect(self.remove_picture)
        self.picture_note = QLabel(f"Optional: a PNG, JPEG or SVG picture, {LIMIT_WORDS}.")
        self.picture_note.setObjectName("pictureNote")
        self.picture_note.setTextFormat(Qt.TextFormat.PlainText)
        self.picture_note.setWordWrap(True)
        self.picture_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.picture_note, "fine")

        self.problem = QLabel()
        self.problem.setObjectName("exerciseProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        set_role(self.problem, "note", tone="warning")
        self.problem.hide()

        self.delete_button = QPushButton("Delete exercise")
        self.delete_button.setObjectName("deleteExerciseButton")
        self.delete_button.clicked.connect(self._delete)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("exerciseCancelButton")
        self.cancel_button.setToolTip("Back without saving (Esc)")
        self.cancel_button.setMinimumHeight(56)
        self.cancel_button.clicked.connect(self.closed)
        self.save_button = QPushButton("Save exercise")
        self.save_button.setObjectName("exerciseSaveButton")
        self.save_button.setMinimumHeight(56)
        set_role(self.save_button, "primary")
        self.save_button.clicked.connect(self.save)

        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: labels above
        self._row(form, "&Name", self.name)
        self._row(form, "&Instructions", self.instructions, "one step per line")
        self._row(form, "Ca&utions", self.cautions, "one per line; shown in the caution box")
        self._row(form, "Si&des", self.sides, note=self.sides_note)
        self._row(form, "Dura&tion", self.duration, "per side, for one set")
        self._row(form, "Se&ts", self.sets)
        self._row(form, "&Repetitions", self.reps, "counted aloud at the pace below")
        self._row(form, "Seconds &per repetition", self.rep_s)
        self._row(form, "&Category", self.category, note=self.category_note)
        form.addRow("", self.avoid_in_flare)
        self.avoid_in_flare.setAccessibleName(self.avoid_in_flare.text())

        self.picture.setFixedSize(PREVIEW)
        self.picture_note.setFixedWidth(PREVIEW.width())
        picture_box = QVBoxLayout()
        picture_heading = QLabel("Picture")
        set_role(picture_heading, "question")
        picture_box.addWidget(picture_heading)
        picture_box.addWidget(self.picture)
        picture_box.addWidget(self.choose_button)
        picture_box.addWidget(self.remove_button)
        picture_box.addWidget(self.picture_note)
        picture_box.addStretch(1)

        fields = QWidget()
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, fields)
        columns.setContentsMargins(0, 0, 8, 0)
        columns.setSpacing(16)
        columns.addLayout(form, 1)
        columns.addLayout(picture_box)
        self._columns, self._form = columns, form
        scroll = QScrollArea()
        scroll.setObjectName("exerciseFormScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        self._scroll = scroll

        right = QVBoxLayout()
        self.form_title = title("New exercise")
        right.addWidget(self.form_title)
        right.addWidget(scroll, 1)
        right.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        right.addLayout(buttons)

        left = QVBoxLayout()
        heading = QLabel("Your exercises")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        set_role(heading, "question")
        left.addWidget(heading)
        left.addWidget(self.exercise_list, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.setSpacing(20)
        layout.addLayout(left, 1)
        layout.addLayout(right, 3)

        for button in self.findChildren(QPushButton):
            button.setAccessibleName(button.text().rstrip("…"))
        for widget in self.findChildren(QWidget):
            widget.installEventFilter(self._keys)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.closed)
        self.setTabOrder(self.exercise_list, self.name)
        chain: Sequence[QWidget] = (
            self.name,
            self.instructions,
            self.cautions,
            self.sides,
            self.duration,
            self.sets,
            self.reps,
            self.rep_s,
            self.category,
            self.avoid_in_flare,
            self.choose_button,
            self.remove_button,
            self.delete_button,
            self.cancel_button,
            self.save_button,
        )
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # --- building ---------------------------------------------------------------------

    def _lines(self, name: str, accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setTabChangesFocus(True)  # Tab moves on; Enter starts a new line
        edit.setMinimumHeight(84)
        edit.setMaximumHeight(130)
        return edit

    def _spin(self, name: str, low: int, high: int, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setMinimumWidth(140)
        spin.setMaximumWidth(260)
        return spin

    def _note(self, name: str) -> QLabel:
        note = QLabel()
        note.setObjectName(name)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        set_role(note, "fine")
        return note

    def _row(
        self,
        form: QFormLayout,
        label: str,
        field: QWidget,
        hint: str = "",
        note: QLabel | None = None,
    ) -> None:
        """A labelled field (Alt and the underlined letter reach it), with a line under it
        saying more when there is more to say."""
        caption = QLabel(label)
        caption.setBuddy(field)
        if hint:
            note = self._note(f"{field.objectName()}Note")
            note.setText(hint)
        if note is not None:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(field)
            column.addWidget(note)
            form.addRow(caption, box)
        else:
            form.addRow(caption, field)
        if not field.accessibleName():
            field.setAccessibleName(label.replace("&", ""))
        if hint:
            field.setAccessibleDescription(hint)

    def _explain(self) -> None:
        """What the chosen sides and category mean, under them (and for screen readers)."""
        for combo, note, choices in (
            (self.sides, self.sides_note, SIDES),
            (self.category, self.category_note, CATEGORIES),
        ):
            words = next((w for v, _t, w in choices if v.value == combo.currentData()), "")
            note.setText(words[:1].upper() + words[1:] + "." if words else "")
            combo.setAccessibleDescription(note.text())

    # --- showing ----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """The picture beside the fields when there is room, else under them (large text
        on a small screen): never cut off at the right."""
        room = self._scroll.viewport().width()
        need = self._form.sizeHint().width() + self._columns.spacing() + PREVIEW.width() + 8
        wide = QBoxLayout.Direction.LeftToRight
        direction = wide if room >= need else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)

    def begin(
        self,
        exercises: dict[str, Exercise],
        images_dir: Path,
        new_id: Callable[[str], str],
        exercise_id: str | None = None,
    ) -> None:
        """Show the user's ``exercises`` and the form on ``exercise_id`` (None: a new one).
        ``new_id`` gives a free id for a new exercise's name; pictures go to ``images_dir``."""
        self._exercises = dict(exercises)
        self._images_dir = images_dir
        self._new_id = new_id
        self.exercise_list.blockSignals(True)
        self.exercise_list.clear()
        new = QListWidgetItem(NEW_ITEM)
        new.setData(Qt.ItemDataRole.UserRole, None)
        self.exercise_list.addItem(new)
        for ex in self._exercises.values():
            item = QListWidgetItem(ex.name)
            item.setData(Qt.ItemDataRole.UserRole, ex.id)
            self.exercise_list.addItem(item)
            if ex.id == exercise_id:
                self.exercise_list.setCurrentItem(item)
        if self.exercise_list.currentItem() is None:
            self.exercise_list.setCurrentItem(new)
        self.exercise_list.blockSignals(False)
        self.load(self._exercises.get(exercise_id) if exercise_id else None)
        self.name.setFocus()

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            ident = item.data(Qt.ItemDataRole.UserRole)
            self.load(self._exercises.get(ident) if ident else None)

    def load(self, exercise: Exercise | None) -> None:
        """Fill the form from ``exercise`` (None: an empty form with the usual defaults)."""
        self._editing = exercise
        ex = exercise or Exercise(id="", name="")
        self.form_title.setText(f"Change {ex.name}" if exercise else "New exercise")
        self.name.setText(ex.name)
        self.instructions.setPlainText("\n".join(ex.instructions))
        self.cautions.setPlainText("\n".join(ex.cautions))
        self.sides.setCurrentIndex(max(0, self.sides.findData(ex.sides.value)))
        self.duration.setValue(ex.duration_s)
        self.sets.setValue(ex.sets)
        self.reps.setValue(ex.reps or 0)
        self.rep_s.setValue(ex.rep_s)
        self.category.setCurrentIndex(max(0, self.category.findData(ex.category.value)))
        self.avoid_in_flare.setChecked(ex.avoid_in_flare)
        self.delete_button.setVisible(exercise is not None)
        self._explain()
        self._show_picture(ex.image)
        self._say("")

    # --- the picture ------------------------------------------------------------------

    def choose_picture(self) -> None:
        """Ask for a picture file (a native dialog where the desktop has one)."""
        chosen, _filter = QFileDialog.getOpenFileName(self, "Choose a picture", "", FILE_FILTER)
        if chosen:
            self.set_picture_file(Path(chosen))

    def set_picture_file(self, path: Path) -> bool:
        """Check the picture at ``path`` and copy it into the data folder (what the file
        dialog leads to; tests call it directly). A refused one is explained, and the
        picture shown before stays."""
        before = self._pictures_there()
        try:
            copy = take_picture(path, self._images_dir)
        except PictureError as exc:
            self._say(str(exc))
            return False
        if copy not in before:
            self._copied.add(copy)
        self._show_picture(str(copy))
        self._say("")
        return True

    def _pictures_there(self) -> set[Path]:
        try:
            return set(self._images_dir.resolve().iterdir())
        except OSError:
            return set()

    def drop_unused_pictures(self, used: set[Path]) -> None:
        """Delete the pictures this form copied in that no exercise uses (one chosen and
        then replaced, or the form left without saving); pictures copied before stay."""
        for copy in self._copied - used:
            with contextlib.suppress(OSError):
                copy.unlink()
        self._copied.clear()

    def remove_picture(self) -> None:
        self._show_picture(None)

    def picture_path(self) -> str | None:
        return self._image

    def _show_picture(self, image: str | None) -> None:
        self._image = image
        self.picture.set_image(self._picture_file(image))
        self.remove_button.setEnabled(image is not None)

    def _picture_file(self, image: str | None) -> Path | None:
        if image is None:
            return None
        path = Path(image)
        return path if path.is_absolute() else self._images_dir.parent / path

    # --- saving -----------------------------------------------------------------------

    def current(self) -> Exercise | None:
        """The exercise the form describes, or None (the problem is shown)."""
        name = " ".join(self.name.text().split())
        if not name:
            self._say("Give the exercise a name.")
            self.name.setFocus()
            return None
        texts: dict[str, tuple[str, ...]] = {}
        for key, edit, what in (
            ("instructions", self.instructions, "instructions"),
            ("cautions", self.cautions, "cautions"),
        ):
            lines = tuple(
                " ".join(line.split()) for line in edit.toPlainText().splitlines() if line.strip()
            )
            if len(lines) > self._limits["lines"]:
                self._say(f"At most {self._limits['lines']} lines of {what}, please.")
                edit.setFocus()
                return None
            long = next(
                (n for n, line in enumerate(lines, 1) if len(line) > self._limits["text"]), 0
            )
            if long:
                self._say(
                    f"Line {long} of the {what} is longer than {self._limits['text']} characters."
                )
                edit.setFocus()
                return None
            texts[key] = lines
        base = self._editing or Exercise(id=self._new_id(name), name=name)
        return replace(
            base,
            name=name,
            instructions=texts["instructions"],
            cautions=texts["cautions"],
            sides=Sides(self.sides.currentData()),
            duration_s=self.duration.value(),
            sets=self.sets.value(),
            reps=self.reps.value() or None,
            rep_s=self.rep_s.value(),
            category=Category(self.category.currentData()),
            avoid_in_flare=self.avoid_in_flare.isChecked(),
            image=self._image,
        )

    def save(self) -> None:
        exercise = self.current()
        if exercise is not None:
            self.saved.emit(exercise)

    def show_problem(self, message: str) -> None:
        """A problem the window met saving (a file that could not be written)."""
        self._say(message)

    def _delete(self) -> None:
        if self._editing is not None:
            self.delete_requested.emit(self._editing.id)

    def _say(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
