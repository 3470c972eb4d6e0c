"""Clinical rules from the source articles, pinned against the bundled exercises.json.

Each test names the rule and the seed line it comes from (``/work/shared/seeds``:
000 … 004 are the five source articles, by the number their file name starts with).
Where the seeds disagree, the rule pinned here is the more conservative one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sciatica_timer.core.models import Category, Exercise, Library, Sides
from sciatica_timer.storage.library_checks import check_file
from sciatica_timer.storage.library_file import load_library

BUNDLED = Path(__file__).resolve().parents[2] / "exercises.json"

# Exercises where a bare "left side" could mean the side you lie on, the leg that is up
# or the side that works.
AMBIGUOUS_SIDES = ("clamshell", "figure-4-stretch", "roadkill-stretch")

# Phrases that say a knee stays bent throughout ("knees softly bent the whole time",
# "with the knee still bent", "keep the other knee bent").
KNEE_STAYS_BENT = re.compile(
    r"\bknees?\b[^.;:]*\b(still|stays?|remains?)\b[^.;:]*\bbent\b"
    r"|\bknees?\b[^.;:]*\bbent\b[^.;:]*\b(whole time|throughout|all the time)\b"
    r"|\b(still|keep\w*)\b[^.;:]{0,30}\bknees?\b[^.;:]{0,20}\bbent\b"
)
# Straightening a leg: "straighten", "straight leg", "leg ... straight", "knees straight".
STRAIGHT = re.compile(
    r"\bstraighten|\bstraight legs?\b|\b(legs?|knees?)\b[^.;,]{0,15}\bstraight\b", re.IGNORECASE
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(BUNDLED)


def _texts(ex: Exercise) -> list[str]:
    """Everything a person reads or hears for the exercise."""
    return [*ex.instructions, *ex.cautions, *([ex.cue] if ex.cue else [])]


def _joined(ex: Exercise) -> str:
    return " ".join(_texts(ex)).lower()


def _steps(ex: Exercise) -> list[str]:
    """What the person is told to do: the instructions and the spoken cue."""
    return [*ex.instructions, *([ex.cue] if ex.cue else [])]


def _release(library: Library) -> list[Exercise]:
    return [ex for ex in library.exercises.values() if ex.category is Category.RELEASE]


def test_bundled_file_passes_the_full_check() -> None:
    """The shipped exercises.json passes every schema and semantic check with no problem."""
    assert check_file(BUNDLED) == []


def test_hip_flexion_keeps_the_knee_bent_and_never_lowers_a_straight_leg(
    library: Library,
) -> None:
    """Single-leg hip flexion lifts and lowers with the knee bent, then slides the heel out
    along the floor, the other knee bent with its foot flat. Lowering a straight leg from
    90 degrees is a full straight-leg raise: the nerve tension seed 001 line 15 warns of
    ("especially if the leg is straight"), so seed 002 line 42's straight-leg lowering is
    not followed."""
    ex = library.exercises["unilateral-hip-flexion"]
    for text in _steps(ex):
        assert not STRAIGHT.search(text), text
    steps = " ".join(ex.instructions).lower()
    assert "90 degrees" in steps
    lower = next(s.lower() for s in ex.instructions if s.lower().startswith("lower"))
    assert "knee still bent" in lower
    assert re.search(r"slide \w+ heel out along the floor", steps)
    assert re.search(r"other knee bent[^.]*foot flat", steps)
    assert any("straight leg" in c.lower() for c in ex.cautions), "warns against it"


def test_no_exercise_that_keeps_the_knee_bent_tells_you_to_straighten_it(
    library: Library,
) -> None:
    """Where an exercise says the knee stays bent, no instruction or cue straightens it:
    a straight leg adds tension to the sciatic nerve (seed 001 line 15). Cautions may still
    name a straight leg as the thing to avoid."""
    bent = {ex.id for ex in library.exercises.values() if KNEE_STAYS_BENT.search(_joined(ex))}
    assert {"unilateral-hip-flexion", "hamstring-roll"} <= bent
    for ex_id in sorted(bent):
        for text in _steps(library.exercises[ex_id]):
            assert not STRAIGHT.search(text), (ex_id, text)


def test_every_release_exercise_holds_only_on_an_achy_local_spot(library: Library) -> None:
    """Pause 15-30 s only on a spot that is achy and stays local (seed 003 lines 92 and
    107 give the hold; seed 001 line 21 says to take weight off the most tender spot, the
    more conservative reading)."""
    release = _release(library)
    assert len(release) >= 10
    for ex in release:
        hold = [s.lower() for s in ex.instructions if "15-30 seconds" in s]
        assert hold, ex.id
        assert any("only" in s and "achy" in s and "local" in s for s in hold), ex.id


def test_every_release_exercise_moves_off_a_sharp_spot_at_once(library: Library) -> None:
    """Move off any sharp, burning or electric spot at once, even when it stays local
    (seed 001 line 21: never roll onto sharp, shooting or electric-shock pain; seed 003
    line 96: never sharply painful)."""
    for ex in _release(library):
        rule = [
            t.lower()
            for t in _texts(ex)
            if all(w in t.lower() for w in ("sharp", "burning", "electric"))
            and "move off" in t.lower()
            and "at once" in t.lower()
            and "local" in t.lower()
        ]
        assert rule, ex.id


def test_release_exercises_also_stop_when_pain_spreads(library: Library) -> None:
    """Stop when pain, numbness or tingling spreads down the leg (seed 001 lines 25 and 27;
    seed 003 line 96)."""
    for ex in _release(library):
        assert any("spread" in c.lower() and "stop" in c.lower() for c in ex.cautions), ex.id


def test_hamstring_roll_moves_off_pain_down_the_leg_like_the_glute_rolls(
    library: Library,
) -> None:
    """The hamstring roll, like both glute rolls, tells you to move off any spot that sends
    pain down the leg, and keeps the knees softly bent (seed 001 lines 15 and 21)."""
    for ex_id in ("figure-4-glute-roll", "glute-roll-uncrossed", "hamstring-roll"):
        ex = library.exercises[ex_id]
        assert any(
            re.search(r"\b(off|away from)\b[^.]*\bspot that sends pain down your leg", t.lower())
            for t in _texts(ex)
        ), ex_id
    hamstring = " ".join(library.exercises["hamstring-roll"].instructions).lower()
    assert "knees softly bent" in hamstring


def test_foam_roller_is_soft_or_medium(library: Library) -> None:
    """Every foam-roller exercise asks for a soft or medium roller (seed 001 line 21: use a
    softer roller; seed 001 line 13: a hard roller presses on the nerve)."""
    rollers = [ex for ex in _release(library) if any("foam roller" in e for e in ex.equipment)]
    assert len(rollers) == 7
    for ex in rollers:
        assert any("soft or medium foam roller" in e.lower() for e in ex.equipment), ex.id


def test_release_pressure_is_mild_never_firm(library: Library) -> None:
    """Release work uses mild pressure, never 'firm' or 'firmly' (seed 001 line 21: only
    mild pressure; seed 001 line 15: aggressive rolling is counterproductive). Seed 004 line
    41 ('as much force as you can tolerate') is the less conservative one and not followed."""
    for ex in _release(library):
        text = _joined(ex)
        assert "mild" in text, ex.id
        assert not re.search(r"\bfirm", text), ex.id
        assert "as much force" not in text and "as hard as" not in text, ex.id
    stick = " ".join(library.exercises["stick-roller-quads"].instructions).lower()
    assert "mild, comfortable pressure" in stick


def test_flare_day_rolling_is_buttocks_and_hips_only(library: Library) -> None:
    """In an acute flare, roll only the buttocks and hips; skip the hamstrings and the IT
    band (seed 001 line 19)."""
    assert library.exercises["it-band-roll"].avoid_in_flare
    assert library.exercises["hamstring-roll"].avoid_in_flare
    for ex in _release(library):
        if not ex.avoid_in_flare:
            assert "glutes" in ex.targets, ex.id


def test_thoracic_roll_goes_no_lower_than_the_shoulder_blades(library: Library) -> None:
    """The upper-back roll goes no lower than the bottom of the shoulder blades and never
    onto the lower back (seed 003 lines 70-73: across the mid-upper back, around the bra
    line; stop before the lumbar spine)."""
    ex = library.exercises["thoracic-spine-roll"]
    steps = [s.lower() for s in _steps(ex)]
    assert any("no lower than the bottom of your shoulder blades" in s for s in steps)
    assert "where the ribs end" not in _joined(ex)


def test_fabre_rests_the_ankle_on_the_other_knee_like_a_4(library: Library) -> None:
    """FABRE: rest the outside of your ankle on the other knee, like a 4 (seed 004 line 97;
    seed 002 line 36 for the figure-4 shape)."""
    steps = " ".join(library.exercises["fabre-stretch"].instructions).lower()
    assert "rest the outside of your ankle on the other knee, like a 4" in steps


def test_roadkill_has_a_start_position_a_person_can_reach(library: Library) -> None:
    """Roadkill: lie on one side, turned part-way to the floor; lower hip and knee bent
    with a light weight on the lower foot; top knee up until that hip is bent to 90
    degrees; top hip sinks towards the floor; the stretch is in the weighted leg's hip
    (seed 004 line 106)."""
    ex = library.exercises["roadkill-stretch"]
    steps = " ".join(ex.instructions).lower()
    for words in (
        "lie on one side",
        "lower hip and knee",
        "light weight on that lower foot",
        "top knee",
        "90 degrees",
        "top hip sink",
        "hip of the weighted leg",
    ):
        assert words in steps, words
    assert ex.side_phrase("left") == "left hip stretched, lying on your left side"


def test_glute_bridge_comes_down_in_one_piece(library: Library) -> None:
    """The spine rises in one piece, so it lowers in one piece: keep your back the same
    shape (seed 004 line 74), not 'one part of the spine at a time'."""
    ex = library.exercises["glute-bridge"]
    lower = [s.lower() for s in ex.instructions if s.lower().startswith("lower")]
    assert lower and "same shape" in lower[0]
    assert "at a time" not in _joined(ex)


def test_dead_bug_reaches_the_heel_away_five_each_side(library: Library) -> None:
    """Dead bug: reach the opposite heel away and lower it towards the floor; 10 reps
    alternating are 5 each side (seed 004 line 66)."""
    ex = library.exercises["dead-bug"]
    assert ex.reps == 10 and ex.sides is Sides.NONE
    steps = " ".join(_steps(ex)).lower()
    assert "heel away and lower it towards the floor" in steps
    assert "5 each side" in steps
    assert not re.search(r"\bstraighten", steps)


def test_childs_pose_goes_only_as_far_as_it_stays_easy(library: Library) -> None:
    """Child's pose folds only as far as it stays easy (seed 002 line 38 'stop when you feel
    a barrier', read conservatively); nothing tells you to push on to resistance."""
    ex = library.exercises["childs-pose"]
    steps = " ".join(_steps(ex)).lower()
    assert "only as far as it stays easy" in steps
    assert "resistance" not in steps and "barrier" not in steps
    fold = [s.lower() for s in ex.instructions if "further" in s.lower()]
    assert all("only as far as it stays easy" in s for s in fold)


