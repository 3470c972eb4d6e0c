"""Shared test set-up: offscreen Qt, a private sound server, and no test ever touches the
real user folders or speakers."""

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
from support.sound_server import SoundServer  # noqa: E402

# Before anything loads QtMultimedia: it connects to PulseAudio once per process.
SOUND_SERVER = SoundServer(_HOME / "pulse")
os.environ["PULSE_SERVER"] = SOUND_SERVER.address  # never the developer's own speakers


def pytest_configure(config: pytest.Config) -> None:
    SOUND_SERVER.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    SOUND_SERVER.stop()


@pytest.fixture
def sound_server() -> SoundServer:
    """The private PulseAudio server the session plays into (fails if it could not start)."""
    if SOUND_SERVER.problem:
        pytest.fail(SOUND_SERVER.problem)
    return SOUND_SERVER


ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def bundled_path() -> Path:
    return ROOT / "exercises.json"


@pytest.fixture
def short_path() -> Path:
    return FIXTURES / "short.json"
