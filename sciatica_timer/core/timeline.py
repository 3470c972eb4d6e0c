"""Routine to timeline: the ordered phases of a session and the cues spoken in them.

A pure function of the library. Sides run left then right with a short switch phase
between; sets alternate sides (left, right, rest, left, right ...), as the stretches in
the source articles do. Rep-based exercises get a paced count so they can be followed
hands-free.

Two safety rules live here as data. The first get-ready says how to stop for spreading
pain. Before the first strengthening (reactivation) step, a CHECK phase asks whether any
pain is left (seed 002: strengthen only when pain-free); the phases that strengthening
brings (its work, the switches between its sides and the rests leading into it) are marked
``gated`` so the engine can leave them all out when the answer is "pain left".
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sciatica_timer.core.models import (
    DEFAULT_PAUSES,
    Category,
    Exercise,
    Library,
    Pauses,
    Routine,
    Sides,
    Step,
    StepSides,
)

REP_LEAD_IN_S = 3
"""Seconds between announcing a rep-based exercise and the first counted rep."""

WORDS_PER_S = 2.0
"""A slow speaking pace, to leave room for a sentence before the next cue."""

STOP_RULE = "If pain spreads down your leg, press the red button, or P."
"""Said in the first get-ready of every session."""

CHECK_QUESTION = (
    "Before the strengthening part: is any pain left right now? Answer yes or no on the screen."
)


class PhaseKind(StrEnum):
    PREPARE = "prepare"
    WORK = "work"
    SWITCH = "switch"
    REST = "rest"
    CHECK = "check"
    """No countdown: the session waits for an answer (is any pain left?)."""


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


class CueKind(StrEnum):
    GET_READY = "get_ready"
    ANNOUNCE = "announce"
    REMINDER = "reminder"
    HALFWAY = "halfway"
    TEN_SECONDS = "ten_seconds"
    COUNTDOWN = "countdown"
    REP = "rep"
    SWITCH = "switch"
    REST = "rest"
    NEXT = "next"
    HOLD = "hold"
    RELEASE = "release"
    COMPLETE = "complete"
    CHECK = "check"


FROM_END_KINDS = frozenset({CueKind.TEN_SECONDS, CueKind.COUNTDOWN, CueKind.COMPLETE})
"""Cues anchored to the end of their phase: they move when time is added."""


@dataclass(frozen=True)
class Cue:
    offset_s: int
    """Seconds from the start of its phase."""
    kind: CueKind
    text: str

    @property
    def from_end(self) -> bool:
        return self.kind in FROM_END_KINDS


@dataclass(frozen=True)
class Phase:
    index: int
    kind: PhaseKind
    start_s: int
    duration_s: int
    exercise: Exercise | None = None
    side: Side | None = None
    set_number: int = 1
    sets: int = 1
    reps: int | None = None
    rep_s: int = 0
    step_index: int = -1
    cues: tuple[Cue, ...] = ()
    lead_in_s: int = REP_LEAD_IN_S
    """For rep-based work: seconds before the first counted rep."""
    gated: bool = False
    """Left out when the strengthening check is answered 'pain left'."""

    @property
    def end_s(self) -> int:
        return self.start_s + self.duration_s

    @property
    def label(self) -> str:
        """What the phase is called on screen: Get ready, Roll, Stretch, Reps, Rest..."""
        if self.kind is PhaseKind.PREPARE:
            return "Get ready"
        if self.kind is PhaseKind.SWITCH:
            return "Switch sides"
        if self.kind is PhaseKind.REST:
            return "Rest"
        if self.kind is PhaseKind.CHECK:
            return "Check"
        assert self.exercise is not None
        if self.reps is not None:
            return "Reps"
        return {
            Category.RELEASE: "Roll",
            Category.STRETCH: "Stretch",
            Category.REACTIVATION: "Hold",
        }[self.exercise.category]

    def rep_at(self, elapsed_s: float) -> int:
        """The paced rep number (1-based) at this many seconds into the phase, 0 before."""
        if self.reps is None or elapsed_s < self.lead_in_s:
            return 0
        return min(self.reps, int((elapsed_s - self.lead_in_s) // self.rep_s) + 1)

    @property
    def side_words(self) -> str:
        """'left side', or the exercise's own words ('left hip working, lying on your right
        side'); empty for a phase with no side."""
        if self.side is None:
            return ""
        if self.exercise is None:
            return f"{self.side.value} side"
        return self.exercise.side_phrase(self.side.value)


