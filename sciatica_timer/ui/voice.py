"""The session's voice and sounds: engine events in, pre-rendered WAVs and short sounds out.

Cheap to build: QtMultimedia is imported on the first ``prepare``/``handle`` and pyttsx3
only on the speech worker thread. The GUI thread only enqueues, starts players and stops
them; it never waits for speech.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Q_ARG, QCoreApplication, QMetaObject, QObject, Qt, QUrl, Signal

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
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QSoundEffect

log = logging.getLogger(__name__)

SOUND_NAMES = ("tick", "chime", "end")
PENDING_LIMIT_S = 1.0
"""A cue rendered on demand is still played if it is ready this soon after it was asked."""
STALL_LIMIT_S = 12.0
"""A speech job running longer than this means the engine hangs: the voice is given up."""
NO_DEVICE_QT_WARNINGS = (
    r"Couldn't (load|resolve) (pipewire-0\.3|va|va-drm|va-x11|va\(in plugin\)) "
    r"(library|symbols)",
    r"PulseAudioService: pa_context_connect\(\) failed",
)
"""Qt warnings QtMultimedia prints once on a machine with no sound server: for tests' markers."""


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
    return None if QMediaDevices.audioOutputs() else NO_OUTPUT_MESSAGE


def _queued(target: QObject, slot: str, *args: Any) -> None:
    """Run a multimedia slot from the event loop, where PySide does not hold the GIL.

    Called straight from Python, ``QMediaPlayer.stop()`` (and ``setSource`` while playing)
    can deadlock: it waits for the player's audio thread, which waits for the GIL to
    destroy an object connected to our Python-made QAudioOutput (seen with PySide6 6.12,
    pinned by tests/gui/test_voice.py). Queued calls also keep their order.
    """
    QMetaObject.invokeMethod(target, slot, Qt.ConnectionType.QueuedConnection, *args)


class _Players:
    """The QtMultimedia objects, made once an output is known to exist; all control queued."""

    def __init__(self, parent: QObject, sounds_dir: Path, volume: float) -> None:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        self._parent = parent
        self._sounds_dir = sounds_dir
        self.output: QAudioOutput = QAudioOutput(parent)
        self.player: QMediaPlayer = QMediaPlayer(parent)
        self.player.setAudioOutput(self.output)
        self.effects: dict[str, QSoundEffect] = {}
        self.set_volume(volume)

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        self.output.setVolume(volume)
        for effect in self.effects.values():
            effect.setVolume(volume)

    def play_voice(self, path: Path) -> None:
        """Play this WAV now, cutting off whatever is playing."""
        _queued(self.player, "stop")
        _queued(self.player, "setSource", Q_ARG(QUrl, QUrl.fromLocalFile(str(path))))
        _queued(self.player, "play")

    def play_sound(self, name: str) -> None:
        effect = self.effects.get(name)
        if effect is None:
            from PySide6.QtMultimedia import QSoundEffect

            effect = QSoundEffect(self._parent)
            effect.setSource(QUrl.fromLocalFile(str(self._sounds_dir / f"{name}.wav")))
            effect.setVolume(self.volume)
            self.effects[name] = effect
        _queued(effect, "play")

    def stop_voice(self) -> None:
        _queued(self.player, "stop")

    def stop_sounds(self) -> None:
        for effect in self.effects.values():
            _queued(effect, "stop")

    def flush(self) -> None:
        """Carry out queued stops now (at shutdown, when the event loop may not run again)."""
        QCoreApplication.sendPostedEvents(self.player)
        for effect in self.effects.values():
            QCoreApplication.sendPostedEvents(effect)


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
        self._players: _Players | None = None
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
    def player(self) -> QMediaPlayer | None:
        """The voice's media player, once an output exists (for tests and the bench)."""
        return self._players.player if self._players else None

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
        """Start rendering the session's texts in the background; returns at once."""
        extra = (PAIN_STOP_SENTENCE, PAUSED_TEXT, RESUMED_TEXT)
        self._prepared = list(dict.fromkeys([*texts, *extra]))
        self._silenced = False
        speaking = self._settings.voice_on and talks(self._settings.verbosity)
        if speaking or self._settings.sounds_on:  # all off: QtMultimedia is never loaded
            self._ensure_players()
        if speaking:
            renderer = self._ensure_renderer()
            if renderer is not None:
                renderer.render(self._prepared)

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
        if self._players is not None:
            self._players.stop_voice()
            self._players.stop_sounds()
        if self._renderer is not None:
            self._renderer.cancel()

    def apply(self, settings: SpeechSettings) -> None:
        """Use new settings from now on (re-renders in the background if voice or rate changed)."""
        old, self._settings = self._settings, settings
        if self._players is not None:
            self._players.set_volume(settings.volume)
            if not (settings.voice_on and talks(settings.verbosity)):
                self._players.stop_voice()
            if not settings.sounds_on or settings.verbosity is Verbosity.SILENT:
                self._players.stop_sounds()
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
        if self._players is not None:
            self._players.flush()
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
        if path is not None and self._players is not None:
            self._pending = None
            self._players.play_voice(path)
        elif renderer.can_save:
            self._pending = (text, time.monotonic())
            renderer.render_now(text)
        else:
            renderer.say(text)

    def _sound(self, name: str) -> None:
        s = self._settings
        if self._muted or not s.sounds_on or s.verbosity is Verbosity.SILENT:
            return
        if self._ensure_players() and self._players is not None:
            self._players.play_sound(name)

    # --- lazily built parts -----------------------------------------------------------

    def _ensure_players(self) -> bool:
        if not self._audio_checked:
            self._audio_checked = True
            problem = probe_audio()
            if problem is None:
                self._players = _Players(self, self._sounds_dir, self._settings.volume)
            else:
                self._give_notice(problem)
        return self._players is not None

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
        if time.monotonic() - pending[1] <= PENDING_LIMIT_S and self._players is not None:
            self._players.play_voice(Path(path))
