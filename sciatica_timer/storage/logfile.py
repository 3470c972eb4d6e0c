"""The app's log file: private, rotated, and quiet when the disk is full."""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sciatica_timer.storage.paths import open_private


class PrivateLog(RotatingFileHandler):
    """Opens the log (again after each rollover) as a private file (0600) whatever the
    umask; a log that already exists keeps its mode, and a symbolic link is refused.
    Rotated copies are renames of the log, so they keep its mode.

    A line that cannot be written (a full disk) is dropped without a word on the terminal:
    Python's default prints ``--- Logging error ---`` and a traceback for every line. The
    log is best effort; what the user must know (the journal cannot be saved) reaches the
    window as a notice."""

    dropped = 0

    def _open(self) -> TextIOWrapper:
        fd = open_private(Path(self.baseFilename), os.O_WRONLY | os.O_APPEND)
        try:
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise

    def handleError(self, record: logging.LogRecord) -> None:
        self.dropped += 1
