"""The strict JSON reader on its own: any JSON document, nothing about exercises.

The ways a library file can be refused are pinned through ``check_file`` and the command
line in test_library.py and test_hostile_library.py; these tests show the reader's seam.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sciatica_timer.storage.problems import LibraryError, Problem
from sciatica_timer.storage.strict_json import MAX_DEPTH, decode, read_document


def test_any_json_value_is_read_with_its_text() -> None:
    """A list is as good as an object here, and a byte-order mark is dropped from the text."""
    assert decode(b'\xef\xbb\xbf[1, "two"]', "x.json") == ('[1, "two"]', [1, "two"], [])


def test_a_duplicate_key_is_a_problem_not_a_refusal() -> None:
    """The document is still read (the last value wins); the caller decides what to do."""
    _, value, problems = decode(b'{"a": 1, "a": 2}', "x.json")
    assert value == {"a": 2}
    assert problems == [
        Problem("x.json", "$", "the key 'a' appears twice in one object; keep only one")
    ]


def test_an_unusable_value_is_refused_at_its_path_line_and_column() -> None:
    """NaN in any document is named where it stands."""
    with pytest.raises(LibraryError) as raised:
        decode(b'{"speed": [1,\n  NaN]}', "x.json")
    assert str(raised.value) == (
        "x.json:2:3: speed[1]: NaN is not a number JSON allows; write a plain number"
    )


def test_nesting_stops_at_the_limit() -> None:
    """MAX_DEPTH levels are read; one more is refused where it opens."""
    decode(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, "x.json")
    with pytest.raises(LibraryError) as raised:
        decode(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "x.json")
    assert str(raised.value) == f"x.json:1:{MAX_DEPTH + 1}: $: nested more than 32 levels deep"


def test_a_file_is_named_as_shown(tmp_path: Path) -> None:
    """``display`` names the file in every problem; without it, the path does."""
    path = tmp_path / "settings.json"
    path.write_text('{"volume": 3}', encoding="utf-8")
    assert read_document(path) == ('{"volume": 3}', {"volume": 3}, [])
    with pytest.raises(LibraryError) as raised:
        read_document(tmp_path / "gone.json", "gone.json")
    assert str(raised.value) == "gone.json: $: no such file"
    with pytest.raises(LibraryError) as raised:
        read_document(tmp_path / "gone.json")
    assert str(raised.value) == f"{tmp_path / 'gone.json'}: $: no such file"
