"""The listener process: the microphone is read and "stop" listened for here, never in the
window's process (``python -m sciatica_timer.ui.audio.listener_process``, or ``sciatica-timer
--voice-listener`` in the packaged app).

Its own process for the same reasons as the sound player's (Qt's PulseAudio code can abort or
hang the process it runs in), and so that decoding never takes the window's interpreter lock:
the countdown cannot stall because someone spoke. Samples are read from the system's default
input as 16 kHz mono, handed to :class:`~sciatica_timer.speech.spotter.StopSpotter` and
forgotten: nothing heard is written anywhere.

Commands (window to listener), one line of JSON each::

    {"op": "quiet", "until": 12345.6}   the app is speaking: ignore the microphone until then
                                        (``time.monotonic()``, which every process shares)
    {"op": "mark"}                      answer "marked" once what was heard until now is judged

End of stdin ends it. Events (listener to window)::

    {"ev": "ready", "problem": null | "no-multimedia" | "no-microphone" | "no-model", "detail": "…"}
    {"ev": "heard", "word": "stop", "at": 12345.6}      the monotonic time the word ended
    {"ev": "marked"}                    everything heard before the mark has been judged
    {"ev": "qt", "msg": "…"}
    {"ev": "failed", "why": "…"}        the microphone stopped delivering (the listener exits)
"""

from __future__ import annotations

import json
import sys
import time

from sciatica_timer.speech.spotter import GAP_S, QUIET_S, RATE, StopSpotter
from sciatica_timer.storage.paths import assets_dir
from sciatica_timer.ui.audio.player_process import Out, listen_to_stdin

FLAG = "--voice-listener"
CHUNK_S = 0.1
"""Samples are taken from the microphone this often."""
JUDGED_AFTER_S = QUIET_S + GAP_S + 0.1
"""A word is judged this long after it ends (the quiet after it must be heard first)."""
SILENT_FOR_S = 5.0
"""A microphone that has delivered nothing for this long has stopped: the listener says so."""


def serve() -> int:
    """Listen until stdin ends; returns the exit code."""
    from PySide6.QtCore import (
        QCoreApplication,
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

    qInstallMessageHandler(on_qt_message)
    QCoreApplication.setLibraryPaths([])  # no media backend, as in the player process
    try:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
    except ImportError as exc:  # libpulse0 missing
        out.send(ev="ready", problem="no-multimedia", detail=str(exc))
        return 0
    try:
        spotter = StopSpotter(assets_dir() / "voice" / "words")
    except Exception as exc:  # pocketsphinx or its model missing from this build
        out.send(ev="ready", problem="no-model", detail=f"{type(exc).__name__}: {exc}")
        return 0
    device = QMediaDevices.defaultAudioInput()
    if device.isNull():
        out.send(ev="ready", problem="no-microphone", detail="")
        return 0

    audio = QAudioFormat()
    audio.setSampleRate(RATE)
    audio.setChannelCount(1)
    audio.setSampleFormat(QAudioFormat.SampleFormat.Int16)

    class Ear(QObject):
        """One QAudioSource, read every ``CHUNK_S``; quiet while the app speaks."""

        def __init__(self) -> None:
            super().__init__()
            self.source = QAudioSource(device, audio, self)
            self.source.setBufferSize(int(RATE * 2 * CHUNK_S * 4))
            self.io = self.source.start()
            self.quiet_until = 0.0
            self.was_quiet = False
            self.last_sound = time.monotonic()
            self.marks: list[float] = []
            self.timer = QTimer(self)
            self.timer.timeout.connect(self.read)
            self.timer.start(round(CHUNK_S * 1000))

        def read(self) -> None:
            data = bytes(self.io.readAll().data()) if self.io is not None else b""
            now = time.monotonic()
            if data:
                self.last_sound = now
            elif now - self.last_sound > SILENT_FOR_S:
                state = self.source.state()
                out.send(ev="failed", why=f"the microphone stopped ({state.name})")
                app.exit(3)
                return
            if now < self.quiet_until:
                self.was_quiet = True
                self.answer_marks(now)
                return  # what the app says (and its echo) is not listened to
            if self.was_quiet:
                self.was_quiet = False
                spotter.reset()
                data = b""  # these samples may hold the tail of the app's own words
            for word in spotter.feed(data):
                lag = spotter.seconds - word.end_s  # heard this long ago
                out.send(ev="heard", word=word.word, at=now - lag)
            self.answer_marks(now)

        def answer_marks(self, now: float) -> None:
            while self.marks and now >= self.marks[0] + JUDGED_AFTER_S:
                self.marks.pop(0)
                out.send(ev="marked")

        def close(self) -> None:
            self.timer.stop()
            self.source.stop()

    ear = Ear()
    if ear.source.error().name != "NoError":
        out.send(ev="ready", problem="no-microphone", detail=ear.source.error().name)
        return 0

    def handle(raw: bytes) -> None:
        try:
            command = json.loads(raw)
            if command["op"] == "quiet":
                ear.quiet_until = max(ear.quiet_until, float(command["until"]))
            elif command["op"] == "mark":
                ear.marks.append(time.monotonic())
        except (ValueError, KeyError, TypeError) as exc:
            out.send(ev="qt", msg=f"voice listener: bad command {raw[:80]!r}: {exc}")

    inbox = listen_to_stdin(handle, app.quit)  # kept until the loop ends
    out.send(ev="ready", problem=None, detail=device.description())
    code = app.exec()
    del inbox
    ear.close()
    return code


if __name__ == "__main__":
    sys.exit(serve())
