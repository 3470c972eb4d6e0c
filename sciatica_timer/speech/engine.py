"""Opening pyttsx3 and working around its espeak driver. No Qt.

Measured with pyttsx3 2.99 + espeak-ng on Linux (pinned in tests/unit/test_speech.py):
``init()`` returns one cached engine per process, whatever the thread; synthesis runs on
espeak's own thread, so the first ``runAndWait()`` of a fresh engine returns before the
file is written, and the next property change then races it (wrong rate, empty files)
unless each utterance waits for ``finished-utterance``; even then, under load, espeak now
and then speaks at the rate before last (7 of 200 alternating 150/220 wpm files with both
cores busy), so the rate also goes into the text as espeak's own embedded command
(0 of 400); ``say()`` after a ``save_to_file``
goes into that file; a WAV write failing inside espeak's callback makes every later
``runAndWait()`` loop forever.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import os
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

ENGINE_LOCK = threading.Lock()
"""pyttsx3 hands every thread the same engine: only one job may drive it at a time."""
_ENGINES: dict[str | None, Any] = {}
"""Strong references: a collected engine unregisters espeak's callback, and a fresh one's
first run loop returns before its utterance is done."""


def use_bundled_espeak() -> bool:
    """On Linux without a system libespeak-ng, load the copy in espeakng-loader (if installed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        ctypes.CDLL("libespeak-ng.so.1")
        return False
    except OSError:
        pass
    try:
        loader: Any = importlib.import_module("espeakng_loader")
        os.environ.setdefault("ESPEAK_DATA_PATH", loader.get_data_path())
        ctypes.CDLL(loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
    except Exception:  # not installed, or no wheel for this platform
        return False
    return True


def open_engine(driver_name: str | None = None) -> Any:
    """The process's pyttsx3 engine, kept alive for the process (hold ``ENGINE_LOCK``)."""
    use_bundled_espeak()
    import pyttsx3

    engine = pyttsx3.init(driver_name)
    _ENGINES[driver_name] = engine
    _quiet_espeak_driver()
    return engine


def _quiet_espeak_driver() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." for every file: one line per
    cue on the user's terminal. Its module-level ``print`` is turned into a debug log."""
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        quiet = lambda *args, **_kw: log.debug("pyttsx3: %s", " ".join(map(str, args)))  # noqa: E731
        setattr(driver, "print", quiet)  # noqa: B010


def wait_for_espeak_idle(timeout: float = 1.0) -> bool:
    """Wait until espeak's own thread is done; pyttsx3 cancels the next utterance otherwise."""
    espeak: Any = sys.modules.get("pyttsx3.drivers._espeak")
    deadline = time.monotonic() + timeout
    while espeak is not None and espeak.IsPlaying():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def with_rate(engine: Any, text: str, rate: int) -> str:
    """The text with the rate inside it, for espeak: its embedded speed command (Ctrl-A,
    the words per minute, ``S``) applies to this utterance whatever a late parameter
    change does. Other drivers get the text as it is (they take the rate property)."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if type(driver).__module__ == "pyttsx3.drivers.espeak":
        return f"\x01{int(rate)}S{text}"
    return text


def speak_aloud_again(engine: Any) -> None:
    """Undo pyttsx3's espeak driver sending every ``say`` after a save into the last file."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is not None and hasattr(driver, "_save_file"):
        driver._save_file = None


def end_loop(engine: Any) -> None:
    """Break a run loop that would never end (the timer's rescue).

    ``engine.endLoop()`` refuses here: runAndWait has already lowered its own flag.
    """
    with contextlib.suppress(Exception):
        engine.proxy.endLoop(True)
