"""Hostile exercise files: devices, pipes, huge numbers, NaN, lone surrogates and fuzzing.

The loader and the command line must refuse each with a ``FILE:LINE:COL: PATH: message``
line and exit 2: never hang, never run out of memory, never print a traceback. The command
line runs for real in a subprocess, each run with a timeout so a hang fails the test.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_timer.core.models import Library
from sciatica_timer.storage.library_cache import VerifiedCache
from sciatica_timer.storage.library_checks import check_file
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.problems import LibraryError, Problem
from sciatica_timer.storage.strict_json import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[3]
POSIX = pytest.mark.skipif(os.name != "posix", reason="devices, pipes and byte file names")


def cli(
    *args: str, timeout: float = 30, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``sciatica-timer`` in a subprocess; a run longer than ``timeout`` fails."""
    return subprocess.run(
        [sys.executable, "-m", "sciatica_timer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        errors="backslashreplace",  # whatever bytes it prints, the test can read them
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def strict_stdout() -> dict[str, str]:
    """An environment whose standard output refuses what UTF-8 cannot encode, whatever the
    locale (a C locale would let some lone surrogates through as raw bytes)."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def doc(exercise: str = '"name": "Glute roll"', routine_name: str = '"Quick"') -> str:
    """A library written by hand, so any token can be dropped into it as written."""
    return (
        '{"exercises": [{"id": "glute-roll", ' + exercise + "}],\n"
        ' "routines": [{"id": "quick", "name": ' + routine_name + ","
        ' "steps": [{"exercise": "glute-roll"}]}]}'
    )


VALID = doc()


# --- files that are not files ---------------------------------------------------------


@POSIX
@pytest.mark.parametrize(
    "args",
    [["--check", "/dev/zero"], ["--exercises", "/dev/zero", "--list"]],
    ids=["check", "list"],
)
def test_a_device_is_refused_without_reading_it(tmp_path: Path, args: list[str]) -> None:
    """/dev/zero reports size 0 and never ends: it is refused as not a regular file, at once,
    instead of being read until memory runs out."""
    proc = cli(*args, "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 2, proc.stderr
    said = (proc.stdout + proc.stderr).strip()
    assert said == (
        "/dev/zero: $: not a regular file (a device); give the path of a saved .json file"
    )


@POSIX
@pytest.mark.parametrize("check", [True, False], ids=["check", "list"])
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path, check: bool) -> None:
    """A FIFO nobody writes to would block ``open`` forever: it exits 2 with one line."""
    fifo = tmp_path / "exercises.json"
    os.mkfifo(fifo)
    args = ["--check", str(fifo)] if check else ["--exercises", str(fifo), "--list"]
    proc = cli(*args, "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 2
    assert (proc.stdout if check else proc.stderr) == (
        f"{fifo}: $: not a regular file (a named pipe); give the path of a saved .json file\n"
    )
    assert "Traceback" not in proc.stderr


@POSIX
def test_a_pipe_swapped_in_after_the_type_check_cannot_hang(tmp_path: Path) -> None:
    """Were a FIFO put in place between the ``stat`` and the ``open``, opening it without
    O_NONBLOCK would wait for a writer forever: here ``stat`` is made to say "regular file"
    for a FIFO, and the file is still refused at once (checked again on the open file)."""
    fifo, regular = tmp_path / "pipe.json", write(tmp_path / "real.json", VALID)
    os.mkfifo(fifo)
    code = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from sciatica_timer.storage.library_checks import check_file
        fifo, regular = sys.argv[1:]
        real_stat = os.stat
        def stat(path, *args, **kwargs):
            if os.fspath(path) == fifo:
                return real_stat(regular)
            return real_stat(path, *args, **kwargs)
        os.stat = stat
        print(*check_file(Path(fifo)), sep="\\n")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fifo), str(regular)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        f"{fifo}: $: not a regular file (a named pipe); give the path of a saved .json file\n"
    )


def test_the_size_limit_holds_whatever_stat_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that ``stat`` calls empty (as /proc files and devices are) is still read no
    further than the limit and refused as too big."""
    big = write(tmp_path / "big.json", '{"exercises": [' + " " * MAX_FILE_BYTES + "]}")
    real_stat = os.stat

    def lying_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        info = real_stat(path, *args, **kwargs)
        if os.fspath(path) != str(big):
            return info
        fields = list(info)
        fields[stat.ST_SIZE] = 0
        return os.stat_result(fields)

    monkeypatch.setattr(os, "stat", lying_stat)
    (problem,) = check_file(big, "big.json")
    assert str(problem) == (
        f"big.json: $: the file is over 1 MiB; the limit is 1 MiB ({MAX_FILE_BYTES:,})"
    )


def test_a_folder_is_still_named_a_folder(tmp_path: Path) -> None:
    """A folder keeps its own plain message (it is not a regular file either)."""
    (problem,) = check_file(tmp_path, "dir")
    assert str(problem) == "dir: $: this is a folder, not a file"


# --- numbers --------------------------------------------------------------------------


def test_a_number_too_long_for_python_exits_2_at_its_place(tmp_path: Path) -> None:
    """A whole number of 5,000 digits made ``int`` raise ValueError (exit 1, a traceback);
    now it is one line naming the field, line and column, and exit 2."""
    path = write(tmp_path / "big.json", doc('"name": "A",\n "duration_s": ' + "9" * 5000))
    proc = cli("--check", str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == (
        f"{path}:2:16: exercises[0].duration_s: a whole number of 5,000 digits is too long "
        "to read (at most 4,300); write a plain number\n"
    )
    assert proc.stderr == ""
    listed = cli("--exercises", str(path), "--list", "--data-dir", str(tmp_path / "data"))
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert "exercises[0].duration_s: a whole number of 5,000 digits" in listed.stderr


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("-" + "9" * 4301, "a whole number of 4,301 digits is too long to read"),
        ("1e400", "the number 1e400 is too large to read; write a plain number"),
        ("-1E+999", "the number -1E+999 is too large to read"),
        ("9" * 400 + ".5", "the number 999999999999… (402 characters) is too large to read"),
    ],
    ids=["long-negative", "overflow", "negative-overflow", "long-decimal"],
)
def test_numbers_that_cannot_be_read_are_named(tmp_path: Path, token: str, message: str) -> None:
    """Numbers Python would refuse, or silently turn into infinity, are refused at their
    path (a float overflowing used to become 'the number inf')."""
    path = write(tmp_path / "n.json", doc('"name": "A", "sets": ' + token))
    (problem,) = check_file(path, "n.json")
    assert str(problem).startswith("n.json:1:58: exercises[0].sets: " + message), problem
    with pytest.raises(LibraryError):
        load_library(path)


def test_a_long_number_inside_the_limit_is_shortened_in_messages(tmp_path: Path) -> None:
    """A 4,000-digit number Python can read is out of range, said in one short line."""
    path = write(tmp_path / "n.json", doc('"name": "A", "duration_s": ' + "7" * 4000))
    (problem,) = check_file(path, "n.json")
    assert str(problem) == (
        "n.json:1:64: exercises[0].duration_s: must be between 1 and 3600 seconds, "
        "got 77777777… (4,000 digits)"
    )


@pytest.mark.parametrize(
    ("exercise", "expected"),
    [
        ('"name": "A", "duration_s": NaN', ["1:64: exercises[0].duration_s: NaN"]),
        ('"name": "A", "sets": Infinity', ["1:58: exercises[0].sets: Infinity"]),
        (
            '"name": "A",\r\n "duration_s": -Infinity, "rep_s": NaN',
            ["2:16: exercises[0].duration_s: -Infinity", "2:36: exercises[0].rep_s: NaN"],
        ),
        (
            '"name": "A", "duration_s": NaN, "duration_s": 3',
            ["1:64: exercises[0].duration_s: NaN"],
        ),
    ],
    ids=["nan", "infinity", "two-with-crlf", "overwritten-by-a-duplicate"],
)
def test_nan_and_infinity_name_their_field(
    tmp_path: Path, exercise: str, expected: list[str]
) -> None:
    """Each bare NaN/Infinity is reported at its own path, line and column, not at '$'
    (CRLF line ends count as one line; a value a duplicate key overwrote is still named)."""
    path = write(tmp_path / "c.json", doc(exercise))
    problems = [str(p) for p in check_file(path, "c.json")]
    assert problems[: len(expected)] == [
        f"c.json:{where} is not a number JSON allows; write a plain number" for where in expected
    ]
    with pytest.raises(LibraryError):
        load_library(path)


def test_nan_in_a_steps_list_is_named(tmp_path: Path) -> None:
    """A constant deep in a list gets the list index in its path."""
    text = VALID.replace('{"exercise": "glute-roll"}', '{"exercise": "glute-roll"}, [NaN]')
    path = write(tmp_path / "c.json", text)
    (problem,) = check_file(path, "c.json")
    assert str(problem).startswith("c.json:2:87: routines[0].steps[1][0]: NaN is not")


# --- text that is not text ------------------------------------------------------------

SURROGATE_CASES = [
    (doc('"name": "Roll \\udc00"'), "1:45: exercises[0].name: contains", "\\udc00"),
    (doc('"name": "A"').replace('"glute-roll"', '"\\ud800"'), "1:23: exercises[0].id", "\\ud800"),
    (
        doc('"name": "A", "instructions": ["Lie down.", "Roll \\udfff slowly."]'),
        "1:80: exercises[0].instructions[1]: contains",
        "\\udfff",
    ),
    (doc(routine_name='"Quick \\udbff"'), "2:39: routines[0].name: contains", "\\udbff"),
    (
        doc('"name": "A", "na\\udc00me": "B"'),
        "1:50: exercises[0]: the key 'na\\udc00me' contains",
        "\\udc00",
    ),
    (doc('"name": "\\ud800\\ud800\\udc00"'), "1:45: exercises[0].name: contains", "\\ud800"),
    (doc('"name": "\\udc00\\ud800"'), "1:45: exercises[0].name: contains", "\\udc00"),
]


@pytest.mark.parametrize(
    ("text", "where", "shown"),
    SURROGATE_CASES,
    ids=["name", "id", "instruction", "routine-name", "key", "high-before-pair", "reversed"],
)
def test_a_lone_surrogate_is_refused_where_it_stands(
    tmp_path: Path, text: str, where: str, shown: str
) -> None:
    """A \\uD800-\\uDFFF escape with no partner is valid JSON but cannot be encoded (the
    journal raised UnicodeEncodeError on it): it is refused, naming the field, with the
    character written out as an escape so the message itself can be printed."""
    path = write(tmp_path / "s.json", text)
    problems = [str(p) for p in check_file(path, "s.json")]
    assert problems[0].startswith(f"s.json:{where}"), problems
    assert problems[0].endswith(
        f"an invalid character (a lone surrogate {shown}); save the file as UTF-8 text"
    )
    for problem in problems:
        problem.encode("utf-8")  # printable as it stands
    with pytest.raises(LibraryError):
        load_library(path)


def test_every_lone_surrogate_is_reported(tmp_path: Path) -> None:
    """Lone surrogates in several strings (and keys) each get their own line."""
    text = doc('"name": "\\udc01", "\\udc02": 1', routine_name='"\\udc03"')
    problems = check_file(write(tmp_path / "s.json", text), "s.json")
    assert [p.path for p in problems] == ["exercises[0].name", "exercises[0]", "routines[0].name"]


@pytest.mark.parametrize(
    "name",
    ["\\ud83d\\ude00 roll", "\\\\udc00 roll", "Caf\\u00e9 \\\\\\ud83d\\ude00"],
    ids=["escaped-pair", "escaped-backslash", "backslash-then-pair"],
)
def test_surrogate_pairs_and_escaped_backslashes_are_fine(tmp_path: Path, name: str) -> None:
    """A proper surrogate pair is one character, and '\\\\udc00' is a backslash and text:
    neither is refused."""
    path = write(tmp_path / "ok.json", doc(f'"name": "{name}"'))
    assert check_file(path) == []
    library = load_library(path)
    library.exercises["glute-roll"].name.encode("utf-8")


def test_check_of_a_lone_surrogate_id_prints_it_escaped(tmp_path: Path) -> None:
    """--check used to die printing its own message (UnicodeEncodeError on stdout)."""
    path = write(tmp_path / "s.json", '{"exercises": [{"id": "\\udc00", "name": "Roll"}]}')
    proc = cli("--check", str(path), env=strict_stdout())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == (
        f"{path}:1:23: exercises[0].id: contains an invalid character (a lone surrogate "
        "\\udc00); save the file as UTF-8 text\n"
    )


def test_plan_of_a_routine_with_lone_surrogates_exits_2(tmp_path: Path) -> None:
    """--plan of a routine whose names hold lone surrogates exits 2 with the problems,
    instead of a traceback while printing the timetable."""
    path = write(tmp_path / "s.json", doc('"name": "Roll \\udc00"', '"Quick \\ud800"'))
    proc = cli(
        "--exercises",
        str(path),
        "--plan",
        "quick",
        "--data-dir",
        str(tmp_path / "data"),
        env=strict_stdout(),
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["exercises[0].name", "routines[0].name"]
    assert "Traceback" not in proc.stderr


@POSIX
def test_check_of_a_file_named_in_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """A valid file whose name is not UTF-8 (the name reaches Python with a lone surrogate)
    prints 'OK' with the odd byte escaped, rather than a traceback."""
    path = write(tmp_path / "caf\udcff.json", VALID)
    proc = cli("--check", str(path), env=strict_stdout())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        f"{tmp_path}/caf\\udcff.json: OK (checked against the 21 bundled exercises)\n"
    )


# --- other damage ---------------------------------------------------------------------


def test_a_bad_byte_after_a_bom_is_found_where_it_is(tmp_path: Path) -> None:
    """The byte-order mark is not counted: the bad byte and its column are the right ones
    (they were taken 3 bytes too early, naming ':' instead of the Latin-1 'é')."""
    path = write(tmp_path / "b.json", b'\xef\xbb\xbf{"a": "caf\xe9"}')
    (problem,) = check_file(path, "b.json")
    assert str(problem) == ("b.json:1:11: $: not UTF-8 text (byte 0xe9); save the file as UTF-8")


def test_schema_problems_stop_at_a_hundred(tmp_path: Path) -> None:
    """A list of 5,000 numbers where exercises go lists the first 100 and says there are
    more (a 1 MiB file of them kept half a million errors: gigabytes and half a minute)."""
    path = write(tmp_path / "ints.json", '{"exercises": [' + ", ".join(["1"] * 5000) + "]}")
    problems = [str(p) for p in check_file(path, "ints.json")]
    assert len(problems) == 101
    assert problems[0] == "ints.json:1:16: exercises[0]: expected an object {...}, got the number 1"
    assert [p.split(": ")[1] for p in problems[:100]] == [f"exercises[{i}]" for i in range(100)]
    assert problems[-1] == "ints.json: $: more than 100 problems; fix these and check again"
    with pytest.raises(LibraryError) as raised:
        load_library(path)
    assert len(raised.value.problems) == 101


def test_many_unknown_step_exercises_in_a_big_file_are_quick(tmp_path: Path) -> None:
    """15,000 exercises and 6,000 steps naming none of them: every step is reported, quickly
    ('did you mean' compared each step with every id: over a minute)."""
    exercises = [{"id": f"e{i}", "name": "E"} for i in range(15000)]
    routines = [
        {"id": f"r{j}", "name": "R", "steps": [{"exercise": f"e{j}-{k}"} for k in range(20)]}
        for j in range(300)
    ]
    text = json.dumps({"exercises": exercises, "routines": routines}, separators=(",", ":"))
    path = write(tmp_path / "many.json", text)
    proc = cli("--check", str(path), timeout=30)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 6000
    assert all("unknown exercise" in line for line in lines)
    assert "did you mean" in lines[0]


# --- fuzzing --------------------------------------------------------------------------

FUZZ = settings(
    deadline=None,
    database=None,  # nothing written outside tmp_path
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one tmp_path, the same file rewritten
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1E-400",
    "9" * 4301,
    "-" + "9" * 5000,
    "1" + "0" * 4299,
    "9" * 400 + ".5",
    "0",
    "-1",
    "1",
    "30",
    "3600",
    "3601",
    "12.5",
    "1e2",
    "2.0",
    "-0",
]
STRINGS = [
    '"\\udc00"',
    '"Roll \\ud800"',
    '"\\ud83d\\ude00"',
    '"\\ud800\\ud800\\udc00"',
    '"\\\\udc00"',
    '""',
    '"glute-roll"',
    '"quick"',
    '"Glute roll"',
    '"each"',
    '"none"',
    '"release"',
    '"{side} hip"',
    '"../x.svg"',
]
SURROGATES = [chr(c) for c in range(0xD800, 0xE000, 97)]
KEYS = [
    "id",
    "name",
    "exercises",
    "routines",
    "steps",
    "exercise",
    "duration_s",
    "sets",
    "reps",
    "rep_s",
    "sides",
    "category",
    "instructions",
    "image",
    "side_words",
    "rest_s",
    "$schema",
]

plain_text = st.text(st.characters(codec="utf-8"), max_size=12)
odd_text = st.tuples(plain_text, st.sampled_from(SURROGATES), plain_text).map("".join)
text_values = st.one_of(
    plain_text.map(json.dumps),
    plain_text.map(lambda t: json.dumps(t, ensure_ascii=False)),
    odd_text.map(json.dumps),  # the surrogate as an escape: valid JSON
)
scalars = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(STRINGS),
    st.sampled_from(["true", "false", "null"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr).map(lambda r: {"nan": "NaN", "inf": "Infinity"}.get(r, r)),
    text_values,
)
keys = st.sampled_from(KEYS).map(json.dumps) | st.sampled_from(STRINGS) | text_values


def _obj(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def _nest(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, inner), max_size=4).map(_obj),
    ),
    max_leaves=8,
)
TAME_NUMBERS = ["0", "-1", "1", "2", "30", "3600", "3601", "12.5", "1e2", "2.0", "-0"]
TAME_STRINGS = [s for s in STRINGS if "\\u" not in s]
# Values that parse: wrong types and ranges, unknown and repeated keys reach the schema,
# the checks in code and the building of the models.
tame_values = st.recursive(
    st.one_of(
        st.sampled_from(TAME_NUMBERS + TAME_STRINGS + ["true", "false", "null"]),
        plain_text.map(json.dumps),
    ),
    lambda inner: st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    max_leaves=4,
)


