"""The session engine, driven by a fake clock: exact, drift-free, never in a bad state."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sciatica_timer.core.clock import NS_PER_S, FakeClock
from sciatica_timer.core.engine import Engine, Event, EventKind, Outcome, SessionState
from sciatica_timer.core.models import Category, Exercise, Library, Routine, Sides, Step
from sciatica_timer.core.timeline import CueKind, PhaseKind, build_timeline
from sciatica_timer.storage.library_file import load_library

PREP = 15
"""The get-ready of the bundled routines (15 s: getting onto a roller in pain takes time)."""


def _engine(path: Path, routine: str) -> tuple[Engine, FakeClock, list[Event]]:
    engine = Engine(build_timeline(load_library(path), routine))
    events: list[Event] = []
    engine.subscribe(events.append)
    clock = FakeClock()
    engine.start(clock.now_ns())
    return engine, clock, events


def _run_to_end(engine: Engine, clock: FakeClock, step_s: float = 0.25) -> None:
    """Let the clock run; a strengthening check is answered 'no pain' the instant it asks."""
    asked: list[int] = []
    engine.subscribe(lambda e: asked.append(e.at_ns) if e.kind is EventKind.ASKED else None)
    while not engine.state.finished:
        if engine.state is SessionState.ASKING:
            engine.answer(asked[-1], pain_left=False)
            continue
        clock.advance(step_s)
        engine.tick(clock.now_ns())


def test_full_routine_runs_in_fake_time(bundled_path: Path) -> None:
    """A 22-minute routine completes on its deadline, every cue fired once and on time."""
    engine, clock, events = _engine(bundled_path, "compress-reactivate-stretch")
    start = clock.now_ns()
    _run_to_end(engine, clock, step_s=0.5)
    assert engine.state is SessionState.COMPLETED
    assert events[-1].kind is EventKind.COMPLETED
    assert events[-1].at_ns == start + engine.timeline.total_s * NS_PER_S
    cues = [e for e in events if e.kind is EventKind.CUE]
    assert len(cues) == sum(len(p.cues) for p in engine.timeline.phases)
    for event in cues:
        assert event.phase is not None and event.cue is not None
        due = start + (event.phase.start_s + event.cue.offset_s) * NS_PER_S
        assert event.at_ns == due


def test_frozen_window_loses_no_time(bundled_path: Path) -> None:
    """A 95-second freeze is caught up in one tick: phases end at their true deadlines."""
    engine, clock, events = _engine(bundled_path, "sciatica-foam-roll")
    start = clock.now_ns()
    clock.advance(95)
    engine.tick(clock.now_ns())
    snap = engine.snapshot(clock.now_ns())
    assert snap.phase is not None and snap.phase.index == 1
    assert snap.remaining_ns == (PREP + 120 - 95) * NS_PER_S
    phase_starts = [e.at_ns for e in events if e.kind is EventKind.PHASE_STARTED]
    assert phase_starts == [start, start + PREP * NS_PER_S]
    late = [e for e in events if e.kind is EventKind.CUE and e.late_ns > 0]
    assert late, "cues passed during the freeze are reported as late"


def test_pause_freezes_and_resume_continues(bundled_path: Path) -> None:
    """While paused nothing moves; after resuming the same time is left."""
    engine, clock, _ = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(3.3)
    engine.pause(clock.now_ns())
    left = engine.snapshot(clock.now_ns()).remaining_ns
    clock.advance(600)
    engine.tick(clock.now_ns())
    assert engine.snapshot(clock.now_ns()).remaining_ns == left
    assert engine.next_change_ns(clock.now_ns()) is None
    engine.resume(clock.now_ns())
    assert engine.snapshot(clock.now_ns()).remaining_ns == left


def test_hold_pauses_the_roll_then_resumes_it(bundled_path: Path) -> None:
    """A tender-spot hold counts 20 s, says hold and release, then the roll carries on."""
    engine, clock, events = _engine(bundled_path, "sciatica-foam-roll")
    assert not engine.hold(clock.now_ns()), "no hold while getting ready"
    clock.advance(PREP + 30)  # 30 s into the left glute roll
    assert engine.hold(clock.now_ns())
    snap = engine.snapshot(clock.now_ns())
    assert snap.holding and snap.remaining_ns == 20 * NS_PER_S
    clock.advance(20)
    engine.tick(clock.now_ns())
    snap = engine.snapshot(clock.now_ns())
    assert not snap.holding and snap.remaining_ns == 90 * NS_PER_S
    texts = [e.cue.text for e in events if e.kind is EventKind.CUE and e.cue]
    assert texts[-2:] == ["Hold and breathe", "Release"]


def test_hold_length_is_kept_within_15_to_30_seconds(bundled_path: Path) -> None:
    """Asking for a 5 s or 90 s hold gives 15 s or 30 s."""
    engine, clock, _ = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(15)
    engine.hold(clock.now_ns(), seconds=5)
    assert engine.snapshot(clock.now_ns()).remaining_ns == 15 * NS_PER_S
    engine.hold(clock.now_ns())  # release early
    engine.hold(clock.now_ns(), seconds=90)
    assert engine.snapshot(clock.now_ns()).remaining_ns == 30 * NS_PER_S


def test_add_time_extends_and_moves_the_countdown_cues(bundled_path: Path) -> None:
    """+15 s lengthens the phase; '10 seconds' then comes 15 s later."""
    engine, clock, events = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(PREP + 100)
    engine.add_time(clock.now_ns())
    assert engine.snapshot(clock.now_ns()).remaining_ns == 35 * NS_PER_S
    start_of_roll = clock.now_ns() - 100 * NS_PER_S
    clock.advance(40)
    engine.tick(clock.now_ns())
    ten = next(e for e in events if e.cue and e.cue.kind is CueKind.TEN_SECONDS)
    assert ten.at_ns == start_of_roll + 125 * NS_PER_S


def test_skip_and_back(bundled_path: Path) -> None:
    """Skip marks the phase skipped; back early returns to the previous phase."""
    engine, clock, _ = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(PREP + 1)
    engine.skip(clock.now_ns())
    assert engine.index == 2 and engine.outcomes()[1] is Outcome.SKIPPED
    engine.back(clock.now_ns())
    assert engine.index == 1
    clock.advance(5)
    engine.back(clock.now_ns())
    assert engine.index == 1, "more than 3 s in, back restarts the phase"
    assert engine.snapshot(clock.now_ns()).remaining_ns == 120 * NS_PER_S


def test_pain_stop_stops_at_once_on_the_phase_shown(bundled_path: Path) -> None:
    """The pain stop freezes everything and reports the phase and seconds into it."""
    engine, clock, events = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(PREP + 42.5)
    engine.tick(clock.now_ns())
    assert engine.seconds_into(clock.now_ns()) == pytest.approx(42.5)  # what is journaled
    assert engine.stop_for_pain(clock.now_ns())
    stop = events[-1]
    assert stop.kind is EventKind.PAIN_STOP
    assert stop.phase is not None and stop.phase.side is not None
    assert engine.state is SessionState.STOPPED_PAIN
    count = len(events)
    clock.advance(500)
    engine.tick(clock.now_ns())
    assert len(events) == count, "nothing happens after a pain stop"


def test_end_early(bundled_path: Path) -> None:
    """Ending early records the state and stops the clock."""
    engine, clock, events = _engine(bundled_path, "sciatica-foam-roll")
    clock.advance(30)
    engine.end(clock.now_ns())
    assert engine.state is SessionState.ENDED_EARLY and events[-1].kind is EventKind.ENDED


# --- properties over random routines ------------------------------------------------

exercise_st = st.builds(
    Exercise,
    id=st.sampled_from(["a", "b", "c"]),
    name=st.just("Ex"),
    category=st.sampled_from(list(Category)),
    sides=st.sampled_from(list(Sides)),
    duration_s=st.integers(1, 200),
    sets=st.integers(1, 3),
    reps=st.one_of(st.none(), st.integers(1, 15)),
    rep_s=st.integers(1, 5),
)


@st.composite
def libraries(draw: st.DrawFn) -> Library:
    exercises = {e.id: e for e in draw(st.lists(exercise_st, min_size=1, max_size=3))}
    steps = draw(
        st.lists(
            st.builds(
                Step,
                exercise=st.sampled_from(sorted(exercises)),
                duration_s=st.one_of(st.none(), st.integers(1, 120)),
                rest_s=st.one_of(st.none(), st.integers(0, 30)),
            ),
            min_size=1,
            max_size=5,
        )
    )
    routine = Routine(
        id="r",
        name="R",
        steps=tuple(steps),
        prepare_s=draw(st.integers(0, 15)),
        rest_s=draw(st.integers(0, 30)),
        switch_s=draw(st.integers(0, 10)),
    )
    return Library(exercises, {"r": routine})


@settings(max_examples=150, deadline=None)
@given(libraries())
def test_plan_total_is_the_sum_of_its_phases(library: Library) -> None:
    """For any routine, the plan's total equals the sum of its contiguous phases."""
    timeline = build_timeline(library, "r")
    assert timeline.total_s == sum(p.duration_s for p in timeline.phases)
    assert all(p.duration_s > 0 for p in timeline.phases if p.kind is not PhaseKind.CHECK)
    for a, b in zip(timeline.phases, timeline.phases[1:], strict=False):
        assert b.start_s == a.end_s
    for p in timeline.phases:
        assert all(0 <= c.offset_s <= p.duration_s for c in p.cues)


