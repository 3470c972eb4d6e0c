"""The session's voice and sounds: engine events in, pre-rendered WAVs and short sounds out.

Cheap to build: pyttsx3 is imported only on the speech worker thread, and QtMultimedia is
never loaded in this process at all: every WAV is played by a player process of our own
(``sciatica_timer.ui.audio.player_process``), started on the first ``prepare``/``handle``. The GUI
thread only enqueues, starts and stops playback by writing short lines to that process's
pipe; it never waits for speech or for the sound system, and a sound server that dies or
hangs costs the player process, never the window.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import time
import wave
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QProcess, QTimer, Signal

from sciatica_timer.core.engine import Event, EventKind
from sciatica_timer.core.timeline import CueKind
from sciatica_timer.speech.renderer import (
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
from sciatica_timer.ui.audio.player_process import DRAIN_MS, FLAG

log = logging.getLogger(__name__)

SOUND_NAMES = ("tick", "chime", "end")
PENDING_LIMIT_S = 1.0
"""A cue rendered on demand is still played if it is ready this soon after it was asked."""
STALL_LIMIT_S = 12.0
"""A speech job running longer than this means the engine hangs: the voice is given up."""
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
SOUND_LOST_MESSAGE = (
    "Sound stopped working ({reason}); the session continues on time with on-screen cues. "
    "Sound comes back by itself once the sound system does."
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
                level = logging.INFO if _EXPECTED.match(message) else logging.WARNING
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
            proc.deleteLater()


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

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.volume = volume
        self.source: Path | None = None
        """The WAV playing or last played (for tests and the bench)."""
        self.kind: str | None = None
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
        if self.kind == "sound" and self.is_playing():
            self._next = path  # when its last sample is handed over
            self._after_sound.start(max(0, self._done.remainingTime() - DRAIN_MS))
            return
        self._start(path, "voice", self._seconds(path))

    def play_sound(self, path: Path) -> None:
        """Play a short sound unless speech is playing or waiting its turn."""
        if self._next is not None or (self.kind == "voice" and self.is_playing()):
            return
        seconds = self._sounds.get(path)
        if seconds is None:
            seconds = self._sounds[path] = self._seconds(path)
        self._start(path, "sound", seconds)

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
            self._start(path, "voice", self._seconds(path))

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

    def _start(self, path: Path, kind: str, seconds: float) -> None:
        self._next = None
        self._after_sound.stop()
        self._done.stop()
        if seconds <= 0:
            self.player.stop()
            return
        heard_ms = round(seconds * 1000) + DRAIN_MS
        self.player.play(path, self.volume, time.monotonic() + heard_ms / 1000)
        self.source, self.kind = path, kind
        self._done.start(heard_ms)


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
        self._sound_lost_noticed = False
        self._spent: Speaker | None = None
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
        from sciatica_timer.speech.renderer import RENDER_AHEAD

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
        for speaker in (self._speaker, self._spent):
            if speaker is not None:
                speaker.shutdown()
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
        """Start the player process (once); False once it has said there is no output."""
        if not self._audio_checked:
            self._audio_checked = True
            speaker = Speaker(self._settings.volume, self)
            speaker.unavailable.connect(self._on_audio_unavailable)
            speaker.lost.connect(self._on_sound_lost)
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
