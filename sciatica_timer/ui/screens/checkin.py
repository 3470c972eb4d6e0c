"""Before and after a session: disclaimer, red flags, pain now, how far it reaches, flare-up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.safety import QUALITIES, RED_FLAGS, Reach
from sciatica_timer.ui import theme
from sciatica_timer.ui.widgets.body_map import BodyMap

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


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet("font-size: 30px; font-weight: 800;")
    return label


def _big(text: str, name: str, checkable: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text)
    button.setCheckable(checkable)
    button.setMinimumHeight(56)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


CHECKED_STYLE = f"QPushButton:checked {{ background: {theme.ACCENT}; color: white; }}"


def _checked(group: QButtonGroup) -> int | None:
    """The id of the chosen button, None when nothing is chosen yet."""
    chosen = group.checkedId()
    return None if chosen < 0 else chosen


def _clear(group: QButtonGroup) -> None:
    """Unchoose every button (an exclusive group will not let the last one go)."""
    group.setExclusive(False)
    for button in group.buttons():
        button.setChecked(False)
    group.setExclusive(True)


class PainScale(QWidget):
    """0 to 10, one large button each."""

    changed = Signal(int)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for n in range(11):
            button = _big(str(n), f"{prefix}{n}", checkable=True)
            button.setStyleSheet(CHECKED_STYLE + " QPushButton { padding: 4px; }")
            button.setMinimumWidth(40)
            self.group.addButton(button, n)
            row.addWidget(button)
        self.group.idClicked.connect(self.changed)

    def value(self) -> int | None:
        return _checked(self.group)

    def reset(self) -> None:
        _clear(self.group)


class YesNo(QWidget):
    """Two big exclusive buttons."""

    changed = Signal(bool)

    def __init__(
        self,
        prefix: str,
        parent: QWidget | None = None,
        yes_color: str = theme.ACCENT,
        stacked: bool = False,
    ) -> None:
        """``yes_color``: a checked yes (a warning colour where yes means trouble);
        ``stacked``: yes above no, each the full width, for long answers."""
        super().__init__(parent)
        self.group = QButtonGroup(self)
        row = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.no = _big("No", f"{prefix}No", checkable=True)
        self.yes = _big("Yes", f"{prefix}Yes", checkable=True)
        yes_style = f"QPushButton:checked {{ background: {yes_color}; color: white; }}"
        order = ((self.yes, 1), (self.no, 0)) if stacked else ((self.no, 0), (self.yes, 1))
        for button, ident in order:
            button.setStyleSheet(CHECKED_STYLE if ident == 0 else yes_style)
            button.setMinimumWidth(110)
            self.group.addButton(button, ident)
            row.addWidget(button)
        row.addStretch(1)
        self.group.idClicked.connect(lambda ident: self.changed.emit(bool(ident)))

    def value(self) -> bool | None:
        chosen = _checked(self.group)
        return None if chosen is None else bool(chosen)

    def reset(self) -> None:
        _clear(self.group)


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
        accept = _big("I understand", "acceptDisclaimerButton")
        accept.setObjectName("acceptDisclaimerButton")
        accept.clicked.connect(self._accept_disclaimer)
        back = _big("Not now", "disclaimerBackButton")
        back.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(accept)
        layout = QVBoxLayout(page)
        layout.addWidget(_title("Before you start"))
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
            question.setStyleSheet("font-size: 19px;")
            answer = YesNo(f"redFlag_{flag.key}_", yes_color=theme.PAIN_DARK)
            answer.changed.connect(self._red_flags_answered)
            self.red_flag_answers[flag.key] = answer
            grid.addWidget(question, row, 0)
            grid.addWidget(answer, row, 1)
        grid.setColumnStretch(0, 1)
        self.red_flag_continue = _big("Continue", "redFlagContinueButton")
        self.red_flag_continue.setEnabled(False)
        self.red_flag_continue.clicked.connect(self._red_flags_done)
        back = _big("Back", "redFlagBackButton")
        back.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.red_flag_continue)
        intro = QLabel("Four quick questions, once a day. Answer for how you are right now.")
        intro.setStyleSheet(f"font-size: 18px; color: {theme.MUTED};")
        layout = QVBoxLayout(page)
        layout.addWidget(_title("A quick safety check"))
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
        back = _big("Back to routines", "redFlagHomeButton")
        back.clicked.connect(self.cancelled)
        layout = QVBoxLayout(page)
        title = _title("Please don't exercise today: get medical care now")
        title.setStyleSheet(f"font-size: 30px; font-weight: 800; color: {theme.PAIN_DARK};")
        self.blocked_title = title
        layout.addWidget(title)
        layout.addWidget(self.blocked_text)
        layout.addStretch(1)
        layout.addWidget(back, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _pain_page(self) -> QWidget:
        page = QWidget()
        self.pain_scale = PainScale("painBefore")
        self.pain_scale.changed.connect(self._update_start)
        self.body_map = BodyMap()
        self.body_map.setObjectName("reachBeforeMap")
        self.body_map.reach_changed.connect(self._update_start)
        no_pain = _big("No back or leg pain", "noReachButton")
        no_pain.clicked.connect(lambda: self.body_map.set_reach(Reach.NONE))
        self.flare = YesNo("flare")
        self.flare.changed.connect(self._flare_changed)
        self.flare_note = QLabel()
        self.flare_note.setTextFormat(Qt.TextFormat.PlainText)
        self.flare_note.setObjectName("flareNote")
        self.flare_note.setWordWrap(True)
        self.flare_note.setStyleSheet(f"font-size: 17px; color: {theme.PAIN_DARK};")
        self.flare_switch = _big("", "flareSwitchButton")
        self.flare_switch.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.flare_switch.clicked.connect(self._switch_to_alternative)
        self.flare_switch.hide()
        self.start_button = _big("Start  ▶", "checkInStartButton")
        self.start_button.setStyleSheet(
            f"QPushButton {{ background: {theme.ACCENT}; color: white; border: none; }}"
            "QPushButton:disabled { background: #b9d9d4; }"
        )
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self._finish)
        back = _big("Back", "checkInBackButton")
        back.clicked.connect(self.cancelled)

        questions = QVBoxLayout()
        for text in ("How strong is the pain right now? (0 none, 10 worst)",):
            label = QLabel(text)
            label.setStyleSheet("font-size: 20px; font-weight: 600;")
            questions.addWidget(label)
        questions.addWidget(self.pain_scale)
        where = QLabel("How far down does it reach? Click the furthest point on the picture.")
        where.setWordWrap(True)
        where.setStyleSheet("font-size: 20px; font-weight: 600;")
        questions.addWidget(where)
        questions.addWidget(no_pain, 0, Qt.AlignmentFlag.AlignLeft)
        flare_q = QLabel("Is today a flare-up (pain much worse than usual)?")
        flare_q.setStyleSheet("font-size: 20px; font-weight: 600;")
        questions.addSpacing(8)
        questions.addWidget(flare_q)
        questions.addWidget(self.flare)
        questions.addWidget(self.flare_note)
        questions.addWidget(self.flare_switch, 0, Qt.AlignmentFlag.AlignLeft)
        questions.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(questions, 3)
        body.addWidget(self.body_map, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        self.pain_title = _title("How is it right now?")
        layout = QVBoxLayout(page)
        layout.addWidget(self.pain_title)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        return page

    # --- flow -------------------------------------------------------------------------

    def begin(
        self,
        routine_name: str,
        need_disclaimer: bool,
        need_red_flags: bool,
        flare_preview: Callable[[bool], list[str]],
        alternative: FlareAlternative | None = None,
        pain_questions: bool = True,
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
        self.show_blocked(yes, asked_again=date.today() + timedelta(days=1))

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
            CheckIn(self.pain_scale.value(), self.body_map.reach(), bool(self.flare.value()))
        )


class AfterPanel(QWidget):
    """After a session: pain and reach again, and what the change means."""

    recorded = Signal(object, object)  # pain, Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pain_scale = PainScale("painAfter")
        self.body_map = BodyMap()
        self.body_map.setObjectName("reachAfterMap")
        self.body_map.setMinimumSize(120, 220)
        no_pain = _big("No back or leg pain", "noReachAfterButton")
        no_pain.clicked.connect(lambda: self.body_map.set_reach(Reach.NONE))
        self.save = _big("Save", "saveAfterButton")
        self.save.clicked.connect(
            lambda: self.recorded.emit(self.pain_scale.value(), self.body_map.reach())
        )
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setObjectName("reachChangeLabel")
        self.result.setWordWrap(True)
        self.result.setStyleSheet("font-size: 20px; font-weight: 700;")
        questions = QVBoxLayout()
        q1 = QLabel("Pain now (0 to 10)")
        q1.setStyleSheet("font-size: 19px; font-weight: 600;")
        questions.addWidget(q1)
        questions.addWidget(self.pain_scale)
        q2 = QLabel("How far down does it reach now? Click the picture.")
        q2.setStyleSheet("font-size: 19px; font-weight: 600;")
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
            box.setStyleSheet("font-size: 18px;")
            row.addWidget(box, i // 3, i % 3)
        self.intensity = PainScale("stopIntensity")
        self.save = _big("Add these details", "saveFollowUpButton")
        self.save.clicked.connect(self._save)
        self.done = QLabel()
        self.done.setObjectName("followUpSaved")
        head = QLabel("If you like, add a little detail (all optional):")
        head.setWordWrap(True)
        head.setStyleSheet("font-size: 19px; font-weight: 600;")
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
