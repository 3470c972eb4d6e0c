"""The window's side of the sound player process, and the one-off audio probe.

QtMultimedia is never loaded in the window's process: every WAV is played by a player
process of our own (``sciatica_timer.ui.audio.player_process``). The GUI thread only starts
it and writes short lines to its pipe; it never waits for it or for the sound system, and
a sound server that dies or hangs costs the player process, never the window.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QProcess, QTimer, Signal

from sciatica_timer.ui.audio.player_process import FLAG

log = logging.getLogger(__name__)

STOP_ACK_MS = 50
"""A player that has not confirmed a stop this long after it was asked is killed (which
silences it too): a pain stop is silent within this, whatever the sound system does."""
PLAY_ACK_MS = 1000
"""A player that has not started a WAV this long after it was asked is stuck: killed."""
READY_MS = 5000
"""A player that has not found its output this long after it was started is killed."""
RETRY_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""After the player is lost, the waits before each new try (the last one repeats)."""
PIPE_LIMIT = 64 * 1024
"""Commands not yet taken by the player beyond this are dropped rather than queued."""
NO_MULTIMEDIA_MESSAGE = (
    "Sound could not start (Qt Multimedia did not load); the session continues with "
    "on-screen cues. On Debian/Ubuntu: sudo apt-get install libpulse0"
)
NO_OUTPUT_MESSAGE = (
    "No sound output was found; the session continues with on-screen cues. "
    "Connect speakers or headphones, check that sound is on, then restart the app."
)
NO_DEVICE_QT_WARNINGS = (
    r"Couldn't (load|resolve) (pipewire-0\.3|va|va-drm|va-x11|va\(in plugin\)) "
    r"(library|symbols)",
    r"PulseAudioService: pa_context_connect\(\) failed",
    r"No QtMultimedia backends found",
)
"""Qt warnings QtMultimedia prints once (no PipeWire, no sound server, and the media backend
we keep out on purpose): for tests' markers, and logged quietly when the player says them."""
_EXPECTED = re.compile("|".join(NO_DEVICE_QT_WARNINGS))


def expected_qt_message(message: str) -> bool:
    """One of the notes QtMultimedia prints about a missing sound system or backend."""
    return _EXPECTED.match(message) is not None


