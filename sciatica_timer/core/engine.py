"""The session state machine. It is told the time; it never reads a clock.

Remaining time is always a deadline minus now (integer nanoseconds), so a session
neither drifts nor loses time to a frozen window: ``tick(now)`` catches up on every
phase boundary and cue that passed, each stamped with the instant it was due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sciatica_timer.core.clock import NS_PER_S
from sciatica_timer.core.timeline import Cue, CueKind, Phase, PhaseKind, Timeline

HOLD_DEFAULT_S = 20
HOLD_MIN_S = 15
HOLD_MAX_S = 30
ADD_TIME_S = 15
BACK_RESTARTS_AFTER_S = 3
"""'Back' restarts the current phase once this far in; before that it goes to the previous."""

HOLD_CUE = Cue(0, CueKind.HOLD, "Hold and breathe")
RELEASE_CUE = Cue(0, CueKind.RELEASE, "Release")


class SessionState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    STOPPED_PAIN = "stopped_pain"
    ASKING = "asking"
    """Waiting for the answer to a check phase: no countdown runs."""

    @property
    def active(self) -> bool:
        return self in (SessionState.RUNNING, SessionState.PAUSED, SessionState.ASKING)

    @property
    def finished(self) -> bool:
        return self in (SessionState.COMPLETED, SessionState.ENDED_EARLY, SessionState.STOPPED_PAIN)


class EventKind(StrEnum):
    STARTED = "started"
    PHASE_STARTED = "phase_started"
    CUE = "cue"
    PAUSED = "paused"
    RESUMED = "resumed"
    HOLD_STARTED = "hold_started"
    HOLD_ENDED = "hold_ended"
    TIME_ADDED = "time_added"
    SKIPPED = "skipped"
    WENT_BACK = "went_back"
    COMPLETED = "completed"
    ENDED = "ended"
    PAIN_STOP = "pain_stop"
    ASKED = "asked"
    ANSWERED = "answered"


class Outcome(StrEnum):
    COMPLETED = "completed"
    SKIPPED = "skipped"
    GATED = "gated"
    """Left out because pain was left when the strengthening check asked."""


@dataclass(frozen=True)
class Event:
    kind: EventKind
    at_ns: int
    """When it happened (or was due), on the engine's clock."""
    phase: Phase | None
    cue: Cue | None = None
    late_ns: int = 0
    """For cues: how long after its due time the engine learned of it."""
    pain_left: bool | None = None
    """For ANSWERED: the answer to the check."""


