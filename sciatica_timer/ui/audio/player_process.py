"""The audio player process: every cue and sound is played here, never in the window's process.

Qt's PulseAudio code aborts the whole process when the sound server goes away mid-session
(``Assertion 'c' failed at pulse/context.c``, from ``QAudioSink.start``), and blocks the
calling thread in ``QAudioSink.stop()`` for as long as a stopped (SIGSTOP) server hangs.
Neither can be caught in Python. So the window never loads QtMultimedia: it starts this
small process (``python -m sciatica_timer.ui.audio.player_process``, or ``sciatica-timer
--audio-player`` in the packaged app, whose ``sys.executable`` is the app itself), writes one
line of JSON per command to its stdin and reads one line of JSON per event from its stdout.
If the player dies or stops answering, the window kills it, says so once and starts another
later (``sciatica_timer.ui.audio.player_client.PlayerProcess``); the session is untouched.

Commands (window to player), each with a ``seq`` the player acknowledges once done::

    {"op": "play", "seq": 3, "path": "/…/cue.wav", "volume": 0.8}   stop what plays, play this
    {"op": "stop", "seq": 4}                                        silence now
    {"op": "volume", "seq": 5, "volume": 0.5}

End of stdin (the window closed or died) ends the player. Events (player to window)::

    {"ev": "ready", "problem": null | "no-multimedia" | "no-output", "detail": "…"}
    {"ev": "ack", "seq": 4}
    {"ev": "qt", "msg": "…"}        a Qt message (the window logs it)
    {"ev": "failed", "why": "…"}    playback broke (the player exits: a fresh one reconnects)

The player needs no media backend: a QAudioSink reading a QBuffer, with Qt's plugin folders
hidden so that the FFmpeg plugin (about 12 MB) is never loaded.
"""

from __future__ import annotations

import json
import sys
import threading
import wave
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QBuffer, QObject, QTimer
    from PySide6.QtMultimedia import QAudioSink

FLAG = "--audio-player"
"""The packaged app's hidden entry point (``sciatica_timer.app.main`` hands it here)."""
DRAIN_MS = 300
"""After the last sample is handed over, how long the sound server may still be playing."""
LOST_CONTEXT_MESSAGES = ("PulseAudioService: Context failure",)
"""Qt's words when it has lost the sound server: its next ``QAudioSink.start`` would abort
the process, so the player leaves first (and the window starts a fresh one later)."""


class Out:
    """Events to the window: whole lines, from any thread (Qt messages come from its audio
    thread). A window that is gone ends the player."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, **event: Any) -> None:
        line = json.dumps(event).encode() + b"\n"
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                import os

                os._exit(0)


def _read_wav(path: str) -> tuple[int, int, bytes]:
    """(rate, channels, 16-bit samples) of a WAV; no samples when unreadable."""
    try:
        with wave.open(path) as wav:
            if wav.getsampwidth() != 2:
                return 0, 0, b""
            return wav.getframerate(), wav.getnchannels(), wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error):
        return 0, 0, b""


def listen_to_stdin(handle: Callable[[bytes], None], closed: Callable[[], None]) -> QObject:
    """Hand each line of stdin to ``handle`` on the main thread, in order, and call ``closed``
    at its end. The lines are read on a thread of their own (a pipe cannot be watched by the
    event loop on Windows). Keep the returned object for as long as lines should come."""
    from PySide6.QtCore import QObject, Signal

    class Inbox(QObject):
        line = Signal(bytes)
        ended = Signal()

        def read(self, stream: IO[bytes]) -> None:
            for raw in stream:
                self.line.emit(raw)
            self.ended.emit()

    inbox = Inbox()
    inbox.line.connect(handle)
    inbox.ended.connect(closed)
    threading.Thread(target=inbox.read, args=(sys.stdin.buffer,), daemon=True).start()
    return inbox


def serve() -> int:
    """Run the player until its stdin ends; returns the exit code."""
    from PySide6.QtCore import (
        QBuffer,
        QCoreApplication,
        QIODevice,
        QMessageLogContext,
        QObject,
        QTimer,
        QtMsgType,
        qInstallMessageHandler,
    )

    out = Out(sys.stdout.buffer)
    app = QCoreApplication([sys.argv[0]])

    def on_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        out.send(ev="qt", msg=message)
        if message.startswith(LOST_CONTEXT_MESSAGES):
            out.send(ev="failed", why="the sound server went away")
            import os

            os._exit(3)

    qInstallMessageHandler(on_qt_message)
    QCoreApplication.setLibraryPaths([])  # no media backend: see the module's docstring
    try:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices
    except ImportError as exc:  # libpulse0 missing
        out.send(ev="ready", problem="no-multimedia", detail=str(exc))
        return 0
    if not QMediaDevices.audioOutputs():
        out.send(ev="ready", problem="no-output", detail="")
        return 0

    class Player(QObject):
        """One QAudioSink for everything, stopped as soon as its WAV has been heard."""

        def __init__(self) -> None:
            super().__init__()
            self.sink: QAudioSink | None = None
            self.format: tuple[int, int, bytes] | None = None
            self.buffer: QBuffer = QBuffer(self)
            self.idle: QTimer = QTimer(self)
            self.idle.setSingleShot(True)
            # A sink stays active after its last sample and keeps polling (0.7 % of a
            # core): stop it once the server has had time to play what it was given.
            self.idle.timeout.connect(self.silence)
            self.volume = 1.0

        def silence(self) -> None:
            self.idle.stop()
            if self.sink is not None:
                self.sink.stop()

        def play(self, path: str, volume: float) -> None:
            self.silence()
            rate, channels, samples = _read_wav(path)
            if not samples:
                return
            device = QMediaDevices.defaultAudioOutput()  # headphones plugged in: use them
            wanted = (rate, channels, bytes(device.id().data()))
            if self.sink is None or self.format != wanted:
                if self.sink is not None:
                    self.sink.deleteLater()
                audio = QAudioFormat()
                audio.setSampleRate(rate)
                audio.setChannelCount(channels)
                audio.setSampleFormat(QAudioFormat.SampleFormat.Int16)
                self.sink = QAudioSink(device, audio, self)
                self.format = wanted
            self.sink.setVolume(volume)
            self.buffer.close()
            self.buffer.setData(samples)
            self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.sink.start(self.buffer)
            error = self.sink.error().name
            if error not in ("NoError", "UnderrunError"):
                out.send(ev="failed", why=f"playback failed ({error})")
                app.exit(3)
                return
            self.idle.start(round(len(samples) / (2 * channels * rate) * 1000) + DRAIN_MS)

        def set_volume(self, volume: float) -> None:
            if self.sink is not None:
                self.sink.setVolume(volume)

    player = Player()

    def handle(raw: bytes) -> None:
        try:
            command = json.loads(raw)
            op = command["op"]
            if op == "play":
                player.play(str(command["path"]), float(command["volume"]))
            elif op == "stop":
                player.silence()
            elif op == "volume":
                player.set_volume(float(command["volume"]))
        except (ValueError, KeyError, TypeError) as exc:
            out.send(ev="qt", msg=f"audio player: bad command {raw[:80]!r}: {exc}")
            return
        out.send(ev="ack", seq=command.get("seq", 0))

    inbox = listen_to_stdin(handle, app.quit)  # kept until the loop ends
    out.send(ev="ready", problem=None, detail="")
    code = app.exec()
    del inbox
    player.silence()
    return code


if __name__ == "__main__":
    sys.exit(serve())
