"""Before a session: disclaimer, red flags, pain now, how far it reaches, flare-up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from sciatica_timer.core import safety
from sciatica_timer.core.safety import RED_FLAGS, Reach
from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.answers import PainScale, YesNo
from sciatica_timer.ui.widgets.body_map import BodyMap, SideChoice
from sciatica_timer.ui.widgets.parts import big_button, title

DISCLAIMER = (
    "<p style='font-size:20px'>Sciatica Timer guides self-care routines: foam rolling, "
    "stretches and gentle strengthening. <b>It does not diagnose anything</b> and it is no "
    "substitute for a doctor or physiotherapist.</p>"
    "<p style='font-size:18px'>Go gently: use a soft or medium roller with mild pressure, "
    "and never roll the lower back itself. Stop at once if pain, tingling or numbness spreads "
    "further down your leg: the red button is always on screen. New numbness, tingling or "
    "weakness means stop the routines and get checked. If your pain keeps spreading or lasts "
    "more than a few weeks, have it examined.</p>"
    "<p style='font-size:18px'>Everything you record stays on this computer.</p>"
)

PAIN_QUESTION = (
    "How strong is the pain right now? 0 is none, 10 the worst. Type the number (1 then 0 "
    "for 10), or use the Left and Right arrow keys and Space."
)
"""The pain question, with the keys that answer it (Tab reaches the scale; the arrows move
along it and, once a score is chosen, change it)."""


@dataclass(frozen=True)
class FlareAlternative:
    """The gentle routine offered on a flare-up day."""

    routine_id: str
    name: str
    length: str
    replaces_most: bool
    """A flare leaves out more than half of the chosen routine's steps."""


@dataclass(frozen=True)
class CheckIn:
    pain: int | None
    reach: Reach | None
    flare: bool
    side: str = "both"
    """The leg that hurts ("left", "right", "both"), preselected from the settings."""


