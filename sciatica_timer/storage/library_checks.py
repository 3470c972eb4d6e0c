"""What is wrong with an exercises file, in words a person can act on.

Structure is checked by the published JSON Schema (``exercises.schema.json``) through
``jsonschema``; positions come from ``json_source_map``. Both are imported when first
needed, so an ordinary start (a file the cache vouches for) loads neither. This module
turns their findings into one plain line per problem, and adds the checks a schema cannot
express (unique ids, steps naming known exercises, images staying inside ``assets/``).
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sciatica_timer.core.models import Exercise, Sides
from sciatica_timer.storage.problems import LibraryError, Problem, path_text
from sciatica_timer.storage.strict_json import read_document

if TYPE_CHECKING:
    from jsonschema import ValidationError


def schema_path() -> Path:
    """The published schema, ``sciatica_timer/exercises.schema.json``."""
    return Path(__file__).resolve().parents[1] / "exercises.schema.json"


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


# --- turning schema errors into plain words ------------------------------------------


def _number_text(value: int | float) -> str:
    """A number as written in a message: a very long one shortened."""
    text = str(value)
    if len(text) <= 24:
        return text
    return f"{text[:8]}… ({len(text) - text.startswith('-'):,} digits)"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a true/false value)"
    if isinstance(value, int | float):
        return f"the number {_number_text(value)}"
    if isinstance(value, str):
        return f"the text {json.dumps(value)[:40]}"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return "an object"


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text in quotes",
    "array": "a list [...]",
    "object": "an object {...}",
    "boolean": "true or false",
}


def _suggest(word: str, choices: Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def schema_message(error: ValidationError) -> tuple[str, str | None]:
    """A plain message for one schema error, and the key it is about (if any)."""
    v, schema = error.validator, error.schema
    value: Any = error.instance
    expected: Any = error.validator_value
    if not isinstance(schema, dict):
        return error.message, None
    if v == "required":
        missing = [k for k in expected if isinstance(value, dict) and k not in value]
        return f"missing the required key '{missing[0] if missing else '?'}'", None
    if v == "additionalProperties":
        allowed = schema.get("properties", {})
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        key = extra[0] if extra else "?"
        return f"unknown key '{key}'{_suggest(key, allowed)}", key
    if v == "type":
        want = expected
        wants = [want] if isinstance(want, str) else list(want)
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wants)
        return f"expected {words}, got {_json_type(value)}", None
    if v in ("minimum", "maximum"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        unit = " seconds" if error.path and str(error.path[-1]).endswith("_s") else ""
        return f"must be between {lo} and {hi}{unit}, got {_number_text(value)}", None
    if v == "enum":
        options = ", ".join(f"'{o}'" for o in expected)
        hint = _suggest(value, expected) if isinstance(value, str) else ""
        return f"must be one of {options}, got {json.dumps(value)}{hint}", None
    if v == "minItems":
        return "must not be empty" if expected == 1 else error.message, None
    if v == "maxItems":
        return f"has {len(value)} entries; at most {expected} are allowed", None
    if v == "pattern":
        return (
            f"'{value}' is not a valid id: use lowercase letters, digits and hyphens",
            None,
        )
    if v == "minLength":
        return "must not be empty", None
    if v == "maxLength":
        return f"is too long ({len(value)} characters; at most {expected})", None
    return error.message, None


# --- the checks ----------------------------------------------------------------------


class _Locator:
    """Maps JSON paths to 1-based line/column in the source text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._cached: dict[str, Any] | None = None

    @property
    def _map(self) -> dict[str, Any]:
        """Built on first use: a valid file never pays for it."""
        if self._cached is None:
            import json_source_map

            try:
                self._cached = dict(json_source_map.calculate(self._text))
            except Exception:  # a convenience: a problem without a line is still a problem
                self._cached = {}
        return self._cached

    def at(
        self, parts: Iterable[str | int], key: str | None = None
    ) -> tuple[int | None, int | None]:
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
        if key is not None:
            entry = self._map.get(pointer + "/" + key.replace("~", "~0").replace("/", "~1"))
            if entry is not None and entry.key_start is not None:
                return entry.key_start.line + 1, entry.key_start.column + 1
        entry = self._map.get(pointer)
        if entry is None:
            return None, None
        return entry.value_start.line + 1, entry.value_start.column + 1


_MAX_SCHEMA_PROBLEMS = 100
"""The schema's findings listed at most: a broken 1 MiB file can hold half a million, and
keeping them all took gigabytes."""


def _document_order(error: ValidationError) -> list[tuple[int, str]]:
    """Sorts errors by path, list indexes as numbers: exercises[2] before exercises[10]."""
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in error.path]


def _schema_problems(value: Any, file: str, locator: _Locator) -> list[Problem]:
    from jsonschema import Draft202012Validator  # imported when first needed: start-up is quicker

    validator = Draft202012Validator(load_schema())
    errors = list(itertools.islice(validator.iter_errors(value), _MAX_SCHEMA_PROBLEMS + 1))
    problems = []
    for error in sorted(errors[:_MAX_SCHEMA_PROBLEMS], key=_document_order):
        message, key = schema_message(error)
        line, col = locator.at(error.path, key)
        problems.append(Problem(file, path_text(error.path), message, line, col))
    if len(errors) > _MAX_SCHEMA_PROBLEMS:
        more = f"more than {_MAX_SCHEMA_PROBLEMS} problems; fix these and check again"
        problems.append(Problem(file, "$", more))
    return problems


