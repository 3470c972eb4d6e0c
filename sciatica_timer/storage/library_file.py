"""The exercises.json format: typed models, loading, and problems people can act on.

Structure is checked by the published JSON Schema (``exercises.schema.json``) through
``jsonschema``; positions come from ``json_source_map``. This module only turns their
findings into one plain line per problem, and adds the checks a schema cannot express
(unique ids, steps naming known exercises, images staying inside ``assets/``).

Given a ``VerifiedCache``, ``load_library`` skips the schema for a file whose exact bytes
passed before under the same schema and app version (``content_key``), so an ordinary
start never imports ``jsonschema``. A file with problems always gets the full check.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import itertools
import json
import logging
import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sciatica_timer import __version__
from sciatica_timer.core.models import (
    DEFAULT_DURATION_S,
    DEFAULT_PREPARE_S,
    DEFAULT_REP_S,
    DEFAULT_REST_S,
    DEFAULT_SWITCH_S,
    Category,
    Exercise,
    Library,
    Routine,
    Sides,
    Step,
)

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from sciatica_timer.storage.library_cache import VerifiedCache

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 4300
"""Longer whole numbers are refused: Python will not read them (``int_max_str_digits``)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, printed as ``FILE:LINE:COL: PATH: message``."""

    file: str
    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return _printable(f"{where}: {self.path}: {self.message}")


def _printable(text: str) -> str:
    """The text with any lone surrogate written as ``\\udc00``: it can always be printed
    or saved as UTF-8 (a file name from the command line may hold one, too)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class LibraryError(Exception):
    """The file could not be used; ``problems`` says every reason."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def schema_path() -> Path:
    return Path(__file__).resolve().parents[1] / "exercises.schema.json"


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


# --- reading the text -------------------------------------------------------------


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


class _Lines:
    """Line and column of offsets asked for in increasing order, each found in one pass."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offset = 0
        self._line = 1
        self._line_start = 0

    def at(self, offset: int) -> tuple[int, int]:
        newlines = self._text.count("\n", self._offset, offset)
        if newlines:
            self._line += newlines
            self._line_start = self._text.rfind("\n", self._offset, offset) + 1
        self._offset = offset
        return self._line, offset - self._line_start + 1


