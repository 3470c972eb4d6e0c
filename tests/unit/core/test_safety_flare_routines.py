"""Which routines the editor flags: one meant for flare-up days holding an exercise best
avoided in a flare (``safety.flare_conflicts``)."""

from __future__ import annotations

from sciatica_timer.core.models import Exercise, Library, Routine, Step
from sciatica_timer.core.safety import flare_conflicts, meant_for_flare

LIBRARY = Library(
    {
        "roll": Exercise("roll", "Hamstring roll", avoid_in_flare=True),
        "pose": Exercise("pose", "Child's pose"),
        "hang": Exercise("hang", "Door-frame hang", avoid_in_flare=True),
    },
    {},
)
STEPS = (Step("hang"), Step("pose"), Step("roll"), Step("hang"))


def test_a_routine_is_meant_for_flare_ups_when_its_id_or_name_says_so() -> None:
    assert meant_for_flare(Routine("gentle-flare-up", "Gentle", ()))
    assert meant_for_flare(Routine("evening", "Bad FLARE day", ()))
    assert not meant_for_flare(Routine("evening", "Evening stretch", ()))


def test_a_flare_up_routine_names_each_exercise_to_avoid_once_in_order() -> None:
    routine = Routine("my-flare", "My flare days", STEPS)
    assert flare_conflicts(LIBRARY, routine) == ["Door-frame hang", "Hamstring roll"]


def test_an_ordinary_routine_is_flagged_only_when_marked_for_flare_up_days() -> None:
    routine = Routine("evening", "Evening", STEPS)
    assert flare_conflicts(LIBRARY, routine) == []
    assert flare_conflicts(LIBRARY, routine, for_flare=True) == [
        "Door-frame hang",
        "Hamstring roll",
    ]


def test_a_flare_up_routine_of_gentle_exercises_and_unknown_ones_is_not_flagged() -> None:
    routine = Routine("flare", "Flare", (Step("pose"), Step("not-in-the-library")))
    assert flare_conflicts(LIBRARY, routine) == []