@dataclass(frozen=True)
class Timeline:
    routine: Routine
    phases: tuple[Phase, ...]

    @property
    def total_s(self) -> int:
        return self.phases[-1].end_s if self.phases else 0

    @property
    def work_phases(self) -> tuple[Phase, ...]:
        return tuple(p for p in self.phases if p.kind is PhaseKind.WORK)

    def to_json(self) -> dict[str, Any]:
        """The plan as ``--plan --json`` prints it; cue ``at_s`` is seconds into the session."""
        return {
            "routine": self.routine.id,
            "name": self.routine.name,
            "total_s": self.total_s,
            "phases": [
                {
                    "kind": p.kind.value,
                    "label": p.label,
                    "exercise": p.exercise.id if p.exercise else None,
                    "side": p.side.value if p.side else None,
                    "set": p.set_number,
                    "sets": p.sets,
                    "reps": p.reps,
                    "side_words": p.side_words or None,
                    "gated": p.gated,
                    "start_s": p.start_s,
                    "duration_s": p.duration_s,
                    "cues": [
                        {"at_s": p.start_s + c.offset_s, "kind": c.kind.value, "text": c.text}
                        for c in p.cues
                    ],
                }
                for p in self.phases
            ],
        }


def say_duration(seconds: int) -> str:
    """'2 minutes', '1 minute', '90 seconds', '1 minute 30 seconds'."""
    minutes, rest = divmod(seconds, 60)
    if minutes == 0 or (rest and minutes < 2 and seconds <= 90):
        return f"{seconds} seconds"
    text = f"{minutes} minute" + ("s" if minutes != 1 else "")
    return text + (f" {rest} seconds" if rest else "")


def _side_words(exercise: Exercise, side: Side | None) -> str:
    return f", {exercise.side_phrase(side.value)}" if side else ""


def speaking_s(text: str) -> int:
    """About how long ``text`` takes to say at a slow pace, in whole seconds."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_S))


def _countdown(duration: int) -> list[Cue]:
    cues = []
    if duration >= 20:
        cues.append(Cue(duration - 10, CueKind.TEN_SECONDS, "10 seconds"))
    if duration >= 6:
        cues += [Cue(duration - n, CueKind.COUNTDOWN, str(n)) for n in (3, 2, 1)]
    return cues


@dataclass(frozen=True)
class _Work:
    """One work phase before offsets are known."""

    exercise: Exercise
    step_index: int
    side: Side | None
    set_number: int
    sets: int
    duration_s: int
    reps: int | None
    rest_after_s: int
    rep_s: int = 0
    lead_in_s: int = REP_LEAD_IN_S
    prepare_s: int | None = None
    """The step's own time to get into position (its first work phase only)."""

    @property
    def gated(self) -> bool:
        return self.exercise.category is Category.REACTIVATION


def _sides(exercise: Exercise, step: Step, first: Side) -> list[Side | None]:
    """The sides one step does, in order: both (starting on ``first``), or one only."""
    if exercise.sides is not Sides.EACH:
        return [None]
    if step.sides is StepSides.LEFT:
        return [Side.LEFT]
    if step.sides is StepSides.RIGHT:
        return [Side.RIGHT]
    return [first, first.other]