@dataclass(frozen=True)
class Snapshot:
    """Everything a view needs to draw the session at one instant."""

    state: SessionState
    phase: Phase | None
    next_phase: Phase | None
    remaining_ns: int
    """The big countdown: the hold's time while holding, else the phase's."""
    total_ns: int
    """What ``remaining_ns`` counts down from."""
    holding: bool
    session_position_ns: int
    session_total_ns: int
    rep: int

    @property
    def display_seconds(self) -> int:
        """Whole seconds shown: 2:00 stays until the first full second has passed."""
        return -(-self.remaining_ns // NS_PER_S)

    @property
    def session_remaining_ns(self) -> int:
        return max(0, self.session_total_ns - self.session_position_ns)

    @property
    def session_progress(self) -> float:
        if self.session_total_ns <= 0:
            return 1.0
        return min(1.0, self.session_position_ns / self.session_total_ns)

    @property
    def phase_progress(self) -> float:
        if self.total_ns <= 0:
            return 1.0
        return min(1.0, 1 - self.remaining_ns / self.total_ns)


Listener = Callable[[Event], None]


class Engine:
    """Runs one timeline. Every command takes ``now_ns`` from the caller's clock."""

    def __init__(self, timeline: Timeline) -> None:
        if not timeline.phases:
            raise ValueError("a session needs at least one phase")
        self.timeline = timeline
        self._listeners: list[Listener] = []
        self._state = SessionState.READY
        self._index = 0
        self._deadline_ns = 0  # while running and not holding
        self._frozen_ns = timeline.phases[0].duration_s * NS_PER_S  # while paused, holding, done
        self._extra_s: dict[int, int] = {}
        self._fired: set[int] = set()
        self._outcomes: dict[int, Outcome] = {}
        self._holding = False
        self._hold_total_ns = 0
        self._hold_deadline_ns = 0
        self._hold_frozen_ns = 0
        self._dropped: frozenset[int] = frozenset()
        """Phases left out by the strengthening check."""

    # --- observing ----------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, kind: EventKind, at_ns: int, **extra: object) -> None:
        event = Event(kind, at_ns, self.phase, **extra)  # type: ignore[arg-type]
        for listener in list(self._listeners):
            listener(event)

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def index(self) -> int:
        return self._index

    @property
    def phase(self) -> Phase:
        return self.timeline.phases[self._index]

    @property
    def holding(self) -> bool:
        return self._holding

    @property
    def dropped(self) -> frozenset[int]:
        """Phases the strengthening check left out."""
        return self._dropped

    def outcomes(self) -> dict[int, Outcome]:
        """How each phase ended so far (phase index to completed/skipped)."""
        return dict(self._outcomes)

    def _total_ns(self, index: int) -> int:
        phase = self.timeline.phases[index]
        return (phase.duration_s + self._extra_s.get(index, 0)) * NS_PER_S

    def _phase_remaining(self, now_ns: int) -> int:
        if self._state is SessionState.RUNNING and not self._holding:
            return max(0, self._deadline_ns - now_ns)
        return self._frozen_ns

    def _hold_remaining(self, now_ns: int) -> int:
        if not self._holding:
            return 0
        if self._state is SessionState.RUNNING:
            return max(0, self._hold_deadline_ns - now_ns)
        return self._hold_frozen_ns

    def snapshot(self, now_ns: int) -> Snapshot:
        """The session as it stands at ``now_ns`` (call ``tick`` first to catch up)."""
        phase = self.phase
        total = self._total_ns(self._index)
        remaining = self._phase_remaining(now_ns)
        elapsed = total - remaining
        if self._holding:
            shown, shown_total = self._hold_remaining(now_ns), self._hold_total_ns
        else:
            shown, shown_total = remaining, total
        later = [p for p in self.timeline.phases[self._index + 1 :] if p.index not in self._dropped]
        after = sum(p.duration_s for p in later) * NS_PER_S
        position = phase.start_s * NS_PER_S + elapsed
        if self._state is SessionState.COMPLETED:
            position = phase.start_s * NS_PER_S + total
        nxt = later[0] if later else None
        return Snapshot(
            state=self._state,
            phase=phase,
            next_phase=nxt,
            remaining_ns=shown,
            total_ns=shown_total,
            holding=self._holding,
            session_position_ns=position,
            session_total_ns=position + remaining + after,
            rep=phase.rep_at(elapsed / NS_PER_S),
        )

    def next_change_ns(self, now_ns: int) -> int | None:
        """Nanoseconds until the displayed second next changes, None when nothing moves."""
        if self._state is not SessionState.RUNNING:
            return None
        remaining = self._hold_remaining(now_ns) if self._holding else self._phase_remaining(now_ns)
        step = remaining % NS_PER_S
        return step if step else NS_PER_S

    # --- time passing -------------------------------------------------------------

    def _cue_due_ns(self, cue: Cue) -> int:
        shift = self._extra_s.get(self._index, 0) if cue.from_end else 0
        return (cue.offset_s + shift) * NS_PER_S

    def _fire_cues(self, now_ns: int) -> None:
        total = self._total_ns(self._index)
        elapsed = total - max(0, self._deadline_ns - now_ns)
        for position, cue in enumerate(self.phase.cues):
            if position in self._fired:
                continue
            due = self._cue_due_ns(cue)
            if elapsed >= due:
                self._fired.add(position)
                late = elapsed - due
                self._emit(EventKind.CUE, now_ns - late, cue=cue, late_ns=late)

    def _enter(self, index: int, start_ns: int) -> None:
        while index in self._dropped:
            self._outcomes[index] = Outcome.GATED
            index += 1
        if index >= len(self.timeline.phases):  # everything after was left out
            self._index = len(self.timeline.phases) - 1
            self._holding = False
            self._frozen_ns = 0
            self._finish(SessionState.COMPLETED, EventKind.COMPLETED, start_ns)
            return
        self._index = index
        self._fired = set()
        self._extra_s.pop(index, None)
        self._holding = False
        if self._state is SessionState.PAUSED:
            self._frozen_ns = self._total_ns(index)
        else:
            self._deadline_ns = start_ns + self._total_ns(index)
        self._emit(EventKind.PHASE_STARTED, start_ns)
        if self.phase.kind is PhaseKind.CHECK:
            self._ask(start_ns)

    def _ask(self, at_ns: int) -> None:
        """A check phase: no countdown; the session waits for ``answer``."""
        self._state = SessionState.ASKING
        self._frozen_ns = 0
        for position, cue in enumerate(self.phase.cues):
            self._fired.add(position)
            self._emit(EventKind.CUE, at_ns, cue=cue)
        self._emit(EventKind.ASKED, at_ns)

    def tick(self, now_ns: int) -> None:
        """Catch up to ``now_ns``: end holds and phases whose time is up, fire due cues."""
        while self._state is SessionState.RUNNING:
            if self._holding:
                if now_ns < self._hold_deadline_ns:
                    return
                self._end_hold(self._hold_deadline_ns)
                continue
            self._fire_cues(min(now_ns, self._deadline_ns))
            if now_ns < self._deadline_ns:
                return
            self._outcomes[self._index] = Outcome.COMPLETED
            if self._index == len(self.timeline.phases) - 1:
                self._finish(SessionState.COMPLETED, EventKind.COMPLETED, self._deadline_ns)
                return
            self._enter(self._index + 1, self._deadline_ns)

    def _finish(self, state: SessionState, kind: EventKind, at_ns: int, **extra: object) -> None:
        self._frozen_ns = self._phase_remaining(at_ns)
        self._hold_frozen_ns = self._hold_remaining(at_ns)
        self._state = state
        self._emit(kind, at_ns, **extra)

    # --- commands -----------------------------------------------------------------

    def start(self, now_ns: int) -> None:
        if self._state is not SessionState.READY:
            return
        self._state = SessionState.RUNNING
        self._emit(EventKind.STARTED, now_ns)
        self._enter(0, now_ns)
        self.tick(now_ns)

    def pause(self, now_ns: int) -> None:
        self.tick(now_ns)
        if self._state is not SessionState.RUNNING:
            return
        self._frozen_ns = self._phase_remaining(now_ns)
        self._hold_frozen_ns = self._hold_remaining(now_ns)
        self._state = SessionState.PAUSED
        self._emit(EventKind.PAUSED, now_ns)

    def resume(self, now_ns: int) -> None:
        if self._state is not SessionState.PAUSED:
            return
        self._state = SessionState.RUNNING
        if self._holding:
            self._hold_deadline_ns = now_ns + self._hold_frozen_ns
        else:
            self._deadline_ns = now_ns + self._frozen_ns
        self._emit(EventKind.RESUMED, now_ns)
        self.tick(now_ns)

    def toggle_pause(self, now_ns: int) -> None:
        if self._state is SessionState.PAUSED:
            self.resume(now_ns)
        else:
            self.pause(now_ns)

    def _go(self, index: int, now_ns: int) -> None:
        self._enter(index, now_ns)
        self.tick(now_ns)

    def answer(self, now_ns: int, pain_left: bool) -> bool:
        """The answer to the check on screen. Pain left: every gated phase is left out."""
        if self._state is not SessionState.ASKING:
            return False
        gated = (p.index for p in self.timeline.phases if p.gated)
        self._dropped = frozenset(gated) if pain_left else frozenset()
        self._outcomes[self._index] = Outcome.COMPLETED
        self._state = SessionState.RUNNING
        self._emit(EventKind.ANSWERED, now_ns, pain_left=pain_left)
        if self._index == len(self.timeline.phases) - 1:
            self._finish(SessionState.COMPLETED, EventKind.COMPLETED, now_ns)
        else:
            self._go(self._index + 1, now_ns)
        return True

    def skip(self, now_ns: int) -> bool:
        """Leave the current phase now and start the next one (a check must be answered)."""
        self.tick(now_ns)
        if not self._state.active or self._state is SessionState.ASKING:
            return False
        self._outcomes.setdefault(self._index, Outcome.SKIPPED)
        self._emit(EventKind.SKIPPED, now_ns)
        if self._index == len(self.timeline.phases) - 1:
            self._holding = False
            self._finish(SessionState.COMPLETED, EventKind.COMPLETED, now_ns)
            return True
        self._go(self._index + 1, now_ns)
        return True

    def back(self, now_ns: int) -> bool:
        """Restart the current phase, or go to the previous one when just begun."""
        self.tick(now_ns)
        if not self._state.active:
            return False
        elapsed = self._total_ns(self._index) - self._phase_remaining(now_ns)
        target = self._index
        if elapsed < BACK_RESTARTS_AFTER_S * NS_PER_S and self._index > 0:
            target -= 1
            while target > 0 and target in self._dropped:
                target -= 1
        if self._state is SessionState.ASKING:
            self._state = SessionState.RUNNING
        self._outcomes.pop(target, None)
        self._emit(EventKind.WENT_BACK, now_ns)
        self._go(target, now_ns)
        return True

    def add_time(self, now_ns: int, seconds: int = ADD_TIME_S) -> bool:
        """Give the current phase (or the hold) more time."""
        self.tick(now_ns)
        if not self._state.active or self._state is SessionState.ASKING:
            return False
        extra = seconds * NS_PER_S
        if self._holding:
            self._hold_total_ns += extra
            if self._state is SessionState.RUNNING:
                self._hold_deadline_ns += extra
            else:
                self._hold_frozen_ns += extra
        else:
            self._extra_s[self._index] = self._extra_s.get(self._index, 0) + seconds
            if self._state is SessionState.RUNNING:
                self._deadline_ns += extra
            else:
                self._frozen_ns += extra
        self._emit(EventKind.TIME_ADDED, now_ns)
        return True

    def can_hold(self) -> bool:
        phase = self.phase
        return (
            self._state is SessionState.RUNNING
            and phase.kind is PhaseKind.WORK
            and phase.exercise is not None
            and phase.exercise.allows_hold
        )

    def hold(self, now_ns: int, seconds: int = HOLD_DEFAULT_S) -> bool:
        """Tender-spot hold: freeze the roll, count a 15-30 s hold, then resume the roll.

        Pressed again during a hold, it releases early.
        """
        self.tick(now_ns)
        if self._holding and self._state is SessionState.RUNNING:
            self._end_hold(now_ns)
            return True
        if not self.can_hold():
            return False
        seconds = max(HOLD_MIN_S, min(HOLD_MAX_S, seconds))
        self._frozen_ns = self._deadline_ns - now_ns
        self._holding = True
        self._hold_total_ns = seconds * NS_PER_S
        self._hold_deadline_ns = now_ns + self._hold_total_ns
        self._emit(EventKind.HOLD_STARTED, now_ns)
        self._emit(EventKind.CUE, now_ns, cue=HOLD_CUE)
        return True

    def _end_hold(self, at_ns: int) -> None:
        self._holding = False
        self._deadline_ns = at_ns + self._frozen_ns
        self._emit(EventKind.HOLD_ENDED, at_ns)
        self._emit(EventKind.CUE, at_ns, cue=RELEASE_CUE)

    def end(self, now_ns: int) -> None:
        """The user ends the session early."""
        self.tick(now_ns)
        if self._state.active:
            self._finish(SessionState.ENDED_EARLY, EventKind.ENDED, now_ns)

    def seconds_into(self, now_ns: int) -> float:
        """Seconds into the phase on screen (into the hold while holding)."""
        if self._holding:
            return (self._hold_total_ns - self._hold_remaining(now_ns)) / NS_PER_S
        return (self._total_ns(self._index) - self._phase_remaining(now_ns)) / NS_PER_S

    def stop_for_pain(self, now_ns: int) -> bool:
        """Stop at once, on the phase the user sees: no catching up, no cues."""
        if not self._state.active:
            return False
        self._finish(SessionState.STOPPED_PAIN, EventKind.PAIN_STOP, now_ns)
        return True
