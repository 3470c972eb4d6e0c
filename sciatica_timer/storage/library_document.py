"""Models back into the exercises file format: the inverse of ``library_file``.

Only what differs from the default is written (a step that says nothing but its exercise
is ``{"exercise": "..."}``), so a saved or exported file reads like a hand-written one and
loads back into the identical models. A user's picture is written relative to ``base``
(``images/NAME`` in the data folder); ``library_file`` makes it absolute again on load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import MISSING, fields
from enum import Enum
from pathlib import Path
from typing import Any

from sciatica_timer.core.models import Exercise, Routine, Step

_STEP_KEYS = ("duration_s", "sets", "reps", "rep_s", "rest_s", "prepare_s", "sides")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def picture_text(image: str, base: Path | None) -> str:
    """A picture as the file gives it: relative to ``base`` when it lies inside it."""
    if base is None:
        return image
    path = Path(image)
    if path.is_absolute():
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return image  # outside: the checks refuse it by name
    return image


def exercise_document(exercise: Exercise, base: Path | None = None) -> dict[str, Any]:
    """One exercise as the file format's object, its defaults left out."""
    out: dict[str, Any] = {}
    for f in fields(Exercise):
        value = getattr(exercise, f.name)
        if f.default is not MISSING and value == f.default:
            continue
        if f.name == "image" and isinstance(value, str):
            value = picture_text(value, base)
        out[f.name] = _plain(value)
    return out


def step_document(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"exercise": step.exercise}
    for key in _STEP_KEYS:
        value = getattr(step, key)
        if value is not None:
            out[key] = _plain(value)
    return out


def routine_document(routine: Routine) -> dict[str, Any]:
    """One routine as the file format's object (pauses left to the user's defaults are
    left out)."""
    out: dict[str, Any] = {"id": routine.id, "name": routine.name}
    if routine.description:
        out["description"] = routine.description
    for key in ("prepare_s", "rest_s", "switch_s"):
        value = getattr(routine, key)
        if value is not None:
            out[key] = value
    if routine.for_flare_days:
        out["for_flare_days"] = True
    out["steps"] = [step_document(s) for s in routine.steps]
    return out


def library_document(
    exercises: Iterable[Exercise], routines: Iterable[Routine], base: Path | None = None
) -> dict[str, Any]:
    """A whole file: ``{"exercises": [...], "routines": [...]}`` (an empty list left out)."""
    out: dict[str, Any] = {}
    exercise_list = [exercise_document(e, base) for e in exercises]
    routine_list = [routine_document(r) for r in routines]
    if exercise_list:
        out["exercises"] = exercise_list
    if routine_list:
        out["routines"] = routine_list
    return out


def dumps(document: dict[str, Any]) -> str:
    """The file's text: indented, UTF-8 as it is, a newline at the end."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
