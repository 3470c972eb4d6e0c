"""Shared by the journal tests: a wall clock that moves a second per reading, a journal
opened on it, and reading the file through a connection of its own."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sciatica_timer.storage.journal.store import Journal

TZ = timezone(timedelta(hours=2))


class Clock:
    """A wall clock for the journal that moves one second on every reading."""

    def __init__(self, microsecond: int = 654321) -> None:
        self.at = datetime(2026, 3, 1, 9, 15, 30, microsecond, tzinfo=TZ)

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@contextmanager
def opened(path: Path, clock: Clock | None = None, **kwargs: Any) -> Iterator[Journal]:
    with Journal.open(path, clock or Clock(), **kwargs) as journal:
        yield journal


def query(path: Path, sql: str) -> list[Any]:
    """Rows read through a separate connection, as another process would see them."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()