def _work_items(
    library: Library, routine: Routine, pauses: Pauses, first: Side
) -> Iterator[tuple[_Work, str]]:
    """Each work phase and the kind of gap that follows it ('switch', 'rest' or 'end')."""
    steps = routine.steps
    for step_index, step in enumerate(steps):
        exercise = library.exercises[step.exercise]
        sets = step.sets or exercise.sets
        reps = step.reps or exercise.reps
        rep_s = step.rep_s or exercise.rep_s
        sides = _sides(exercise, step, first)
        rest = pauses.rest_s if step.rest_s is None else step.rest_s
        if reps is not None:
            duration = REP_LEAD_IN_S + reps * rep_s
        else:
            duration = step.duration_s or exercise.duration_s
        for set_number in range(1, sets + 1):
            for side_i, side in enumerate(sides):
                last_side = side_i == len(sides) - 1
                last_of_step = last_side and set_number == sets
                if not last_side:
                    gap = "switch"
                elif last_of_step and step_index == len(steps) - 1:
                    gap = "end"
                else:
                    gap = "rest"
                first_of_step = set_number == 1 and side_i == 0
                position = step.prepare_s if first_of_step else None
                work = _Work(
                    exercise, step_index, side, set_number, sets, duration, reps, rest, rep_s,
                    prepare_s=position,
                )  # fmt: skip
                yield work, gap


def _announce(work: _Work) -> str:
    text = work.exercise.name + _side_words(work.exercise, work.side)
    if work.reps is not None:
        text += f", {work.reps} reps"
    else:
        text += f", {say_duration(work.duration_s)}"
    if work.sets > 1:
        text += f", set {work.set_number} of {work.sets}"
    return text


