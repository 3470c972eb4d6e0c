"""The session's voice and sounds: engine events in, pre-rendered WAVs and short sounds out.

Cheap to build: QtMultimedia is imported on the first ``prepare``/``handle`` (without its
media backend) and pyttsx3 only on the speech worker thread. The GUI thread only enqueues,
starts and stops playback; it never waits for speech.
"""

from __future__ import annotations

import logging
import time
import wave
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QObject, QTimer, Signal

from sciatica_timer.engine import Event, EventKind
from sciatica_timer.speech import (
    JOB_TIMEOUT_S,
    LATE_LIMIT_S,
    NO_OUTPUT_MESSAGE,
    PAIN_STOP_SENTENCE,
    PAUSED_TEXT,
    RESUMED_TEXT,
    CueRenderer,
    SpeechSettings,
    Verbosity,
    VoiceInfo,
    speaks,
    talks,
    voice_unavailable_message,
)
from sciatica_timer.timeline import CueKind

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioSink

log = logging.getLogger(__name__)

SOUND_NAMES = ("tick", "chime", "end")
DRAIN_MS = 300
"""After the last sample is handed over, how long the sound server may still be playing."""
PENDING_LIMIT_S = 1.0
"""A cue rendered on demand is still played if it is ready this soon after it was asked."""
STALL_LIMIT_S = 12.0
"""A speech job running longer than this means the engine hangs: the voice is given up."""
NO_DEVICE_QT_WARNINGS = (
    r"Couldn't (load|resolve) (pipewire-0\.3|va|va-drm|va-x11|va\(in plugin\)) "
    r"(library|symbols)",
    r"PulseAudioService: pa_context_connect\(\) failed",
    r"No QtMultimedia backends found",
)
"""Qt warnings QtMultimedia prints once (no PipeWire, no sound server, and the media backend
we keep out on purpose): for tests' markers."""


