"""The home screen: the routines to choose from, and the exercises left out."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
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
from sciatica_timer.ui.widgets.parts import tall_button, title


class HomeView(QWidget):
    start_requested = Signal(str)
    history_requested = Signal()
    sound_requested = Signal()
    leave_out_changed = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.routine_list = QListWidget()
        self.routine_list.setObjectName("routineList")
        self.routine_list.setAccessibleName("Routines")
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
        layout.addLayout(bottom)

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
                f" · {equipment}</span></div>"
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