def _work_cues(work: _Work, first_time: bool) -> list[Cue]:
    d = work.duration_s
    announce = _announce(work)
    cues = [Cue(0, CueKind.ANNOUNCE, announce)]
    if work.reps is not None:
        if first_time and work.exercise.cue:
            cues.append(Cue(speaking_s(announce), CueKind.REMINDER, work.exercise.cue))
        rep_s, lead_in = work.rep_s, work.lead_in_s
        cues += [Cue(lead_in + i * rep_s, CueKind.REP, str(i + 1)) for i in range(work.reps)]
        return cues
    if first_time and work.exercise.cue and d >= 20:
        cues.append(Cue(5, CueKind.REMINDER, work.exercise.cue))
    if d >= 40:
        cues.append(Cue(d // 2, CueKind.HALFWAY, "Halfway"))
    return cues + _countdown(d)


def _next_words(work: _Work) -> str:
    return "Next: " + work.exercise.name + _side_words(work.exercise, work.side)


def _rep_lead_in(work: _Work) -> _Work:
    """The first time a rep exercise comes, room to say its own cue before rep 1."""
    if work.reps is None or not work.exercise.cue:
        return work
    room = speaking_s(_announce(work)) + speaking_s(work.exercise.cue) + 1
    lead_in = max(REP_LEAD_IN_S, room)
    return replace(work, lead_in_s=lead_in, duration_s=lead_in + work.reps * work.rep_s)


def _get_ready_words(work: _Work) -> str:
    return f"{work.exercise.name}{_side_words(work.exercise, work.side)}"


def build_timeline(
    library: Library,
    routine_id: str,
    defaults: Pauses = DEFAULT_PAUSES,
    first_side: Side = Side.LEFT,
) -> Timeline:
    """The whole session for one routine; KeyError when the routine is unknown.

    ``defaults`` are the get-ready, rest and switch times of a routine that sets none (the
    user's settings); sided steps start on ``first_side``.
    """
    routine = library.routines[routine_id]
    pauses = routine.pauses(defaults)
    items = list(_work_items(library, routine, pauses, first_side))
    phases: list[Phase] = []
    start = 0

    def add(
        kind: PhaseKind,
        duration: int,
        cues: list[Cue],
        work: _Work | None = None,
        gated: bool = False,
    ) -> None:
        nonlocal start
        phases.append(
            Phase(
                index=len(phases),
                kind=kind,
                start_s=start,
                duration_s=duration,
                exercise=work.exercise if work else None,
                side=work.side if work else None,
                set_number=work.set_number if work else 1,
                sets=work.sets if work else 1,
                reps=work.reps if work else None,
                rep_s=work.rep_s if work and work.reps is not None else 0,
                step_index=work.step_index if work else -1,
                cues=tuple(sorted(cues, key=lambda c: c.offset_s)),
                lead_in_s=work.lead_in_s if work else REP_LEAD_IN_S,
                gated=gated,
            )
        )
        start += duration

    gate_at = next((i for i, (work, _) in enumerate(items) if work.gated), None)

    def check_if_due(i: int) -> None:
        if i == gate_at:
            add(PhaseKind.CHECK, 0, [Cue(0, CueKind.CHECK, CHECK_QUESTION)])

    check_if_due(0)
    first_prepare = items[0][0].prepare_s if items else None
    get_ready_s = pauses.prepare_s if first_prepare is None else first_prepare
    if items and get_ready_s > 0:
        first = items[0][0]
        text = f"Get ready. First: {_get_ready_words(first)}. {STOP_RULE}"
        add(PhaseKind.PREPARE, get_ready_s, [Cue(0, CueKind.GET_READY, text)], None,
            first.gated)  # fmt: skip
    announced: set[str] = set()
    for i, (work, gap) in enumerate(items):
        first_time = work.exercise.id not in announced
        announced.add(work.exercise.id)
        if first_time:
            work = _rep_lead_in(work)  # room to say its own cue before rep 1
        cues = _work_cues(work, first_time)
        if i == 0 and get_ready_s <= 0:  # no get-ready: the stop rule comes first
            cues[0] = replace(cues[0], text=f"{cues[0].text}. {STOP_RULE}")
        add(PhaseKind.WORK, work.duration_s, cues, work, work.gated)
        following = items[i + 1][0] if i + 1 < len(items) else None
        if following is not None:
            check_if_due(i + 1)
        if gap == "switch" and pauses.switch_s > 0:
            cues = [Cue(0, CueKind.SWITCH, "Switch sides")]
            add(PhaseKind.SWITCH, pauses.switch_s, cues, None, work.gated)
        elif gap == "rest" and work.rest_after_s > 0 and following is not None:
            rest = work.rest_after_s
            cues = [Cue(0, CueKind.REST, "Rest")]
            if rest >= 5:
                cues.append(Cue(2, CueKind.NEXT, _next_words(following)))
            if rest >= 8 and not following.prepare_s:
                cues += [Cue(rest - n, CueKind.COUNTDOWN, str(n)) for n in (3, 2, 1)]
            add(PhaseKind.REST, rest, cues, None, following.gated)
        if following is not None and following.prepare_s:
            position = following.prepare_s
            text = f"Get into position: {_get_ready_words(following)}"
            cues = [Cue(0, CueKind.GET_READY, text)]
            if position >= 8:
                cues += [Cue(position - n, CueKind.COUNTDOWN, str(n)) for n in (3, 2, 1)]
            add(PhaseKind.PREPARE, position, cues, None, following.gated)
    if phases:
        last = phases[-1]
        complete = Cue(last.duration_s, CueKind.COMPLETE, "Session complete")
        phases[-1] = replace(last, cues=(*last.cues, complete))
    return Timeline(routine=routine, phases=tuple(phases))


def all_cue_texts(timeline: Timeline) -> list[str]:
    """Every distinct text the session may speak, in order of first use."""
    texts = dict.fromkeys(c.text for p in timeline.phases for c in p.cues)
    texts.update(dict.fromkeys(("Hold and breathe", "Release", "Paused", "Resuming")))
    return list(texts)
