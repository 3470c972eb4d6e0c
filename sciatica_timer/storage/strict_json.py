"""Reading a JSON file strictly: its bytes safely off the disk, then a strict parse.

The file must be a regular file of at most 1 MiB (never a pipe or device to wait on), UTF-8
text (a byte-order mark allowed), nested at most MAX_DEPTH deep, with no NaN or Infinity, no
number too long or too large to read and no lone surrogate; each refusal is a LibraryError
whose problems give the line and column where known. A key written twice in one object is
returned as a problem, not refused. This module knows nothing of exercises.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sciatica_timer.storage.problems import LibraryError, Problem, path_text, printable

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 4300
"""Longer whole numbers are refused: Python will not read them (``int_max_str_digits``)."""


# --- reading the bytes -------------------------------------------------------------


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a pipe put there after the check cannot make it wait
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this type cannot be read, or None for a regular file."""
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


def read_bytes(path: Path, file: str) -> bytes:
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


# --- decoding and parsing the text ---------------------------------------------------


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
        what = f"the key '{printable(text)}' contains" if is_key else "contains"
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
            problems.append(Problem(file, path_text(parts), message, line, col))
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


def decode(raw: bytes, file: str) -> tuple[str, Any, list[Problem]]:
    """The file's bytes as (text, value, duplicate-key problems); LibraryError for bytes
    that are not usable JSON."""
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


def read_document(path: Path, display: str | None = None) -> tuple[str, Any, list[Problem]]:
    """Read and parse a JSON file: (text, value, duplicate-key problems).

    Raises LibraryError for anything that stops the file being read at all.
    """
    file = display or str(path)
    return decode(read_bytes(path, file), file)
