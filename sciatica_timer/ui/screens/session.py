"""The session screen: a countdown, the side and the stop button, readable from the floor.

Views only lay out widgets and show snapshots; the controller decides.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.engine import ADD_TIME_S, HOLD_DEFAULT_S, SessionState, Snapshot
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import Phase, PhaseKind, Side
from sciatica_timer.ui.announce import announce
from sciatica_timer.ui.theme import Palette, palette_of, restyle, set_role
from sciatica_timer.ui.widgets.answers import YesNo
from sciatica_timer.ui.widgets.display import (
    FitLabel,
    ProgressRing,
    SlimBar,
    SteadyLabel,
    set_font_px,
)
from sciatica_timer.ui.widgets.flash import FlashOverlay
from sciatica_timer.ui.widgets.parts import spoken
from sciatica_timer.ui.widgets.picture import Picture

COUNTDOWN_SHARE = 0.22
"""Countdown font size as a share of the window height (at least a fifth, for 3 m)."""

PAIN_STOP_TEXT = "STOP – pain radiates"
LISTENING_TEXT = "● Listening for “stop”"
LISTENING_DESCRIPTION = (
    "Saying “stop” does the pain stop. The microphone is heard on this computer "
    "only; nothing is recorded or kept."
)
SIDE_MARGIN = 20


def widest_like(text: str) -> str:
    """The widest text of the same shape: '2:00' as '8:88', '10:00' as '88:88'."""
    return re.sub(r"\d", "8", text)


def reps_widest(reps: int) -> str:
    """The widest rep count of a phase of ``reps`` reps: '12 of 12' as '88 of 88'."""
    digits = "8" * len(str(reps))
    return f"{digits} of {digits}"


def rep_text(rep: int, reps: int) -> str:
    return f"{rep} of {reps}"


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(spoken(text))
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the window's shortcuts
    button.setMinimumHeight(64)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


def _say(button: QPushButton, text: str) -> None:
    """New text on a button, and the name a screen reader says with it."""
    if button.text() != text:
        button.setText(text)
        button.setAccessibleName(spoken(text))


_L = TypeVar("_L", bound=QLabel)


def _named(label: _L, name: str, accessible: str) -> _L:
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    return label


def _plain(label: _L) -> _L:
    """A label that shows text exactly as written (text from files is never markup)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def side_text(side: Side | None, words: str = "") -> str:
    """The side in capitals with an arrow; ``words`` says it the exercise's own way."""
    words = (words or (f"{side.value} side" if side else "")).upper()
    if side is Side.LEFT:
        return f"◀  {words}"
    if side is Side.RIGHT:
        return f"{words}  ▶"
    return ""


CHECK_HELP = (
    "<p>Strengthening comes next. It helps only once the rolling and stretching have left "
    "no pain.</p><p><b>Some pain left?</b> Answer yes: all the strengthening is left out "
    "today and the session goes on with the rest.</p><p>The red button still stops "
    "everything at once.</p>"
)

CHECK_TEXT = (
    "Strengthen only when no pain is left. Is any back or leg pain left right now, after "
    "what you have done so far?"
)


