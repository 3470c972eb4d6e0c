"""A routine being edited, as the person typed it, checked by the same schema as ``--check``.

No Qt here: the editor keeps every field as text (empty: "as the exercise, or the routine,
or your settings say"), turns the draft into the routine's entry of a library file, and lets
the published schema (``exercises.schema.json``) judge it, so a value is refused with the
very words and limits ``--check`` would print (``must be between 1 and 3600 seconds, got 0``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sciatica_timer.core.models import Exercise, Routine, Sides, Step, StepSides
from sciatica_timer.storage.library_checks import load_schema, schema_message
from sciatica_timer.storage.library_file import routine_from, step_from

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

STEP_FIELDS = ("duration_s", "sets", "reps", "rep_s", "rest_s", "prepare_s")
"""A step's number fields, in the order the editor shows them."""
ROUTINE_FIELDS = ("prepare_s", "rest_s", "switch_s")
"""A routine's own pauses (empty: the user's defaults from Settings)."""

DRAFT_ID = "draft"
"""The id the routine being edited carries until it is saved."""

Where = tuple[str | int, ...]
"""A place in the routine's entry: ``("name",)``, ``("steps", 2, "duration_s")``."""


@dataclass
class StepDraft:
    """One step as typed: its exercise, which sides, and each number field's text."""

    exercise: str
    sides: StepSides | None = None
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, step: Step) -> StepDraft:
        texts = {k: "" if getattr(step, k) is None else str(getattr(step, k)) for k in STEP_FIELDS}
        return cls(step.exercise, step.sides, texts)

    def text(self, key: str) -> str:
        return self.texts.get(key, "")


def uses(exercise: Exercise, key: str) -> bool:
    """Whether a step field means anything for this exercise: reps and seconds per rep for a
    rep exercise, a duration for a timed one, a side for one done on each side."""
    if key in ("reps", "rep_s"):
        return exercise.reps is not None
    if key == "duration_s":
        return exercise.reps is None
    if key == "sides":
        return exercise.sides is Sides.EACH
    return True


def _value(text: str) -> Any:
    """What the person typed, as the file would hold it: a number if it is one (so the schema
    can say it is out of range), else the text itself (so it can say it is not a number)."""
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def step_entry(draft: StepDraft, exercise: Exercise | None) -> dict[str, Any]:
    """The step as a library file writes it (fields that mean nothing for it left out)."""
    entry: dict[str, Any] = {"exercise": draft.exercise}
    for key in STEP_FIELDS:
        if draft.text(key).strip() and (exercise is None or uses(exercise, key)):
            entry[key] = _value(draft.text(key))
    if draft.sides is not None and (exercise is None or uses(exercise, "sides")):
        entry["sides"] = draft.sides.value
    return entry


def routine_entry(
    name: str,
    description: str,
    pauses: Mapping[str, str],
    steps: list[StepDraft],
    exercises: Mapping[str, Exercise],
    for_flare_days: bool = False,
) -> dict[str, Any]:
    """The routine as a library file writes it."""
    entry: dict[str, Any] = {"id": DRAFT_ID, "name": name.strip()}
    if description.strip():
        entry["description"] = description.strip()
    if for_flare_days:
        entry["for_flare_days"] = True
    for key in ROUTINE_FIELDS:
        if pauses.get(key, "").strip():
            entry[key] = _value(pauses[key])
    entry["steps"] = [step_entry(s, exercises.get(s.exercise)) for s in steps]
    return entry


@cache
def _routine_schema() -> dict[str, Any]:
    """The schema's routine definition; a step key this schema does not know yet is checked
    with the limits of its kind (``pause`` for time to get into position...)."""
    schema = copy.deepcopy(load_schema())
    defs = schema["$defs"]
    step = defs["step"]["properties"]
    step.setdefault("rep_s", defs["exercise"]["properties"]["rep_s"])
    step.setdefault("prepare_s", {"$ref": "#/$defs/pause"})
    step.setdefault("sides", {"enum": [s.value for s in StepSides]})
    return {"$schema": schema.get("$schema"), "$defs": defs, "$ref": "#/$defs/routine"}


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_routine_schema())


def problems(entry: Mapping[str, Any]) -> dict[Where, str]:
    """Each place of the routine's entry the schema refuses, with ``--check``'s message."""
    found: dict[Where, str] = {}
    for error in _validator().iter_errors(entry):
        message, _key = schema_message(error)
        found.setdefault(tuple(error.path), message)
    return found


def limits(key: str, of: str = "step") -> tuple[int, int]:
    """The lowest and highest value the schema allows for a step's (or routine's) field."""
    schema: dict[str, Any] = _routine_schema()["$defs"]
    spec = schema[of]["properties"][key]
    while "$ref" in spec:
        spec = schema[spec["$ref"].rsplit("/", 1)[-1]]
    return int(spec["minimum"]), int(spec["maximum"])


def to_step(entry: Mapping[str, Any]) -> Step:
    """A valid step entry as the model (as the library file builds it)."""
    return step_from(entry)


def to_routine(entry: Mapping[str, Any], routine_id: str = DRAFT_ID) -> Routine:
    """A valid routine entry as the model (as the library file builds it)."""
    return routine_from({**entry, "id": routine_id})


def usable_entry(entry: Mapping[str, Any], refused: Mapping[Where, str]) -> dict[str, Any]:
    """The entry with every refused value left to its default: what the total time is
    worked out from while a field still holds a wrong value."""
    out = dict(entry)
    for key in ROUTINE_FIELDS:
        if (key,) in refused:
            out.pop(key, None)
    out["name"] = out.get("name") or "Routine"
    out["steps"] = [
        {k: v for k, v in step.items() if k == "exercise" or ("steps", i, k) not in refused}
        for i, step in enumerate(entry.get("steps", []))
    ]
    return out