@settings(max_examples=150, deadline=None)
@given(libraries(), st.lists(st.integers(1, 10**11), min_size=1, max_size=20))
def test_pause_resume_preserves_remaining_exactly(library: Library, gaps: list[int]) -> None:
    """Any number of pauses of any length leave the remaining time exactly as it was."""
    engine = Engine(build_timeline(library, "r"))
    clock = FakeClock()
    engine.start(clock.now_ns())
    engine.answer(clock.now_ns(), pain_left=False)  # a strengthening check, if any, first
    clock.set_ns(clock.now_ns() + 123_456_789 % (engine.phase.duration_s * NS_PER_S))
    engine.tick(clock.now_ns())
    for gap in gaps:
        if engine.state.finished:
            break
        before = engine.snapshot(clock.now_ns())
        engine.pause(clock.now_ns())
        clock.set_ns(clock.now_ns() + gap)
        engine.resume(clock.now_ns())
        after = engine.snapshot(clock.now_ns())
        assert (after.phase, after.remaining_ns) == (before.phase, before.remaining_ns)
        clock.advance(0.7)
        engine.tick(clock.now_ns())


@settings(max_examples=20, deadline=None)
@given(st.integers(250, 4999), st.integers(0, 10**6))
def test_sixty_minute_session_ends_exactly_on_its_deadline(step_ms: int, offset: int) -> None:
    """Ticked at any irregular rate, a 60-minute session ends at start + 3600 s exactly."""
    ex = Exercise(id="a", name="A", sides=Sides.EACH, duration_s=895)
    routine = Routine(
        id="r", name="R", steps=(Step("a"), Step("a")), prepare_s=0, rest_s=10, switch_s=5
    )
    timeline = build_timeline(Library({"a": ex}, {"r": routine}), "r")
    assert timeline.total_s == 3600
    engine = Engine(timeline)
    done: list[Event] = []
    engine.subscribe(lambda e: done.append(e) if e.kind is EventKind.COMPLETED else None)
    clock = FakeClock(start_ns=10**12 + offset)
    start = clock.now_ns()
    engine.start(start)
    while not engine.state.finished:
        clock.set_ns(clock.now_ns() + step_ms * 1_000_000 + 17)
        engine.tick(clock.now_ns())
    assert done[0].at_ns == start + 3600 * NS_PER_S
    assert clock.now_ns() - done[0].at_ns < step_ms * 1_000_000 + 17


