"""The exercises file format: loading, and a message for every way a file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sciatica_timer.core.models import Category, Sides
from sciatica_timer.storage.library_checks import check_file
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.problems import LibraryError
from sciatica_timer.storage.strict_json import MAX_FILE_BYTES

MINIMAL = {
    "exercises": [{"id": "glute-roll", "name": "Glute roll", "sides": "each", "duration_s": 120}],
    "routines": [
        {
            "id": "quick",
            "name": "Quick",
            "prepare_s": 5,
            "rest_s": 10,
            "steps": [{"exercise": "glute-roll", "duration_s": 90}],
        }
    ],
}


def _ex(**extra: object) -> dict[str, object]:
    return {"id": "glute-roll", "name": "Glute roll", **extra}


def _doc(exercise: dict[str, object] | None = None, **routine: object) -> str:
    r: dict[str, object] = {"id": "quick", "name": "Quick", "steps": [{"exercise": "glute-roll"}]}
    r.update(routine)
    return json.dumps({"exercises": [exercise or _ex()], "routines": [r]}, indent=2)


# (name, file content, the problem line expected, in full or in part)
MALFORMED: list[tuple[str, str | bytes, str]] = [
    ("broken-json", '{"exercises": [', "$: not valid JSON: Expecting value"),
    (
        "trailing-comma",
        '{"exercises": [{"id": "a", "name": "A"},]}',
        "1:41: $: not valid JSON: Expecting value (remove the comma before it)",
    ),
    ("empty", "", "bad.json: $: the file is empty"),
    ("whitespace-only", "  \n\t\n", "bad.json: $: the file is empty"),
    ("not-an-object", "[1, 2, 3]", "bad.json:1:1: $: the file must hold an object"),
    ("a-string", '"exercises"', "must hold an object"),
    ("exercises-a-number", '{"exercises": 3}', "bad.json:1:15: exercises: expected a list"),
    (
        "routines-null",
        '{"exercises": [{"id": "a", "name": "A"}], "routines": null}',
        "routines: expected a list [...], got null",
    ),
    ("non-utf8", b'{"exercises": [{"id": "a", "name": "Caf\xe9"}]}', "not UTF-8 text (byte 0xe9)"),
    (
        "nan",
        _doc(_ex(duration_s=1)).replace('"duration_s": 1', '"duration_s": NaN'),
        "NaN is not a number JSON allows",
    ),
    (
        "infinity",
        '{"exercises": [{"id": "a", "name": "A", "duration_s": -Infinity}]}',
        "1:55: exercises[0].duration_s: -Infinity is not",
    ),
    (
        "huge-number",
        '{"exercises": [{"id": "a", "name": "A", "duration_s": ' + "9" * 4301 + "}]}",
        "1:55: exercises[0].duration_s: a whole number of 4,301 digits is too long to read",
    ),
    (
        "number-overflowing",
        '{"exercises": [{"id": "a", "name": "A", "duration_s": 1e400}]}',
        "1:55: exercises[0].duration_s: the number 1e400 is too large to read",
    ),
    (
        "lone-surrogate",
        '{"exercises": [{"id": "a", "name": "Roll \\udc00"}]}',
        "1:36: exercises[0].name: contains an invalid character (a lone surrogate \\udc00)",
    ),
    (
        "boolean-duration",
        _doc(_ex(duration_s=True)),
        "exercises[0].duration_s: expected a whole number, got true",
    ),
    (
        "string-duration",
        _doc(_ex(duration_s="60")),
        'exercises[0].duration_s: expected a whole number, got the text "60"',
    ),
    (
        "fractional-duration",
        _doc(_ex(duration_s=12.5)),
        "expected a whole number, got the number 12.5",
    ),
    (
        "zero-duration",
        _doc(_ex(duration_s=0)),
        "exercises[0].duration_s: must be between 1 and 3600 seconds, got 0",
    ),
    ("huge-duration", _doc(_ex(duration_s=3601)), "must be between 1 and 3600 seconds, got 3601"),
    (
        "negative-rest",
        _doc(rest_s=-5),
        "routines[0].rest_s: must be between 0 and 3600 seconds, got -5",
    ),
    (
        "unknown-key-typo",
        _doc(_ex(duraton_s=60)),
        "exercises[0]: unknown key 'duraton_s' (did you mean 'duration_s'?)",
    ),
    (
        "unknown-top-key",
        json.dumps({**MINIMAL, "routine": []}),
        "$: unknown key 'routine' (did you mean 'routines'?)",
    ),
    (
        "bad-sides",
        _doc(_ex(sides="both")),
        "exercises[0].sides: must be one of 'each', 'none', got \"both\"",
    ),
    (
        "missing-name",
        json.dumps({"exercises": [{"id": "a"}]}),
        "exercises[0]: missing the required key 'name'",
    ),
    (
        "nothing-in-it",
        json.dumps({"routines": []}),
        "$: the file holds no exercises and no routines; give at least one of them",
    ),
    (
        "missing-step-exercise",
        _doc(steps=[{"duration_s": 30}]),
        "routines[0].steps[0]: missing the required key 'exercise'",
    ),
    ("empty-steps", _doc(steps=[]), "routines[0].steps: must not be empty"),
    (
        "unknown-exercise",
        _doc(steps=[{"exercise": "glute-rol"}]),
        "routines[0].steps[0].exercise: unknown exercise 'glute-rol' (did you mean 'glute-roll'?)",
    ),
    (
        "duplicate-exercise-id",
        json.dumps({"exercises": [_ex(), _ex()]}),
        "exercises[1].id: duplicate id 'glute-roll' (also exercises[0])",
    ),
    (
        "duplicate-routine-id",
        json.dumps({**MINIMAL, "routines": MINIMAL["routines"] * 2}),
        "routines[1].id: duplicate id 'quick'",
    ),
    (
        "duplicate-key",
        '{"exercises": [{"id": "a", "name": "A", "name": "B"}]}',
        "the key 'name' appears twice",
    ),
    (
        "image-leaves-assets",
        _doc(_ex(image="../../etc/passwd")),
        "exercises[0].image: '../../etc/passwd' leaves assets/",
    ),
    ("image-absolute", _doc(_ex(image="/tmp/x.svg")), "'/tmp/x.svg' leaves assets/"),
    ("bad-id", _doc(_ex(id="Glute Roll")), "'Glute Roll' is not a valid id"),
    (
        "list-not-list",
        json.dumps({"exercises": {"id": "a"}}),
        "exercises: expected a list [...], got an object",
    ),
    (
        "deep-nesting",
        '{"exercises": ' + "[" * 200 + "]" * 200 + "}",
        "$: nested more than 32 levels deep",
    ),
    (
        "string-flag",
        _doc(_ex(avoid_in_flare="yes")),
        "exercises[0].avoid_in_flare: expected true or false",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_refused_with_a_clear_message(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    """Each malformed file yields a FILE:LINE:COL: PATH: message line naming the problem."""
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    problems = [str(p) for p in check_file(path, "bad.json")]
    assert problems, f"{name} was accepted"
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("bad.json") for p in problems)
    with pytest.raises(LibraryError):
        load_library(path)


def test_corpus_is_large_enough() -> None:
    """The issue asks for at least 20 malformed files."""
    assert len(MALFORMED) >= 20


def test_problem_points_at_line_and_column(tmp_path: Path) -> None:
    """An unknown step exercise is reported at the line and column of its value."""
    path = tmp_path / "my.json"
    path.write_text(_doc(steps=[{"exercise": "glute-roll"}, {"exercise": "glute-rol"}]))
    (problem,) = check_file(path, "my.json")
    lines = path.read_text().splitlines()
    assert problem.line is not None and problem.col is not None
    assert lines[problem.line - 1][problem.col - 1 :].startswith('"glute-rol"')
    assert str(problem).startswith(f"my.json:{problem.line}:{problem.col}: routines[0].steps[1]")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """Files over 1 MiB are refused before parsing."""
    path = tmp_path / "big.json"
    path.write_text('{"exercises": [' + " " * MAX_FILE_BYTES + "]}")
    (problem,) = check_file(path, "big.json")
    assert "the limit is 1 MiB" in problem.message


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A missing file says so rather than raising."""
    (problem,) = check_file(tmp_path / "nope.json", "nope.json")
    assert str(problem) == "nope.json: $: no such file"


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    """Three independent mistakes give three lines."""
    path = tmp_path / "bad.json"
    path.write_text(_doc(_ex(duration_s=0, sides="both"), steps=[{"exercise": "nope"}]))
    assert len(check_file(path)) == 3


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    """Only ids and names are required; the rest takes sensible defaults."""
    path = tmp_path / "min.json"
    path.write_text(json.dumps(MINIMAL))
    library = load_library(path)
    ex = library.exercises["glute-roll"]
    assert (ex.sides, ex.duration_s, ex.category, ex.sets) == (Sides.EACH, 120, Category.RELEASE, 1)
    assert library.routines["quick"].steps[0].duration_s == 90
    routine = library.routines["quick"]
    assert routine.switch_s is None  # the user's default, from the settings
    assert routine.pauses().switch_s == 10  # out of the box: getting off a roller takes time


