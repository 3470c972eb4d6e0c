"""Choosing a step's exercise: a searchable list, with the chosen one's picture, cautions and
whether it is best avoided in a flare-up."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.models import Category, Exercise, Sides
from sciatica_timer.ui.theme import palette_of, set_role
from sciatica_timer.ui.widgets.picture import Picture

FLARE_MARK = "⚠ avoid in a flare-up"
"""How an exercise best left out on a flare-up day is marked in the list."""

CATEGORY_WORDS = {
    Category.RELEASE: "release (roller or ball)",
    Category.STRETCH: "stretch",
    Category.REACTIVATION: "strengthening",
}


class _Search(QLineEdit):
    """The search field: Down, Up or Enter moves into the list (on the first exercise found
    when the chosen one is not among them), so typing and choosing is keys only."""

    def __init__(self, target: QListWidget) -> None:
        super().__init__()
        self._target = target

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() in keys and any(
            not self._target.item(r).isHidden() for r in range(self._target.count())
        ):
            self._target.setFocus()
            if self._target.currentRow() < 0 or self._target.currentItem().isHidden():
                first = next(
                    r for r in range(self._target.count()) if not self._target.item(r).isHidden()
                )
                self._target.setCurrentRow(first)
            return
        super().keyPressEvent(event)


class ExercisePicker(QWidget):
    """A search field over every exercise, the list (each marked when best avoided in a
    flare-up), and the chosen one's picture, category and cautions."""

    chosen = Signal(str)
    """The exercise id the person picked (by click, keys or search)."""

    def __init__(self, assets_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._assets = assets_dir
        self._exercises: dict[str, Exercise] = {}
        self.list = QListWidget()
        self.list.setObjectName("exerciseList")
        self.list.setAccessibleName("Exercises")
        self.list.setMinimumHeight(140)
        self.search = _Search(self.list)
        self.search.setObjectName("exerciseSearch")
        self.search.setAccessibleName("Search exercises")
        self.search.setPlaceholderText("Search exercises (name, body part, equipment)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.picture = Picture(minimum=QSize(150, 100))
        self.picture.setMaximumHeight(170)
        self.details = QLabel()
        self.details.setObjectName("exerciseDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        set_role(self.details, "note")
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_scroll = QScrollArea()
        details_scroll.setObjectName("exerciseDetailsScroll")
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QFrame.Shape.NoFrame)
        details_scroll.setWidget(self.details)
        details_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.picture)
        side.addWidget(details_scroll, 1)
        below = QHBoxLayout()
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(self.list, 1)
        below.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(below, 1)
        self.setTabOrder(self.search, self.list)

    def set_exercises(self, exercises: Mapping[str, Exercise]) -> None:
        self._exercises = dict(exercises)
        self.list.blockSignals(True)
        self.list.clear()
        for ex in exercises.values():
            words = ex.name + (f"   {FLARE_MARK}" if ex.avoid_in_flare else "")
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, ex.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, words)
            item.setToolTip(CATEGORY_WORDS[ex.category])
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._filter(self.search.text())

    def exercise_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def set_exercise(self, exercise_id: str) -> None:
        """Show this exercise as the chosen one (no ``chosen`` signal: nothing was picked)."""
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == exercise_id:
                item.setHidden(False)
                self.list.setCurrentItem(item)
                self.list.scrollToItem(item)
        self.list.blockSignals(False)
        self._show(exercise_id)

    def visible_ids(self) -> list[str]:
        """The exercises the search leaves in the list, in order."""
        items = (self.list.item(r) for r in range(self.list.count()))
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in items if not i.isHidden()]

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for row in range(self.list.count()):
            item = self.list.item(row)
            ex = self._exercises[str(item.data(Qt.ItemDataRole.UserRole))]
            haystack = " ".join(
                (ex.name, ex.id, ex.category.value, *ex.targets, *ex.equipment)
            ).casefold()
            item.setHidden(not all(w in haystack for w in words))

    def _current_changed(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is None:
            return
        exercise_id = str(item.data(Qt.ItemDataRole.UserRole))
        self._show(exercise_id)
        self.chosen.emit(exercise_id)

    def _show(self, exercise_id: str) -> None:
        ex = self._exercises.get(exercise_id)
        if ex is None:
            self.picture.set_image(None)
            self.details.setText("")
            return
        self.picture.set_image(self._assets / ex.image if ex.image else None)
        self.picture.setAccessibleName(f"Picture: {ex.name}")
        colors = palette_of(self)
        sides = "each side" if ex.sides is Sides.EACH else "no sides"
        how = f"{ex.reps} reps" if ex.reps is not None else f"{ex.duration_s} s"
        parts = [
            f"<b>{escape(ex.name)}</b> · {escape(CATEGORY_WORDS[ex.category])} · {sides} · "
            f"{ex.sets} × {how}"
        ]
        if ex.avoid_in_flare:
            parts.append(
                f"<div style='color:{colors.pain_dark}; font-weight:700'>{FLARE_MARK}</div>"
            )
        if ex.cautions:
            items = "".join(f"<li>{escape(c)}</li>" for c in ex.cautions)
            parts.append(f"<div>Cautions:</div><ul style='margin:0'>{items}</ul>")
        self.details.setText("".join(parts))