COMMANDS = ["tick", "pause", "resume", "skip", "back", "add_time", "hold", "advance", "pain_left",
            "no_pain"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(libraries(), st.lists(st.tuples(st.sampled_from(COMMANDS), st.floats(0, 50)), max_size=40))
def test_skip_and_back_never_leave_an_invalid_state(
    library: Library, commands: list[tuple[str, float]]
) -> None:
    """Random commands keep the index in range, times non-negative and progress sane."""
    engine = Engine(build_timeline(library, "r"))
    clock = FakeClock()
    engine.start(clock.now_ns())
    n = len(engine.timeline.phases)
    for name, seconds in commands:
        if name == "advance":
            clock.advance(seconds)
        elif name in ("pain_left", "no_pain"):
            engine.answer(clock.now_ns(), pain_left=name == "pain_left")
        else:
            getattr(engine, name)(clock.now_ns())
        snap = engine.snapshot(clock.now_ns())
        assert 0 <= engine.index < n
        assert 0 <= snap.remaining_ns <= snap.total_ns
        assert 0 <= snap.session_progress <= 1
        assert snap.holding == engine.holding
        if snap.holding:
            assert snap.phase is not None and snap.phase.kind is PhaseKind.WORK
        if engine.state is SessionState.ASKING:
            assert engine.phase.kind is PhaseKind.CHECK and snap.remaining_ns == 0
        if engine.state.active:
            assert engine.index not in engine.dropped, "a left-out phase is never shown"
        delay = engine.next_change_ns(clock.now_ns())
        assert delay is None or 0 < delay <= NS_PER_S
