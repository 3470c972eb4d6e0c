"""How a problem with a file is written: one ``FILE:LINE:COL: PATH: message`` line."""

from __future__ import annotations

from sciatica_timer.storage.problems import LibraryError, Problem, path_text


def test_problem_lines_escape_lone_surrogates() -> None:
    """Whatever a problem holds, its line can be printed and saved as UTF-8."""
    line = str(Problem("caf\udcff.json", "exercises[0].x\udc00", "no such file", 1, 2))
    assert line == "caf\\udcff.json:1:2: exercises[0].x\\udc00: no such file"
    line.encode("utf-8")


def test_a_problem_without_a_place_names_only_the_file() -> None:
    """No line means no column either: ``FILE: PATH: message``."""
    assert str(Problem("a.json", "$", "the file is empty")) == "a.json: $: the file is empty"
    assert str(Problem("a.json", "$", "x", None, 7)) == "a.json: $: x"
    assert str(Problem("a.json", "$", "x", 3)) == "a.json:3: $: x"


def test_paths_are_written_with_dots_and_indexes() -> None:
    """Keys join with dots, list positions go in brackets, and the whole document is ``$``."""
    assert path_text(["routines", 0, "steps", 2, "exercise"]) == "routines[0].steps[2].exercise"
    assert path_text([3, "id"]) == "[3].id"
    assert path_text([]) == "$"


def test_a_library_error_prints_every_problem_on_its_own_line() -> None:
    """``str(LibraryError)`` is each problem's line, in order."""
    error = LibraryError([Problem("a.json", "$", "one", 1, 1), Problem("a.json", "id", "two")])
    assert str(error) == "a.json:1:1: $: one\na.json: id: two"
