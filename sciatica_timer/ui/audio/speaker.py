"""The one audio output: spoken cues and short sounds, one at a time, through one player."""

from __future__ import annotations

import logging
import time
import wave
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from sciatica_timer.ui.audio.player_client import PlayerProcess
from sciatica_timer.ui.audio.player_process import DRAIN_MS

log = logging.getLogger(__name__)


class Playing(StrEnum):
    """What the speaker plays: speech or a short sound."""

    VOICE = "voice"
    SOUND = "sound"


class Speaker(QObject):
    """The one audio output: every spoken cue and short sound goes through one player.

    The player process (``PlayerProcess``, ``ui.audio.player_process``) plays each WAV
    with one QAudioSink reading a QBuffer (QSoundEffect, Qt 6.10 to 6.12 with PulseAudio,
    was seen to leave a socket notifier behind and spin the GUI thread:
    tests/gui/test_voice.py replays that pattern). This side keeps the rules and the
    timing, from each WAV's length, so that it answers at once without asking the player.

    One output means nothing overlaps: speech cuts off whatever is playing; a sound
    started while speech plays is left out (the words say more); speech asked for while a
    short sound plays follows it straight after (a chime, then the announcement).
    """

    unavailable = Signal(str)
    lost = Signal(str)
    playing = Signal(float)
    """A WAV starts: about this many seconds of sound (the voice stop does not listen)."""

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.volume = volume
        self.source: Path | None = None
        """The WAV playing or last played (for tests and the bench)."""
        self.kind: Playing | None = None
        self.player = PlayerProcess(self)
        self.player.unavailable.connect(self.unavailable)
        self.player.lost.connect(self._on_lost)
        self._sounds: dict[Path, float] = {}
        self._next: Path | None = None
        self._after_sound = QTimer(self)
        self._after_sound.setSingleShot(True)
        self._after_sound.timeout.connect(self._play_next)
        self._done = QTimer(self)
        """Runs while a WAV plays: from its start until it has been heard to the end."""
        self._done.setSingleShot(True)
        self._done.timeout.connect(self._heard)
        self.player.start()

    def is_playing(self) -> bool:
        """True from the start of a WAV until it has been heard to the end (or cut off)."""
        return self._done.isActive()

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        self.player.set_volume(volume)

    def play_voice(self, path: Path) -> None:
        """Say this WAV now, cutting off other speech; after a sound that is playing."""
        self._next = None
        self._after_sound.stop()
        if self.kind is Playing.SOUND and self.is_playing():
            self._next = path  # when its last sample is handed over
            self._after_sound.start(max(0, self._done.remainingTime() - DRAIN_MS))
            return
        self._start(path, Playing.VOICE, self._seconds(path))

    def play_sound(self, path: Path) -> None:
        """Play a short sound unless speech is playing or waiting its turn."""
        if self._next is not None or (self.kind is Playing.VOICE and self.is_playing()):
            return
        seconds = self._sounds.get(path)
        if seconds is None:
            seconds = self._sounds[path] = self._seconds(path)
        self._start(path, Playing.SOUND, seconds)

    def stop(self) -> None:
        """Silence at once, and forget anything waiting to be said."""
        self._next = None
        self._after_sound.stop()
        self._done.stop()
        self.player.stop()

    def shutdown(self) -> None:
        """Silence and end the player process for good."""
        self.stop()
        self.player.shutdown()

    def _on_lost(self, reason: str) -> None:
        self._next = None
        self._after_sound.stop()
        self._done.stop()  # nothing is heard any more
        self.lost.emit(reason)

    def _heard(self) -> None:
        """The WAV has played to its end: the player stops its idle sink by itself."""
        self._next = None
        self._after_sound.stop()
        self.player.played_out()

    def _play_next(self) -> None:
        path, self._next = self._next, None
        if path is not None:  # the sound's last samples are still draining: cut them
            self._start(path, Playing.VOICE, self._seconds(path))

    @staticmethod
    def _seconds(path: Path) -> float:
        """How long a 16-bit WAV plays (only its header is read); 0 when unplayable."""
        try:
            with wave.open(str(path)) as wav:
                if wav.getsampwidth() != 2:
                    raise wave.Error(f"{wav.getsampwidth() * 8}-bit samples")
                return wav.getnframes() / wav.getframerate() if wav.getframerate() else 0.0
        except (OSError, EOFError, wave.Error) as exc:
            log.warning("cannot play %s: %s", path, exc)
            return 0.0

    def _start(self, path: Path, kind: Playing, seconds: float) -> None:
        self._next = None
        self._after_sound.stop()
        self._done.stop()
        if seconds <= 0:
            self.player.stop()
            return
        heard_ms = round(seconds * 1000) + DRAIN_MS
        self.playing.emit(heard_ms / 1000)  # before the first sample is heard
        self.player.play(path, self.volume, time.monotonic() + heard_ms / 1000)
        self.source, self.kind = path, kind
        self._done.start(heard_ms)
