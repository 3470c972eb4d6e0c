"""The safety screen after a pain stop: what to do now, and optional details of the stop."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from sciatica_timer.core.safety import QUALITIES
from sciatica_timer.core.text import format_clock
from sciatica_timer.ui.controller import SessionSummary
from sciatica_timer.ui.theme import Palette, palette_of, set_role
from sciatica_timer.ui.widgets.answers import PainScale
from sciatica_timer.ui.widgets.body_map import BodyMap
from sciatica_timer.ui.widgets.parts import big_button, scrolling_text, tall_button, title


class PainStopFollowUp(QWidget):
    """Optional details after a pain stop, added to the event already saved."""

    saved = Signal(object, object, object)  # Reach | None, list[str], int | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body_map = BodyMap()
        self.body_map.setObjectName("radiatedMap")
        self.body_map.setMinimumSize(110, 200)
        self.qualities = {q: QCheckBox(q) for q in QUALITIES}
        row = QGridLayout()
        for i, (name, box) in enumerate(self.qualities.items()):
            box.setObjectName(f"quality_{name}")
            set_role(box, "body")
            row.addWidget(box, i // 3, i % 3)
        self.intensity = PainScale("stopIntensity")
        self.save = big_button("Add these details", "saveFollowUpButton")
        self.save.clicked.connect(self._save)
        self.done = QLabel()
        self.done.setObjectName("followUpSaved")
        head = QLabel("If you like, add a little detail (all optional):")
        head.setWordWrap(True)
        set_role(head, "prompt")
        where = QHBoxLayout()
        where.addWidget(QLabel("Where did it\nradiate to?\nClick the picture."))
        where.addWidget(self.body_map, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(head)
        layout.addLayout(where, 1)
        layout.addWidget(QLabel("What did it feel like?"))
        layout.addLayout(row)
        layout.addWidget(QLabel("How strong was it?"))
        layout.addWidget(self.intensity)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.done)

    def reset(self) -> None:
        self.body_map.set_reach(None)
        for box in self.qualities.values():
            box.setChecked(False)
        self.intensity.reset()
        self.done.setText("")
        self.save.setEnabled(True)

    def _save(self) -> None:
        chosen = [name for name, box in self.qualities.items() if box.isChecked()]
        self.saved.emit(self.body_map.reach(), chosen, self.intensity.value())
        self.done.setText("Saved with the stop.")
        self.save.setEnabled(False)


def safety_html(colors: Palette) -> str:
    """What to do after a stop, the urgent signs in the warning colour."""
    return f"""
<p style='font-size:24px'><b>Stop for today.</b> Your stop has been saved.
Rest in whatever position eases the leg, and breathe slowly.</p>
<div style='font-size:19px; color:{colors.pain_dark}'><b>Get urgent medical care now</b> if you
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
        set_role(self.where, "lead")
        self.text, scroll = scrolling_text(
            "safetyText", safety_html(palette_of(self)), accessible="What to do after the stop"
        )
        self.home_button = tall_button("I understand", "safetyHomeButton")
        self.home_button.clicked.connect(self.home_requested)
        self.follow_up = PainStopFollowUp()
        self.leave_out_button = tall_button("", "leaveOutAfterStopButton")
        self.leave_out_button.clicked.connect(self._leave_out)
        self.leave_out_button.hide()
        self._stopped_id: str | None = None
        body = QHBoxLayout()
        body.addWidget(scroll, 3)
        body.addSpacing(24)
        body.addWidget(self.follow_up, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.addWidget(title("Session stopped: pain spread", large=True))
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
        self.text.setText(safety_html(palette_of(self)))  # in the window's colours
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
