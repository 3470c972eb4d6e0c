"""What is wrong with a file, one plain ``FILE:LINE:COL: PATH: message`` line per problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


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
        return printable(f"{where}: {self.path}: {self.message}")


def printable(text: str) -> str:
    """The text with any lone surrogate written as ``\\udc00``: it can always be printed
    or saved as UTF-8 (a file name from the command line may hold one, too)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def path_text(parts: Iterable[str | int]) -> str:
    """A JSON path as a problem names it: ``routines[0].steps[2].exercise``, or ``$``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


@dataclass
class LibraryError(Exception):
    """The file could not be used; ``problems`` says every reason."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