class CheckInView(QWidget):
    """The questions before a session started from the window."""

    disclaimer_accepted = Signal()
    red_flags_cleared = Signal()
    red_flags_raised = Signal(list)  # keys of the flags answered yes
    routine_switched = Signal(str)  # the gentler routine chosen for a flare-up
    finished = Signal(object)  # CheckIn
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._flare_preview: Callable[[bool], list[str]] = lambda _flare: []
        self._alternative: FlareAlternative | None = None
        self._pain_questions = True
        self.pages = QStackedWidget()
        self.disclaimer_page = self._disclaimer_page()
        self.red_flag_page = self._red_flag_page()
        self.blocked_page = self._blocked_page()
        self.pain_page = self._pain_page()
        for page in (self.disclaimer_page, self.red_flag_page, self.blocked_page, self.pain_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 24, 36, 24)
        layout.addWidget(self.pages)
        self._need_red_flags = True

    # --- pages ------------------------------------------------------------------------

    def _disclaimer_page(self) -> QWidget:
        page = QWidget()
        text = QLabel(DISCLAIMER)
        text.setWordWrap(True)
        text.setObjectName("disclaimerText")
        accept = big_button("I understand", "acceptDisclaimerButton")
        accept.setObjectName("acceptDisclaimerButton")
        accept.clicked.connect(self._accept_disclaimer)
        back = big_button("Not now", "disclaimerBackButton")
        back.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(accept)
        layout = QVBoxLayout(page)
        layout.addWidget(title("Before you start"))
        layout.addWidget(text)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _red_flag_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout()
        self.red_flag_answers: dict[str, YesNo] = {}
        for row, flag in enumerate(RED_FLAGS):
            question = QLabel(flag.question)
            question.setWordWrap(True)
            set_role(question, "flag")
            answer = YesNo(f"redFlag_{flag.key}_", yes_warns=True)
            for button in (answer.no, answer.yes):
                button.setAccessibleDescription(flag.question)  # "No" alone says too little
            answer.changed.connect(self._red_flags_answered)
            self.red_flag_answers[flag.key] = answer
            grid.addWidget(question, row, 0)
            grid.addWidget(answer, row, 1)
        grid.setColumnStretch(0, 1)
        self.red_flag_continue = big_button("Continue", "redFlagContinueButton")
        self.red_flag_continue.setEnabled(False)
        self.red_flag_continue.clicked.connect(self._red_flags_done)
        back = big_button("Back", "redFlagBackButton")
        back.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.red_flag_continue)
        intro = QLabel("Four quick questions, once a day. Answer for how you are right now.")
        set_role(intro, "lead")
        layout = QVBoxLayout(page)
        layout.addWidget(title("A quick safety check"))
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _blocked_page(self) -> QWidget:
        page = QWidget()
        self.blocked_text = QLabel()
        self.blocked_text.setObjectName("redFlagBlockedText")
        self.blocked_text.setWordWrap(True)
        self.blocked_text.setTextFormat(Qt.TextFormat.RichText)
        back = big_button("Back to routines", "redFlagHomeButton")
        back.clicked.connect(self.cancelled)
        layout = QVBoxLayout(page)
        heading = title("Please don't exercise today: get medical care now")
        set_role(heading, "title", tone="warning")
        self.blocked_title = heading
        layout.addWidget(heading)
        layout.addWidget(self.blocked_text)
        layout.addStretch(1)
        layout.addWidget(back, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _pain_page(self) -> QWidget:
        page = QWidget()
        self.pain_scale = PainScale("painBefore")
        self.pain_scale.changed.connect(self._update_start)
        for digit in range(10):  # on this page only: a shortcut works while its page shows
            pick = QShortcut(QKeySequence(str(digit)), page)
            pick.setContext(Qt.ShortcutContext.WindowShortcut)
            pick.activated.connect(lambda d=digit: self._type_digit(d))
        self.body_map = BodyMap()
        self.body_map.setObjectName("reachBeforeMap")
        self.body_map.reach_changed.connect(self._update_start)
        no_pain = big_button("No back or leg pain", "noReachButton")
        no_pain.clicked.connect(lambda: self.body_map.set_reach(Reach.NONE))
        self.flare = YesNo("flare")
        self.flare.changed.connect(self._flare_changed)
        self.flare_note = QLabel()
        self.flare_note.setTextFormat(Qt.TextFormat.PlainText)
        self.flare_note.setObjectName("flareNote")
        self.flare_note.setWordWrap(True)
        set_role(self.flare_note, "note", tone="warning")
        self.flare_switch = big_button("", "flareSwitchButton")
        self.flare_switch.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.flare_switch.clicked.connect(self._switch_to_alternative)
        self.flare_switch.hide()
        self.start_button = big_button("Start  ▶", "checkInStartButton")
        set_role(self.start_button, "primary")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self._finish)
        back = big_button("Back", "checkInBackButton")
        back.clicked.connect(self.cancelled)

        questions = QVBoxLayout()
        self.pain_question = QLabel(PAIN_QUESTION)
        self.pain_question.setObjectName("painQuestion")
        self.pain_question.setWordWrap(True)  # beside the side choice, at a large text size
        set_role(self.pain_question, "question")
        questions.addWidget(self.pain_question)
        questions.addWidget(self.pain_scale)
        where = QLabel("How far down does it reach? Click the furthest point on the picture.")
        where.setWordWrap(True)
        set_role(where, "question")
        questions.addWidget(where)
        questions.addWidget(no_pain, 0, Qt.AlignmentFlag.AlignLeft)
        flare_q = QLabel("Is today a flare-up (pain much worse than usual)?")
        set_role(flare_q, "question")
        questions.addSpacing(8)
        questions.addWidget(flare_q)
        questions.addWidget(self.flare)
        questions.addWidget(self.flare_note)
        questions.addWidget(self.flare_switch, 0, Qt.AlignmentFlag.AlignLeft)
        questions.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(questions, 3)
        body.addLayout(self._side_and_map(), 1)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        self.pain_title = title("How is it right now?")
        layout = QVBoxLayout(page)
        layout.addWidget(self.pain_title)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        return page

    def _type_digit(self, digit: int) -> None:
        """A typed digit picks the score; the focus, if it is on the scale, goes with it (so
        the arrows carry on from the score typed)."""
        self.pain_scale.type_digit(digit)
        chosen = self.pain_scale.group.checkedButton()
        focus = self.focusWidget()
        if chosen is not None and focus is not None and self.pain_scale.isAncestorOf(focus):
            chosen.setFocus(Qt.FocusReason.OtherFocusReason)

    def _side_and_map(self) -> QVBoxLayout:
        """The body map, and above it which leg: preselected from the settings."""
        self.side_choice = SideChoice("painSide")
        self.side_choice.changed.connect(self.body_map.set_side)
        column = QVBoxLayout()
        column.addWidget(self.side_choice)
        column.addWidget(self.body_map, 1)
        return column

    # --- flow -------------------------------------------------------------------------

    def begin(
        self,
        routine_name: str,
        need_disclaimer: bool,
        need_red_flags: bool,
        flare_preview: Callable[[bool], list[str]],
        alternative: FlareAlternative | None = None,
        pain_questions: bool = True,
        pain_side: str = "both",
    ) -> None:
        """Start the questions for a routine; ``flare_preview`` names what a flare leaves out,
        ``alternative`` is the gentler routine offered when a flare leaves out most of it.
        Without ``pain_questions`` (``--start``) only the disclaimer and red flags are asked."""
        self._flare_preview = flare_preview
        self._alternative = alternative
        self._pain_questions = pain_questions
        self._need_red_flags = need_red_flags
        self.flare_switch.hide()
        for answer in self.red_flag_answers.values():
            answer.reset()
        self.red_flag_continue.setEnabled(False)
        self.pain_scale.reset()
        self.body_map.set_reach(None)
        self.side_choice.set_value(pain_side)
        self.body_map.set_side(self.side_choice.value())
        self.flare.reset()
        self.flare_note.setText("")
        self.pain_title.setText(f"{routine_name}: how is it right now?")
        self._update_start()
        if need_disclaimer:
            self.pages.setCurrentWidget(self.disclaimer_page)
        else:
            self._after_disclaimer()

    def _accept_disclaimer(self) -> None:
        self.disclaimer_accepted.emit()
        self._after_disclaimer()

    def _after_disclaimer(self) -> None:
        if self._need_red_flags:
            self.pages.setCurrentWidget(self.red_flag_page)
        else:
            self._to_pain_questions()

    def _to_pain_questions(self) -> None:
        if self._pain_questions:
            self.pages.setCurrentWidget(self.pain_page)
        else:
            self.finished.emit(CheckIn(None, None, False))

    def _red_flags_answered(self) -> None:
        self.red_flag_continue.setEnabled(
            all(a.value() is not None for a in self.red_flag_answers.values())
        )

    def _red_flags_done(self) -> None:
        yes = [f.key for f in RED_FLAGS if self.red_flag_answers[f.key].value()]
        if not yes:
            self.red_flags_cleared.emit()
            self._to_pain_questions()
            return
        self.red_flags_raised.emit(yes)
        self.show_blocked(yes, asked_again=safety.asked_again_on(date.today()))

    def show_blocked(self, keys: Sequence[str], asked_again: date) -> None:
        """No session today: what the yes answers mean, what to do now, when we ask again."""
        flags = [f for f in RED_FLAGS if f.key in keys] or [RED_FLAGS[-1]]
        urgent = any(f.urgent for f in flags)
        reasons = "".join(f"<li>{f.why}</li>" for f in flags)
        if urgent:
            self.blocked_title.setText("Please don't exercise today: get medical care now")
            now = (
                "Please get medical care straight away: an urgent-care line, your doctor's "
                "emergency number, or the emergency services."
            )
        else:
            self.blocked_title.setText("Please stop the routines and get checked")
            now = (
                "Please don't do the routines until a doctor or physiotherapist has examined "
                "you; contact one soon. If you also lose bladder or bowel control or feel "
                "numb in the saddle area, get emergency care."
            )
        again = f"{asked_again:%A} {asked_again.day} {asked_again:%B}"
        self.blocked_text.setText(
            "<p style='font-size:21px'>You answered yes to a warning sign, so no session starts "
            f"today. {now}</p>"
            f"<p style='font-size:19px'><b>Why:</b></p><ul style='font-size:19px'>{reasons}</ul>"
            f"<p style='font-size:18px'>The safety questions will be asked again on {again}.</p>"
        )
        self.pages.setCurrentWidget(self.blocked_page)

    def _flare_changed(self, flare: bool) -> None:
        left_out = self._flare_preview(flare) if flare else []
        alt = self._alternative
        offer = flare and alt is not None and bool(left_out) and alt.replaces_most
        self.flare_switch.setVisible(offer)
        if offer and alt is not None:
            text = f"Do the {alt.name} instead ({alt.length})"
            self.flare_switch.setText(text)
            self.flare_switch.setAccessibleName(text)
        if flare and left_out:
            self.flare_note.setText(
                "For a flare-up these are left out today: "
                + ", ".join(left_out)
                + "."
                + (" That is most of this routine." if offer else "")
            )
        elif flare:
            self.flare_note.setText("Nothing in this routine needs leaving out for a flare-up.")
        else:
            self.flare_note.setText("")
        self._update_start()

    def _switch_to_alternative(self) -> None:
        if self._alternative is not None:
            self.routine_switched.emit(self._alternative.routine_id)
            self.pain_title.setText(f"{self._alternative.name}: how is it right now?")
            self.flare_switch.hide()
            self.flare_note.setText(f"Switched to the {self._alternative.name}.")

    def _update_start(self) -> None:
        ready = (
            self.pain_scale.value() is not None
            and self.body_map.reach() is not None
            and self.flare.value() is not None
        )
        self.start_button.setEnabled(ready)

    def _finish(self) -> None:
        self.finished.emit(
            CheckIn(
                self.pain_scale.value(),
                self.body_map.reach(),
                bool(self.flare.value()),
                self.side_choice.value(),
            )
        )
