"""Safety rules, without Qt: red flags, how far pain reaches, and exercises to leave out.

Plain functions of the library, the answers and the journal's pain stops; ``now`` and
``today`` are always passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sciatica_timer.core.models import Library, Routine

# Reach lives with the records that hold it (read here too); it is named here as well.
from sciatica_timer.core.records import REACH_WORDS as REACH_WORDS
from sciatica_timer.core.records import Reach as Reach
from sciatica_timer.core.timeline import build_timeline

REPEAT_WINDOW = timedelta(days=14)
REPEAT_STOPS = 2
REPEAT_RULE = f"two pain stops in {REPEAT_WINDOW.days} days"
"""The flagging rule in words (keep with the two numbers above)."""
REPEAT_WORDS = f"twice in the last {REPEAT_WINDOW.days} days"
"""How often a flagged exercise brought on radiating pain, in words."""


class Change(StrEnum):
    CENTRALISED = "centralised"
    SAME = "same"
    PERIPHERALISED = "peripheralised"


CHANGE_MESSAGES = {
    Change.CENTRALISED: (
        "The pain moved up towards your back (centralised): a good sign that the nerve is settling."
    ),
    Change.SAME: "The pain reaches as far as before: no change in where you feel it.",
    Change.PERIPHERALISED: (
        "The pain spread further down the leg (peripheralised): stop the exercise that brought "
        "it on and ask a physiotherapist or doctor before doing it again."
    ),
}


def classify_change(before: Reach, after: Reach) -> Change:
    """Centralised when the pain withdrew towards the spine, peripheralised when it spread."""
    if after.level < before.level:
        return Change.CENTRALISED
    if after.level > before.level:
        return Change.PERIPHERALISED
    return Change.SAME


@dataclass(frozen=True)
class RedFlag:
    key: str
    question: str
    why: str
    urgent: bool = True
    """Emergency care now; otherwise stop the routines and get examined."""


RED_FLAGS = (
    RedFlag(
        "bladder_bowel",
        "Have you lost any control of your bladder or bowels, or had trouble passing urine?",
        "Changes in bladder or bowel control can mean the nerves at the base of the spine are "
        "badly squeezed (cauda equina syndrome). That needs emergency care today.",
    ),
    RedFlag(
        "saddle",
        "Is there numbness around your back passage, genitals or inner thighs (the saddle area)?",
        "Saddle numbness is a warning sign of severe nerve compression that needs emergency care.",
    ),
    RedFlag(
        "weakness",
        "Is there new or worsening weakness in your leg or foot (it gives way, the foot drags)?",
        "New or worsening weakness means the nerve is more affected: stop the routines and get "
        "medical care today.",
    ),
    RedFlag(
        "numbness",
        "Is there new numbness or tingling in your leg or foot?",
        "New numbness or tingling means the nerve is more affected: stop the routines until a "
        "doctor or physiotherapist has examined you.",
        urgent=False,
    ),
)

QUALITIES = ("shooting", "burning", "numbness", "tingling", "weakness")


class Stop(Protocol):
    """A pain stop as the rules read it (``core.records.PainStop`` is one)."""

    @property
    def exercise_id(self) -> str | None: ...

    @property
    def at(self) -> str: ...


def repeat_offenders(
    stops: Iterable[Stop], now: datetime, window: timedelta = REPEAT_WINDOW
) -> set[str]:
    """Exercises that caused at least two pain stops in the last ``window``."""
    recent: Counter[str] = Counter()
    for stop in stops:
        if not stop.exercise_id:
            continue
        try:
            at = datetime.fromisoformat(stop.at)
        except ValueError:
            continue
        if at.tzinfo is None:
            at = at.astimezone()
        if now - at <= window:
            recent[stop.exercise_id] += 1
    return {exercise for exercise, count in recent.items() if count >= REPEAT_STOPS}


def flagged(stops: Iterable[Stop], library: Library, now: datetime) -> dict[str, str]:
    """The library's exercises flagged by ``REPEAT_RULE``, by id, with their names."""
    ids = repeat_offenders(stops, now)
    return {i: library.exercises[i].name for i in ids if i in library.exercises}


# --- flare-up days --------------------------------------------------------------------


