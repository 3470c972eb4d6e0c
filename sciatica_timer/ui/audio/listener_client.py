"""The window's side of the listener process (``listener_process``): start it, tell it when
the app speaks, hear what it heard. Never blocks; a listener that dies is started again."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from sciatica_timer.ui.audio.listener_process import FLAG

log = logging.getLogger(__name__)

ECHO_S = 0.6
"""After the app's own words end, the microphone is not listened to for this long (the sound
system's delay and the room's echo)."""
RETRY_S = 3.0
"""A listener that died is started again after this."""
MAX_RETRIES = 3
PROBLEMS = {
    "no-microphone": (
        "Voice stop is on, but no microphone was found, so saying \u201cstop\u201d will not "
        "work. Use the red button or P. Connect a microphone and start the session again."
    ),
    "no-multimedia": (
        "Voice stop could not start (Qt Multimedia did not load). Use the red button or P. "
        "On Debian/Ubuntu: sudo apt-get install libpulse0"
    ),
    "no-model": (
        "Voice stop could not start: its speech model is missing from this installation. "
        "Use the red button or P."
    ),
}
LOST = "Voice stop has stopped listening ({why}). Use the red button or P."


def listener_command() -> tuple[str, list[str], str | None]:
    """How to start the listener: program, arguments, working folder (None: this one's)."""
    if getattr(sys, "frozen", False):  # PyInstaller: sys.executable is the app itself
        return sys.executable, [FLAG], None
    package_parent = Path(__file__).resolve().parents[3]
    return sys.executable, ["-m", "sciatica_timer.ui.audio.listener_process"], str(package_parent)


class ListenerProcess(QObject):
    """One listener process at a time; ``listening`` says when it really hears."""

    heard = Signal(str)
    """A word that stops the session ("stop", "help")."""
    listening = Signal(bool)
    unavailable = Signal(str)
    """Why voice stop cannot work (for the user, once)."""
    marked = Signal()
    """Everything heard before the last ``mark()`` has been judged (for tests and the bench)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.started = 0
        self.is_listening = False
        self.heard_at: float | None = None
        """When (``time.monotonic``) the last word heard was said: for tests and the bench."""
        self._proc: QProcess | None = None
        self._wanted = False
        self._failures = 0
        self._quiet_from = self._quiet_until = 0.0
        self._out = b""
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._start_process)

    def start(self) -> None:
        """Listen from now on (the process takes a second or two to hear)."""
        self._wanted = True
        self._failures = 0
        self._start_process()

    def stop(self) -> None:
        """Stop listening: the process is ended (the microphone is released)."""
        self._wanted = False
        self._retry.stop()
        proc, self._proc = self._proc, None
        if proc is not None and shiboken6.isValid(proc):
            proc.finished.disconnect()
            proc.readyReadStandardOutput.disconnect()
            proc.closeWriteChannel()  # end of stdin ends it
            proc.finished.connect(proc.deleteLater)
            QTimer.singleShot(1000, proc.kill)
        self._set_listening(False)

    def shutdown(self) -> None:
        """Stop, and end the process now (the app is closing): at most 100 ms."""
        proc = self._proc
        self.stop()
        if proc is not None and shiboken6.isValid(proc):
            proc.kill()
            proc.waitForFinished(100)

    def quiet_for(self, seconds: float) -> None:
        """The app is about to speak for this long: do not listen until it has finished."""
        now = time.monotonic()
        if now > self._quiet_until:
            self._quiet_from = now
        self._quiet_until = max(self._quiet_until, now + seconds + ECHO_S)
        self._send(op="quiet", until=self._quiet_until)

    def mark(self) -> None:
        """Ask to be told (``marked``) once what the microphone heard until now is judged."""
        self._send(op="mark")

    def _start_process(self) -> None:
        if not self._wanted or self._proc is not None:
            return
        program, args, folder = listener_command()
        proc = QProcess(self)
        if folder is not None:
            proc.setWorkingDirectory(folder)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        proc.readyReadStandardOutput.connect(self._on_output)
        proc.finished.connect(self._on_finished)
        self._proc, self._out = proc, b""
        self.started += 1
        proc.start(program, args)
        if self._quiet_until > time.monotonic():
            self._send(op="quiet", until=self._quiet_until)

    def _send(self, **command: object) -> None:
        if self._proc is not None:
            self._proc.write(json.dumps(command).encode() + b"\n")

    def _on_output(self) -> None:
        if self._proc is None:
            return
        self._out += bytes(self._proc.readAllStandardOutput().data())
        *lines, self._out = self._out.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self._on_event(event)

    def _on_event(self, event: dict[str, object]) -> None:
        kind = event.get("ev")
        if kind == "ready":
            problem = event.get("problem")
            if problem:
                log.info("voice stop: %s %s", problem, event.get("detail"))
                self._wanted = False
                self.unavailable.emit(PROBLEMS.get(str(problem), PROBLEMS["no-model"]))
                return
            log.info("voice stop: listening on %s", event.get("detail"))
            self._failures = 0
            self._set_listening(True)
        elif kind == "heard":
            at = event.get("at")
            self.heard_at = float(at) if isinstance(at, (int, float)) else time.monotonic()
            if not self._quiet_from <= self.heard_at <= self._quiet_until:  # not its own words
                log.info("voice stop: heard %r", event.get("word"))
                self.heard.emit(str(event.get("word")))
        elif kind == "marked":
            self.marked.emit()
        elif kind == "failed":
            log.warning("voice stop: %s", event.get("why"))
        elif kind == "qt":
            log.debug("voice listener: %s", event.get("msg"))

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        was = self.is_listening
        self._set_listening(False)
        if not self._wanted:
            return
        self._failures += 1
        if self._failures > MAX_RETRIES:
            self._wanted = False
            self.unavailable.emit(LOST.format(why=f"the listener ended with code {code}"))
            return
        if was:
            log.warning("voice stop: the listener ended (%d); starting it again", code)
        self._retry.start(round(RETRY_S * 1000))

    def _set_listening(self, on: bool) -> None:
        if on != self.is_listening:
            self.is_listening = on
            self.listening.emit(on)
