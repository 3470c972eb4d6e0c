"""The checks written in code, on their own: what a file the cache vouches for still gets.

The schema's wording is pinned through ``check_file`` in test_library.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from sciatica_timer.storage.library_checks import schema_path, semantic_problems

ROOT = Path(__file__).resolve().parents[3]


def test_the_schema_is_the_published_one() -> None:
    """``schema_path`` is ``sciatica_timer/exercises.schema.json``, one level above storage/."""
    assert schema_path() == ROOT / "sciatica_timer" / "exercises.schema.json"
    assert schema_path().is_file()


def test_semantic_checks_ignore_what_only_the_schema_sees() -> None:
    """Duplicate ids and unknown step exercises are found at their place; an unknown key is
    left to the schema."""
    doc = {
        "exercises": [{"id": "glute-roll", "name": "G"}, {"id": "glute-roll", "name": "H"}],
        "routines": [{"id": "q", "name": "Q", "steps": [{"exercise": "glute-rol"}], "x": 5}],
    }
    problems = semantic_problems(json.dumps(doc, indent=1), doc, "x.json")
    assert [str(p) for p in problems] == [
        "x.json:8:10: exercises[1].id: duplicate id 'glute-roll' (also exercises[0])",
        "x.json:18:18: routines[0].steps[0].exercise: unknown exercise 'glute-rol'"
        " (did you mean 'glute-roll'?)",
    ]


def test_semantic_checks_of_a_sound_file_import_neither_helper() -> None:
    """A file with no such problem loads neither jsonschema nor json_source_map."""
    code = textwrap.dedent(
        """
        import json, sys
        from sciatica_timer.storage.library_checks import semantic_problems
        doc = {"exercises": [{"id": "a", "name": "A"}],
               "routines": [{"id": "q", "name": "Q", "steps": [{"exercise": "a"}]}]}
        assert semantic_problems(json.dumps(doc), doc, "x.json") == []
        print([m for m in ("jsonschema", "json_source_map") if m in sys.modules])
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