def library_texts(
    values: st.SearchStrategy[str], strings: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Text shaped like a library: the library's own keys (repeated at times) and other
    ``strings``, with ``values`` where a value goes."""
    fields = st.lists(
        st.tuples(st.sampled_from(KEYS).map(json.dumps) | strings, values), max_size=4
    )
    exercise = st.tuples(strings, strings, fields).map(
        lambda t: _obj([('"id"', t[0]), ('"name"', t[1]), *t[2]])
    )
    step = st.tuples(strings, fields).map(lambda t: _obj([('"exercise"', t[0]), *t[1]]))
    routine = st.tuples(strings, st.lists(step | values, max_size=2), fields).map(
        lambda t: _obj([('"id"', t[0]), ('"name"', '"R"'), ('"steps"', _list(t[1])), *t[2]])
    )
    return st.tuples(st.lists(exercise, max_size=3), st.lists(routine, max_size=2), fields).map(
        lambda t: _obj([('"exercises"', _list(t[0])), ('"routines"', _list(t[1])), *t[2]])
    )


def _list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


library_text = library_texts(json_values, keys)
tame_library_text = library_texts(
    tame_values, st.sampled_from(TAME_STRINGS) | plain_text.map(json.dumps)
)

# Valid libraries, from which truncated and damaged copies are made.
exercise_ids = st.sampled_from(["glute-roll", "it-band", "bridge", "a", "z9"])
valid_exercise = st.fixed_dictionaries(
    {"id": exercise_ids, "name": st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)},
    optional={
        "sides": st.sampled_from(["each", "none"]),
        "duration_s": st.integers(1, 3600),
        "sets": st.integers(1, 4),
        "reps": st.integers(1, 10),
        "category": st.sampled_from(["release", "stretch", "reactivation"]),
        "instructions": st.lists(st.text(min_size=1, max_size=30), max_size=3),
        "side_words": st.just("{side} hip working, lying on your {other} side"),
    },
)
valid_library = st.lists(valid_exercise, min_size=1, max_size=4, unique_by=lambda e: e["id"]).map(
    lambda exercises: {
        "exercises": exercises,
        "routines": [
            {
                "id": "quick",
                "name": "Quick",
                "prepare_s": 1,
                "steps": [{"exercise": e["id"]} for e in exercises],
            }
        ],
    }
)
valid_text = st.tuples(valid_library, st.sampled_from([None, 0, 2]), st.booleans()).map(
    lambda t: json.dumps(t[0], indent=t[1], ensure_ascii=t[2])
)


def _encode(text: str, bom: int, crlf: bool) -> bytes:
    """The text as a file: UTF-8 (a lone surrogate as the bytes UTF-8 forbids), maybe with
    one or two byte-order marks and Windows line ends."""
    if crlf:
        text = text.replace("\n", "\r\n")
    return b"\xef\xbb\xbf" * bom + text.encode("utf-8", "surrogatepass")


# Nesting around the limit (32), around a whole document or one value.
deep_text = st.tuples(st.integers(25, 40), library_text | json_values).map(lambda t: _nest(*t))
hostile_text = st.tuples(
    st.one_of(library_text, tame_library_text, json_values, valid_text, deep_text),
    st.sampled_from([0, 0, 0, 1, 2]),
    st.booleans(),
).map(lambda t: _encode(*t))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A valid library cut short, or with some bytes overwritten, inserted or removed."""
    raw = _encode(draw(valid_text), draw(st.sampled_from([0, 0, 1])), draw(st.booleans()))
    if draw(st.booleans()):
        return raw[: draw(st.integers(0, len(raw)))]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        junk = draw(
            st.binary(max_size=3)
            | st.sampled_from([b"NaN", b"\\udc00", b"\xed\xa0\x80", b"9" * 4400])
        )
        raw = raw[:at] + junk + raw[at + draw(st.integers(0, 3)) :]
    return raw


def assert_survives(path: Path, tmp_path: Path) -> None:
    """check_file returns printable problems and never raises; load_library raises only
    LibraryError, exactly when check_file found problems (with or without the cache of
    files that passed before)."""
    problems = check_file(path, "f.json")
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert str(problem).startswith("f.json")
        str(problem).encode("utf-8")
    cache = VerifiedCache(tmp_path / "verified.json")  # checks in full, then vouches
    for verified in (None, cache, cache):
        try:
            library = load_library(path, "f.json", verified=verified)
        except LibraryError as exc:
            assert exc.problems, "a LibraryError says why"
            assert problems, "load_library refused a file check_file passed"
        else:
            assert isinstance(library, Library)
            assert not problems, "load_library accepted a file check_file refused"
            for exercise in library.exercises.values():
                exercise.name.encode("utf-8")  # the journal can store what it is given


@settings(FUZZ, max_examples=1800)
@given(raw=hostile_text)
def test_fuzz_hostile_documents(tmp_path: Path, raw: bytes) -> None:
    """Deep nesting, huge numbers, NaN/Infinity, lone surrogates, BOMs, CRLF and repeated
    keys, in and out of the library's shape: never an exception."""
    assert_survives(write(tmp_path / "fuzz.json", raw), tmp_path)


@settings(FUZZ, max_examples=1500)
@given(raw=damaged())
def test_fuzz_damaged_valid_documents(tmp_path: Path, raw: bytes) -> None:
    """Valid libraries cut short or with bytes changed (NaN, a lone surrogate escaped or as
    raw bytes, a huge number put in): never an exception."""
    assert_survives(write(tmp_path / "fuzz.json", raw), tmp_path)


@settings(FUZZ, max_examples=1700)
@given(raw=st.binary(max_size=400) | st.binary(max_size=8).map(lambda b: b"\xef\xbb\xbf" + b))
def test_fuzz_random_bytes(tmp_path: Path, raw: bytes) -> None:
    """Any bytes at all: never an exception."""
    assert_survives(write(tmp_path / "fuzz.json", raw), tmp_path)


@settings(FUZZ, max_examples=60)
@given(
    raw=hostile_text | damaged() | valid_text.map(str.encode),
    command=st.sampled_from(["check", "list", "plan"]),
)
def test_fuzz_the_command_line(tmp_path: Path, raw: bytes, command: str) -> None:
    """The real CLI on hostile files: exit 0 or 2 within 5 seconds, never a traceback."""
    path = write(tmp_path / "fuzz.json", raw)
    args = {
        "check": ["--check", str(path)],
        "list": ["--exercises", str(path), "--list"],
        "plan": ["--exercises", str(path), "--plan", "quick"],
    }[command]
    proc = cli(*args, "--data-dir", str(tmp_path / "data"), timeout=5, env=strict_stdout())
    assert proc.returncode in (0, 2), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
