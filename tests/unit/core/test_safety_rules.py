"""The safety rules without a window: flagged exercises, flare days, red flags once a day."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta, timezone

from sciatica_timer.core import safety
from sciatica_timer.core.models import Exercise, Library, Routine, Step
from sciatica_timer.core.records import PainStop
from sciatica_timer.core.safety import GentleRoutine, RedFlagAnswers
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.storage.settings import Settings

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=timezone(timedelta(hours=1)))
TODAY = date(2026, 11, 21)


def _stop(exercise: str | None, at: datetime) -> PainStop:
    return PainStop(1, at.isoformat(timespec="seconds"), "r", exercise, "x", None, "work", "", 3.0)


def _library() -> Library:
    exercises = {
        "roll": Exercise("roll", "Hamstring roll", avoid_in_flare=True),
        "lift": Exercise("lift", "Leg lift", avoid_in_flare=True),
        "breathe": Exercise("breathe", "Breathing"),
        "tilt": Exercise("tilt", "Pelvic tilt"),
    }
    routines = {
        "daily": Routine(
            "daily", "Daily", (Step("roll"), Step("lift"), Step("roll"), Step("tilt"))
        ),
        "mixed": Routine("mixed", "Mixed", (Step("roll"), Step("tilt"), Step("breathe"))),
        "calm": Routine("calm", "Calm", (Step("tilt"),)),
        "gentle-flare-up": Routine("gentle-flare-up", "Gentle", (Step("breathe"), Step("tilt"))),
    }
    return Library(exercises=exercises, routines=routines)


# --- flagged exercises --------------------------------------------------------------


def test_flagged_needs_two_stops_within_the_window_before_now() -> None:
    """Two stops within 14 days of the given now flag an exercise, by id with its name;
    the same stops seen from a later now no longer do."""
    stops = [_stop("roll", NOW - timedelta(days=1)), _stop("roll", NOW - timedelta(days=13))]
    assert safety.flagged(stops, _library(), NOW) == {"roll": "Hamstring roll"}
    assert safety.flagged(stops, _library(), NOW + timedelta(days=2)) == {}


def test_flagged_leaves_out_stops_without_an_exercise_and_unknown_exercises() -> None:
    """A stop outside an exercise, or of an exercise the library no longer has, flags nothing."""
    at = NOW - timedelta(hours=1)
    stops = [_stop(None, at), _stop(None, at), _stop("gone", at), _stop("gone", at)]
    assert safety.flagged(stops, _library(), NOW) == {}


def test_the_rule_in_words_follows_the_window() -> None:
    """The words shown for the rule are built from the window itself."""
    assert (timedelta(days=14), 2) == (safety.REPEAT_WINDOW, safety.REPEAT_STOPS)
    assert safety.REPEAT_WORDS == "twice in the last 14 days"
    assert safety.REPEAT_RULE == "two pain stops in 14 days"


# --- flare-up days --------------------------------------------------------------------


def test_left_out_exercises_are_dropped_and_a_flare_drops_the_flare_ones() -> None:
    """What the user left out goes from every routine; a flare also drops avoid-in-flare
    exercises, and a routine left empty goes."""
    library = _library()
    plain = safety.usable_library(library, ["tilt"])
    assert "calm" not in plain.routines
    assert [s.exercise for s in plain.routines["daily"].steps] == ["roll", "lift", "roll"]
    flare = safety.usable_library(library, (), flare=True)
    assert [s.exercise for s in flare.routines["daily"].steps] == ["tilt"]
    assert [s.exercise for s in flare.routines["mixed"].steps] == ["tilt", "breathe"]


def test_flare_names_lists_each_flare_exercise_once_in_order() -> None:
    """The flare preview names each exercise a flare removes, once, in the routine's order."""
    assert safety.flare_names(_library(), "daily") == ["Hamstring roll", "Leg lift"]
    assert safety.flare_names(_library(), "calm") == []


def test_the_flare_alternative_prefers_a_flare_routine_kept_whole() -> None:
    """The offer is a routine a flare leaves whole, a "flare" one first, with its length and
    whether the flare takes most of the chosen routine."""
    library = _library()
    gentle = safety.flare_alternative(library, (), "daily")
    total = build_timeline(library, "gentle-flare-up").total_s
    assert gentle == GentleRoutine("gentle-flare-up", "Gentle", total, True)
    mixed = safety.flare_alternative(library, (), "mixed")
    assert mixed is not None and not mixed.replaces_most  # one of three steps goes


def test_no_flare_alternative_when_nothing_stays_whole() -> None:
    """With the gentle routines' exercises left out, there is nothing to offer."""
    assert safety.flare_alternative(_library(), ["tilt"], "daily") is None


# --- the red-flag questions, once a day -----------------------------------------------


def test_red_flags_are_due_until_answered_no_today() -> None:
    """Never answered, or answered 'no' yesterday: asked; answered 'no' today: not asked."""
    assert safety.red_flags_due(RedFlagAnswers(), TODAY)
    cleared = safety.red_flags_cleared(TODAY)
    assert not safety.red_flags_due(cleared, TODAY)
    assert safety.red_flags_due(cleared, TODAY + timedelta(days=1))  # the day boundary


def test_a_yes_blocks_the_rest_of_the_day_only() -> None:
    """A 'yes' today blocks sessions until tomorrow; the next day it blocks nothing."""
    raised = safety.red_flags_raised(["saddle"], TODAY)
    assert raised == RedFlagAnswers(None, TODAY.isoformat(), ("saddle",))
    assert safety.red_flags_block(raised, TODAY) == TODAY + timedelta(days=1)
    assert safety.red_flags_block(raised, TODAY + timedelta(days=1)) is None
    assert safety.red_flags_block(RedFlagAnswers(), TODAY) is None
    assert safety.red_flags_due(raised, TODAY)


def test_clearing_forgets_an_earlier_yes() -> None:
    """All 'no' today replaces an earlier 'yes' and its flags."""
    assert safety.red_flags_cleared(TODAY) == RedFlagAnswers(TODAY.isoformat(), None, ())


def test_red_flag_answers_use_the_settings_field_names() -> None:
    """The answers carry the settings' own field names (the window saves them as they are)."""
    names = {f.name for f in fields(RedFlagAnswers)}
    assert names <= {f.name for f in fields(Settings)}
