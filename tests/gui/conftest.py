"""Shared window fixture for the GUI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import open_window
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    """The real window at 1366x768 on a fresh data folder, no voice, a fake clock."""
    context = open_window(qtbot, tmp_path)
    yield context
    context.close()
