"""The home screen: the routines to choose from, the exercises left out, and the buttons
that make a routine one's own (new, edit, duplicate, rename, delete with undo)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.models import DEFAULT_PAUSES, Library, Pauses
from sciatica_timer.core.safety import REPEAT_RULE, REPEAT_WORDS
from sciatica_timer.core.text import equipment_of, format_clock
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.ui.theme import font_px, palette_of, set_role
from sciatica_timer.ui.widgets.flow import FlowLayout
from sciatica_timer.ui.widgets.parts import tall_button, title


class HomeView(QWidget):
    start_requested = Signal(str)
    history_requested = Signal()
    sound_requested = Signal()
    leave_out_changed = Signal(str, bool)
    new_requested = Signal()
    edit_requested = Signal(str)
    duplicate_requested = Signal(str)
    rename_requested = Signal(str, str)  # routine id, new name
    delete_requested = Signal(str)
    undo_requested = Signal()

    UNDO_MS = 30_000
    """How long 'Deleted ... Undo' stays."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.routine_list = QListWidget()
        self.routine_list.setObjectName("routineList")
        self.routine_list.setAccessibleName("Routines")
        self.routine_list.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )  # rows wrap
        self.start_button = tall_button("Start  ▶", "startButton")
        set_role(self.start_button, "hero")
        self.start_button.setToolTip("Start the chosen routine (Enter)")
        self.start_button.clicked.connect(self._start)
        self.routine_list.itemActivated.connect(lambda _item: self._start())
        intro = QLabel(
            "Choose a routine, lay the laptop where you can see it from the mat, and press "
            "Start. The big red button stops everything the moment pain spreads down the leg."
        )
        intro.setWordWrap(True)
        set_role(intro, "lead")
        bottom = QHBoxLayout()
        disclaimer = QLabel(
            "Self-care guidance, not a diagnosis. If pain keeps spreading, or you notice "
            "numbness, weakness or any change in bladder or bowel control, see a professional."
        )
        disclaimer.setWordWrap(True)
        set_role(disclaimer, "fine")
        self.history_button = QPushButton("History")
        self.history_button.setObjectName("historyButton")
        self.history_button.setToolTip("Your sessions and pain stops, for you and your clinician")
        self.history_button.setMinimumHeight(64)
        self.history_button.clicked.connect(self.history_requested)
        self.sound_button = QPushButton("Settings")
        self.sound_button.setObjectName("settingsButton")
        self.sound_button.setAccessibleName("Settings")
        self.sound_button.setToolTip("Voice and sound, timing, the session, theme and text size")
        self.sound_button.setMinimumHeight(64)
        self.sound_button.clicked.connect(self.sound_requested)
        bottom.addWidget(disclaimer, 1)
        bottom.addWidget(self.sound_button)
        bottom.addWidget(self.history_button)
        bottom.addWidget(self.start_button)
        self.flags_box = QFrame()
        self.flags_box.setObjectName("caution")
        set_role(self.flags_box, "caution")
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_box.hide()
        self._flag_widgets: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.addWidget(title("Sciatica Timer", large=True))
        layout.addWidget(intro)
        layout.addWidget(self.flags_box)
        layout.addWidget(self.routine_list, 1)
        self._build_editing(layout)
        layout.addLayout(bottom)

    # --- making routines one's own -----------------------------------------------------

    def _build_editing(self, layout: QVBoxLayout) -> None:
        """The row of buttons under the list, and the rows that come and go above it: the
        offer to duplicate a bundled routine, renaming, and the undo of a delete."""
        self.is_bundled: Callable[[str], bool] = lambda _rid: True
        """Whether a routine came with the app (read-only); the window sets it."""
        self._editing: Callable[[], bool] = lambda: False
        self.offer_row, self.offer_label, offer = self._notice_row("duplicateOffer")
        self.offer_duplicate_button = self._small_button("Duplicate it", "offerDuplicateButton")
        self.offer_duplicate_button.clicked.connect(self._duplicate)
        self.offer_close_button = self._small_button("Not now", "offerCloseButton")
        self.offer_close_button.clicked.connect(self.offer_row.hide)
        offer.addWidget(self.offer_duplicate_button)
        offer.addWidget(self.offer_close_button)

        self.rename_row, rename_label, row = self._notice_row("renameRow")
        rename_label.setText("New name:")
        self.rename_edit = QLineEdit()
        self.rename_edit.setObjectName("renameEdit")
        self.rename_edit.setAccessibleName("New name for the routine")
        self.rename_edit.setMaxLength(80)
        self.rename_edit.returnPressed.connect(self._rename_done)
        self.rename_ok_button = self._small_button("Rename", "renameOkButton")
        self.rename_ok_button.clicked.connect(self._rename_done)
        self.rename_cancel_button = self._small_button("Cancel", "renameCancelButton")
        self.rename_cancel_button.clicked.connect(self._rename_cancel)
        row.addWidget(self.rename_edit, 3)
        row.addWidget(self.rename_ok_button)
        row.addWidget(self.rename_cancel_button)
        self._renaming: str | None = None

        self.undo_row, self.undo_label, undo = self._notice_row("undoRow")
        self.undo_button = self._small_button("Undo", "undoDeleteButton")
        self.undo_button.clicked.connect(self._undo)
        undo.addWidget(self.undo_button)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self.undo_row.hide)

        self.new_button = self._small_button("New", "newRoutineButton", "A new routine of your own")
        self.edit_button = self._small_button("Edit", "editRoutineButton", "Change this routine")
        self.duplicate_button = self._small_button(
            "Duplicate", "duplicateRoutineButton", "A copy of this routine to change"
        )
        self.rename_button = self._small_button("Rename", "renameRoutineButton")
        self.delete_button = self._small_button("Delete", "deleteRoutineButton")
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(self._edit)
        self.duplicate_button.clicked.connect(self._duplicate)
        self.rename_button.clicked.connect(self._rename)
        self.delete_button.clicked.connect(self._delete)
        self.actions_row = FlowLayout()  # wraps with large text on a small screen
        for button in (
            self.new_button,
            self.edit_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
        ):
            self.actions_row.addWidget(button)
        layout.addWidget(self.offer_row)
        layout.addWidget(self.rename_row)
        layout.addWidget(self.undo_row)
        layout.addLayout(self.actions_row)
        self.routine_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._keyed: list[QWidget] = [
            self.new_button,
            self.edit_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
            self.offer_duplicate_button,
            self.offer_close_button,
            self.rename_edit,
            self.rename_ok_button,
            self.rename_cancel_button,
            self.undo_button,
        ]
        self._update_buttons()

    def _notice_row(self, name: str) -> tuple[QFrame, QLabel, QHBoxLayout]:
        row = QFrame()
        row.setObjectName(name)
        set_role(row, "banner")
        line = QHBoxLayout(row)
        line.setContentsMargins(12, 4, 6, 4)
        label = QLabel()
        label.setObjectName(f"{name}Label")
        label.setTextFormat(Qt.TextFormat.PlainText)  # routine names, shown as written
        label.setWordWrap(True)
        set_role(label, "body")
        line.addWidget(label, 1)
        row.hide()
        return row, label, line

    def _small_button(self, text: str, name: str, tip: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setMinimumHeight(44)
        if tip:
            button.setToolTip(tip)
        return button

    def event(self, event: QEvent) -> bool:
        """Space and Enter press the focused routine button (or finish a rename) rather
        than start or pause a session (the window's keys)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and QApplication.focusWidget() in self._keyed
        ):
            event.accept()
            return True
        return super().event(event)

    def add_action(self, button: QPushButton) -> None:
        """Another secondary button in the row under the list (Import, Export...)."""
        button.setMinimumHeight(44)
        self.actions_row.addWidget(button)
        self._keyed.append(button)

    def set_editing(self, on: Callable[[], bool], is_bundled: Callable[[str], bool]) -> None:
        """Whether routines can be made and changed here (a user library to keep them), and
        which ones came with the app (those are duplicated, never changed); both are asked
        again each time the list is shown."""
        self._editing = on
        self.is_bundled = is_bundled
        self._update_buttons()

    @property
    def _editing_on(self) -> bool:
        return self._editing()

    def _own(self, rid: str | None) -> bool:
        return self._editing_on and rid is not None and not self.is_bundled(rid)

    def _update_buttons(self) -> None:
        rid = self.selected_routine()
        on = self._editing_on
        own = self._own(rid)
        self.new_button.setEnabled(on)
        self.edit_button.setEnabled(on and rid is not None)
        self.duplicate_button.setEnabled(on and rid is not None)
        self.rename_button.setEnabled(on and rid is not None)
        self.delete_button.setEnabled(own)
        self.delete_button.setToolTip(
            "Delete this routine (you can undo it)"
            if own
            else "Routines that came with the app cannot be deleted"
        )
        for button in (self.edit_button, self.rename_button):
            button.setToolTip("" if own or rid is None else "Came with the app: offers a copy")
        if self._renaming is not None and self._renaming != rid:
            self._rename_cancel()

    def _name_of(self, rid: str) -> str:
        return self._names.get(rid, rid) if hasattr(self, "_names") else rid

    def offer_duplicate(self, rid: str) -> None:
        """Say plainly that a bundled routine cannot be changed, and offer a copy."""
        self.offer_label.setText(
            f"'{self._name_of(rid)}' came with the app and cannot be changed. "
            "Duplicate it to make your own copy, then change that."
        )
        self.offer_row.show()
        self.offer_duplicate_button.setFocus()

    def _edit(self) -> None:
        rid = self.selected_routine()
        if rid is None:
            return
        if self._own(rid):
            self.edit_requested.emit(rid)
        else:
            self.offer_duplicate(rid)

    def _duplicate(self) -> None:
        rid = self.selected_routine()
        self.offer_row.hide()
        if rid is not None and self._editing_on:
            self.duplicate_requested.emit(rid)

    def _rename(self) -> None:
        rid = self.selected_routine()
        if rid is None:
            return
        if not self._own(rid):
            self.offer_duplicate(rid)
            return
        self._renaming = rid
        self.rename_edit.setText(self._name_of(rid))
        self.rename_row.show()
        self.rename_edit.setFocus()
        self.rename_edit.selectAll()

    def _rename_done(self) -> None:
        rid, name = self._renaming, self.rename_edit.text().strip()
        if rid is None or not name:
            return
        self._rename_cancel()
        if name != self._name_of(rid):
            self.rename_requested.emit(rid, name)

    def _rename_cancel(self) -> None:
        self._renaming = None
        self.rename_row.hide()

    def _delete(self) -> None:
        rid = self.selected_routine()
        if rid is not None and self._own(rid):
            self.delete_requested.emit(rid)

    def show_undo(self, name: str) -> None:
        """'Deleted X. Undo' for a while (``UNDO_MS``)."""
        self.undo_label.setText(f"Deleted '{name}'.")
        self.undo_button.setAccessibleName(f"Undo: put '{name}' back")
        self.undo_row.show()
        self._undo_timer.start(self.UNDO_MS)

    def hide_undo(self) -> None:
        self._undo_timer.stop()
        self.undo_row.hide()

    def _undo(self) -> None:
        self.hide_undo()
        self.undo_requested.emit()

    def set_flags(self, flagged: dict[str, str], left_out: dict[str, str]) -> None:
        """Exercises flagged by ``safety.REPEAT_RULE``, each with an offer to leave it
        out, and every exercise left out, each with a button to put it back (the undo)."""
        for widget in self._flag_widgets:
            widget.deleteLater()
        self._flag_widgets = []
        rows = {**left_out, **flagged}
        for exercise_id, name in sorted(rows.items(), key=lambda kv: kv[1]):
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            out = exercise_id in left_out
            if exercise_id in flagged:
                words = f"⚠  {name} brought on radiating pain {REPEAT_WORDS}."
            else:
                words = f"{name} is left out of every routine."
            text = QLabel(words + (" It is left out." if out and exercise_id in flagged else ""))
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            set_role(text, "body")
            button = QPushButton("Put it back" if out else "Leave it out")
            button.setObjectName(f"leaveOut_{exercise_id}")
            button.setAccessibleName(f"{button.text()}: {name}")
            button.setCheckable(True)
            button.setChecked(out)
            button.toggled.connect(lambda on, ex=exercise_id: self.leave_out_changed.emit(ex, on))
            line.addWidget(text, 1)
            line.addWidget(button)
            self.flags_layout.addWidget(row)
            self._flag_widgets.append(row)
        self.flags_box.setVisible(bool(rows))

    def set_library(
        self,
        library: Library,
        selected: str | None,
        flagged: dict[str, str] | None = None,
        left_out: set[str] | None = None,
        defaults: Pauses = DEFAULT_PAUSES,
    ) -> None:
        flagged = flagged or {}
        left_out = left_out or set()
        colors = palette_of(self)
        small, big = font_px(self, 16), font_px(self, 22)
        self.routine_list.clear()
        self._rows: list[tuple[QListWidgetItem, QLabel]] = []
        self._names = {rid: r.name for rid, r in library.routines.items()}
        for rid, routine in library.routines.items():
            total = build_timeline(library, rid, defaults).total_s
            equipment = escape(", ".join(equipment_of(library, rid)) or "no equipment")
            names = dict.fromkeys(escape(library.exercises[s.exercise].name) for s in routine.steps)
            ids = {s.exercise for s in routine.steps}
            warn = [escape(flagged[e]) for e in sorted(ids & set(flagged) - left_out)]
            dropped = [escape(library.exercises[e].name) for e in sorted(ids & left_out)]
            notes = ""
            if warn:
                notes += (
                    f"<div style='font-size:{small}px; color:{colors.pain_dark}'>⚠ includes "
                    f"{', '.join(warn)} ({REPEAT_RULE})</div>"
                )
            if dropped:
                notes += (
                    f"<div style='font-size:{small}px; color:{colors.muted}'>Left out: "
                    f"{', '.join(dropped)}</div>"
                )
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, rid)
            label = QLabel(
                f"<div style='font-size:{big}px; font-weight:700'>{escape(routine.name)}"
                f"<span style='font-weight:400; color:{colors.muted}'> · {format_clock(total)}"
                f" · {equipment}{' · your own' if self._own(rid) else ''}</span></div>"
                f"<div style='font-size:{small}px; color:{colors.muted}'>"
                f"{escape(routine.description)}</div>"
                f"<div style='font-size:{small}px'>{' → '.join(names)}</div>{notes}"
            )
            label.setWordWrap(True)
            label.setContentsMargins(8, 6, 8, 6)
            self._rows.append((item, label))
            self.routine_list.addItem(item)
            self.routine_list.setItemWidget(item, label)
            item.setToolTip(f"<p>{escape(routine.name)}</p>")  # shown as written, never markup
            if rid == selected:
                self.routine_list.setCurrentItem(item)
        if self.routine_list.currentRow() < 0 and self.routine_list.count():
            self.routine_list.setCurrentRow(0)
        self._fit_rows()
        self._update_buttons()

    def _fit_rows(self) -> None:
        """Each row as tall as its text wrapped at the list's real width."""
        width = max(300, self.routine_list.viewport().width() - 8)
        for item, label in getattr(self, "_rows", []):
            item.setSizeHint(QSize(width, label.heightForWidth(width) + 8))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def selected_routine(self) -> str | None:
        item = self.routine_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def select(self, routine_id: str) -> bool:
        for row in range(self.routine_list.count()):
            if self.routine_list.item(row).data(Qt.ItemDataRole.UserRole) == routine_id:
                self.routine_list.setCurrentRow(row)
                return True
        return False

    def _start(self) -> None:
        rid = self.selected_routine()
        if rid:
            self.start_requested.emit(rid)
