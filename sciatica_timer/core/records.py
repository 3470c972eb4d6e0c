"""What the journal records, as typed values: how a session ended, how far the pain
reached, a session, a pain stop and its follow-up. No Qt, no files: the journal turns these
into text for SQLite and back, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sciatica_timer.core.timeline import PhaseKind, Side


class SessionStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    STOPPED_PAIN = "stopped_pain"
    INTERRUPTED = "interrupted"


class Reach(StrEnum):
    """How far down the pain reaches, from the spine outwards (the order matters)."""

    NONE = "none"
    LOWER_BACK = "lower_back"
    BUTTOCK = "buttock"
    THIGH = "thigh"
    BELOW_KNEE = "below_knee"
    FOOT = "foot"

    @property
    def level(self) -> int:
        return list(Reach).index(self)

    @property
    def words(self) -> str:
        return REACH_WORDS[self]


REACH_WORDS = {
    Reach.NONE: "no pain",
    Reach.LOWER_BACK: "lower back",
    Reach.BUTTOCK: "buttock",
    Reach.THIGH: "thigh",
    Reach.BELOW_KNEE: "below the knee",
    Reach.FOOT: "foot",
}


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    started_at: str
    ended_at: str | None
    routine_id: str
    routine_name: str
    status: SessionStatus
    stopped_exercise: str | None
    stopped_side: Side | None
    completed: tuple[str, ...]
    skipped: tuple[str, ...]
    pain_before: int | None = None
    reach_before: Reach | None = None
    pain_after: int | None = None
    reach_after: Reach | None = None
    flare: bool | None = None
    elapsed_s: float | None = None
    """How long it ran, on the monotonic clock (None for sessions before this was kept)."""


@dataclass(frozen=True)
class PainStop:
    """A pain stop as the journal holds it."""

    session_id: int
    at: str
    routine_id: str
    exercise_id: str | None
    exercise_name: str | None
    side: Side | None
    phase_kind: PhaseKind
    phase_label: str
    seconds_into: float
    radiated_to: Reach | None = None
    qualities: tuple[str, ...] = ()
    intensity: int | None = None
    stop_id: int | None = None
    """The id ``Journal.record_pain_stop`` gave back (None for a stop made elsewhere)."""


@dataclass(frozen=True)
class PainStopRecord:
    """A pain stop to record: where in the session it came (the journal stamps the time)."""

    session_id: int
    routine_id: str
    exercise_id: str | None
    exercise_name: str | None
    side: Side | None
    phase_kind: PhaseKind
    phase_label: str
    seconds_into: float
    session_elapsed_s: float | None = None
    """How long the session had run, on the monotonic clock (it is the session's length)."""


@dataclass(frozen=True)
class PainStopDetails:
    """The optional follow-up to a pain stop: how far it spread, how it felt, how strong."""

    radiated_to: Reach | None
    qualities: tuple[str, ...] = ()
    intensity: int | None = None
