"""Realistic weeks and years of history in a journal, and a clock to write them at."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sciatica_timer.core.records import PainStopDetails, PainStopRecord, SessionStatus
from sciatica_timer.core.safety import Reach
from sciatica_timer.core.timeline import PhaseKind, Side
from sciatica_timer.storage.journal.store import Journal

ROUTINES = [
    ("sciatica-foam-roll", "Sciatica foam roll"),
    ("stretch-and-strengthen", "Stretch and strengthen"),
    ("gentle-flare-up", "Gentle flare-up session"),
]
REACH = list(Reach)


def seed_history(journal: Journal, weeks: int = 4, seed: int = 7) -> None:
    """About five sessions a week, pain easing over the weeks, with a few pain stops."""
    rng = random.Random(seed)
    start = datetime.now().astimezone() - timedelta(weeks=weeks)
    clock = {"now": start}
    journal._now = lambda: clock["now"]  # the seeded dates, not today's
    day = 0
    while day < weeks * 7:
        clock["now"] = (start + timedelta(days=day)).replace(hour=8, minute=rng.randint(0, 50))
        progress = day / (weeks * 7)
        pain = max(1, round(7 - 4 * progress + rng.uniform(-1, 1)))
        reach = max(1, min(5, round(4 - 2.5 * progress + rng.uniform(-0.6, 0.6))))
        routine_id, name = rng.choice(ROUTINES)
        sid = journal.start_session(routine_id, name, pain, REACH[reach], flare=pain >= 7)
        clock["now"] += timedelta(minutes=rng.randint(9, 22))
        if rng.random() < 0.15:
            stop = journal.record_pain_stop(
                PainStopRecord(sid, routine_id, "hamstring-roll", "Hamstring roll",
                               rng.choice([Side.LEFT, Side.RIGHT]), PhaseKind.WORK, "Roll",
                               rng.uniform(5, 55))
            )  # fmt: skip
            details = PainStopDetails(REACH[min(5, reach + 1)], ("shooting",), pain + 1)
            journal.add_pain_stop_details(stop, details)
            after = min(5, reach + 1)
        else:
            journal.finish_session(sid, SessionStatus.COMPLETED, ["Figure-4 glute roll (left)"])
            after = max(0, reach - rng.choice([0, 1, 1]))
        journal.record_after(sid, max(0, pain - rng.choice([0, 1, 2])), REACH[after])
        day += rng.choice([1, 1, 1, 2])
    journal._now = lambda: datetime.now().astimezone()


class SetClock:
    """A wall clock for ``Journal.open(path, now=clock)`` that reads whatever ``at`` is set to."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


NO_STRENGTH = -1
"""``record_session(stop=NO_STRENGTH)``: a pain stop whose strength was not recorded."""


def record_session(
    journal: Journal,
    clock: SetClock,
    at: datetime,
    pain: tuple[int | None, int | None] = (5, 3),
    reach: tuple[Reach | None, Reach | None] = (Reach.THIGH, Reach.BUTTOCK),
    *,
    stop: int | None = None,
    spread: Reach | None = Reach.BELOW_KNEE,
    completed: tuple[str, ...] = ("Figure-4 glute roll (left)",),
    skipped: tuple[str, ...] = (),
    minutes: float = 15,
) -> int:
    """One session started at ``at`` through the journal's own API. With ``stop`` (a strength,
    or NO_STRENGTH) it ends in a pain stop on the hamstring roll that spread to ``spread``."""
    clock.at = at
    sid = journal.start_session(ROUTINES[0][0], ROUTINES[0][1], pain[0], reach[0])
    clock.at = at + timedelta(minutes=minutes)
    if stop is None:
        journal.finish_session(sid, SessionStatus.COMPLETED, completed, skipped)
    else:
        stop_id = journal.record_pain_stop(
            PainStopRecord(sid, ROUTINES[0][0], "hamstring-roll", "Hamstring roll", Side.LEFT,
                           PhaseKind.WORK, "Roll", 23.0)
        )  # fmt: skip
        strength = None if stop == NO_STRENGTH else stop
        journal.add_pain_stop_details(stop_id, PainStopDetails(spread, ("shooting",), strength))
    journal.record_after(sid, pain[1], reach[1])
    return sid


def seed_years(journal: Journal, clock: SetClock, years: int = 5, seed: int = 11) -> int:
    """A session every day for ``years`` years up to yesterday, with the odd pain stop;
    returns how many. The file is not synced on every write while seeding, to be quick."""
    rng = random.Random(seed)
    assert journal._conn is not None
    journal._conn.execute("PRAGMA synchronous = OFF")
    today = datetime.now().astimezone().replace(hour=8, minute=0, second=0, microsecond=0)
    days = round(years * 365.25)
    for day in range(days, 0, -1):
        level = max(1, min(5, round(3.5 - 2 * (1 - day / days) + rng.uniform(-1, 1))))
        reach = (REACH[level], REACH[max(0, level - rng.choice([0, 1]))])
        pain = max(1, round(7 - 4 * (1 - day / days) + rng.uniform(-1.5, 1.5)))
        stop = rng.choice([pain + 1, NO_STRENGTH]) if rng.random() < 0.08 else None
        at = today - timedelta(days=day, minutes=rng.randint(0, 90))
        record_session(journal, clock, at, (pain, max(0, pain - 1)), reach, stop=stop)
    journal._conn.execute("PRAGMA synchronous = FULL")
    return days
