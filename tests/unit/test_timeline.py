"""Routine to timeline: phases, sides, sets, reps and the cues inside them."""

from __future__ import annotations

from pathlib import Path

from sciatica_timer.library import load_library
from sciatica_timer.timeline import (
    REP_LEAD_IN_S,
    CueKind,
    PhaseKind,
    Side,
    all_cue_texts,
    build_timeline,
    say_duration,
)


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
