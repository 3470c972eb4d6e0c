"""The session's voice and sounds: engine events in, pre-rendered WAVs and short sounds out.

Cheap to build: pyttsx3 is imported only on the speech worker thread, and the player
process (``ui.audio.player_client``) starts on the first ``prepare``/``handle``. What is
said or played for each event is decided in ``core.cues``; this only carries it out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from sciatica_timer.core.cues import EVENT_TEXTS, Play, Say, Sound, SpeechSettings, react
from sciatica_timer.core.engine import Event
from sciatica_timer.speech.renderer import (
    JOB_TIMEOUT_S,
    RENDER_AHEAD,
    CueRenderer,
    VoiceInfo,
    speaking_directly_message,
    voice_unavailable_message,
)
from sciatica_timer.ui.audio.speaker import Playing, Speaker

log = logging.getLogger(__name__)

SAY_LEAD_S = 2.0
SAY_S_PER_CHAR = 0.1
"""A cue the engine speaks itself (no WAV, so no length): a generous guess at how long the
app makes sound, for the voice stop (espeak speaks about 14 characters a second at 175 wpm)."""
STALL_LIMIT_S = 12.0
"""A speech job running longer than this means the engine hangs: the voice is given up."""
SOUND_LOST_MESSAGE = (
    "Sound stopped working ({reason}); the session continues on time with on-screen cues. "
    "Sound comes back by itself once the sound system does."
)


class Voice(QObject):
    """Speaks the session's cues and plays its sounds; every failure ends in one notice."""

    notice = Signal(str)
    cue_requested = Signal(str)
    speaking = Signal(float)
    """The app is about to make sound for about this many seconds (the voice stop does not
    listen meanwhile)."""
    _worker_failed = Signal(str)
    _worker_fell_back = Signal(str)
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
        self._sound_lost_noticed = False
        self._spent: Speaker | None = None
        self._pending: Say | None = None
        """A cue being rendered on demand, played once ready if still in time."""
        self._prepared: list[str] = []
        self.stall_limit_s = STALL_LIMIT_S
        self.job_timeout_s = JOB_TIMEOUT_S
        self._worker_failed.connect(self._on_worker_failed)
        self._worker_fell_back.connect(
            lambda reason: self._give_notice(speaking_directly_message(reason))
        )
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
        session = list(dict.fromkeys(texts))
        ordered = list(dict.fromkeys([*session[:1], *EVENT_TEXTS, *session[1:]]))
        self._prepared = ordered[:RENDER_AHEAD]  # what apply() renders again for a new rate
        self._silenced = False
        speaking = self._settings.speaking
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
            kind = self._speaker.kind
            if (kind is Playing.VOICE and not settings.speaking) or (
                kind is Playing.SOUND and not settings.sounding
            ):
                self._speaker.stop()
        changed = (old.voice_id, old.rate) != (settings.voice_id, settings.rate)
        if self._renderer is not None and changed:
            self._renderer.configure(settings.voice_id, settings.rate)
        if self._prepared and settings.speaking:
            renderer = self._ensure_renderer()
            if renderer is not None:
                renderer.render(self._prepared)

    def shutdown(self) -> None:
        """Stop playback and the worker thread; returns within about 1.5 s whatever happens."""
        self.stop()
        for speaker in (self._speaker, self._spent):
            if speaker is not None:
                speaker.shutdown()
        if self._renderer is not None:
            self._renderer.shutdown(timeout=1.5)

    # --- events ---------------------------------------------------------------------

    def _handle(self, event: Event) -> None:
        reaction = react(
            event,
            self._settings,
            muted=self._muted,
            silenced=self._silenced,
            now=time.monotonic(),
        )
        if reaction.stop:
            self.stop()
        if isinstance(reaction.then, Say):
            self._speak(reaction.then)
        elif isinstance(reaction.then, Play):
            self._sound(reaction.then.sound)
        self._silenced = reaction.silenced

    def _speak(self, say: Say) -> None:
        text = say.text
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
        else:
            # Rendered now and played, or spoken by the engine itself if saving fails there
            # (or here): soon, on the worker, and its length is a guess.
            self.speaking.emit(SAY_LEAD_S + SAY_S_PER_CHAR * len(text))
            if renderer.can_save:
                self._pending = say
                renderer.render_now(text)
            else:
                renderer.say(text)

    def _sound(self, sound: Sound) -> None:
        if self._ensure_players() and self._speaker is not None:
            self._speaker.play_sound(self._sounds_dir / f"{sound}.wav")

    # --- lazily built parts -----------------------------------------------------------

    def _ensure_players(self) -> bool:
        """Start the player process (once); False once it has said there is no output."""
        if not self._audio_checked:
            self._audio_checked = True
            speaker = Speaker(self._settings.volume, self)
            speaker.unavailable.connect(self._on_audio_unavailable)
            speaker.lost.connect(self._on_sound_lost)
            speaker.playing.connect(self.speaking)
            self._speaker = speaker
        return self._speaker is not None

    def _on_audio_unavailable(self, message: str) -> None:
        """The player's verdict at its first start: no output, or no Qt Multimedia."""
        self._spent, self._speaker = self._speaker, None  # its player is ending by itself
        self._give_notice(message)

    def _on_sound_lost(self, reason: str) -> None:
        """The player died or hung (the sound server went away or stopped): it is started
        again by itself; the window is told once, whatever else it was told."""
        if not self._sound_lost_noticed:
            self._sound_lost_noticed = True
            self.notice.emit(SOUND_LOST_MESSAGE.format(reason=reason))

    def _ensure_renderer(self) -> CueRenderer | None:
        if self._voice_failed:
            return None
        if self._renderer is None:
            self._renderer = CueRenderer(
                self._cache_dir,
                voice_id=self._settings.voice_id,
                rate=self._settings.rate,
                on_failure=self._worker_failed.emit,
                on_fallback=self._worker_fell_back.emit,
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
        if pending is None or pending.text != text:
            return
        self._pending = None
        if time.monotonic() <= pending.until and self._speaker is not None:
            self._speaker.play_voice(Path(path))
