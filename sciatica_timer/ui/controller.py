"""The session controller: the one place a QTimer meets the engine.

It re-arms a precise single-shot timer for the next whole-second boundary of the
engine's deadline (never a repeating tick), writes the journal, and forwards engine
events to the voice. A pain stop is written to the journal before anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from sciatica_timer.core.clock import NS_PER_S, Clock
from sciatica_timer.core.engine import (
    HOLD_DEFAULT_S,
    Engine,
    Event,
    EventKind,
    Outcome,
    SessionState,
    Snapshot,
)
from sciatica_timer.core.records import PainStopDetails, PainStopRecord, Reach, SessionStatus
from sciatica_timer.core.timeline import PhaseKind, Side, Timeline, all_cue_texts
from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.ui.awake import ScreenAwake

log = logging.getLogger(__name__)

APPROACH_NS = 25_000_000
"""How far short of a second boundary the long wait stops."""

FINISH_NS = 1_500_000
"""A timer woken this close before its boundary waits out the rest itself (a sleep, never a
spin) instead of arming again: Qt's timers count whole milliseconds, so the last shot woke
1.2 ms late on average (``make bench``); the sleep lands within about 0.1 ms."""

LONG_PAUSE_MS = 120_000
"""After this long paused, the screen may sleep again."""


class VoiceLike(Protocol):
    def prepare(self, texts: Iterable[str]) -> None: ...
    def handle(self, event: Event) -> None: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class SessionSummary:
    """What the Done and safety screens show."""

    routine_name: str
    state: SessionState
    completed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    elapsed_s: int = 0
    stopped_exercise: str | None = None
    stopped_side: Side | None = None
    stopped_exercise_id: str | None = None
    gated: list[str] = field(default_factory=list)
    """Strengthening left out because pain was left when the check asked."""
    exercises_done: list[str] = field(default_factory=list)
    """Names of the exercises completed, in order, once each."""


class SessionController(QObject):
    updated = Signal(object)  # Snapshot
    finished = Signal(object)  # SessionSummary
    notice = Signal(str)  # something the user should know (the journal cannot be saved...)

    def __init__(
        self,
        clock: Clock,
        journal: Journal,
        voice: VoiceLike | None,
        awake: ScreenAwake,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._journal = journal
        self._notices_seen = len(journal.notices)
        self._voice = voice
        self._awake = awake
        self.engine: Engine | None = None
        self.hold_s = HOLD_DEFAULT_S
        """How long a tender-spot hold lasts (the window sets it from the settings)."""
        self._session_id = 0
        self._stop_id: int | None = None
        """The session's pain stop in the journal, once recorded."""
        self._started_ns = 0
        self._boundary_ns = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._pause_timer = QTimer(self)
        self._pause_timer.setSingleShot(True)
        self._pause_timer.setInterval(LONG_PAUSE_MS)
        self._pause_timer.timeout.connect(self._awake.release)

    # --- lifecycle ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.engine is not None and self.engine.state.active

    @property
    def journal(self) -> Journal:
        return self._journal

    def start(
        self,
        timeline: Timeline,
        pain_before: int | None = None,
        reach_before: Reach | None = None,
        flare: bool | None = None,
    ) -> None:
        """Begin a session now (with the check-in answers, when there were any)."""
        self.engine = Engine(timeline)
        self.engine.subscribe(self._on_engine_event)
        if self._voice is not None:
            self._voice.prepare(all_cue_texts(timeline))
            self.engine.subscribe(self._voice.handle)
        self._stop_id = None
        self._session_id = self._journal.start_session(
            timeline.routine.id, timeline.routine.name, pain_before, reach_before, flare
        )
        self._journal_notices()
        self._awake.inhibit()
        now = self._clock.now_ns()
        self._started_ns = now
        self.engine.start(now)
        self._refresh(now)

    def snapshot(self) -> Snapshot | None:
        return self.engine.snapshot(self._clock.now_ns()) if self.engine else None

    def _refresh(self, now: int) -> None:
        assert self.engine is not None
        self.updated.emit(self.engine.snapshot(now))
        # Re-read the clock: drawing took time, and the boundary does not wait for it.
        now = self._clock.now_ns()
        delay = self.engine.next_change_ns(now)
        if delay is None:
            self._timer.stop()
            return
        self._boundary_ns = now + delay
        self._arm(delay)

    def _arm(self, delay_ns: int) -> None:
        """Qt's precise timer drifts late by about 1 % of its interval (9 ms on a second,
        measured here), so a long wait stops short of the boundary and a short one, in
        whole milliseconds rounded down, wakes just before it (``FINISH_NS``)."""
        if delay_ns > 2 * APPROACH_NS:
            delay_ns -= APPROACH_NS
        self._timer.start(max(1, delay_ns // 1_000_000))

    def refresh(self) -> None:
        """Catch up with the clock now (the timer does this on every second boundary)."""
        if self.engine is not None:
            now = self._clock.now_ns()
            self.engine.tick(now)
            self._refresh(now)

    def _on_timer(self) -> None:
        if self.engine is None:
            return
        now = self._clock.now_ns()
        if now < self._boundary_ns - FINISH_NS:  # the approach shot: finish the wait
            self._arm(self._boundary_ns - now)
            return
        if now < self._boundary_ns:
            now = self._clock.wait_until_ns(self._boundary_ns)
        self.engine.tick(now)
        self._refresh(now)

    # --- commands -----------------------------------------------------------------

    def _command(self, name: str) -> None:
        if self.engine is None:
            return
        now = self._clock.now_ns()
        getattr(self.engine, name)(now)
        if self.engine is not None:
            self._refresh(now)

    def toggle_pause(self) -> None:
        self._command("toggle_pause")

    def pause(self) -> None:
        """Pause a running session (never resumes: a media Pause or Stop key)."""
        self._command("pause")

    def skip(self) -> None:
        self._command("skip")

    def back(self) -> None:
        self._command("back")

    def add_time(self) -> None:
        self._command("add_time")

    def hold(self) -> None:
        """Hold a tender spot for ``hold_s`` (the settings'), or release the hold."""
        if self.engine is None:
            return
        now = self._clock.now_ns()
        self.engine.hold(now, self.hold_s)
        if self.engine is not None:
            self._refresh(now)

    def end(self) -> None:
        self._command("end")

    def answer_check(self, pain_left: bool) -> None:
        """The answer to the strengthening check (ignored when nothing is asked)."""
        if self.engine is None or self.engine.state is not SessionState.ASKING:
            return
        now = self._clock.now_ns()
        self.engine.answer(now, pain_left)
        if self.engine is not None:
            self._refresh(now)

    def pain_stop(self) -> None:
        """Record first (committed and synced), then stop the countdown and the voice."""
        engine = self.engine
        if engine is None or not engine.state.active:
            return
        now = self._clock.now_ns()
        phase = engine.phase
        label = "Hold" if engine.holding else phase.label
        try:
            stop = PainStopRecord(
                self._session_id,
                engine.timeline.routine.id,
                phase.exercise.id if phase.exercise else None,
                phase.exercise.name if phase.exercise else None,
                phase.side,
                phase.kind,
                label,
                round(engine.seconds_into(now), 3),
                session_elapsed_s=round((now - self._started_ns) / NS_PER_S, 3),
            )
            self._stop_id = self._journal.record_pain_stop(stop)
        except Exception as exc:  # whatever the write does, the session stops below
            log.exception("the pain stop could not be recorded")
            self.notice.emit(
                f"Your pain stop could not be saved in the journal ({type(exc).__name__}). "
                "The session has stopped; please note the time yourself."
            )
        self._journal_notices()
        self._timer.stop()
        if self._voice is not None:
            self._voice.stop()
        engine.stop_for_pain(now)
        self._refresh(now)

    # --- engine events ------------------------------------------------------------

    def _on_engine_event(self, event: Event) -> None:
        if event.kind in (EventKind.PAUSED, EventKind.ASKED):
            self._pause_timer.start()
        elif event.kind in (EventKind.RESUMED, EventKind.ANSWERED):
            self._pause_timer.stop()
            self._awake.inhibit()
        elif event.kind in (EventKind.COMPLETED, EventKind.ENDED, EventKind.PAIN_STOP):
            self._finish(event)

    def _finish(self, event: Event) -> None:
        engine = self.engine
        assert engine is not None
        self._timer.stop()
        self._pause_timer.stop()
        self._awake.release()
        completed, skipped, gated = self._outcome_names(engine)
        if event.kind is not EventKind.PAIN_STOP:
            status = (
                SessionStatus.COMPLETED
                if event.kind is EventKind.COMPLETED
                else SessionStatus.ENDED_EARLY
            )
            skipped_all = skipped + [
                f"{name} (left out: pain before strengthening)" for name in gated
            ]
            elapsed = round((event.at_ns - self._started_ns) / NS_PER_S, 3)  # monotonic
            self._journal.finish_session(
                self._session_id, status, completed, skipped_all, elapsed_s=elapsed
            )
        self._journal_notices()
        phase = event.phase
        summary = SessionSummary(
            routine_name=engine.timeline.routine.name,
            state=engine.state,
            completed=completed,
            skipped=skipped,
            elapsed_s=round((event.at_ns - self._started_ns) / NS_PER_S),
            stopped_exercise=phase.exercise.name if phase and phase.exercise else None,
            stopped_side=phase.side if phase else None,
            stopped_exercise_id=phase.exercise.id if phase and phase.exercise else None,
            gated=gated,
            exercises_done=self._exercises_done(engine),
        )
        # Let the engine's other listeners see the event before the views change.
        QTimer.singleShot(0, lambda: self.finished.emit(summary))

    @staticmethod
    def _outcome_names(engine: Engine) -> tuple[list[str], list[str], list[str]]:
        """Work phases completed, skipped, and left out by the check, as 'Name (left)' lines."""
        completed: list[str] = []
        skipped: list[str] = []
        gated: list[str] = []
        outcomes = engine.outcomes()
        for phase in engine.timeline.phases:
            if phase.kind is not PhaseKind.WORK or phase.exercise is None:
                continue
            name = phase.exercise.name + (f" ({phase.side.value})" if phase.side else "")
            if phase.sets > 1:
                name += f", set {phase.set_number}"
            outcome = outcomes.get(phase.index)
            if outcome is Outcome.COMPLETED:
                completed.append(name)
            elif outcome is Outcome.GATED:
                gated.append(name)
            elif outcome is Outcome.SKIPPED or engine.state is SessionState.COMPLETED:
                skipped.append(name)
        return completed, skipped, gated

    @staticmethod
    def _exercises_done(engine: Engine) -> list[str]:
        """The exercises with at least one completed part, in order, each named once."""
        done = engine.outcomes()
        names = (
            p.exercise.name
            for p in engine.timeline.phases
            if p.kind is PhaseKind.WORK and p.exercise and done.get(p.index) is Outcome.COMPLETED
        )
        return list(dict.fromkeys(names))

    def _journal_notices(self) -> None:
        """Pass on what the journal has had to say since last time (e.g. a full disk)."""
        for message in self._journal.notices[self._notices_seen :]:
            self.notice.emit(message)
        self._notices_seen = len(self._journal.notices)

    def record_after(self, pain: int | None, reach: Reach | None) -> None:
        """The pain and reach after the last session."""
        self._journal.record_after(self._session_id, pain, reach)
        self._journal_notices()

    def add_pain_stop_details(
        self, radiated_to: Reach | None, qualities: list[str], intensity: int | None
    ) -> None:
        """The optional follow-up, added to the pain stop already saved (none when saving it
        failed: then there is nothing to add it to)."""
        if self._stop_id is None:
            return
        details = PainStopDetails(radiated_to, tuple(qualities), intensity)
        self._journal.add_pain_stop_details(self._stop_id, details)
        self._journal_notices()

    def shutdown(self) -> None:
        """The app is closing: release the screen; a running session stays 'running'
        in the journal and is reported as interrupted at the next start."""
        self._timer.stop()
        self._pause_timer.stop()
        self._awake.release()