def test_lacrosse_ball_is_described_as_small_and_hard(library: Library) -> None:
    """The lacrosse ball is small and hard, so pressure stays mild (seed 004 line 53: more
    targeted pressure; seed 001 line 21: mild pressure)."""
    text = _joined(library.exercises["lacrosse-ball-glutes"])
    assert "small and hard" in text
    assert "pointed" not in text


def test_ambiguous_sided_exercises_say_which_side_is_which(library: Library) -> None:
    """Where 'left' could mean the side you lie on or the side that works, the exercise says
    which (seed 004 line 81: the top leg works in the clamshell; seed 002 line 36: one leg
    rests on the surface, you stand on the other; seed 004 line 106: the weighted lower
    foot's hip is stretched)."""
    for ex_id in AMBIGUOUS_SIDES:
        ex = library.exercises[ex_id]
        assert ex.side_words and "{side}" in ex.side_words, ex_id
    for ex in library.exercises.values():
        if not ex.side_words:
            continue
        assert ex.sides is Sides.EACH, ex.id
        for side in ("left", "right"):
            phrase = ex.side_phrase(side)
            assert "{" not in phrase and len(phrase) <= 60, (ex.id, phrase)
            assert side in phrase, (ex.id, phrase)
    clam = library.exercises["clamshell"]
    assert clam.side_phrase("left") == "left hip working, lying on your right side"
    fig = library.exercises["figure-4-stretch"]
    assert fig.side_phrase("left") == "left leg up, standing on your right leg"


def test_routines_leave_time_to_get_ready_and_switch_sides(library: Library) -> None:
    """At least 15 s to get ready and 10 s to switch sides: getting off a roller in pain
    takes time. A product rule (issue 10), not a seed line; it serves seed 001 line 21
    (control, mild pressure) and seed 003 line 90 (slow, controlled movement)."""
    assert library.routines
    for routine in library.routines.values():
        pauses = routine.pauses()
        assert pauses.prepare_s >= 15, routine.id
        assert pauses.switch_s >= 10, routine.id
        assert routine.prepare_s is None or routine.prepare_s >= 15, routine.id
        assert routine.switch_s is None or routine.switch_s >= 10, routine.id