class CheckPanel(QFrame):
    """The strengthening check: the session waits here for an answer (Y or N)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkPanel")
        title = _named(FitLabel("Before strengthening", share=0.05, bold=True), "checkTitle",
                       "Before strengthening")  # fmt: skip
        self.title = title
        text = _named(QLabel(CHECK_TEXT), "checkText", "Question")
        text.setWordWrap(True)
        self.text = text
        self.answer = YesNo("checkPain", yes_warns=True, stacked=True)
        self.answer.yes.setText("Yes, some pain: skip strengthening  (Y)")
        self.answer.yes.setAccessibleName("Yes, some pain is left: skip strengthening")
        self.answer.no.setText("No pain left: go on  (N)")
        self.answer.no.setAccessibleName("No pain left: go on")
        self.fit(768)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addWidget(self.answer)
        layout.addStretch(1)

    def fit(self, height: int) -> None:
        """Text and answers sized to the window, so both answers show whole at 600 px."""
        self.title.fit_to(height, max_px=56)
        set_font_px(self.text, max(16, round(height * 0.031)))
        size = max(16, round(height * 0.027))
        for button in (self.answer.yes, self.answer.no):
            button.setMinimumHeight(max(52, round(height * 0.085)))
            set_font_px(button, size)


PAUSED_HINT = "Space or Pause to resume"


def dimmed_text(p: Palette) -> str:
    """The countdown's colour while paused: a third of the way from the background to the
    text, so a frozen clock looks unlike a running one from across the room."""
    text, back = QColor(p.text), QColor(p.background)
    mix = QColor(
        round(back.red() + (text.red() - back.red()) * 0.35),
        round(back.green() + (text.green() - back.green()) * 0.35),
        round(back.blue() + (text.blue() - back.blue()) * 0.35),
    )
    return mix.name()


class PauseBand(QFrame):
    """A wide PAUSED band over the session while it is paused (never over the stop
    button); placed by hand, so showing it moves nothing."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("pausedBand")
        set_role(self, "overlay")
        self.setAccessibleName("Paused")
        self.setAccessibleDescription(PAUSED_HINT)
        self.title = _plain(_named(FitLabel("PAUSED", share=0.1, bold=True), "pausedTitle",
                                   "Paused"))  # fmt: skip
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = _plain(_named(FitLabel(PAUSED_HINT, share=0.035), "pausedHint", PAUSED_HINT))
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 8)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        self._margins = layout.contentsMargins()
        self.fit(768)
        self.hide()

    def fit(self, height: int) -> None:
        self.title.fit_to(height, max_px=140)
        self.hint.fit_to(height, max_px=40)

    def wanted_height(self) -> int:
        margins = self._margins
        return (
            self.title.fontMetrics().height()
            + self.hint.fontMetrics().height()
            + margins.top()
            + margins.bottom()
        )


def phase_tone(phase: Phase | None, holding: bool) -> str:
    """The phase's colour, as one of ``theme.PHASE_TONES``."""
    if holding:
        return "hold"
    if phase is None or phase.kind in (PhaseKind.REST, PhaseKind.PREPARE, PhaseKind.SWITCH):
        return "rest"
    if phase.side is Side.LEFT:
        return "left"
    if phase.side is Side.RIGHT:
        return "right"
    return "accent"