def _scan_outside_strings(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, char) for every character that is not inside a JSON string."""
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        else:
            yield i, ch


def _too_deep(text: str) -> int | None:
    """The offset where nesting first goes deeper than MAX_DEPTH, if it does."""
    depth = 0
    for i, ch in _scan_outside_strings(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth -= 1
    return None


# One token of a JSON text that parsed: a string, a punctuation mark, or a bare word
# (a number, true/false/null, or the NaN/Infinity that Python reads but JSON does not allow).
_TOKEN = re.compile(
    r'[ \t\r\n]*("[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^ \t\r\n{}\[\]:,"]+)', re.DOTALL
)
# Where a string may hold a lone surrogate: it is written as an escape, \uD800 to \uDFFF
# (UTF-8 itself cannot carry one, so the decoder never makes one).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONSTANTS = ("NaN", "Infinity", "-Infinity")


def _max_digits() -> int:
    """The longest whole number read: Python refuses longer ones (and is slow with them)."""
    limit = sys.get_int_max_str_digits()
    return MAX_NUMBER_DIGITS if limit == 0 else min(limit, MAX_NUMBER_DIGITS)


def _scalar_tokens(text: str) -> Iterator[tuple[list[str | int], bool, str, int]]:
    """Every key and every value that is not a list or object, in the order they are written:
    (JSON path, is it a key, its token, its offset). A key's path is its object's.

    Only for a text ``json.loads`` accepted: the tokens are then exactly JSON's.
    """
    path: list[str | int] = []
    in_object: list[bool] = []
    want_key = False
    for match in _TOKEN.finditer(text):
        token, offset = match.group(1), match.start(1)
        if token == "{":
            in_object.append(True)
            path.append("")
            want_key = True
        elif token == "[":
            in_object.append(False)
            path.append(0)
            want_key = False
        elif token in ("}", "]"):
            in_object.pop()
            path.pop()
            want_key = False
        elif token == ":":
            want_key = False
        elif token == ",":
            last = path[-1]
            if isinstance(last, int) and not in_object[-1]:
                path[-1] = last + 1
            else:
                want_key = True
        elif want_key:
            path[-1] = json.loads(token)
            yield path[:-1], True, token, offset
        else:
            yield path, False, token, offset


def _token_message(token: str, is_key: bool) -> str | None:
    """Why this token cannot be used, or None when it can."""
    if token.startswith('"'):
        if "\\u" not in token:
            return None
        text = json.loads(token)
        lone = _LONE_SURROGATE.search(text)
        if lone is None:
            return None
        what = f"the key '{_printable(text)}' contains" if is_key else "contains"
        return (
            f"{what} an invalid character (a lone surrogate \\u{ord(lone.group()):04x}); "
            "save the file as UTF-8 text"
        )
    if token in _CONSTANTS:
        return f"{token} is not a number JSON allows; write a plain number"
    if token[0] not in "-0123456789":
        return None
    if not any(c in token for c in ".eE"):
        digits = len(token) - token.startswith("-")
        if digits > _max_digits():
            return (
                f"a whole number of {digits:,} digits is too long to read "
                f"(at most {_max_digits():,}); write a plain number"
            )
        return None
    if math.isfinite(float(token)):
        return None
    shown = token if len(token) <= 24 else f"{token[:12]}… ({len(token):,} characters)"
    return f"the number {shown} is too large to read; write a plain number"


def _token_problems(text: str, file: str) -> list[Problem]:
    """A problem for each string holding a lone surrogate and each number that cannot be used,
    at its path, line and column."""
    problems = []
    lines = _Lines(text)
    for parts, is_key, token, offset in _scalar_tokens(text):
        message = _token_message(token, is_key)
        if message is not None:
            line, col = lines.at(offset)
            problems.append(Problem(file, _path_text(parts), message, line, col))
    return problems


def _parse(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse JSON strictly; return the value and any duplicate-key problems.

    Raises LibraryError for text that is not JSON, and for JSON whose values cannot be used:
    NaN and Infinity, numbers too long or too large to read, and text holding a lone
    surrogate (it cannot be shown, spoken or saved in the journal).
    """
    duplicates: list[str] = []
    unusable = False
    max_digits = _max_digits()

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    def constant(name: str) -> None:
        nonlocal unusable
        unusable = True

    def integer(digits: str) -> int:
        nonlocal unusable
        if len(digits) - digits.startswith("-") > max_digits:
            unusable = True
            return 0
        return int(digits)

    def number(digits: str) -> float:
        nonlocal unusable
        value = float(digits)
        unusable = unusable or not math.isfinite(value)
        return value

    try:
        value = json.loads(
            text,
            parse_constant=constant,
            parse_int=integer,
            parse_float=number,
            object_pairs_hook=pairs_hook,
        )
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg}"
        if text[: exc.pos].rstrip().endswith(",") and text[exc.pos : exc.pos + 1] in "]}":
            message += " (remove the comma before it)"
        raise LibraryError([Problem(file, "$", message, exc.lineno, exc.colno)]) from None
    except RecursionError:
        raise LibraryError([Problem(file, "$", "nested far too deeply to read")]) from None
    problems = [
        Problem(file, "$", f"the key '{key}' appears twice in one object; keep only one")
        for key in dict.fromkeys(duplicates)
    ]
    if unusable or _SURROGATE_ESCAPE.search(text):
        unreadable = _token_problems(text, file)
        if unreadable:
            raise LibraryError(unreadable + problems)
    return value, problems


def read_document(path: Path, display: str | None = None) -> tuple[str, Any, list[Problem]]:
    """Read and parse a library file: (text, value, duplicate-key problems).

    Raises LibraryError for anything that stops the file being read at all.
    """
    file = display or str(path)
    return _decode(_read_bytes(path, file), file)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a pipe put there after the check cannot make it wait
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this type cannot be read as a library, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "this is a folder, not a file"
    if stat.S_ISFIFO(mode):
        kind = "a named pipe"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "a special file"
    return f"not a regular file ({kind}); give the path of a saved .json file"


