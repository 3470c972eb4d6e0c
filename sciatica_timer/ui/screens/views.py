"""Home, Done and the pain-stop safety screen."""

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
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.models import Library
from sciatica_timer.core.safety import CHANGE_MESSAGES, Change, Reach, classify_change
from sciatica_timer.core.text import equipment_of, format_clock
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.ui import theme
from sciatica_timer.ui.controller import SessionSummary
from sciatica_timer.ui.screens.checkin import AfterPanel, PainStopFollowUp


def _title(text: str, size: int = 34) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"font-size: {size}px; font-weight: 800;")
    label.setWordWrap(True)
    return label


def _scrolling_text(name: str, html: str = "") -> tuple[QLabel, QScrollArea]:
    """A rich-text label that scrolls when the window is small."""
    label = QLabel(html)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(label)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    return label, scroll


def _primary(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text)
    button.setMinimumHeight(64)
    return button


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
        self.start_button = _primary("Start  ▶", "startButton")
        self.start_button.setToolTip("Start the chosen routine (Enter)")
        self.start_button.clicked.connect(self._start)
        self.routine_list.itemActivated.connect(lambda _item: self._start())
        intro = QLabel(
            "Choose a routine, lay the laptop where you can see it from the mat, and press "
            "Start. The big red button stops everything the moment pain spreads down the leg."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"font-size: 18px; color: {theme.MUTED};")
        bottom = QHBoxLayout()
        disclaimer = QLabel(
            "Self-care guidance, not a diagnosis. If pain keeps spreading, or you notice "
            "numbness, weakness or any change in bladder or bowel control, see a professional."
        )
        disclaimer.setWordWrap(True)
        disclaimer.setStyleSheet(f"font-size: 14px; color: {theme.MUTED};")
        self.history_button = QPushButton("History")
        self.history_button.setObjectName("historyButton")
        self.history_button.setToolTip("Your sessions and pain stops, for you and your clinician")
        self.history_button.setMinimumHeight(64)
        self.history_button.clicked.connect(self.history_requested)
        self.sound_button = QPushButton("Voice && sound")
        self.sound_button.setObjectName("soundSettingsButton")
        self.sound_button.setMinimumHeight(64)
        self.sound_button.clicked.connect(self.sound_requested)
        bottom.addWidget(disclaimer, 1)
        bottom.addWidget(self.sound_button)
        bottom.addWidget(self.history_button)
        bottom.addWidget(self.start_button)
        self.flags_box = QFrame()
        self.flags_box.setObjectName("caution")
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_box.hide()
        self._flag_widgets: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.addWidget(_title("Sciatica Timer"))
        layout.addWidget(intro)
        layout.addWidget(self.flags_box)
        layout.addWidget(self.routine_list, 1)
        layout.addLayout(bottom)

    def set_flags(self, flagged: dict[str, str], left_out: dict[str, str]) -> None:
        """Exercises that caused two pain stops in 14 days, each with an offer to leave it
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
                words = f"⚠  {name} brought on radiating pain twice in the last 14 days."
            else:
                words = f"{name} is left out of every routine."
            text = QLabel(words + (" It is left out." if out and exercise_id in flagged else ""))
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            text.setStyleSheet("font-size: 18px;")
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
    ) -> None:
        flagged = flagged or {}
        left_out = left_out or set()
        self.routine_list.clear()
        self._rows: list[tuple[QListWidgetItem, QLabel]] = []
        for rid, routine in library.routines.items():
            total = build_timeline(library, rid).total_s
            equipment = escape(", ".join(equipment_of(library, rid)) or "no equipment")
            names = dict.fromkeys(escape(library.exercises[s.exercise].name) for s in routine.steps)
            ids = {s.exercise for s in routine.steps}
            warn = [escape(flagged[e]) for e in sorted(ids & set(flagged) - left_out)]
            dropped = [escape(library.exercises[e].name) for e in sorted(ids & left_out)]
            notes = ""
            if warn:
                notes += (
                    f"<div style='font-size:16px; color:{theme.PAIN_DARK}'>⚠ includes "
                    f"{', '.join(warn)} (two pain stops in 14 days)</div>"
                )
            if dropped:
                notes += (
                    f"<div style='font-size:16px; color:{theme.MUTED}'>Left out: "
                    f"{', '.join(dropped)}</div>"
                )
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, rid)
            label = QLabel(
                f"<div style='font-size:22px; font-weight:700'>{escape(routine.name)}"
                f"<span style='font-weight:400; color:{theme.MUTED}'> · {format_clock(total)}"
                f" · {equipment}</span></div>"
                f"<div style='font-size:16px; color:{theme.MUTED}'>"
                f"{escape(routine.description)}</div>"
                f"<div style='font-size:16px'>{' → '.join(names)}</div>{notes}"
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


FREQUENCY_NOTE = (
    "Regular, gentle sessions help most: 3 to 5 times a week is plenty. Don't overdo it; "
    "more rolling can irritate the nerve again."
)


class DoneView(QWidget):
    home_requested = Signal()
    after_recorded = Signal(object, object)  # pain, Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _title("")
        self.title.setObjectName("doneTitle")
        self.summary, scroll = _scrolling_text("doneSummary")
        self.home_button = _primary("Save and back to routines", "homeButton")
        self.home_button.clicked.connect(self._home)
        self.after = AfterPanel()
        self.after.recorded.connect(self._after_recorded)
        self._before: Reach | None = None
        self._summary: SessionSummary | None = None
        self._saved: tuple[int | None, Reach | None] | None = None
        body = QHBoxLayout()
        body.addWidget(scroll, 2)
        body.addWidget(self.after, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignRight)

    def _home(self) -> None:
        """Leaving never throws the answers away: unsaved ones are saved first."""
        answers = (self.after.pain_scale.value(), self.after.body_map.reach())
        if answers != (None, None) and answers != self._saved:
            self._after_recorded(*answers)
        self.home_requested.emit()

    def _after_recorded(self, pain: int | None, reach: Reach | None) -> None:
        self._saved = (pain, reach)
        if reach is not None and self._before is not None:
            change = classify_change(self._before, reach)
            self.after.result.setText(self._verdict(change))
            color = theme.PAIN_DARK if change is Change.PERIPHERALISED else theme.ACCENT
            self.after.result.setStyleSheet(f"font-size: 20px; font-weight: 700; color: {color};")
        else:
            self.after.result.setText("Saved.")
        self.after_recorded.emit(pain, reach)

    def _verdict(self, change: Change) -> str:
        """What the change in reach means, naming the exercises it followed."""
        done = self._summary.exercises_done if self._summary else []
        if not done:
            return CHANGE_MESSAGES[change]
        after = f"After {', '.join(done)}: "
        if change is Change.PERIPHERALISED:
            return after + (
                f"the pain spread further down the leg (peripheralised). The last exercise was "
                f"{done[-1]}. Leave out the one that brought it on (home screen) and ask a "
                "physiotherapist or doctor before doing it again."
            )
        if change is Change.CENTRALISED:
            return after + (
                "the pain moved up towards your back (centralised): a good sign that the "
                "nerve is settling."
            )
        return after + "the pain reaches as far as before: no change in where you feel it."

    def show_summary(self, summary: SessionSummary, before: Reach | None = None) -> None:
        self._before = before
        self._summary = summary
        self._saved = None
        self.after.reset()
        done = summary.state is SessionState.COMPLETED and bool(summary.completed)
        self.title.setText("Session complete. Well done." if done else "Session ended.")

        def items(names: list[str]) -> str:
            return "".join(f"<li>{escape(n)}</li>" for n in names) or "<li>none</li>"

        gated = ""
        if summary.gated:
            gated = (
                "<p style='font-size:20px'><b>Left out: pain before strengthening</b></p>"
                "<p style='font-size:17px'>Some pain was left, so the strengthening was left "
                "out today. Keep to the rolling and stretches until they leave no pain.</p>"
                f"<ul style='font-size:18px'>{items(summary.gated)}</ul>"
            )
        self.summary.setText(
            f"<p style='font-size:22px'>{escape(summary.routine_name)} · "
            f"{format_clock(summary.elapsed_s)} in all</p>"
            f"<p style='font-size:20px'><b>Completed</b></p><ul style='font-size:18px'>"
            f"{items(summary.completed)}</ul>"
            f"<p style='font-size:20px'><b>Skipped</b></p><ul style='font-size:18px'>"
            f"{items(summary.skipped)}</ul>{gated}"
            f"<p style='font-size:17px; color:{theme.MUTED}'>{FREQUENCY_NOTE}</p>"
        )


SAFETY_HTML = f"""
<p style='font-size:24px'><b>Stop for today.</b> Your stop has been saved.
Rest in whatever position eases the leg, and breathe slowly.</p>
<div style='font-size:19px; color:{theme.PAIN_DARK}'><b>Get urgent medical care now</b> if you
notice any of these:
<ul><li>loss of control of your bladder or bowels</li>
<li>numbness around the back passage, genitals or inner thighs (the saddle area)</li>
<li>new or worsening weakness in the leg or foot</li></ul></div>
<p style='font-size:18px'><b>What it means.</b> Pain that travels further down the leg,
towards the foot, is called <b>peripheralisation</b>. It is a sign that the nerve is being
irritated. Leave out the exercise that brought it on until you have asked a professional.</p>
<p style='font-size:18px'><b>The good sign.</b> Pain that withdraws from the leg and gathers
towards the lower back, even if the back aches more, is called <b>centralisation</b>: the nerve
is settling.</p>
<p style='font-size:18px'><b>New numbness, tingling or weakness</b> in the leg or foot: stop the
routines and have it checked by a doctor or physiotherapist before you use them again.</p>
<p style='font-size:18px'><b>See a doctor or physiotherapist</b> if the spreading pain does not
settle within a few days or keeps coming back.</p>
"""


class SafetyView(QWidget):
    home_requested = Signal()
    leave_out_requested = Signal(str)  # exercise id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.where = QLabel()
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.where.setObjectName("safetyWhere")
        self.where.setStyleSheet(f"font-size: 18px; color: {theme.MUTED};")
        self.text, scroll = _scrolling_text("safetyText", SAFETY_HTML)
        self.home_button = _primary("I understand", "safetyHomeButton")
        self.home_button.clicked.connect(self.home_requested)
        self.follow_up = PainStopFollowUp()
        self.leave_out_button = _primary("", "leaveOutAfterStopButton")
        self.leave_out_button.clicked.connect(self._leave_out)
        self.leave_out_button.hide()
        self._stopped_id: str | None = None
        body = QHBoxLayout()
        body.addWidget(scroll, 3)
        body.addSpacing(24)
        body.addWidget(self.follow_up, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.addWidget(_title("Session stopped: pain spread"))
        layout.addWidget(self.where)
        layout.addLayout(body, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.leave_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.home_button)
        layout.addLayout(buttons)

    def _leave_out(self) -> None:
        if self._stopped_id:
            self.leave_out_requested.emit(self._stopped_id)
            self.leave_out_button.setText("Left out. Put it back from the home screen.")
            self.leave_out_button.setEnabled(False)

    def show_summary(self, summary: SessionSummary, left_out: set[str] | None = None) -> None:
        """The stop and what to do now; offers to leave out the exercise at once."""
        self.follow_up.reset()
        self._stopped_id = summary.stopped_exercise_id
        name = summary.stopped_exercise
        offer = bool(self._stopped_id and name) and self._stopped_id not in (left_out or set())
        self.leave_out_button.setVisible(offer)
        self.leave_out_button.setEnabled(True)
        text = f"Leave out {name} from now on"
        self.leave_out_button.setText(text)
        self.leave_out_button.setAccessibleName(text)
        where = summary.stopped_exercise or "between exercises"
        if summary.stopped_side:
            where += f", {summary.stopped_side} side"
        self.where.setText(
            f"Stopped during: {where} · {summary.routine_name} · "
            f"{format_clock(summary.elapsed_s)} in"
        )