def _list_at(value: dict[str, Any], key: str) -> list[Any]:
    """The list under ``key``, or an empty one (the schema reports a wrong type)."""
    items = value.get(key)
    return items if isinstance(items, list) else []


_MAX_HINTS = 20
"""'Did you mean' is worked out for this many unknown step exercises, the rest go without."""


def _sides_of(raw: dict[str, Any]) -> str:
    sides = raw.get("sides", Sides.NONE.value)
    return sides if isinstance(sides, str) else Sides.NONE.value


def _semantic_problems(
    value: dict[str, Any],
    file: str,
    locator: _Locator,
    known: Mapping[str, Exercise] | None = None,
    empty_ok: bool = False,
) -> list[Problem]:
    problems: list[Problem] = []
    bundled = known or {}

    def add(parts: list[str | int], message: str) -> None:
        line, col = locator.at(parts)
        problems.append(Problem(file, path_text(parts), message, line, col))

    if not empty_ok and not _list_at(value, "exercises") and not _list_at(value, "routines"):
        add([], "the file holds no exercises and no routines; give at least one of them")
    exercises = [e for e in _list_at(value, "exercises") if isinstance(e, dict)]
    known_ids: list[str] = []
    for kind in ("exercises", "routines"):
        seen: dict[str, int] = {}
        for i, item in enumerate(_list_at(value, kind)):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            ident = item["id"]
            if ident in seen:
                add([kind, i, "id"], f"duplicate id '{ident}' (also {kind}[{seen[ident]}])")
            elif kind == "exercises" and ident in bundled:
                add(
                    [kind, i, "id"],
                    f"'{ident}' is a bundled exercise and cannot be redefined; use it by id "
                    "in a step, or give yours another id",
                )
            else:
                seen[ident] = i
        if kind == "exercises":
            known_ids = list(seen)
    sides = {e["id"]: _sides_of(e) for e in exercises if isinstance(e.get("id"), str)}
    sides.update({ident: ex.sides.value for ident, ex in bundled.items()})
    for i, ex in enumerate(exercises):
        words = ex.get("side_words")
        if isinstance(words, str):
            unknown = set(re.findall(r"{([^}]*)}", words)) - {"side", "other"}
            if "{side}" not in words or unknown:
                add(
                    ["exercises", i, "side_words"],
                    "must contain {side} (and may contain {other}), e.g. "
                    "'{side} hip working, lying on your {other} side'",
                )
        image = ex.get("image")
        if isinstance(image, str):
            pure = PurePosixPath(image.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or ":" in image:
                where = (
                    "assets/"
                    if known is None
                    else "its folder (assets/, or beside a file to import)"
                )
                add(["exercises", i, "image"], f"'{image}' leaves {where}; give a path inside it")
    known_ids += list(bundled)  # the file's own first: "did you mean" prefers them
    known_set, hints = set(known_ids), 0
    for r, routine in enumerate(_list_at(value, "routines")):
        if not isinstance(routine, dict) or not isinstance(routine.get("steps"), list):
            continue
        for s, step in enumerate(routine["steps"]):
            if not isinstance(step, dict) or not isinstance(step.get("exercise"), str):
                continue
            name = step["exercise"]
            if name not in known_set:
                hints += 1  # each hint compares with every id: a few, or a big file takes hours
                hint = _suggest(name, known_ids) if hints <= _MAX_HINTS else ""
                add(["routines", r, "steps", s, "exercise"], f"unknown exercise '{name}'{hint}")
                continue
            side = step.get("sides")
            if side in ("left", "right") and sides.get(name) != Sides.EACH.value:
                add(
                    ["routines", r, "steps", s, "sides"],
                    f"'{side}' only: '{name}' is not done on each side "
                    "(its sides are 'none'); leave 'sides' out",
                )
    return problems


def locate(text: str, parts: Iterable[str | int]) -> tuple[int | None, int | None]:
    """The 1-based line and column of the value at this JSON path in ``text``."""
    return _Locator(text).at(parts)


def semantic_problems(
    text: str,
    value: dict[str, Any],
    file: str,
    known: Mapping[str, Exercise] | None = None,
    empty_ok: bool = False,
) -> list[Problem]:
    """The checks written in code alone, without the schema: cheap, and they import nothing."""
    return _semantic_problems(value, file, _Locator(text), known, empty_ok)


def check_document(
    text: str,
    value: Any,
    file: str,
    known: Mapping[str, Exercise] | None = None,
    empty_ok: bool = False,
) -> list[Problem]:
    """Every problem with an already-parsed library document.

    ``known``: exercises the file's steps may name besides its own (the bundled ones) and
    that it may not redefine. ``empty_ok``: a file with no exercises and no routines is
    fine (the user's own library, emptied)."""
    locator = _Locator(text)
    if not isinstance(value, dict):
        return [
            Problem(
                file,
                "$",
                f'the file must hold an object {{"exercises": [...], "routines": [...]}}, '
                f"not {_json_type(value)}",
                1,
                1,
            )
        ]
    return _schema_problems(value, file, locator) + _semantic_problems(
        value, file, locator, known, empty_ok
    )


def check_file(
    path: Path, display: str | None = None, known: Mapping[str, Exercise] | None = None
) -> list[Problem]:
    """Every problem with the library file at ``path`` (empty when it is valid); its steps
    may name the ``known`` exercises (the bundled ones) too."""
    try:
        text, value, problems = read_document(path, display)
    except LibraryError as exc:
        return exc.problems
    return problems + check_document(text, value, display or str(path), known)
