"""Safety rules: reach changes, repeat offenders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sciatica_timer.core.records import PainStop
from sciatica_timer.core.safety import (
    CHANGE_MESSAGES,
    Change,
    Reach,
    classify_change,
    repeat_offenders,
)

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (Reach.FOOT, Reach.THIGH, Change.CENTRALISED),
        (Reach.BELOW_KNEE, Reach.LOWER_BACK, Change.CENTRALISED),
        (Reach.BUTTOCK, Reach.NONE, Change.CENTRALISED),
        (Reach.THIGH, Reach.THIGH, Change.SAME),
        (Reach.NONE, Reach.NONE, Change.SAME),
        (Reach.BUTTOCK, Reach.BELOW_KNEE, Change.PERIPHERALISED),
        (Reach.LOWER_BACK, Reach.FOOT, Change.PERIPHERALISED),
    ],
)
def test_reach_change_is_classified(before: Reach, after: Reach, change: Change) -> None:
    """Pain withdrawing towards the spine centralises; spreading down the leg peripheralises."""
    assert classify_change(before, after) is change
    words = {Change.CENTRALISED: "centralised", Change.SAME: "as far as before"}
    assert words.get(change, "peripheralised") in CHANGE_MESSAGES[change]


def _stop(exercise: str, days_ago: float) -> PainStop:
    at = (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return PainStop(1, at, "r", exercise, exercise.title(), "left", "work", "Roll", 3.0)


def test_two_stops_within_14_days_flag_an_exercise() -> None:
    """Two stops in 14 days flag the exercise; one, or two far apart, do not."""
    stops = [
        _stop("hamstring-roll", 1),
        _stop("hamstring-roll", 13.9),
        _stop("it-band-roll", 2),
        _stop("lats-roll", 3),
        _stop("lats-roll", 20),
    ]
    assert repeat_offenders(stops, NOW) == {"hamstring-roll"}
