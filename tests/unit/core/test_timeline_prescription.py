"""What a prescription can say per step: one side only, seconds per rep, time to get into
position; and the user's own defaults for get-ready, rest and switching sides."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sciatica_timer.core.models import Library, Pauses, Routine, Step, StepSides
from sciatica_timer.core.timeline import CueKind, PhaseKind, Side, build_timeline
from sciatica_timer.storage.library_file import load_library


@pytest.fixture
def bundled(bundled_path: Path) -> Library:
    return load_library(bundled_path)


def _with(library: Library, *steps: Step, **routine: int) -> Library:
    plan = Routine("plan", "Physio plan", tuple(steps), **routine)  # type: ignore[arg-type]
    return Library(library.exercises, {"plan": plan})


def test_a_step_may_do_the_left_side_only_in_every_set(bundled: Library) -> None:
    """'Figure-4 stretch, left only, 3 x 30 s': three left sets, rests between, no switch."""
    library = _with(bundled, Step("figure-4-stretch", duration_s=30, sets=3, sides=StepSides.LEFT))
    timeline = build_timeline(library, "plan")
    work = [(p.side, p.duration_s, p.set_number) for p in timeline.work_phases]
    assert work == [(Side.LEFT, 30, 1), (Side.LEFT, 30, 2), (Side.LEFT, 30, 3)]
    kinds = [p.kind for p in timeline.phases]
    assert PhaseKind.SWITCH not in kinds
    assert kinds.count(PhaseKind.REST) == 2


def test_right_only_and_the_starting_side(bundled: Library) -> None:
    """A right-only step stays right whatever side sessions start on; a both-sides step
    starts on the chosen side."""
    library = _with(
        bundled,
        Step("figure-4-glute-roll", duration_s=90),
        Step("figure-4-stretch", sets=1, sides=StepSides.RIGHT),
    )
    sides = [p.side for p in build_timeline(library, "plan", first_side=Side.RIGHT).work_phases]
    assert sides == [Side.RIGHT, Side.LEFT, Side.RIGHT]
    sides = [p.side for p in build_timeline(library, "plan").work_phases]
    assert sides == [Side.LEFT, Side.RIGHT, Side.RIGHT]


def test_a_side_choice_on_an_unsided_exercise_changes_nothing(bundled: Library) -> None:
    """Child's pose has no sides: a stray 'left' does not invent one."""
    library = _with(bundled, Step("childs-pose", sets=1, sides=StepSides.LEFT))
    assert [p.side for p in build_timeline(library, "plan").work_phases] == [None]


def test_seconds_per_rep_set_on_the_step(bundled: Library) -> None:
    """Bridges at 5 s a rep: the phase lasts lead-in + reps x 5 and counts every 5 s."""
    library = _with(bundled, Step("glute-bridge", reps=4, rep_s=5))
    work = build_timeline(library, "plan").work_phases[0]
    reps = [c.offset_s for c in work.cues if c.kind is CueKind.REP]
    assert work.rep_s == 5
    assert [b - a for a, b in itertools.pairwise(reps)] == [5, 5, 5]
    assert work.duration_s == work.lead_in_s + 4 * 5


def test_time_to_get_into_position_before_a_later_step(bundled: Library) -> None:
    """A roller step with 40 s to get into position: after the rest, a get-ready phase of
    40 s names it, then its work begins."""
    library = _with(
        bundled,
        Step("childs-pose", duration_s=30, sets=1),
        Step("figure-4-glute-roll", duration_s=60, prepare_s=40),
    )
    phases = build_timeline(library, "plan").phases
    kinds = [(p.kind, p.duration_s) for p in phases]
    assert kinds[:5] == [
        (PhaseKind.PREPARE, 15),
        (PhaseKind.WORK, 30),
        (PhaseKind.REST, 15),
        (PhaseKind.PREPARE, 40),
        (PhaseKind.WORK, 60),
    ]
    text = phases[3].cues[0].text
    assert text.startswith("Get into position: Figure-4 glute roll")


def test_the_first_steps_position_time_is_the_get_ready(bundled: Library) -> None:
    """Time to get into position on the first step replaces the routine's get-ready."""
    library = _with(bundled, Step("figure-4-glute-roll", prepare_s=45))
    first = build_timeline(library, "plan").phases[0]
    assert (first.kind, first.duration_s) == (PhaseKind.PREPARE, 45)


def test_the_users_defaults_apply_where_the_routine_sets_none(bundled: Library) -> None:
    """Rest 30 s and switch 20 s from the settings; a routine's own rest still wins."""
    steps = (Step("figure-4-glute-roll", duration_s=60), Step("childs-pose", sets=1))
    mine = Pauses(prepare_s=20, rest_s=30, switch_s=20)
    phases = build_timeline(_with(bundled, *steps), "plan", defaults=mine).phases
    assert [(p.kind, p.duration_s) for p in phases if p.kind is not PhaseKind.WORK] == [
        (PhaseKind.PREPARE, 20),
        (PhaseKind.SWITCH, 20),
        (PhaseKind.REST, 30),
    ]
    own = build_timeline(_with(bundled, *steps, rest_s=5), "plan", defaults=mine).phases
    assert [p.duration_s for p in own if p.kind is PhaseKind.REST] == [5]