def usable_library(library: Library, left_out: Collection[str], flare: bool = False) -> Library:
    """The library less what the user left out, and on a flare-up day, less the
    exercises to avoid in a flare."""
    drop = set(left_out)
    if flare:
        drop |= {e.id for e in library.exercises.values() if e.avoid_in_flare}
    return library.without(drop)


def flare_names(library: Library, routine_id: str) -> list[str]:
    """The names of this routine's exercises a flare-up day leaves out, once each, in order."""
    routine = library.routines[routine_id]
    names = (library.exercises[s.exercise] for s in routine.steps)
    return list(dict.fromkeys(e.name for e in names if e.avoid_in_flare))


@dataclass(frozen=True)
class GentleRoutine:
    """The routine offered instead of another on a flare-up day."""

    routine_id: str
    name: str
    total_s: int
    replaces_most: bool
    """A flare leaves out more than half of the chosen routine's steps."""


def flare_alternative(
    library: Library, left_out: Collection[str], routine_id: str
) -> GentleRoutine | None:
    """The gentle routine (nothing in it to avoid in a flare) to offer instead of this one:
    one named "flare" first; None when there is none."""
    usable = usable_library(library, left_out, flare=True)
    gentle = [
        rid
        for rid, r in usable.routines.items()
        if rid != routine_id and len(r.steps) == len(library.routines[rid].steps)  # none dropped
    ]
    gentle.sort(key=lambda rid: "flare" not in rid)
    if not gentle:
        return None
    steps = library.routines[routine_id].steps
    dropped = sum(1 for s in steps if library.exercises[s.exercise].avoid_in_flare)
    rid = gentle[0]
    total = build_timeline(usable, rid).total_s
    return GentleRoutine(rid, usable.routines[rid].name, total, dropped * 2 > len(steps))


FLARE_WORD = "flare"
"""A routine whose id or name holds this word is meant for flare-up days (as
``flare_alternative`` offers one)."""


def meant_for_flare(routine: Routine) -> bool:
    """Whether the routine says it is for flare-up days (ticked, or by its id or name)."""
    words = (routine.id.casefold(), routine.name.casefold())
    return routine.for_flare_days or any(FLARE_WORD in w for w in words)


def flare_conflicts(library: Library, routine: Routine, for_flare: bool = False) -> list[str]:
    """The names of the exercises best avoided in a flare-up that a routine meant for
    flare-up days (by its name, or ``for_flare``) holds, once each, in order; empty for any
    other routine. An unknown exercise is not this rule's business (``--check`` says it)."""
    if not (for_flare or meant_for_flare(routine)):
        return []
    found = (library.exercises.get(s.exercise) for s in routine.steps)
    return list(dict.fromkeys(e.name for e in found if e is not None and e.avoid_in_flare))


# --- the red-flag questions, once a day -----------------------------------------------


@dataclass(frozen=True)
class RedFlagAnswers:
    """The last red-flag answers, as the settings keep them (the same field names)."""

    red_flags_clear_on: str | None = None
    """The date (ISO) the questions were last answered all 'no'."""
    red_flag_yes_on: str | None = None
    """The date (ISO) a question was answered 'yes': no session that day."""
    red_flags_yes: tuple[str, ...] = ()
    """Which red flags were answered 'yes' that day."""


def red_flags_cleared(today: date) -> RedFlagAnswers:
    """All 'no' today: not asked again until tomorrow; an earlier 'yes' is forgotten."""
    return RedFlagAnswers(red_flags_clear_on=today.isoformat())


def red_flags_raised(keys: Sequence[str], today: date) -> RedFlagAnswers:
    """A 'yes' today: no session for the rest of the day."""
    return RedFlagAnswers(red_flag_yes_on=today.isoformat(), red_flags_yes=tuple(keys))


def red_flags_due(answers: RedFlagAnswers, today: date) -> bool:
    """The questions are asked unless they were all answered 'no' today."""
    return answers.red_flags_clear_on != today.isoformat()


def asked_again_on(today: date) -> date:
    """After a 'yes' today, the day the questions are asked again: tomorrow."""
    return today + timedelta(days=1)


def red_flags_block(answers: RedFlagAnswers, today: date) -> date | None:
    """After a 'yes' today, the day sessions may start again (tomorrow); None if not blocked."""
    return asked_again_on(today) if answers.red_flag_yes_on == today.isoformat() else None
