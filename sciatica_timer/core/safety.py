"""Safety rules, without Qt: red flags, how far pain reaches, and exercises to leave out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Reach lives with the records that hold it (read here too); it is named here as well.
from sciatica_timer.core.records import REACH_WORDS as REACH_WORDS
from sciatica_timer.core.records import PainStop
from sciatica_timer.core.records import Reach as Reach

REPEAT_WINDOW = timedelta(days=14)
REPEAT_STOPS = 2


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


def repeat_offenders(
    stops: Iterable[PainStop], now: datetime, window: timedelta = REPEAT_WINDOW
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
