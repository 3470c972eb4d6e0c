"""The routine editor: a page of the main window, opened from the home screen.

It takes the library and a routine (or none, for a new one) and gives back a ``Routine``
(``saved``); the window stores it. Every value is checked as it is typed, with the words and
limits of ``--check`` (``step_draft``); the total time follows the typing.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core import safety
from sciatica_timer.core.models import (
    DEFAULT_PAUSES,
    Library,
    Pauses,
    Routine,
    Sides,
    Step,
    StepSides,
)
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.exercise_picker import FLARE_MARK, ExercisePicker
from sciatica_timer.ui.widgets.parts import title
from sciatica_timer.ui.widgets.step_draft import (
    DRAFT_ID,
    ROUTINE_FIELDS,
    STEP_FIELDS,
    StepDraft,
    Where,
    limits,
    problems,
    routine_entry,
    step_entry,
    to_routine,
    to_step,
    usable_entry,
    uses,
)
from sciatica_timer.ui.widgets.step_fields import FieldBox, NumberBox
from sciatica_timer.ui.widgets.step_list import StepListModel, StepListView

ROUTINE_LABELS = {
    "prepare_s": "Get ready (s)",
    "rest_s": "Rest between (s)",
    "switch_s": "Switch sides (s)",
}
STEP_LABELS = {
    "duration_s": "Duration per side (s)",
    "sets": "Sets",
    "reps": "Reps",
    "rep_s": "Seconds per rep",
    "rest_s": "Rest after (s)",
    "prepare_s": "Time to get into position (s)",
}
FIELD_NAMES = {
    "name": "name",
    "description": "description",
    "duration_s": "duration per side",
    "sets": "sets",
    "reps": "reps",
    "rep_s": "seconds per rep",
    "rest_s": "rest",
    "prepare_s": "time to get into position",
    "switch_s": "switch sides",
}
SIDE_CHOICES = (
    (None, "Both sides"),
    (StepSides.LEFT, "Left only"),
    (StepSides.RIGHT, "Right only"),
)


def _words(where: Where) -> str:
    """A place of the routine in words: 'step 2, duration per side'."""
    if where[:1] == ("steps",) and len(where) >= 3:
        return f"step {int(where[1]) + 1}, {FIELD_NAMES.get(str(where[2]), str(where[2]))}"
    if where == ("steps",):
        return "steps"
    key = str(where[0]) if where else "routine"
    return {"prepare_s": "get ready", "rest_s": "rest between"}.get(key, FIELD_NAMES.get(key, key))


class EditorView(QWidget):
    """Name, description, the routine's pauses, the steps and the chosen step's settings."""

    saved = Signal(object)  # Routine
    cancelled = Signal()
    new_exercise_requested = Signal()
    """The person wants an exercise of their own for this step (the window opens the form)."""

    def __init__(self, assets_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorView")
        self._library = Library({}, {})
        self._defaults = DEFAULT_PAUSES
        self._routine_id = DRAFT_ID
        self._loading = False
        self._problems: dict[Where, str] = {}
        self._as_opened: dict[str, object] = {}
        self._leave_asked = False

        self.heading = title("Edit routine")
        self.note = QLabel()
        self.note.setObjectName("editorNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        set_role(self.note, "lead")
        self.note.hide()

        # the routine
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("routineNameEdit")
        self.name_edit.setAccessibleName("Routine name")
        self.name_box = FieldBox(self.name_edit)
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("routineDescriptionEdit")
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setPlaceholderText("What it is for, who prescribed it (optional)")
        self.description_box = FieldBox(self.description_edit)
        self.flare_check = QCheckBox("For flare-up days")
        self.flare_check.setObjectName("flareCheck")
        self.flare_check.setAccessibleName("For flare-up days")
        self.flare_check.setToolTip("Flags any exercise best avoided in a flare-up")
        self.routine_fields: dict[str, NumberBox] = {}
        self.routine_boxes: dict[str, FieldBox] = {}
        for key in ROUTINE_FIELDS:
            low, high = limits(key, "routine")
            box = NumberBox(f"routine_{key}", ROUTINE_LABELS[key].removesuffix(" (s)"), low, high)
            self.routine_fields[key] = box
            self.routine_boxes[key] = FieldBox(box)

        # the steps
        self.model = StepListModel(self._describe)
        self.step_list = StepListView()
        self.step_list.setModel(self.model)
        self.step_list.setMinimumHeight(150)
        self.step_list.move_requested.connect(self.move_step)
        self.add_button = self._button("Add step", "addStepButton")
        self.remove_button = self._button("Remove step", "removeStepButton")
        self.up_button = self._button("Move up", "moveUpButton", "Move the step up (Alt+Up)")
        self.down_button = self._button(
            "Move down", "moveDownButton", "Move the step down (Alt+Down)"
        )
        self.add_button.clicked.connect(self.add_step)
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button.clicked.connect(lambda: self.move_step(1))

        # the chosen step
        self.step_heading = QLabel("Step")
        self.step_heading.setObjectName("stepHeading")
        set_role(self.step_heading, "question")
        self.picker = ExercisePicker(assets_dir)
        self.picker.chosen.connect(self._exercise_chosen)
        self.new_exercise_button = self._button(
            "New exercise…", "newExerciseButton", "Make an exercise of your own for this step"
        )
        self.new_exercise_button.clicked.connect(self.new_exercise_requested)
        self.step_fields: dict[str, NumberBox] = {}
        self.step_boxes: dict[str, FieldBox] = {}
        for key in STEP_FIELDS:
            low, high = limits(key)
            box = NumberBox(f"step_{key}", STEP_LABELS[key].removesuffix(" (s)"), low, high)
            self.step_fields[key] = box
            self.step_boxes[key] = FieldBox(box)
        self.sides_combo = QComboBox()
        self.sides_combo.setObjectName("stepSidesCombo")
        self.sides_combo.setAccessibleName("Sides")
        for value, words in SIDE_CHOICES:
            self.sides_combo.addItem(words, value.value if value else "")
        self.step_labels: dict[str, QLabel] = {}

        # the foot: flag, total, problems, cancel and save
        self.flare_flag = QLabel()
        self.flare_flag.setObjectName("flareFlag")
        self.flare_flag.setTextFormat(Qt.TextFormat.PlainText)
        self.flare_flag.setWordWrap(True)
        self.flare_frame = QFrame()
        set_role(self.flare_frame, "caution")
        flag_layout = QHBoxLayout(self.flare_frame)
        flag_layout.setContentsMargins(10, 6, 10, 6)
        flag_layout.addWidget(self.flare_flag)
        self.flare_frame.hide()
        self.total_label = QLabel()
        self.total_label.setObjectName("totalLabel")
        set_role(self.total_label, "verdict")
        self.summary = QLabel()
        self.summary.setObjectName("editorProblems")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        set_role(self.summary, "note", tone="warning")
        self.cancel_button = self._button(
            "Cancel", "editorCancelButton", "Back, without saving (Esc)"
        )
        self.save_button = self._button("Save", "editorSaveButton", "Save the routine (Ctrl+S)")
        set_role(self.save_button, "primary")
        self.cancel_button.setMinimumHeight(52)
        self.save_button.setMinimumHeight(52)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self.save)

        self._lay_out()
        self._connect()

    def _button(self, text: str, name: str, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setAutoDefault(True)  # Enter presses the focused button, as Space does
        if tip:
            button.setToolTip(tip)
        return button

    def _lay_out(self) -> None:
        routine_form = QFormLayout()
        routine_form.addRow("Name", self.name_box)
        routine_form.addRow("Description", self.description_box)
        for key in ROUTINE_FIELDS:
            label = QLabel(ROUTINE_LABELS[key])
            label.setBuddy(self.routine_fields[key])
            self.routine_fields[key].setMinimumWidth(300)
            routine_form.addRow(label, self.routine_boxes[key])
        step_buttons = QGridLayout()
        for i, button in enumerate(
            (self.add_button, self.remove_button, self.up_button, self.down_button)
        ):
            button.setProperty("compact", True)  # the theme's smaller buttons
            step_buttons.addWidget(button, i // 2, i % 2)
        left = QVBoxLayout()
        left.addLayout(routine_form)
        left.addWidget(self.flare_check)
        steps_label = QLabel("Steps (drag, or Alt+Up / Alt+Down, to reorder)")
        steps_label.setWordWrap(True)
        steps_label.setBuddy(self.step_list)
        set_role(steps_label, "question")
        left.addWidget(steps_label)
        left.addWidget(self.step_list, 1)
        left.addLayout(step_buttons)

        step_form = QFormLayout()
        step_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        order = ("duration_s", "sides", "sets", "reps", "rep_s", "rest_s", "prepare_s")
        for key in order:
            field: QWidget = self.sides_combo if key == "sides" else self.step_boxes[key]
            label = QLabel("Sides" if key == "sides" else STEP_LABELS[key])
            label.setWordWrap(True)
            label.setBuddy(self.sides_combo if key == "sides" else self.step_fields[key])
            step_form.addRow(label, field)
            self.step_labels[key] = label
        for box in self.step_fields.values():
            box.setMinimumWidth(210)
        self.sides_combo.setMinimumWidth(210)
        right = QVBoxLayout()
        right.addWidget(self.step_heading)
        right.addWidget(self.picker, 1)
        right.addWidget(self.new_exercise_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.picker.setMinimumHeight(330)
        right.addLayout(step_form)
        self.step_panel = QWidget()
        self.step_panel.setLayout(right)

        columns = QHBoxLayout()
        columns.setContentsMargins(0, 0, 8, 0)
        left_widget = QWidget()
        left_widget.setLayout(left)
        columns.addWidget(left_widget, 2)
        columns.addWidget(self.step_panel, 3)
        content = QWidget()
        content.setObjectName("editorContent")
        page = QVBoxLayout(content)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.note)
        page.addLayout(columns, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("editorScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        content.setMinimumWidth(860)

        foot = QHBoxLayout()
        words = QVBoxLayout()
        words.addWidget(self.total_label)
        words.addWidget(self.summary)
        foot.addLayout(words, 1)
        foot.addWidget(self.cancel_button)
        foot.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        layout.addWidget(self.heading)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.flare_frame)
        layout.addLayout(foot)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        chain: list[QWidget] = [
            self.name_edit,
            self.description_edit,
            self.flare_check,
            *self.routine_fields.values(),
            self.step_list,
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.picker.search,
            self.picker.list,
            self.new_exercise_button,
            self.step_fields["duration_s"],
            self.sides_combo,
            *(self.step_fields[k] for k in ("sets", "reps", "rep_s", "rest_s", "prepare_s")),
            self.cancel_button,
            self.save_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.name_edit.textChanged.connect(self._changed)
        self.description_edit.textChanged.connect(self._changed)
        self.flare_check.toggled.connect(self._changed)
        for box in self.routine_fields.values():
            box.edited.connect(self._changed)
        for box in self.step_fields.values():
            box.edited.connect(self._step_edited)
        self.sides_combo.currentIndexChanged.connect(self._step_edited)
        selection = self.step_list.selectionModel()
        selection.currentChanged.connect(lambda now, _old: self._load_step(now.row()))

    # --- opening ------------------------------------------------------------------------

    def begin(
        self,
        library: Library,
        routine: Routine | None,
        heading: str = "New routine",
        note: str = "",
        defaults: Pauses = DEFAULT_PAUSES,
    ) -> None:
        """Edit ``routine`` (None: a new, empty one) among ``library``'s exercises; the
        routine's empty pauses are ``defaults`` (the user's settings)."""
        self._loading = True
        self._library = library
        self._defaults = defaults
        self._routine_id = routine.id if routine is not None else DRAFT_ID
        self.heading.setText(heading)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.picker.set_exercises(library.exercises)
        self.picker.search.clear()
        self.name_edit.setText(routine.name if routine else "My routine")
        self.description_edit.setText(routine.description if routine else "")
        self.flare_check.setChecked(routine is not None and safety.meant_for_flare(routine))
        for key, box in self.routine_fields.items():
            value = getattr(routine, key) if routine else None
            box.set_text_value("" if value is None else str(value))
            default = getattr(defaults, key)
            box.set_default(default, f"{default} (your default from Settings)")
        steps = [StepDraft.of(s) for s in routine.steps] if routine else []
        self.model.set_steps(steps)
        self._loading = False
        if steps:
            self.select_step(0)
        else:
            self._load_step(-1)
        self._changed()
        self._as_opened = self._entry()
        self._leave_asked = False
        self.scroll_area.verticalScrollBar().setValue(0)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    # --- the steps ----------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.step_list.currentIndex()
        return index.row() if index.isValid() else -1

    def select_step(self, row: int) -> None:
        index = self.model.index(row)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.step_list.selectionModel().setCurrentIndex(index, flags)
        self._load_step(row)

    def add_step(self) -> None:
        """A new step after the chosen one (the exercise chosen in the list, else the first);
        the search field then has the focus, to choose its exercise."""
        exercise = self.picker.exercise_id() or next(iter(self._library.exercises), None)
        if exercise is None:
            return
        row = self.current_row() + 1 if self.current_row() >= 0 else self.model.rowCount()
        self.model.insert(row, StepDraft(exercise))
        self.select_step(row)
        self._changed()
        self.picker.search.setFocus()
        self.picker.search.selectAll()

    def remove_step(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.model.remove(row)
        if self.model.rowCount():
            self.select_step(min(row, self.model.rowCount() - 1))
        else:
            self._load_step(-1)
        self._changed()
        self.step_list.setFocus()

    def move_step(self, delta: int) -> None:
        """Move the chosen step up (-1) or down (+1); it stays chosen."""
        row = self.current_row()
        if row >= 0 and self.model.move(row, row + delta):
            self.select_step(row + delta)
            self._changed()

    def _describe(self, row: int, draft: StepDraft) -> str:
        """How a step reads in the list: '2. Figure-4 stretch · left only · 3 × 30 s'."""
        ex = self._library.exercises.get(draft.exercise)
        if ex is None:
            return f"{row + 1}. {draft.exercise} (unknown exercise)"
        step = self._step_now(row, draft)
        sets = step.sets or ex.sets
        if ex.reps is not None or step.reps is not None:
            amount = f"{step.reps or ex.reps} reps"
        else:
            amount = f"{step.duration_s or ex.duration_s} s"
        parts = [f"{row + 1}. {ex.name}"]
        if ex.sides is Sides.EACH:
            only = {StepSides.LEFT: "left only", StepSides.RIGHT: "right only"}
            parts.append(only.get(step.sides, "each side") if step.sides else "each side")
        parts.append(f"{sets} × {amount}" if sets > 1 else amount)
        text = " · ".join(parts)
        if ex.avoid_in_flare and self._for_flare():
            text += f"   {FLARE_MARK}"
        if any(w[:2] == ("steps", row) for w in self._problems):
            text = "✗ " + text
        return text

    def _step_now(self, row: int, draft: StepDraft) -> Step:
        """The step as typed, a wrong value left to its default."""
        entry = step_entry(draft, self._library.exercises.get(draft.exercise))
        kept = {
            k: v
            for k, v in entry.items()
            if k in ("exercise", "sides")
            or (type(v) is int and ("steps", row, k) not in self._problems)
        }
        return to_step(kept)

    # --- the chosen step's fields -------------------------------------------------------

    def _load_step(self, row: int) -> None:
        """The fields show the step at ``row`` (-1: none, the fields are off)."""
        has = 0 <= row < self.model.rowCount()
        self.step_panel.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < self.model.rowCount() - 1)
        if not has:
            self.step_heading.setText("Add a step, then choose its exercise here")
            return
        draft = self.model.step(row)
        self._loading = True
        self.step_heading.setText(f"Step {row + 1}: the exercise")
        self.picker.set_exercise(draft.exercise)
        for key, box in self.step_fields.items():
            box.set_text_value(draft.text(key))
        self.sides_combo.setCurrentIndex(
            next(i for i, (v, _w) in enumerate(SIDE_CHOICES) if v == draft.sides)
            if draft.sides in (StepSides.LEFT, StepSides.RIGHT)
            else 0
        )
        self._loading = False
        self._fit_fields(row)
        self._show_problems()

    def _fit_fields(self, row: int) -> None:
        """Fields that mean nothing for the step's exercise are off; every empty field says
        what it stands for."""
        draft = self.model.step(row)
        ex = self._library.exercises.get(draft.exercise)
        if ex is None:
            return
        sided = ex.sides is Sides.EACH
        self.sides_combo.setEnabled(sided)
        self.sides_combo.setToolTip("" if sided else f"{ex.name} has no sides")
        self.step_labels["duration_s"].setText(
            STEP_LABELS["duration_s"] if sided else "Duration (s)"
        )
        for key, box in self.step_fields.items():
            box.setEnabled(uses(ex, key))
        own = {
            "duration_s": ex.duration_s,
            "sets": ex.sets,
            "reps": ex.reps,
            "rep_s": ex.rep_s,
        }
        for key, value in own.items():
            words = "—" if value is None else f"{value} (the exercise's)"
            self.step_fields[key].set_default(value, words)
        pauses = self._pauses()
        self.step_fields["rest_s"].set_default(pauses.rest_s, f"{pauses.rest_s} (the routine's)")
        if row == 0:
            words = f"{pauses.prepare_s} (the get ready)"
            self.step_fields["prepare_s"].set_default(pauses.prepare_s, words)
        else:
            self.step_fields["prepare_s"].set_default(0, "0 (none)")

    def add_exercise(self, library: Library, exercise_id: str) -> None:
        """A new exercise of the person's own, made while editing: offered in the picker
        and taken for the chosen step (or a new step when there is none); nothing typed
        is lost."""
        self._library = Library(library.exercises, self._library.routines, library.source)
        self.picker.set_exercises(library.exercises)
        self.picker.search.clear()
        if self.current_row() < 0:
            self.add_step()
        self.picker.set_exercise(exercise_id)
        self._exercise_chosen(exercise_id)

    def _exercise_chosen(self, exercise_id: str) -> None:
        row = self.current_row()
        if self._loading or row < 0:
            return
        draft = self.model.step(row)
        if draft.exercise != exercise_id:
            self.model.replace(row, replace(draft, exercise=exercise_id))
            self._fit_fields(row)
            self._changed()

    def _step_edited(self) -> None:
        row = self.current_row()
        if self._loading or row < 0:
            return
        data = self.sides_combo.currentData()
        sides = StepSides(data) if data else None
        texts = {key: box.text_value() for key, box in self.step_fields.items()}
        self.model.replace(row, replace(self.model.step(row), sides=sides, texts=texts))
        self._changed()

    # --- checking, the total, the flag ---------------------------------------------------

    def _entry(self) -> dict[str, object]:
        pauses = {key: box.text_value() for key, box in self.routine_fields.items()}
        return routine_entry(
            self.name_edit.text(),
            self.description_edit.text(),
            pauses,
            self.model.steps(),
            self._library.exercises,
            self._for_flare(),
        )

    def _pauses(self) -> Pauses:
        """The routine's pauses as typed so far (a wrong or empty one: the default)."""
        entry = self._entry()
        refused = problems(entry)
        return to_routine(usable_entry(entry, refused)).pauses(self._defaults)

    def routine(self) -> Routine:
        """The routine as it stands (a wrong value left to its default)."""
        entry = self._entry()
        return to_routine(usable_entry(entry, problems(entry)), self._routine_id)

    def _for_flare(self) -> bool:
        return self.flare_check.isChecked()

    def _changed(self) -> None:
        if self._loading:
            return
        self._leave_asked = False
        entry = self._entry()
        self._problems = problems(entry)
        routine = to_routine(usable_entry(entry, self._problems), self._routine_id)
        library = Library(self._library.exercises, {routine.id: routine})
        total = build_timeline(library, routine.id, self._defaults).total_s if routine.steps else 0
        self.total_label.setText(f"Total {format_clock(total)}")
        self.total_label.setAccessibleName(f"Total time {format_clock(total)}")
        names = safety.flare_conflicts(self._library, routine, self._for_flare())
        if names:
            why = "is for flare-up days" if self._for_flare() else "says it is for flare-ups"
            self.flare_flag.setText(
                f"⚠ This routine {why}, but {', '.join(names)} "
                f"{'is' if len(names) == 1 else 'are'} best avoided in a flare-up."
            )
        self.flare_frame.setVisible(bool(names))
        self.model.refresh()
        self._show_problems()
        if self.current_row() >= 0:
            self._fit_fields(self.current_row())

    def _show_problems(self) -> None:
        found = self._problems
        self.name_box.set_error(found.get(("name",)))
        self.description_box.set_error(found.get(("description",)))
        for key, box in self.routine_boxes.items():
            box.set_error(found.get((key,)))
        row = self.current_row()
        for key, box in self.step_boxes.items():
            box.set_error(found.get(("steps", row, key)) if row >= 0 else None)
        if not found:
            self.summary.setText("")
            return
        where, message = next(iter(found.items()))
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        self.summary.setText(f"To fix before saving: {_words(where)}: {message}{more}")

    def current_problems(self) -> dict[Where, str]:
        """What is wrong now, by place, in ``--check``'s words."""
        return dict(self._problems)

    # --- leaving ---------------------------------------------------------------------

    def has_changes(self) -> bool:
        """Whether anything differs from the routine as it was opened."""
        return self._entry() != self._as_opened

    def cancel(self) -> None:
        """Back without saving; with changes made, the first press says so and the second
        leaves (a stray Esc never throws away a routine typed in for minutes)."""
        if self.has_changes() and not self._leave_asked:
            self._leave_asked = True
            self.summary.setText(
                "Your changes are not saved. Press Cancel (or Esc) again to leave without "
                "them, or Save."
            )
            return
        self.cancelled.emit()

    # --- saving -------------------------------------------------------------------------

    def save(self) -> None:
        """``saved`` with the routine when every value is right; otherwise the first wrong
        field gets the focus (its message is under it)."""
        self._changed()
        if not self._problems:
            entry = self._entry()
            self.saved.emit(to_routine(entry, self._routine_id))
            return
        where = next(iter(self._problems))
        self._focus(where)

    def _focus(self, where: Where) -> None:
        widget: QWidget = self.step_list
        if where == ("name",):
            widget = self.name_edit
        elif where == ("description",):
            widget = self.description_edit
        elif len(where) == 1 and str(where[0]) in self.routine_fields:
            widget = self.routine_fields[str(where[0])]
        elif len(where) >= 3 and where[0] == "steps":
            self.select_step(int(where[1]))
            widget = self.step_fields.get(str(where[2]), self.step_list)
        elif where == ("steps",):
            widget = self.add_button
        widget.setFocus()
        self.scroll_area.ensureWidgetVisible(widget)

    # --- keys: the window's session keys are not for typing here ------------------------

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and not Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F35  # F1 help, F11 full screen
        ):
            event.accept()  # every other key goes to the field that has the focus
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        if event.matches(QKeySequence.StandardKey.Save):
            self.save()
            return
        super().keyPressEvent(event)