def probe_audio() -> str | None:
    """None when QtMultimedia loads and lists an audio output, else the message to show
    (for the self-test, which runs in a process of its own: the window never calls it)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:  # libpulse0 missing
        log.warning("QtMultimedia unavailable: %s", exc)
        return NO_MULTIMEDIA_MESSAGE
    with _without_media_backend():
        outputs = QMediaDevices.audioOutputs()
    return None if outputs else NO_OUTPUT_MESSAGE


@contextmanager
def _without_media_backend() -> Iterator[None]:
    """Let QtMultimedia start without loading its FFmpeg media backend (for ``probe_audio``;
    the player process hides the plugin folders for good, see ``audio_player``).

    The backend plugin (FFmpeg, and through it QtQuick) would add about 12 MB of resident
    memory for nothing. QtMultimedia loads it once, when first used: hiding the plugin
    folders for that moment keeps it out.
    """
    paths = QCoreApplication.libraryPaths()
    QCoreApplication.setLibraryPaths([])
    try:
        yield
    finally:
        QCoreApplication.setLibraryPaths(paths)


class _AppLogOnly(logging.Handler):
    """Hands records to the app's own log handlers (its file) and to nothing else.

    The player's lines (Qt's notes, "sound lost") arrive at any time, often after
    pyttsx3's espeak driver has called ``logging.debug`` on the root logger, which gives
    the root a stderr handler (``logging.basicConfig``): propagated there, they would reach
    the terminal. With no app log at all (a script, a test), warnings go where Python's
    last-resort handler puts them, as they would have.
    """

    def emit(self, record: logging.LogRecord) -> None:
        handlers = logging.getLogger("sciatica_timer").handlers
        for handler in handlers:
            if record.levelno >= handler.level:
                handler.handle(record)
        last = logging.lastResort
        if not handlers and last is not None and record.levelno >= last.level:
            last.handle(record)


player_log = logging.getLogger("sciatica_timer.sound_player")
"""What the player process and its keeper say (into the app's log, never the terminal)."""
player_log.propagate = False
player_log.addHandler(_AppLogOnly())


def player_command() -> tuple[str, list[str], str | None]:
    """How to start the player: program, arguments, working folder (None: this one's)."""
    if getattr(sys, "frozen", False):  # PyInstaller: sys.executable is the app itself
        return sys.executable, [FLAG], None
    package_parent = Path(__file__).resolve().parents[3]  # importable with -m from there
    return sys.executable, ["-m", "sciatica_timer.ui.audio.player_process"], str(package_parent)


class PlayerProcess(QObject):
    """The window's side of the player process: never blocks, never trusts it to answer.

    Commands are written to its stdin (QProcess buffers them and writes when the pipe takes
    them; past ``PIPE_LIMIT`` they are dropped). Each one must be acknowledged within its
    deadline, or the player is taken for stuck (a hung sound server) and killed. A player
    that dies (Qt's PulseAudio code aborts when the server goes away) or is killed is
    reported once through ``lost`` and started again after ``RETRY_S``. Its verdict at the
    first start, "no output" or "no Qt Multimedia", comes through ``unavailable`` and is
    final (as it was when the window probed the output itself).
    """

    ready = Signal()
    unavailable = Signal(str)
    lost = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stop_ack_ms = STOP_ACK_MS
        self.play_ack_ms = PLAY_ACK_MS
        self.ready_ms = READY_MS
        self.retry_s = RETRY_S
        self.started = 0
        """How many player processes were started (for tests)."""
        self._proc: QProcess | None = None
        self._ready = False
        self._ever_ready = False
        self._closed = False
        self._failures = 0
        self._seq = 0
        self._acks: dict[int, float] = {}
        self._dirty = False
        self._pending: tuple[str, float, float] | None = None
        self._err = b""
        self._dying: list[QProcess] = []
        """Players killed or ending by themselves, until they have ended."""
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._check_acks)
        self._ready_deadline = QTimer(self)
        self._ready_deadline.setSingleShot(True)
        self._ready_deadline.timeout.connect(self._on_ready_timeout)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.start)

    # --- the contract ---------------------------------------------------------------

    def is_ready(self) -> bool:
        """True while a player process is running and has found its output."""
        return self._ready

    def pid(self) -> int | None:
        """The running player's process id (for tests and the bench)."""
        return None if self._proc is None else self._proc.processId() or None

    def start(self) -> None:
        """Start a player unless one runs, a new try is due later, or it was given up."""
        if self._closed or self._proc is not None or self._retry.isActive():
            return
        program, args, folder = player_command()
        proc = QProcess(self)
        if folder is not None:
            proc.setWorkingDirectory(folder)
        # Bound methods, never lambdas holding self: a cycle through Qt objects could be
        # collected on the speech worker's thread, deleting them there.
        proc.readyReadStandardOutput.connect(self._on_output)
        proc.readyReadStandardError.connect(self._on_stderr)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._ready, self._err = proc, False, b""
        self.started += 1
        self._ready_deadline.start(self.ready_ms)
        proc.start(program, args)

    def play(self, path: Path, volume: float, until: float) -> None:
        """Play this WAV now (cutting off what plays); a player still starting plays it
        once ready if that is before ``until`` (``time.monotonic``)."""
        if self._closed:
            return
        if self._ready:
            self._pending = None
            self._dirty = self._send("play", self.play_ack_ms, path=str(path), volume=volume)
        else:
            self._pending = (str(path), volume, until)
            self.start()

    def stop(self) -> None:
        """Silence now: a stop the player does not confirm in time kills it."""
        self._pending = None
        if self._ready and self._dirty:
            self._dirty = False
            self._send("stop", self.stop_ack_ms)

    def played_out(self) -> None:
        """What was last played has ended: a stop now has nothing to silence."""
        self._dirty = False

    def set_volume(self, volume: float) -> None:
        if self._ready:
            self._send("volume", self.play_ack_ms, volume=volume)

    def shutdown(self) -> None:
        """Kill the player (silence) and start no other; returns at once."""
        self._closed = True
        self._retry.stop()
        self._abandon()
        for proc in self._dying:  # killed: gone in a moment (never left running after us)
            if shiboken6.isValid(proc):
                proc.finished.disconnect()
                if proc.state() != QProcess.ProcessState.NotRunning:
                    proc.kill()
                    proc.waitForFinished(100)
                # Deleted here, on the GUI thread: were it left to the garbage collector
                # (the voice is in a reference cycle), it could be deleted on the speech
                # worker's thread, its pipe notifiers with it, and crash the event loop.
                shiboken6.delete(proc)
        self._dying.clear()

    # --- the pipe --------------------------------------------------------------------

    def _send(self, op: str, ack_ms: int, **fields: object) -> bool:
        proc = self._proc
        if proc is None or not self._ready:
            return False
        if proc.bytesToWrite() > PIPE_LIMIT:
            player_log.warning("sound player: %s dropped (pipe full)", op)
            return False
        self._seq += 1
        proc.write(json.dumps({"op": op, "seq": self._seq, **fields}).encode() + b"\n")
        self._acks[self._seq] = time.monotonic() + ack_ms / 1000
        if not self._watchdog.isActive():
            self._arm()
        return True

    def _arm(self) -> None:
        if self._acks:
            left = min(self._acks.values()) - time.monotonic()
            self._watchdog.start(max(0, math.ceil(left * 1000)))
        else:
            self._watchdog.stop()

    def _check_acks(self) -> None:
        proc = self._proc
        if proc is None:
            return
        proc.waitForReadyRead(0)  # a poll, not a wait: an answer already in the pipe counts
        self._on_output()
        if self._proc is proc and self._acks:
            if min(self._acks.values()) <= time.monotonic():
                self._fail("the sound system stopped answering")
            else:
                self._arm()

    def _on_output(self) -> None:
        proc = self._proc
        while proc is not None and proc is self._proc and proc.canReadLine():
            line = bytes(proc.readLine().data())
            try:
                event = json.loads(line)
                kind = event["ev"]
            except (ValueError, KeyError, TypeError):
                player_log.warning("sound player said: %r", line[:200])
                continue
            if kind == "ack":
                seq = int(event.get("seq", 0))
                self._acks = {n: at for n, at in self._acks.items() if n > seq}
                self._arm()
            elif kind == "qt":
                message = str(event.get("msg", ""))
                level = logging.INFO if expected_qt_message(message) else logging.WARNING
                player_log.log(level, "Qt: %s", message)
            elif kind == "ready":
                self._on_ready(event.get("problem"), str(event.get("detail", "")))
            elif kind == "failed":
                self._fail(str(event.get("why", "playback failed")))

    def _on_stderr(self) -> None:
        proc = self._proc
        if proc is None:
            return
        *lines, self._err = (self._err + bytes(proc.readAllStandardError().data())).split(b"\n")
        for line in lines:
            if line.strip():
                player_log.warning("sound player: %s", line.decode(errors="replace"))

    def _on_ready(self, problem: object, detail: str) -> None:
        self._ready_deadline.stop()
        if problem is None:
            if self._failures:
                player_log.info("sound is back (player started again)")
            self._ready = self._ever_ready = True
            self._failures = 0
            self.ready.emit()
            pending, self._pending = self._pending, None
            if pending is not None and time.monotonic() < pending[2]:
                self._dirty = self._send(
                    "play", self.play_ack_ms, path=pending[0], volume=pending[1]
                )
            return
        # The player exits after a verdict: no output, or QtMultimedia cannot load.
        player_log.info("sound player: %s %s", problem, detail)
        if self._ever_ready:  # it went away and is not back yet: try again later
            self._fail(f"no sound output ({problem})", quiet=True)
            return
        self._closed = True
        self._abandon(kill=False)  # it ends by itself
        self.unavailable.emit(
            NO_MULTIMEDIA_MESSAGE if problem == "no-multimedia" else NO_OUTPUT_MESSAGE
        )

    def _on_ready_timeout(self) -> None:
        self._fail("the sound system did not answer")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        proc = self._proc
        if proc is not None and error == QProcess.ProcessError.FailedToStart:
            self._fail(f"its player could not start: {proc.errorString()}")

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._proc is None:
            return
        self._on_stderr()
        crashed = status == QProcess.ExitStatus.CrashExit
        self._fail("the sound player crashed" if crashed else f"the sound player ended ({code})")

    def _fail(self, reason: str, quiet: bool = False) -> None:
        """Kill the player, report it (unless ``quiet``) and try again after a while."""
        self._abandon()
        if self._closed:
            return
        delay = self.retry_s[min(self._failures, len(self.retry_s) - 1)]
        self._failures += 1
        player_log.warning("sound lost: %s; trying again in %g s", reason, delay)
        self._retry.start(round(delay * 1000))
        if not quiet:
            self.lost.emit(reason)

    def _abandon(self, kill: bool = True) -> None:
        """Forget the player and kill it (it is deleted once it has ended)."""
        proc, self._proc = self._proc, None
        self._ready = self._dirty = False
        self._acks.clear()
        self._pending = None
        self._watchdog.stop()
        self._ready_deadline.stop()
        if proc is None:
            return
        for signal in (
            proc.readyReadStandardOutput,
            proc.readyReadStandardError,
            proc.finished,
            proc.errorOccurred,
        ):
            signal.disconnect()
        if proc.state() == QProcess.ProcessState.NotRunning:
            proc.deleteLater()
            return
        self._dying.append(proc)
        proc.finished.connect(self._reap)
        if kill:
            proc.kill()

    def _reap(self) -> None:
        for proc in [p for p in self._dying if p.state() == QProcess.ProcessState.NotRunning]:
            self._dying.remove(proc)