def _read_bytes(path: Path, file: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_FILE_BYTES, whatever ``stat`` says."""

    def refuse(message: str) -> LibraryError:
        return LibraryError([Problem(file, "$", message)])

    def cannot(exc: OSError) -> LibraryError:
        if isinstance(exc, FileNotFoundError):
            return refuse("no such file")
        return refuse(f"cannot read the file: {exc.strerror or exc}")

    try:
        info = os.stat(path)
    except OSError as exc:
        raise cannot(exc) from None
    except ValueError:  # a NUL in the name
        raise refuse("cannot read the file: its name holds a NUL character") from None
    if (why := _not_regular(info.st_mode)) is not None:
        raise refuse(why)
    if info.st_size > MAX_FILE_BYTES:
        raise refuse(f"the file is {info.st_size:,} bytes; the limit is 1 MiB ({MAX_FILE_BYTES:,})")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise cannot(exc) from None
    try:
        if (why := _not_regular(os.fstat(fd).st_mode)) is not None:  # swapped since the stat
            raise refuse(why)
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise cannot(exc) from None
    finally:
        os.close(fd)
    if left <= 0:
        raise refuse(f"the file is over 1 MiB; the limit is 1 MiB ({MAX_FILE_BYTES:,})")
    return b"".join(chunks)


def _decode(raw: bytes, file: str) -> tuple[str, Any, list[Problem]]:
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:  # offsets in ``body``: after any byte-order mark
        before = body[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(before, len(before))
        bad = body[exc.start : exc.start + 1].hex()
        raise LibraryError(
            [
                Problem(
                    file, "$", f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8", line, col
                )
            ]
        ) from None
    if not text.strip():
        raise LibraryError([Problem(file, "$", "the file is empty")])
    if (offset := _too_deep(text)) is not None:
        line, col = _line_col(text, offset)
        raise LibraryError(
            [Problem(file, "$", f"nested more than {MAX_DEPTH} levels deep", line, col)]
        )
    value, problems = _parse(text, file)
    return text, value, problems


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


def _path_text(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def _suggest(word: str, choices: Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def _message(error: ValidationError) -> tuple[str, str | None]:
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
        message, key = _message(error)
        line, col = locator.at(error.path, key)
        problems.append(Problem(file, _path_text(error.path), message, line, col))
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


def _semantic_problems(value: dict[str, Any], file: str, locator: _Locator) -> list[Problem]:
    problems: list[Problem] = []

    def add(parts: list[str | int], message: str) -> None:
        line, col = locator.at(parts)
        problems.append(Problem(file, _path_text(parts), message, line, col))

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
            else:
                seen[ident] = i
        if kind == "exercises":
            known_ids = list(seen)
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
                add(["exercises", i, "image"], f"'{image}' leaves assets/; give a path inside it")
    known, hints = set(known_ids), 0
    for r, routine in enumerate(_list_at(value, "routines")):
        if not isinstance(routine, dict) or not isinstance(routine.get("steps"), list):
            continue
        for s, step in enumerate(routine["steps"]):
            if not isinstance(step, dict) or not isinstance(step.get("exercise"), str):
                continue
            name = step["exercise"]
            if name not in known:
                hints += 1  # each hint compares with every id: a few, or a big file takes hours
                hint = _suggest(name, known_ids) if hints <= _MAX_HINTS else ""
                add(["routines", r, "steps", s, "exercise"], f"unknown exercise '{name}'{hint}")
    return problems


def check_document(text: str, value: Any, file: str) -> list[Problem]:
    """Every problem with an already-parsed library document."""
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
    return _schema_problems(value, file, locator) + _semantic_problems(value, file, locator)


def check_file(path: Path, display: str | None = None) -> list[Problem]:
    """Every problem with the library file at ``path`` (empty when it is valid)."""
    try:
        text, value, problems = read_document(path, display)
    except LibraryError as exc:
        return exc.problems
    return problems + check_document(text, value, display or str(path))


# --- building the typed models ------------------------------------------------------


def _exercise(raw: Mapping[str, Any]) -> Exercise:
    return Exercise(
        id=raw["id"],
        name=raw["name"],
        category=Category(raw.get("category", Category.RELEASE)),
        sides=Sides(raw.get("sides", Sides.NONE)),
        duration_s=int(raw.get("duration_s", DEFAULT_DURATION_S)),
        sets=int(raw.get("sets", 1)),
        reps=int(raw["reps"]) if "reps" in raw else None,
        rep_s=int(raw.get("rep_s", DEFAULT_REP_S)),
        instructions=tuple(raw.get("instructions", ())),
        cautions=tuple(raw.get("cautions", ())),
        cue=raw.get("cue"),
        targets=tuple(raw.get("targets", ())),
        equipment=tuple(raw.get("equipment", ())),
        image=raw.get("image"),
        avoid_in_flare=bool(raw.get("avoid_in_flare", False)),
        side_words=raw.get("side_words"),
    )


def _optional_int(raw: Mapping[str, Any], key: str) -> int | None:
    return int(raw[key]) if key in raw else None


def _routine(raw: Mapping[str, Any]) -> Routine:
    return Routine(
        id=raw["id"],
        name=raw["name"],
        description=raw.get("description", ""),
        prepare_s=int(raw.get("prepare_s", DEFAULT_PREPARE_S)),
        rest_s=int(raw.get("rest_s", DEFAULT_REST_S)),
        switch_s=int(raw.get("switch_s", DEFAULT_SWITCH_S)),
        steps=tuple(
            Step(
                exercise=s["exercise"],
                duration_s=_optional_int(s, "duration_s"),
                sets=_optional_int(s, "sets"),
                reps=_optional_int(s, "reps"),
                rest_s=_optional_int(s, "rest_s"),
            )
            for s in raw["steps"]
        ),
    )


def _build(value: Mapping[str, Any], path: Path) -> Library:
    return Library(
        exercises={e["id"]: _exercise(e) for e in value["exercises"]},
        routines={r["id"]: _routine(r) for r in value.get("routines", [])},
        source=path,
    )


def content_key(raw: bytes) -> str | None:
    """The digest a validation cache remembers for a file that passed, or None.

    A sha256 over the file's bytes, the schema's bytes and the app version (the checks
    written in code); None when the schema cannot be read (the full check will say why).
    """
    try:
        schema = schema_path().read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in (raw, schema, __version__.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _build_vouched(text: str, value: Any, path: Path, file: str) -> Library | None:
    """The library from a file the cache vouches for, or None to check it in full.

    The checks written in code still run (they are cheap and import nothing), and a file
    that cannot be built is not trusted: the cache may be stale or edited by hand.
    """
    try:
        if isinstance(value, dict) and not _semantic_problems(value, file, _Locator(text)):
            return _build(value, path)
        reason = "it has problems"
    except Exception as exc:
        reason = f"building it failed ({exc!r})"
    log.info("%s: the validation cache vouched for it, but %s; checking in full", file, reason)
    return None


def load_library(
    path: Path, display: str | None = None, verified: VerifiedCache | None = None
) -> Library:
    """Load a library file, or raise LibraryError listing every problem.

    With ``verified``, a file whose exact content passed before is built without the
    schema check, and a file that passes now is remembered there. Without it (``--check``,
    the self-test) every check runs.
    """
    file = display or str(path)
    raw = _read_bytes(path, file)
    text, value, problems = _decode(raw, file)
    key = content_key(raw) if verified is not None else None
    if verified is not None and key is not None and not problems and verified.vouches_for(key):
        library = _build_vouched(text, value, path, file)
        if library is not None:
            log.debug("%s: validated before (%s), schema check skipped", file, key[:12])
            return library
    problems += check_document(text, value, file)
    if problems:
        raise LibraryError(problems)
    library = _build(value, path)
    log.debug("%s: validated in full", file)
    if verified is not None and key is not None:
        verified.record(key)
    return library
