"""Routine to timeline: phases, sides, sets, reps and the cues inside them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sciatica_timer.core.models import DEFAULT_PREPARE_S, DEFAULT_SWITCH_S, Category
from sciatica_timer.core.timeline import (
    CHECK_QUESTION,
    REP_LEAD_IN_S,
    STOP_RULE,
    CueKind,
    PhaseKind,
    Side,
    all_cue_texts,
    build_timeline,
    say_duration,
    speaking_s,
)
from sciatica_timer.storage.library_file import load_library


def test_foam_roll_plan_matches_the_source(bundled_path: Path) -> None:
    """Glute roll 120 s each side; IT band and hamstrings 60 s each side, left then right."""
    timeline = build_timeline(load_library(bundled_path), "sciatica-foam-roll")
    work = [(p.exercise.id, p.side, p.duration_s) for p in timeline.work_phases if p.exercise]
    assert work == [
        ("figure-4-glute-roll", Side.LEFT, 120),
        ("figure-4-glute-roll", Side.RIGHT, 120),
        ("it-band-roll", Side.LEFT, 60),
        ("it-band-roll", Side.RIGHT, 60),
        ("hamstring-roll", Side.LEFT, 60),
        ("hamstring-roll", Side.RIGHT, 60),
    ]


def test_phases_are_contiguous_and_total_is_their_sum(bundled_path: Path) -> None:
    """Each phase starts where the last ended; the total is the sum of durations."""
    library = load_library(bundled_path)
    for rid in library.routines:
        timeline = build_timeline(library, rid)
        start = 0
        for phase in timeline.phases:
            assert phase.start_s == start
            start += phase.duration_s
        assert timeline.total_s == sum(p.duration_s for p in timeline.phases)


def test_switch_phase_between_sides_and_rest_between_steps(short_path: Path) -> None:
    """Left, switch, right, then a rest before the next exercise."""
    kinds = [(p.kind, p.side) for p in build_timeline(load_library(short_path), "short").phases]
    assert kinds[:5] == [
        (PhaseKind.PREPARE, None),
        (PhaseKind.WORK, Side.LEFT),
        (PhaseKind.SWITCH, None),
        (PhaseKind.WORK, Side.RIGHT),
        (PhaseKind.REST, None),
    ]
    assert kinds[-1] == (PhaseKind.WORK, None)


def test_sets_are_separated_by_rest_and_numbered(short_path: Path) -> None:
    """A two-set stretch runs set 1, rest, set 2."""
    phases = build_timeline(load_library(short_path), "short").phases
    stretch = [p for p in phases if p.exercise and p.exercise.id == "stretch"]
    assert [(p.set_number, p.sets) for p in stretch] == [(1, 2), (2, 2)]
    assert phases[stretch[0].index + 1].kind is PhaseKind.REST


def test_rep_exercise_gets_a_paced_count(short_path: Path) -> None:
    """Reps are counted aloud at the configured pace after a short lead-in."""
    phase = build_timeline(load_library(short_path), "short").phases[-1]
    assert phase.reps == 2 and phase.duration_s == REP_LEAD_IN_S + 2
    reps = [(c.offset_s, c.text) for c in phase.cues if c.kind is CueKind.REP]
    assert reps == [(REP_LEAD_IN_S, "1"), (REP_LEAD_IN_S + 1, "2")]
    assert phase.label == "Reps"
    assert phase.rep_at(0) == 0 and phase.rep_at(REP_LEAD_IN_S + 1.5) == 2


def test_cues_announce_side_count_down_and_finish(bundled_path: Path) -> None:
    """The glute roll is announced with its side and length; the session ends with a cue."""
    timeline = build_timeline(load_library(bundled_path), "sciatica-foam-roll")
    first = timeline.work_phases[0]
    texts = {c.kind: c.text for c in first.cues}
    assert texts[CueKind.ANNOUNCE] == "Figure-4 glute roll, left side, 2 minutes"
    assert {(c.offset_s, c.text) for c in first.cues} >= {
        (60, "Halfway"),
        (110, "10 seconds"),
        (117, "3"),
        (118, "2"),
        (119, "1"),
    }
    assert timeline.phases[2].cues[0].text == "Switch sides"
    last = timeline.phases[-1]
    assert last.cues[-1].kind is CueKind.COMPLETE and last.cues[-1].offset_s == last.duration_s
    assert "Session complete" in all_cue_texts(timeline)


def test_rest_announces_what_comes_next(bundled_path: Path) -> None:
    """A rest says 'Rest' and then names the next exercise and side."""
    timeline = build_timeline(load_library(bundled_path), "sciatica-foam-roll")
    rest = next(p for p in timeline.phases if p.kind is PhaseKind.REST)
    assert [c.text for c in rest.cues][:2] == ["Rest", "Next: IT-band roll, left side"]


def test_plan_json_shape(bundled_path: Path) -> None:
    """The JSON plan has the documented keys; cue times are seconds into the session."""
    plan = build_timeline(load_library(bundled_path), "sciatica-foam-roll").to_json()
    assert plan["routine"] == "sciatica-foam-roll"
    assert plan["total_s"] == sum(p["duration_s"] for p in plan["phases"])
    phase = plan["phases"][1]
    assert {"kind", "exercise", "side", "set", "start_s", "duration_s", "cues"} <= phase.keys()
    assert phase["cues"][0] == {
        "at_s": phase["start_s"],
        "kind": "announce",
        "text": "Figure-4 glute roll, left side, 2 minutes",
    }


def test_say_duration() -> None:
    """Durations read naturally aloud."""
    assert say_duration(120) == "2 minutes"
    assert say_duration(60) == "1 minute"
    assert say_duration(30) == "30 seconds"
    assert say_duration(90) == "90 seconds"
    assert say_duration(150) == "2 minutes 30 seconds"


def test_every_routine_says_the_stop_rule_in_its_first_get_ready(bundled_path: Path) -> None:
    """The first spoken sentence of every session tells how to stop for spreading pain."""
    library = load_library(bundled_path)
    for rid in library.routines:
        phases = build_timeline(library, rid).phases
        first = next(p for p in phases if p.kind is PhaseKind.PREPARE)
        assert STOP_RULE in first.cues[0].text, rid
        assert "red button" in STOP_RULE and "P" in STOP_RULE


def test_stop_rule_comes_first_even_without_a_get_ready(short_path: Path) -> None:
    """With prepare_s 0 the stop rule rides on the first announcement instead."""
    library = load_library(short_path)
    routine = replace(library.routines["short"], prepare_s=0)
    library = replace(library, routines={"short": routine})
    first = build_timeline(library, "short").phases[0]
    assert first.kind is PhaseKind.WORK and STOP_RULE in first.cues[0].text


def test_rep_exercises_speak_their_own_cue_before_rep_one(bundled_path: Path) -> None:
    """The glute bridge says its cue the first time, and rep 1 waits until it is said."""
    library = load_library(bundled_path)
    phases = build_timeline(library, "stretch-and-strengthen").phases
    bridge = next(p for p in phases if p.exercise and p.exercise.id == "glute-bridge")
    cue = library.exercises["glute-bridge"].cue
    assert cue is not None
    reminder = next(c for c in bridge.cues if c.kind is CueKind.REMINDER)
    assert reminder.text == cue
    first_rep = next(c for c in bridge.cues if c.kind is CueKind.REP)
    assert first_rep.offset_s >= reminder.offset_s + speaking_s(cue)
    assert bridge.rep_at(first_rep.offset_s) == 1 and bridge.rep_at(first_rep.offset_s - 0.1) == 0
    assert bridge.duration_s == bridge.lead_in_s + bridge.reps * bridge.rep_s  # type: ignore[operator]


def test_strengthen_check_comes_before_the_first_reactivation_step(bundled_path: Path) -> None:
    """A check phase waits before the first strengthening step: after the stretches in one
    routine, after the release in another (seed 004 puts reactivation before stretches)."""
    library = load_library(bundled_path)
    for rid in ("stretch-and-strengthen", "compress-reactivate-stretch"):
        phases = build_timeline(library, rid).phases
        checks = [p for p in phases if p.kind is PhaseKind.CHECK]
        assert len(checks) == 1, rid
        check = checks[0]
        assert check.duration_s == 0 and check.cues[0].text == CHECK_QUESTION
        later = [p for p in phases[check.index + 1 :] if p.kind is PhaseKind.WORK]
        assert later[0].exercise is not None
        assert later[0].exercise.category is Category.REACTIVATION
        earlier = [p for p in phases[: check.index] if p.exercise]
        assert all(p.exercise.category is not Category.REACTIVATION for p in earlier if p.exercise)
        gated = {p.exercise.id for p in phases if p.gated and p.exercise}
        reactivation = {
            p.exercise.id
            for p in phases
            if p.exercise and p.exercise.category is Category.REACTIVATION
        }
        assert gated == reactivation
    plain = build_timeline(library, "sciatica-foam-roll").phases
    assert all(p.kind is not PhaseKind.CHECK for p in plain), "no strengthening, no question"


def test_rest_before_a_stretch_after_strengthening_is_kept(bundled_path: Path) -> None:
    """Leaving strengthening out keeps the rest that leads into the next stretch."""
    phases = build_timeline(load_library(bundled_path), "compress-reactivate-stretch").phases
    pigeon = next(p for p in phases if p.exercise and p.exercise.id == "pigeon-pose")
    before = phases[pigeon.index - 1]
    assert before.kind is PhaseKind.REST and not before.gated


def test_ambiguous_sides_are_said_in_the_exercises_own_words(bundled_path: Path) -> None:
    """Clamshell: 'left hip working, lying on your right side' style, on screen and spoken."""
    library = load_library(bundled_path)
    clamshell = library.exercises["clamshell"]
    assert clamshell.side_words and "{side}" in clamshell.side_words
    phases = build_timeline(library, "compress-reactivate-stretch").phases
    left = next(p for p in phases if p.exercise is clamshell and p.side is Side.LEFT)
    assert left.side_words == clamshell.side_phrase("left")
    assert left.side_words in left.cues[0].text
    assert "right" in clamshell.side_phrase("left") or "{other}" not in clamshell.side_words


def test_default_transitions_leave_time_to_get_off_a_roller() -> None:
    """Get-ready 15 s and side switch 10 s unless a routine says otherwise."""
    assert DEFAULT_PREPARE_S == 15 and DEFAULT_SWITCH_S == 10
