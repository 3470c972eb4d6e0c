"""Shared window fixture for the GUI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock


@pytest.fixture
def ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    """The real window at 1366x768 on a fresh data folder, no voice, a fake clock."""
    context = build(parse_args(["--data-dir", str(tmp_path), "--no-voice"]), clock=FakeClock())
    qtbot.addWidget(context.window)
    context.window.resize(1366, 768)
    context.window.show()
    yield context
    context.close()