def probe_audio() -> str | None:
    """None when QtMultimedia loads and lists an audio output, else the message to show."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:  # libpulse0 missing
        log.warning("QtMultimedia unavailable: %s", exc)
        return (
            "Sound could not start (Qt Multimedia did not load); the session continues with "
            "on-screen cues. On Debian/Ubuntu: sudo apt-get install libpulse0"
        )
    with _without_media_backend():
        outputs = QMediaDevices.audioOutputs()
    return None if outputs else NO_OUTPUT_MESSAGE


@contextmanager
def _without_media_backend() -> Iterator[None]:
    """Let QtMultimedia start without loading its FFmpeg media backend.

    Cues and sounds are short WAV files played by a QAudioSink, which needs only the audio
    devices that QtMultimedia itself provides. The backend plugin (FFmpeg, and through it
    QtQuick) would add about 12 MB of resident memory for nothing. QtMultimedia loads it
    once, when first used: hiding the plugin folders for that moment keeps it out (Qt then
    says "No QtMultimedia backends found", which names exactly what we want). The packaged
    app does not ship the plugin at all.
    """
    paths = QCoreApplication.libraryPaths()
    QCoreApplication.setLibraryPaths([])
    try:
        yield
    finally:
        QCoreApplication.setLibraryPaths(paths)


class Speaker(QObject):
    """The one audio output: every spoken cue and short sound goes through one QAudioSink.

    QSoundEffect (Qt 6.10 to 6.12 with PulseAudio) was seen to leave a socket notifier
    behind on another thread after some plays and stops, and the GUI thread then spun at
    full speed, growing by about 50 MB a second: tests/gui/test_voice.py replays that
    pattern. A plain QAudioSink reading a QBuffer did not. It also needs no media backend
    (see ``_without_media_backend``), and it plays a WAV the moment it is asked, from
    memory, on Qt's own audio thread.

    One output means nothing overlaps: speech cuts off whatever is playing; a sound
    started while speech plays is left out (the words say more); speech asked for while a
    short sound plays follows it straight after (a chime, then the announcement).
    """

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.volume = volume
        self.source: Path | None = None
        """The WAV playing or last played (for tests and the bench)."""
        self.kind: str | None = None
        self._sink: QAudioSink | None = None
        self._format: tuple[int, int, bytes] | None = None
        self._buffer = QBuffer(self)
        self._sounds: dict[Path, tuple[tuple[int, int], bytes]] = {}
        self._next: Path | None = None
        self._after_sound = QTimer(self)
        self._after_sound.setSingleShot(True)
        self._after_sound.timeout.connect(self._play_next)
        self._done = QTimer(self)
        """Runs while a WAV plays: from its start until it has been heard to the end."""
        self._done.setSingleShot(True)
        self._done.timeout.connect(self.stop)

    def is_playing(self) -> bool:
        """True from the start of a WAV until it has been heard to the end (or cut off)."""
        return self._done.isActive()

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        if self._sink is not None:
            self._sink.setVolume(volume)

    def play_voice(self, path: Path) -> None:
        """Say this WAV now, cutting off other speech; after a sound that is playing."""
        self._next = None
        self._after_sound.stop()
        if self.kind == "sound" and self.is_playing():
            self._next = path  # when its last sample is handed over
            self._after_sound.start(max(0, self._done.remainingTime() - DRAIN_MS))
            return
        self._start(path, "voice", self._read(path))

    def play_sound(self, path: Path) -> None:
        """Play a short sound unless speech is playing or waiting its turn."""
        if self._next is not None or (self.kind == "voice" and self.is_playing()):
            return
        pcm = self._sounds.get(path)
        if pcm is None:
            pcm = self._sounds[path] = self._read(path)
        self._start(path, "sound", pcm)

    def stop(self) -> None:
        """Silence at once, and forget anything waiting to be said."""
        self._next = None
        self._after_sound.stop()
        self._done.stop()
        if self._sink is not None:
            self._sink.stop()

    def _play_next(self) -> None:
        path, self._next = self._next, None
        if path is not None:  # the sound's last samples are still draining: cut them
            self._start(path, "voice", self._read(path))

    @staticmethod
    def _read(path: Path) -> tuple[tuple[int, int], bytes]:
        """(rate, channels) and the 16-bit samples of a WAV; nothing when unreadable."""
        try:
            with wave.open(str(path)) as wav:
                if wav.getsampwidth() != 2:
                    raise wave.Error(f"{wav.getsampwidth() * 8}-bit samples")
                return (wav.getframerate(), wav.getnchannels()), wav.readframes(wav.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            log.warning("cannot play %s: %s", path, exc)
            return (0, 0), b""

    def _start(self, path: Path, kind: str, pcm: tuple[tuple[int, int], bytes]) -> None:
        (rate, channels), samples = pcm
        self.stop()
        if not samples:
            return
        sink = self._sink_for(rate, channels)
        self._buffer.close()
        self._buffer.setData(samples)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        sink.start(self._buffer)
        self.source, self.kind = path, kind
        # A sink stays active after its last sample and keeps polling (0.7 % of a core):
        # stop it once the sound server has had time to play what it was given.
        self._done.start(round(len(samples) / (2 * channels * rate) * 1000) + DRAIN_MS)

    def _sink_for(self, rate: int, channels: int) -> QAudioSink:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

        device = QMediaDevices.defaultAudioOutput()  # headphones plugged in: use them
        wanted = (rate, channels, bytes(device.id().data()))
        if self._sink is None or self._format != wanted:
            if self._sink is not None:
                self._sink.deleteLater()
            audio = QAudioFormat()
            audio.setSampleRate(rate)
            audio.setChannelCount(channels)
            audio.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            self._sink = QAudioSink(device, audio, self)
            self._sink.setVolume(self.volume)
            self._format = wanted
        return self._sink


class Voice(QObject):
    """Speaks the session's cues and plays its sounds; every failure ends in one notice."""

    notice = Signal(str)
    cue_requested = Signal(str)
    _worker_failed = Signal(str)
    _worker_rendered = Signal(str, str)

    def __init__(
        self,
        settings: SpeechSettings,
        cache_dir: Path,
        sounds_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._cache_dir = cache_dir
        self._sounds_dir = sounds_dir
        self._renderer: CueRenderer | None = None
        self._voice_failed = False
        self._speaker: Speaker | None = None
        self._audio_checked = False
        self._muted = False
        self._silenced = False
        self._noticed = False
        self._pending: tuple[str, float] | None = None
        self._prepared: list[str] = []
        self.stall_limit_s = STALL_LIMIT_S
        self.job_timeout_s = JOB_TIMEOUT_S
        self._worker_failed.connect(self._on_worker_failed)
        self._worker_rendered.connect(self._on_worker_rendered)

    # --- the contract ---------------------------------------------------------------

    @property
    def settings(self) -> SpeechSettings:
        return self._settings

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def renderer(self) -> CueRenderer | None:
        """The speech worker, once the voice has been used (for tests and the bench)."""
        return self._renderer

    @property
    def speaker(self) -> Speaker | None:
        """What plays cues and sounds, once an output exists (for tests and the bench)."""
        return self._speaker

    def voices(self) -> tuple[VoiceInfo, ...]:
        """The engine's voices for settings; empty until it has started (this starts it)."""
        renderer = self._ensure_renderer()
        if renderer is None:
            return ()
        renderer.start()
        return renderer.voices

    def set_muted(self, muted: bool) -> None:
        """Mute (the M key): nothing is spoken or played until unmuted."""
        self._muted = muted
        if muted:
            self.stop()

    def prepare(self, texts: Iterable[str]) -> None:
        """Start rendering the session's texts in the background; returns at once.

        ``texts`` in order of first use. Only the first ``RENDER_AHEAD`` are queued now; the
        renderer queues the next ones as the session reaches them (each cue looked up), and
        a cue due before it is ready is rendered on demand. The pain-stop sentence, "Paused"
        and "Resuming" come right after the first text, so they are ready from the start.
        """
        from sciatica_timer.speech import RENDER_AHEAD

        session = list(dict.fromkeys(texts))
        extra = (PAIN_STOP_SENTENCE, PAUSED_TEXT, RESUMED_TEXT)
        ordered = list(dict.fromkeys([*session[:1], *extra, *session[1:]]))
        self._prepared = ordered[:RENDER_AHEAD]  # what apply() renders again for a new rate
        self._silenced = False
        speaking = self._settings.voice_on and talks(self._settings.verbosity)
        if speaking or self._settings.sounds_on:  # all off: QtMultimedia is never loaded
            self._ensure_players()
        renderer = self._ensure_renderer()  # no thread, no engine until something is queued
        if renderer is not None:  # silent now: the plan serves if the voice is turned on
            renderer.plan(ordered, ahead=RENDER_AHEAD, queue=speaking)

    def handle(self, event: Event) -> None:
        """React to one engine event; never raises, never waits."""
        try:
            self._handle(event)
        except Exception:
            log.exception("voice: handling %s failed", event.kind)
            self._give_notice(voice_unavailable_message("an internal error"))

    def stop(self) -> None:
        """Cut off any playback now and drop what is waiting to be said."""
        self._pending = None
        if self._speaker is not None:
            self._speaker.stop()
        if self._renderer is not None:
            self._renderer.cancel()

    def apply(self, settings: SpeechSettings) -> None:
        """Use new settings from now on (re-renders in the background if voice or rate changed)."""
        old, self._settings = self._settings, settings
        if self._speaker is not None:
            self._speaker.set_volume(settings.volume)
            speaking = settings.voice_on and talks(settings.verbosity)
            sounding = settings.sounds_on and settings.verbosity is not Verbosity.SILENT
            kind = self._speaker.kind
            if (kind == "voice" and not speaking) or (kind == "sound" and not sounding):
                self._speaker.stop()
        changed = (old.voice_id, old.rate) != (settings.voice_id, settings.rate)
        if self._renderer is not None and changed:
            self._renderer.configure(settings.voice_id, settings.rate)
        if self._prepared and settings.voice_on and talks(settings.verbosity):
            renderer = self._ensure_renderer()
            if renderer is not None:
                renderer.render(self._prepared)

    def shutdown(self) -> None:
        """Stop playback and the worker thread; returns within about 1.5 s whatever happens."""
        self.stop()
        if self._renderer is not None:
            self._renderer.shutdown(timeout=1.5)

    # --- events ---------------------------------------------------------------------

    def _handle(self, event: Event) -> None:
        kind = event.kind
        if kind is EventKind.STARTED:
            self._silenced = False
        if self._silenced:
            return
        if kind is EventKind.PAIN_STOP:
            self.stop()
            if talks(self._settings.verbosity):
                self._speak(PAIN_STOP_SENTENCE)
            self._silenced = True
        elif kind is EventKind.PAUSED:
            self.stop()
            if talks(self._settings.verbosity):
                self._speak(PAUSED_TEXT)
        elif kind is EventKind.ENDED:
            self.stop()
        elif kind is EventKind.RESUMED:
            if talks(self._settings.verbosity):
                self._speak(RESUMED_TEXT)
        elif kind is EventKind.PHASE_STARTED:
            self._sound("chime")
        elif kind is EventKind.COMPLETED:
            self._sound("end")
        elif kind is EventKind.CUE and event.cue is not None:
            cue = event.cue
            if event.late_ns > LATE_LIMIT_S * 1e9 and cue.kind is not CueKind.COMPLETE:
                return
            if speaks(cue.kind, self._settings.verbosity) and self._settings.voice_on:
                self._speak(cue.text)
            elif cue.kind in (CueKind.COUNTDOWN, CueKind.REP):
                self._sound("tick")

    def _speak(self, text: str) -> None:
        if self._muted or not self._settings.voice_on:
            return
        self.cue_requested.emit(text)
        if not self._ensure_players():
            return
        renderer = self._ensure_renderer()
        if renderer is None:
            return
        if renderer.busy_for() > self.stall_limit_s:
            self._on_worker_failed(f"a cue took more than {self.stall_limit_s:g} s")
            return
        path = renderer.path_for(text)
        if path is not None and self._speaker is not None:
            self._pending = None
            self._speaker.play_voice(path)
        elif renderer.can_save:
            self._pending = (text, time.monotonic())
            renderer.render_now(text)
        else:
            renderer.say(text)

    def _sound(self, name: str) -> None:
        s = self._settings
        if self._muted or not s.sounds_on or s.verbosity is Verbosity.SILENT:
            return
        if self._ensure_players() and self._speaker is not None:
            self._speaker.play_sound(self._sounds_dir / f"{name}.wav")

    # --- lazily built parts -----------------------------------------------------------

    def _ensure_players(self) -> bool:
        if not self._audio_checked:
            self._audio_checked = True
            problem = probe_audio()
            if problem is None:
                self._speaker = Speaker(self._settings.volume, self)
            else:
                self._give_notice(problem)
        return self._speaker is not None

    def _ensure_renderer(self) -> CueRenderer | None:
        if self._voice_failed:
            return None
        if self._renderer is None:
            self._renderer = CueRenderer(
                self._cache_dir,
                voice_id=self._settings.voice_id,
                rate=self._settings.rate,
                on_failure=self._worker_failed.emit,
                on_rendered=lambda text, path: self._worker_rendered.emit(text, str(path)),
                job_timeout_s=self.job_timeout_s,
            )
        return self._renderer

    def _give_notice(self, message: str) -> None:
        if not self._noticed:
            self._noticed = True
            self.notice.emit(message)

    # --- from the worker thread, delivered on the GUI thread ------------------------

    def _on_worker_failed(self, reason: str) -> None:
        self._voice_failed = True
        self._pending = None
        if self._renderer is not None:
            self._renderer.shutdown(timeout=0)
        self._give_notice(voice_unavailable_message(reason))

    def _on_worker_rendered(self, text: str, path: str) -> None:
        pending = self._pending
        if pending is None or pending[0] != text:
            return
        self._pending = None
        if time.monotonic() - pending[1] <= PENDING_LIMIT_S and self._speaker is not None:
            self._speaker.play_voice(Path(path))
