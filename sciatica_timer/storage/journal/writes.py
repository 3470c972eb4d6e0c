"""What the journal queues until it is in the file: one frozen dataclass per kind of write,
made storable, and each as a line of the reserve and back."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from sciatica_timer.core.records import Reach, SessionStatus
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal.reserve import entry_from_line, entry_line


@dataclass(frozen=True)
class Start:
    session_id: int
    """A provisional (negative) id until the row is in the file."""
    started_at: str
    routine_id: str
    routine_name: str
    pain_before: int | None = None
    reach_before: Reach | None = None
    flare: bool | None = None


@dataclass(frozen=True)
class After:
    session_id: int
    pain_after: int | None
    reach_after: Reach | None


@dataclass(frozen=True)
class Stop:
    """A pain stop; it also marks its session stopped_pain."""

    session_id: int
    at: str
    routine_id: str
    exercise_id: str | None
    exercise_name: str | None
    side: Side | None
    phase_kind: PhaseKind
    phase_label: str
    seconds_into: float
    session_elapsed_s: float | None = None
    stop_id: int = 0
    """A provisional (negative) id until the row is in the file; 0 in an entry kept by a
    version that gave none (it gets one when replayed)."""


@dataclass(frozen=True)
class StopDetails:
    radiated_to: Reach | None
    qualities: tuple[str, ...]
    intensity: int | None
    stop_id: int | None = None
    """The pain stop they belong to."""
    session_id: int | None = None
    """Only in an entry kept by a version that gave no stop id: they belong to this
    session's latest pain stop."""


@dataclass(frozen=True)
class Finish:
    session_id: int
    status: SessionStatus
    ended_at: str
    completed: tuple[str, ...]
    skipped: tuple[str, ...]
    elapsed_s: float | None = None


Plain = Start | Finish | Stop | After | StopDetails


@dataclass(frozen=True)
class Replayed:
    """A write kept in the reserve by an earlier run: skipped if the file already has it (the
    earlier run may have saved it and died before emptying the reserve)."""

    write: Plain


Write = Plain | Replayed
W = TypeVar("W", bound=Write)
_KINDS: dict[str, type[Plain]] = {"start": Start, "finish": Finish, "pain_stop": Stop,
                                  "after": After, "stop_details": StopDetails}  # fmt: skip
_ENUMS = {"SessionStatus": SessionStatus, "Reach": Reach, "Side": Side, "PhaseKind": PhaseKind}


def plain(write: Write) -> Plain:
    return write.write if isinstance(write, Replayed) else write


def to_line(write: Plain) -> bytes:
    """One line of the reserve."""
    kind = next(k for k, cls in _KINDS.items() if isinstance(write, cls))
    return entry_line(kind, {f.name: getattr(write, f.name) for f in fields(write)})


def from_line(line: bytes) -> Plain:
    """The write a reserve line holds (made storable); ValueError, TypeError or KeyError
    when it holds none."""
    return storable(entry_from_line(line, _KINDS, _ENUMS))


def _text(value: str) -> str:
    """Text SQLite can store: a lone surrogate (from a file that slipped past the checks)
    is kept as its escape, so one bad name never blocks a write, least of all a pain stop."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def storable(write: W) -> W:
    changes: dict[str, Any] = {}
    for f in fields(write):
        value = getattr(write, f.name)
        if isinstance(value, str):
            changes[f.name] = _text(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_text(v) if isinstance(v, str) else v for v in value)
    return replace(write, **changes)
