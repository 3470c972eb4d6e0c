"""Importing a routine file: what is wrong with it, exactly as ``--check`` prints it, or
what it holds and, for each routine the library already has, keep both or replace.

Nothing is imported until the user presses Import, and then all of it at once
(``UserLibrary.apply_import``); a file with any problem imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.models import Library
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.storage.problems import Problem, printable
from sciatica_timer.storage.user_library import Clash, ImportPlan
from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.parts import title


def _plain(text: str, role: str = "body") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file and routine names: never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_role(label, role)
    return label


class ImportDialog(QDialog):
    """One file's import: ``show_problems`` (nothing can be imported) or ``show_plan``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import routines")
        self.setModal(True)
        room = parent.window().size() if parent is not None else None
        width = min(960, room.width() - 40) if room else 960
        height = min(600, room.height() - 40) if room else 600
        self.resize(max(520, width), max(360, height))
        self.setMinimumSize(520, 360)
        self.problems_text = QTextEdit()
        self.problems_text.setObjectName("importProblems")
        self.problems_text.setAccessibleName("Problems in the file")
        self.problems_text.setReadOnly(True)
        self.problems_text.setAcceptRichText(False)
        self.problems_text.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.problems_text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._clash_groups: dict[str, QButtonGroup] = {}
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("importConfirmButton")
        self.import_button.setAccessibleName("Import")
        set_role(self.import_button, "primary")
        self.import_button.clicked.connect(self.accept)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("importCancelButton")
        self.close_button.clicked.connect(self.reject)
        self.copy_button = QPushButton("Copy the problems")
        self.copy_button.setObjectName("importCopyButton")
        self.copy_button.setAccessibleName("Copy the problems")
        self.copy_button.clicked.connect(self.copy_problems)
        self.body = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addLayout(self.body, 1)
        layout.addLayout(buttons)

    # --- a file that cannot be imported --------------------------------------------------

    def show_problems(self, source: Path, problems: Sequence[Problem]) -> None:
        """Every problem, one per line exactly as ``--check`` prints it; nothing imported."""
        count = len(problems)
        self.body.addWidget(title("This file cannot be imported"))
        self.body.addWidget(
            _plain(
                f"{printable(str(source))} has {count} problem{'s' if count != 1 else ''}, "
                "so nothing was imported. Each line is one, as sciatica-timer --check prints "
                "it: the file, line and column, where in the file, then what is wrong.",
                "lead",
            )
        )
        self.problems_text.setPlainText("\n".join(str(p) for p in problems))
        self._space_lines()
        self.body.addWidget(self.problems_text, 1)
        self.import_button.hide()
        self.close_button.setText("Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.setDefault(True)
        self.problems_text.setFocus()

    def _space_lines(self) -> None:
        """Each problem a paragraph of its own: a long one wraps with a hanging indent and
        a gap before the next, so one problem never reads as two."""
        cursor = QTextCursor(self.problems_text.document())
        cursor.select(QTextCursor.SelectionType.Document)
        spaced = QTextBlockFormat()
        spaced.setBottomMargin(6)
        spaced.setLeftMargin(24)
        spaced.setTextIndent(-24)
        cursor.mergeBlockFormat(spaced)

    def problem_lines(self) -> list[str]:
        """The lines the dialog lists (what the user reads and can copy)."""
        text = self.problems_text.toPlainText()
        return text.split("\n") if text else []

    def copy_problems(self) -> None:
        QGuiApplication.clipboard().setText(self.problems_text.toPlainText())

    # --- a file that can be imported ---------------------------------------------------

    def show_plan(
        self, plan: ImportPlan, library: Library, bundled_routines: frozenset[str] = frozenset()
    ) -> None:
        """What the file holds, and for each routine the library already has (``library``:
        the user's and the bundled ones) the choice: keep both or replace. A bundled
        routine is never replaced."""
        self.copy_button.hide()
        self.close_button.setText("Cancel")
        self.close_button.setAccessibleName("Cancel: import nothing")
        self.body.addWidget(title("Import routines"))
        n = len(plan.routines)
        ex = len(plan.exercises)
        holds = f"{n} routine{'s' if n != 1 else ''}"
        if ex:
            holds += f" and {ex} exercise{'s' if ex != 1 else ''} of its own"
        self.body.addWidget(
            _plain(f"{printable(str(plan.source))} is valid. It holds {holds}:", "lead")
        )
        merged = library.merged_with(Library({e.id: e for e in plan.exercises}, {}))
        rows = QWidget()
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        for routine in plan.routines:
            rows_layout.addWidget(self._routine_row(routine.id, routine.name, merged, plan))
            if routine.id in plan.clashes:
                rows_layout.addWidget(
                    self._clash_row(routine.id, library, routine.id in bundled_routines)
                )
        if plan.exercises:
            names = ", ".join(e.name for e in plan.exercises)
            rows_layout.addWidget(_plain(f"Exercises: {names}", "note"))
        rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(rows)
        self.body.addWidget(scroll, 1)
        self.import_button.setDefault(True)
        self.import_button.setFocus()

    def _routine_row(self, rid: str, name: str, library: Library, plan: ImportPlan) -> QLabel:
        routine = next(r for r in plan.routines if r.id == rid)
        single = Library(library.exercises, {rid: routine})
        try:
            total = format_clock(build_timeline(single, rid).total_s)
        except (KeyError, ValueError):
            total = "?"
        steps = " → ".join(
            library.exercises[s.exercise].name if s.exercise in library.exercises else s.exercise
            for s in routine.steps
        )
        label = QLabel(
            f"<b>{escape(name)}</b> · {total} · {len(routine.steps)} "
            f"step{'s' if len(routine.steps) != 1 else ''}<br>"
            f"<span style='font-size:15px'>{escape(steps)}</span>"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setObjectName(f"importRoutine_{rid}")
        set_role(label, "body")
        return label

    def _clash_row(self, rid: str, library: Library, bundled: bool) -> QFrame:
        box = QFrame()
        box.setObjectName(f"importClash_{rid}")
        set_role(box, "caution")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(12, 8, 12, 8)
        mine = library.routines.get(rid)
        theirs = mine.name if mine else rid
        where = "the bundled routines have" if bundled else "your library already has"
        layout.addWidget(_plain(f"A routine with this id ({rid}) is one {where}: {theirs}."))
        group = QButtonGroup(box)
        keep = QRadioButton("Keep both: import this one renamed, with “(2)” after its name")
        keep.setObjectName(f"clashKeepBoth_{rid}")
        keep.setAccessibleName(f"Keep both, for {rid}")
        keep.setChecked(True)
        replace_it = QRadioButton(
            "Replace yours with this one"
            if not bundled
            else "Replace it (a bundled routine is never replaced: keep both instead)"
        )
        replace_it.setObjectName(f"clashReplace_{rid}")
        replace_it.setAccessibleName(f"Replace, for {rid}")
        replace_it.setEnabled(not bundled)
        group.addButton(keep)
        group.addButton(replace_it)
        group.setId(keep, 0)
        group.setId(replace_it, 1)
        layout.addWidget(keep)
        layout.addWidget(replace_it)
        self._clash_groups[rid] = group
        return box

    def choose(self, routine_id: str, clash: Clash) -> None:
        """Pick keep-both or replace for one clash (as clicking its button does)."""
        group = self._clash_groups[routine_id]
        button = group.button(1 if clash is Clash.REPLACE else 0)
        if button.isEnabled():
            button.setChecked(True)

    def choices(self) -> Mapping[str, Clash]:
        """Keep both or replace, for every routine id the library already has."""
        return {
            rid: Clash.REPLACE if group.checkedId() == 1 else Clash.KEEP_BOTH
            for rid, group in self._clash_groups.items()
        }

    def clashes(self) -> list[str]:
        return list(self._clash_groups)
