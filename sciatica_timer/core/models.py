"""The routines and exercises as the app uses them: plain frozen models, no file format.

``storage/`` reads and checks the files that hold them (``strict_json``, ``library_checks``,
``library_file``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

DEFAULT_DURATION_S = 30
DEFAULT_REP_S = 3
DEFAULT_PREPARE_S = 15
DEFAULT_REST_S = 15
DEFAULT_SWITCH_S = 10


class Category(StrEnum):
    RELEASE = "release"
    STRETCH = "stretch"
    REACTIVATION = "reactivation"


class Sides(StrEnum):
    EACH = "each"
    NONE = "none"


class StepSides(StrEnum):
    """Which sides one step of a routine does (an exercise with ``Sides.EACH`` only)."""

    EACH = "each"
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    category: Category = Category.RELEASE
    sides: Sides = Sides.NONE
    duration_s: int = DEFAULT_DURATION_S
    sets: int = 1
    reps: int | None = None
    rep_s: int = DEFAULT_REP_S
    instructions: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    cue: str | None = None
    targets: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    image: str | None = None
    avoid_in_flare: bool = False
    side_words: str | None = None
    """How a side is said when 'left' alone is ambiguous: '{side} hip working, lying on
    your {other} side'. None: just 'left side'."""

    def side_phrase(self, side: str) -> str:
        """'left side', or this exercise's own words for the side ('left hip working...')."""
        if not self.side_words:
            return f"{side} side"
        other = {"left": "right", "right": "left"}.get(side, side)
        return self.side_words.replace("{side}", side).replace("{other}", other)

    @property
    def allows_hold(self) -> bool:
        """Rolling and ball work may pause on a tender spot."""
        return self.category is Category.RELEASE


@dataclass(frozen=True)
class Step:
    """One exercise of a routine; None everywhere means "as the exercise (or routine) says"."""

    exercise: str
    duration_s: int | None = None
    sets: int | None = None
    reps: int | None = None
    rest_s: int | None = None
    rep_s: int | None = None
    sides: StepSides | None = None
    """Left only or right only (a physiotherapist's prescription); None: the exercise's sides."""
    prepare_s: int | None = None
    """Time to get into position before this step's first side (getting onto a roller takes
    longer than starting a stretch); None: the routine's get-ready before the first step, and
    no extra time before later ones."""


@dataclass(frozen=True)
class Pauses:
    """The get-ready, rest and switch-sides times a routine uses when it sets none itself
    (the user's defaults, from the settings)."""

    prepare_s: int = DEFAULT_PREPARE_S
    rest_s: int = DEFAULT_REST_S
    switch_s: int = DEFAULT_SWITCH_S


DEFAULT_PAUSES = Pauses()


@dataclass(frozen=True)
class Routine:
    id: str
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    prepare_s: int | None = None
    """None here and in rest_s and switch_s: the user's default (``Pauses``)."""
    rest_s: int | None = None
    switch_s: int | None = None
    for_flare_days: bool = False
    """Meant for flare-up days: an exercise best avoided in a flare-up is flagged in it."""

    def pauses(self, defaults: Pauses = DEFAULT_PAUSES) -> Pauses:
        """This routine's own times, the defaults where it sets none."""
        return Pauses(
            defaults.prepare_s if self.prepare_s is None else self.prepare_s,
            defaults.rest_s if self.rest_s is None else self.rest_s,
            defaults.switch_s if self.switch_s is None else self.switch_s,
        )


@dataclass(frozen=True)
class Library:
    exercises: Mapping[str, Exercise]
    routines: Mapping[str, Routine]
    source: Path | None = None

    def merged_with(self, other: Library) -> Library:
        """This library with the other's exercises and routines added (the other wins)."""
        return Library(
            exercises={**self.exercises, **other.exercises},
            routines={**self.routines, **other.routines},
            source=self.source,
        )

    def first_of(self, *routine_ids: str | None) -> str | None:
        """The first of these routines the library has, else its first routine (None when
        it has none): the one selected when the window opens."""
        return next((r for r in routine_ids if r in self.routines), next(iter(self.routines), None))

    def without(self, exercise_ids: Iterable[str]) -> Library:
        """The library with these exercises left out of every routine."""
        drop = set(exercise_ids)
        routines = {}
        for rid, routine in self.routines.items():
            steps = tuple(s for s in routine.steps if s.exercise not in drop)
            if steps:
                routines[rid] = replace(routine, steps=steps)
        return Library(self.exercises, routines, self.source)