class SessionView(QWidget):
    def __init__(self, assets_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._assets = assets_dir
        self._shown_phase: tuple[int, bool] | None = None
        self._last_said: tuple[int, int] | None = None
        """The phase and second of the last "3, 2, 1" announced (each is said once)."""

        # header: routine, whole-session progress, time left, up next
        self.routine_label = _plain(QLabel())
        set_role(self.routine_label, "header")
        self.session_bar = SlimBar()
        self.session_bar.setObjectName("sessionProgress")
        self.session_bar.setAccessibleName("Session progress")
        self.time_left_label = _named(
            SteadyLabel("8:88:88 left"), "sessionTimeLeftLabel", "Session time left"
        )
        set_role(self.time_left_label, "clock")
        self.time_left_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.next_label = _plain(_named(QLabel(), "upNextLabel", "Up next"))
        set_role(self.next_label, "upNext")
        self.listening_label = _plain(
            _named(QLabel(LISTENING_TEXT), "listeningLabel", "Voice stop: listening")
        )
        self.listening_label.setAccessibleDescription(LISTENING_DESCRIPTION)
        self.listening_label.setToolTip(LISTENING_DESCRIPTION)
        set_role(self.listening_label, "header")
        self.listening_label.hide()
        header = QHBoxLayout()
        header.addWidget(self.routine_label)
        header.addWidget(self.listening_label)
        header.addWidget(self.session_bar, 1)
        header.addWidget(self.time_left_label)

        # left: picture, steps, caution
        self.illustration = Picture()  # a user's picture may be missing: it says so
        self.illustration.setObjectName("illustration")
        self.steps_label = QLabel()
        self.steps_label.setObjectName("instructionsLabel")
        self.steps_label.setWordWrap(True)
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.steps_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.caution_box = QFrame()
        self.caution_box.setObjectName("caution")
        set_role(self.caution_box, "caution")
        self.caution_label = _plain(QLabel())
        self.caution_label.setObjectName("cautionLabel")
        self.caution_label.setWordWrap(True)
        caution_layout = QVBoxLayout(self.caution_box)
        caution_layout.setContentsMargins(12, 8, 12, 8)
        caution_layout.addWidget(self.caution_label)
        left = QVBoxLayout()
        left.addWidget(self.illustration, 3)
        left.addWidget(self.steps_label, 2)
        left.addWidget(self.caution_box)

        # right: what, which side, how long
        self.phase_label = _named(FitLabel(share=0.045, bold=True), "phaseLabel", "Phase")
        self.set_label = _named(FitLabel(share=0.04, bold=True), "setLabel", "Set or repetition")
        self.set_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top_row = QHBoxLayout()
        top_row.addWidget(self.phase_label)
        top_row.addStretch(1)
        top_row.addWidget(self.set_label)
        self.exercise_label = _named(FitLabel(share=0.05, bold=True), "exerciseLabel", "Exercise")
        self.exercise_label.setWordWrap(True)
        self.side_label = _named(FitLabel(share=0.05, bold=True), "sideLabel", "Side")
        self.side_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.side_label.setWordWrap(True)
        self.ring = ProgressRing()
        self.ring.setObjectName("phaseRing")
        self.countdown_label = _named(
            FitLabel("0:00", share=COUNTDOWN_SHARE, bold=True), "countdownLabel", "Time left"
        )
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._clock_widest = widest_like("10:00")
        self.ring.set_center(self.countdown_label, self._clock_widest)
        self.check_panel = CheckPanel()
        self.check_panel.hide()
        right = QVBoxLayout()
        right.addLayout(top_row)
        right.addWidget(self.exercise_label)
        right.addWidget(self.side_label)
        right.addWidget(self.ring, 1)
        right.addWidget(self.check_panel, 1)
        right.addWidget(self.next_label)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addSpacing(16)
        body.addLayout(right, 3)

        # controls: large, no precise clicking; tooltips name the keys
        self.back_button = _button("◀◀ Back", "backButton", "Back: restart this part (Left arrow)")
        self.pause_button = _button("Pause", "pauseButton", "Pause or resume (Space)")
        self.skip_button = _button("Skip ▶▶", "skipButton", "Skip to the next part (Right arrow)")
        self.add_button = _button(
            f"+{ADD_TIME_S} s", "addTimeButton", f"Add {ADD_TIME_S} seconds (+)"
        )
        self.hold_button = _button(
            "Hold spot", "holdButton", f"Tender-spot hold, {HOLD_DEFAULT_S} s (H)"
        )
        self.end_button = _button("End", "endButton", "End the session early (E)")
        self.pain_button = _button(PAIN_STOP_TEXT, "painStopButton", "Stop now: pain radiates (P)")
        self.pain_button.setAccessibleName("Stop, pain radiates")
        set_role(self.pain_button, "stop")
        self.pain_button.setMinimumHeight(76)
        controls = QHBoxLayout()
        for b in (
            self.back_button,
            self.pause_button,
            self.skip_button,
            self.add_button,
            self.hold_button,
            self.end_button,
        ):
            controls.addWidget(b, 1)
        controls.addSpacing(12)
        controls.addWidget(self.pain_button, 3)

        root = QVBoxLayout(self)
        root.setContentsMargins(SIDE_MARGIN, 14, SIDE_MARGIN, 14)
        root.addLayout(header)
        root.addLayout(body, 1)
        root.addLayout(controls)

        self.paused_band = PauseBand(self)
        self._paused = False
        self.flash_overlay = FlashOverlay(self, keep_clear=self.pain_button.geometry)
        self.flash_on = False
        """A soft colour wash at each phase change and at 3, 2, 1 (the setting)."""
        self._phase_text = ""

    # --- showing a snapshot ---------------------------------------------------------

    def set_listening(self, on: bool) -> None:
        """Show the microphone mark while the voice stop really listens."""
        self.listening_label.setVisible(on)

    def begin(self, routine_name: str, hold_s: int = HOLD_DEFAULT_S, flash: bool = False) -> None:
        self.routine_label.setText(routine_name)
        self.flash_on = flash
        self.flash_overlay.stop()
        self.hold_button.setToolTip(f"Tender-spot hold, {hold_s} s (H)")
        self._shown_phase = None
        self._show_paused(False)

    def show_snapshot(self, snap: Snapshot) -> None:
        phase = snap.phase
        if phase is None:
            return
        if self._shown_phase != (phase.index, snap.holding):
            self._shown_phase = (phase.index, snap.holding)
            self._show_phase(phase, snap.holding, snap.next_phase)
            announce(self, self._phase_words())
            self._flash()
        if (
            snap.state is SessionState.RUNNING
            and phase.kind is not PhaseKind.CHECK
            and 1 <= snap.display_seconds <= 3
            and self._last_said != (phase.index, snap.display_seconds)
        ):
            self._last_said = (phase.index, snap.display_seconds)
            announce(self, f"{snap.display_seconds}")
            self._flash()
        clock = format_clock(snap.display_seconds)
        if len(clock) > len(self._clock_widest):  # time added past ten minutes: '10:20'
            self._clock_widest = widest_like(clock)
            self._ring_holds(phase)
        if phase.reps is not None and snap.rep:
            # the rep count is the big number; the set and its time go small, above
            self.countdown_label.setText(rep_text(snap.rep, phase.reps))
            sets = f"set {phase.set_number} of {phase.sets} · " if phase.sets > 1 else ""
            self.set_label.setText(sets + clock)
        else:
            self.countdown_label.setText(clock)
            if phase.reps is not None:
                sets = f" · set {phase.set_number} of {phase.sets}" if phase.sets > 1 else ""
                self.set_label.setText("get set" + sets)
        color = palette_of(self).phase(phase_tone(phase, snap.holding))
        self.ring.set_progress(snap.phase_progress, color)
        self.session_bar.set_value(snap.session_progress)
        self.time_left_label.setText(f"{format_clock(snap.session_remaining_ns / 1e9)} left")
        paused = snap.state is SessionState.PAUSED
        asking = snap.state is SessionState.ASKING
        _say(self.pause_button, "Resume" if paused else "Pause")
        self.phase_label.setText("PAUSED" if paused else self._phase_text)
        self._show_paused(paused)
        active = snap.state.active
        for b in (self.back_button, self.end_button):
            b.setEnabled(active)
        for b in (self.pause_button, self.skip_button, self.add_button):
            b.setEnabled(active and not asking)
        can_hold = (
            active
            and phase.kind is PhaseKind.WORK
            and phase.exercise is not None
            and phase.exercise.allows_hold
        )
        self.hold_button.setEnabled(can_hold)
        _say(self.hold_button, "Release" if snap.holding else "Hold spot")
        if self.flash_overlay.flashing():
            self.flash_overlay.refresh()  # what lies under the flash has changed

    def _flash(self) -> None:
        """The colour wash, if it is wanted: in the theme's accent colour."""
        if self.flash_on:
            self.flash_overlay.flash(palette_of(self).accent)

    def _phase_words(self) -> str:
        """What a screen reader says as a phase begins: the phase, the exercise, the side."""
        parts = [self._phase_text.capitalize(), self.exercise_label.text()]
        if self.side_label.isVisibleTo(self):
            words = spoken(self.side_label.text())  # "Next: left side", no arrows
            parts.append(words[:1].upper() + words[1:].lower())
        return ". ".join(p for p in parts if p) + "."

    def _show_phase(self, phase: Phase, holding: bool, nxt: Phase | None) -> None:
        asking = phase.kind is PhaseKind.CHECK
        self.exercise_label.show()
        self.ring.setVisible(not asking)
        self.check_panel.setVisible(asking)
        self.illustration.setVisible(not asking)
        self.caution_box.setVisible(False)
        if asking:
            self.check_panel.answer.reset()
            self.exercise_label.hide()
            self.side_label.setVisible(False)
            self.set_label.setText("")
            self._phase_text = phase.label.upper()
            self.phase_label.setText(self._phase_text)
            self.steps_label.setText(CHECK_HELP)
            self.next_label.setText("Waiting for your answer: Y or N")
            return
        label = "Hold" if holding else phase.label
        self._phase_text = label.upper()
        self.phase_label.setText(self._phase_text)
        self._clock_widest = widest_like(format_clock(phase.duration_s))
        self._ring_holds(phase)
        restyle(self.phase_label, phase=phase_tone(phase, holding))
        ex = phase.exercise
        between = phase.kind is not PhaseKind.WORK
        if ex is None and nxt and nxt.exercise:
            ex = nxt.exercise  # get ready, rest and switch: show what comes next
        self.exercise_label.setText(ex.name if ex else "")
        side_phase = phase if phase.side else (nxt if nxt and between else None)
        side = side_phase.side if side_phase else None
        text = side_text(side, side_phase.side_words if side_phase else "")
        if between and side:
            text = "Next: " + text
        self.side_label.setText(text)
        restyle(self.side_label, side="left" if side is Side.LEFT else "right" if side else "")
        self.side_label.setVisible(bool(side))
        if phase.reps is None:
            sets = f"set {phase.set_number} of {phase.sets}" if ex and phase.sets > 1 else ""
            self.set_label.setText(sets if phase.kind is PhaseKind.WORK else "")
        shown = phase.exercise or (nxt.exercise if nxt else None)
        if holding and ex:
            self.steps_label.setText(
                "<p><b>Stay on the achy spot.</b><br>"
                "Breathe slowly; let it soften. Move off at once if it turns sharp, burning or "
                "electric. The roll carries on when the hold ends.</p>"
            )
        elif shown:
            steps = "".join(f"<li>{escape(s)}</li>" for s in shown.instructions)
            self.steps_label.setText(f"<ol style='margin:0'>{steps}</ol>")
        else:
            self.steps_label.setText("")
        cautions = shown.cautions if shown else ()
        self.caution_label.setText("⚠  " + "\n⚠  ".join(cautions) if cautions else "")
        self.caution_box.setVisible(bool(cautions))
        self.illustration.set_image(self._assets / shown.image if shown and shown.image else None)
        self.illustration.set_mirrored(side is Side.RIGHT)
        if nxt is None:
            self.next_label.setText("Up next: finish")
        elif nxt.exercise:
            self.next_label.setText(
                f"Up next: {nxt.exercise.name}" + (f" · {nxt.side_words}" if nxt.side else "")
            )
        else:
            self.next_label.setText(f"Up next: {nxt.label}")

    def _ring_holds(self, phase: Phase) -> None:
        """The ring's digits are as large as the phase's widest text lets them be and
        still lie inside the ring: '8:88' for a two-minute roll, '88 of 88' for reps."""
        if phase.reps is None:
            self.ring.set_widest(self._clock_widest)
            self.countdown_label.setAccessibleName("Time left")
        else:
            self.ring.set_widest(self._clock_widest, reps_widest(phase.reps))
            self.countdown_label.setAccessibleName("Repetition")

    def _show_paused(self, paused: bool) -> None:
        """Paused: the digits dim and the PAUSED band shows; running: neither."""
        if paused == self._paused:
            return
        self._paused = paused
        self.countdown_label.set_color(dimmed_text(palette_of(self)) if paused else "")
        if paused:
            self._place_paused_band()
            self.paused_band.raise_()
        self.paused_band.setVisible(paused)

    def paused_band_area(self) -> QRect:
        """Where the PAUSED band goes: the whole width, just under the digits, and always
        above the row of buttons (the stop button stays in sight and clickable)."""
        band = self.paused_band
        left = SIDE_MARGIN
        width = self.width() - 2 * left
        floor = self.pain_button.geometry().top() - 8
        for b in (self.back_button, self.pause_button):
            floor = min(floor, b.geometry().top() - 8)
        digits = self.countdown_label
        digits_bottom = digits.mapTo(self, digits.rect().bottomLeft()).y()
        height = min(band.wanted_height(), max(0, floor))
        top = min(digits_bottom + 4, floor - height)
        return QRect(left, max(0, top), width, height)

    def notice_area(self) -> QRect:
        """Where a notice may lie without moving or hiding the countdown, the side or the
        buttons: over the picture and the steps, in the left column."""
        top = max(w.geometry().bottom() for w in (self.routine_label, self.time_left_label)) + 6
        floor = min(b.geometry().top() for b in (self.back_button, self.pain_button)) - 8
        right = self.steps_label.geometry().right()
        return QRect(SIDE_MARGIN, top, max(0, right - SIDE_MARGIN + 1), max(0, floor - top))

    def _place_paused_band(self) -> None:
        self.paused_band.setGeometry(self.paused_band_area())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_fonts(self.window().height())
        self._fit_controls(self.width())
        if self._paused:
            self._place_paused_band()
        self.flash_overlay.setGeometry(self.rect())

    def _fit_controls(self, width: int) -> None:
        """The stop button's words are never cut off: on a narrow window the other
        buttons get tighter, and below 900 px the stop button's font a little smaller."""
        for b in (self.back_button, self.pause_button, self.skip_button, self.add_button,
                  self.hold_button, self.end_button):  # fmt: skip
            restyle(b, compact=width < 1200)
        restyle(self.pain_button, compact=width < 900)
        self.pain_button.setMinimumWidth(self.pain_button.sizeHint().width())

    def fit_fonts(self, height: int) -> None:
        for label in (self.phase_label, self.set_label, self.exercise_label, self.side_label):
            label.fit_to(height, max_px=64)
        self.check_panel.fit(height)
        self.paused_band.fit(height)
        self.countdown_label.fit_to(height)
        text_px = max(15, round(height * 0.023))
        set_font_px(self.steps_label, text_px)
        set_font_px(self.caution_label, max(14, text_px - 2))
