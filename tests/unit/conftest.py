"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where a journal is opened: a data folder that does not exist yet."""
    return tmp_path / "data" / "journal.sqlite3"
