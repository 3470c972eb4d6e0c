"""The done screen: what was done, and pain and reach again with what the change means."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.safety import CHANGE_MESSAGES, Change, Reach, classify_change
from sciatica_timer.core.text import format_clock
from sciatica_timer.ui.controller import SessionSummary
from sciatica_timer.ui.theme import palette_of, restyle, set_role
from sciatica_timer.ui.widgets.answers import PainScale
from sciatica_timer.ui.widgets.body_map import BodyMap
from sciatica_timer.ui.widgets.parts import big_button, scrolling_text, tall_button, title


class AfterPanel(QWidget):
    """After a session: pain and reach again, and what the change means."""

    recorded = Signal(object, object)  # pain, Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pain_scale = PainScale("painAfter")
        self.body_map = BodyMap()
        self.body_map.setObjectName("reachAfterMap")
        self.body_map.setMinimumSize(120, 220)
        no_pain = big_button("No back or leg pain", "noReachAfterButton")
        no_pain.clicked.connect(lambda: self.body_map.set_reach(Reach.NONE))
        self.save = big_button("Save", "saveAfterButton")
        self.save.clicked.connect(
            lambda: self.recorded.emit(self.pain_scale.value(), self.body_map.reach())
        )
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setObjectName("reachChangeLabel")
        self.result.setWordWrap(True)
        set_role(self.result, "verdict")
        questions = QVBoxLayout()
        q1 = QLabel("Pain now (0 to 10)")
        set_role(q1, "prompt")
        questions.addWidget(q1)
        questions.addWidget(self.pain_scale)
        q2 = QLabel("How far down does it reach now? Click the picture.")
        q2.setWordWrap(True)  # at a large text size on a small screen
        set_role(q2, "prompt")
        questions.addWidget(q2)
        questions.addWidget(no_pain, 0, Qt.AlignmentFlag.AlignLeft)
        questions.addWidget(self.save, 0, Qt.AlignmentFlag.AlignLeft)
        questions.addWidget(self.result)
        questions.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(questions, 3)
        layout.addWidget(self.body_map, 1)

    def reset(self) -> None:
        self.pain_scale.reset()
        self.body_map.set_reach(None)
        self.result.setText("")


FREQUENCY_NOTE = (
    "Regular, gentle sessions help most: 3 to 5 times a week is plenty. Don't overdo it; "
    "more rolling can irritate the nerve again."
)


class DoneView(QWidget):
    home_requested = Signal()
    after_recorded = Signal(object, object)  # pain, Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title("", large=True)
        self.title.setObjectName("doneTitle")
        self.summary, scroll = scrolling_text("doneSummary", accessible="Session summary")
        self.home_button = tall_button("Save and back to routines", "homeButton")
        set_role(self.home_button, "hero")
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
            worse = change is Change.PERIPHERALISED
            restyle(self.after.result, tone="warning" if worse else "good")
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
            f"<p style='font-size:17px; color:{palette_of(self).muted}'>{FREQUENCY_NOTE}</p>"
        )
