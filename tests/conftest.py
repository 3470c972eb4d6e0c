"""Shared test set-up: offscreen Qt, and no test ever touches the real user folders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Must be set before any QApplication exists, or Qt aborts without a message.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = Path(tempfile.mkdtemp(prefix="sciatica-test-home-"))
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[var] = str(_HOME / var.lower())
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def bundled_path() -> Path:
    return ROOT / "exercises.json"


@pytest.fixture
def short_path() -> Path:
    return FIXTURES / "short.json"