def test_bundled_library_is_valid_and_complete(bundled_path: Path) -> None:
    """The bundled file validates and holds the exercises and routines the product promises."""
    assert check_file(bundled_path) == []
    library = load_library(bundled_path)
    assert set(library.routines) == {
        "sciatica-foam-roll",
        "low-back-indirect-release",
        "compress-reactivate-stretch",
        "stretch-and-strengthen",
        "gentle-flare-up",
    }
    assert len(library.exercises) >= 21
    for ex in library.exercises.values():
        assert 3 <= len(ex.instructions) <= 6, ex.id
        assert ex.cautions, ex.id
        assert ex.image and (bundled_path.parent / "assets" / ex.image).is_file(), ex.id
        if ex.category is Category.RELEASE:
            assert any("15-30 seconds" in step for step in ex.instructions), ex.id
    assert library.exercises["hamstring-roll"].avoid_in_flare
    assert library.exercises["figure-4-glute-roll"].duration_s == 120


def test_gentle_routine_avoids_flare_exercises(bundled_path: Path) -> None:
    """The flare-up routine holds nothing marked avoid_in_flare."""
    library = load_library(bundled_path)
    steps = library.routines["gentle-flare-up"].steps
    assert not any(library.exercises[s.exercise].avoid_in_flare for s in steps)


def test_no_exercise_rolls_the_lumbar_spine(bundled_path: Path) -> None:
    """No roller, stick or ball work targets the lower back directly."""
    library = load_library(bundled_path)
    for ex in library.exercises.values():
        if ex.category is not Category.RELEASE:
            continue
        assert not any("lumbar" in t.lower() or t.lower() == "lower back" for t in ex.targets), (
            ex.id
        )


def test_without_drops_exercises_from_routines(bundled_path: Path) -> None:
    """Leaving exercises out removes their steps and any routine left empty."""
    library = load_library(bundled_path)
    trimmed = library.without(["hamstring-roll"])
    for routine in trimmed.routines.values():
        assert all(s.exercise != "hamstring-roll" for s in routine.steps)


def test_side_words_must_name_the_side(tmp_path: Path) -> None:
    """side_words without {side}, or with an unknown placeholder, is refused with a hint."""
    doc = json.loads(json.dumps(MINIMAL))
    doc["exercises"][0]["side_words"] = "{left} hip working"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    problems = [str(p) for p in check_file(path)]
    assert any("side_words" in p and "{side}" in p for p in problems), problems
