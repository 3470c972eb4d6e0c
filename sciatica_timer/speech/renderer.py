"""The one worker thread that owns the pyttsx3 engine: it renders cues to the cache. No Qt.

Every job waits for ``finished-utterance`` with a deadline, and a timer ends a stuck run
loop (``speech.engine`` says why). A session's texts are rendered as it reaches them
(``plan``), never all at start (a 10,000-exercise file once queued 8,216 renders, 2.2 GB).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sciatica_timer.core.cues import LATE_LIMIT_S
from sciatica_timer.speech.audiofile import AudioFormatError, to_wav16
from sciatica_timer.speech.cache import (
    CACHE_MAX_AGE_S,
    CACHE_MAX_BYTES,
    CACHE_PRUNE_TO,
    Pruned,
    cache_key,
    engine_version,
    mark_used,
    prune_cache,
    wav_seconds,
)
from sciatica_timer.speech.engine import (
    ENGINE_LOCK,
    end_loop,
    open_engine,
    speak_aloud_again,
    wait_for_espeak_idle,
    with_rate,
)
from sciatica_timer.storage.paths import create_private_file, make_private_dir, seal_private_file

JOB_TIMEOUT_S = 10.0
"""Longest one render or one fallback utterance may take before the voice is given up."""
RENDER_AHEAD = 60
"""How many of a session's texts (distinct, in order of first use) are rendered ahead of the
furthest one it has reached. The bundled routines reach 20 to 37 new texts in their first ten
minutes; a cue that is due but not ready is rendered on demand."""
APT_HINT = "On Debian/Ubuntu: sudo apt-get install libespeak-ng1"
FIX_HINTS = {
    "win32": (
        "To fix it, check that Windows has a voice: Settings, Time & language, Speech "
        "(Manage voices)."
    ),
    "darwin": (
        "To fix it, check that macOS has a voice: System Settings, Accessibility, "
        "Spoken Content (System voice)."
    ),
}
"""What to do about a missing voice, per system (``sys.platform``); others get eSpeak NG."""


def fix_hint(platform: str | None = None) -> str:
    """What to do about a voice that does not work, on this system."""
    platform = sys.platform if platform is None else platform
    return FIX_HINTS.get(platform, f"To fix it, install eSpeak NG. {APT_HINT}")


def voice_unavailable_message(reason: str, platform: str | None = None) -> str:
    """The one plain sentence the window shows when speech cannot be used."""
    return (
        f"The voice is unavailable ({reason}); the session continues on time with on-screen "
        f"cues and sounds. {fix_hint(platform)}"
    )


def speaking_directly_message(reason: str) -> str:
    """What the window says once cues can no longer be prepared as sound files here."""
    return (
        f"The voice cannot be prepared ahead on this computer ({reason}), so each cue is "
        "spoken directly by the system's voice; it may start a moment late."
    )


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str


@dataclass(frozen=True)
class _Job:
    kind: Literal["render", "say"]
    text: str
    voice_id: str | None
    rate: int
    queued_at: float
    due: bool = False
    """A cue the session is waiting for (``render_now``): spoken aloud if it cannot be saved."""


class _Failed(Exception):
    """The engine cannot be used any more; the message says why."""


log = logging.getLogger(__name__)


class CueRenderer:
    """One worker thread owning the pyttsx3 engine; the caller only enqueues and never waits.

    Renders texts to ``cache_dir/<cache_key>.wav``; speaks with ``say`` where saving does not
    work. Callbacks run on the worker thread: a Qt caller must marshal them. A session's
    texts go through ``plan``, which queues only the next ``RENDER_AHEAD`` of them. The
    worker prunes the cache when it starts and whenever it grows past ``cache_max_bytes``.
    """

    def __init__(
        self,
        cache_dir: Path,
        *,
        voice_id: str | None = None,
        rate: int = 150,
        on_failure: Callable[[str], None] | None = None,
        on_rendered: Callable[[str, Path], None] | None = None,
        on_fallback: Callable[[str], None] | None = None,
        job_timeout_s: float = JOB_TIMEOUT_S,
        driver_name: str | None = None,
        cache_max_bytes: int = CACHE_MAX_BYTES,
        cache_max_age_s: float = CACHE_MAX_AGE_S,
    ) -> None:
        self.cache_dir = cache_dir
        self._voice_id = voice_id
        self._rate = rate
        self._on_failure = on_failure
        self._on_rendered = on_rendered
        self._on_fallback = on_fallback
        self._fallback: str | None = None
        self._job_timeout_s = job_timeout_s
        self._driver_name = driver_name
        self._jobs: deque[_Job] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._failure: str | None = None
        self._can_save = True
        self._busy_since: float | None = None
        self._voices: tuple[VoiceInfo, ...] = ()
        self._default_voice: str | None = None
        self._engine_tag = ""
        """``engine_version()`` once the worker has started the engine; part of every key."""
        self._max_bytes = cache_max_bytes
        self._max_age_s = cache_max_age_s
        self._cache_bytes = 0
        """What the cache held after the last prune, plus what was rendered since."""
        self._used: set[Path] = set()
        """Cached WAVs handed out by ``path_for``, to be marked used on the worker."""
        self._plan: list[str] = []
        self._plan_at: dict[str, int] = {}
        self._ahead = RENDER_AHEAD
        self._planned = 0
        """The plan's texts before this index are queued (or were)."""
        self._reached = 0
        """The furthest index of the plan the session has asked for."""
        self.last_prune: Pruned | None = None
        """The worker's last pass over the cache (for tests and the bench)."""
        self.synth_count = 0
        """Utterances actually synthesised (cache hits do not count)."""
        self.empty_retries = 0
        """Renders repeated because pyttsx3 wrote an empty WAV."""

    # --- called from any thread -----------------------------------------------------

    @property
    def failure(self) -> str | None:
        """Why the engine cannot be used, or None while it can."""
        return self._failure

    @property
    def can_save(self) -> bool:
        """False once ``save_to_file`` was found not to write a WAV here."""
        return self._can_save

    @property
    def fallback(self) -> str | None:
        """Why cues are spoken with ``say`` instead of saved (``speaking_directly_message``
        words it for the window), or None while saving works."""
        return self._fallback

    @property
    def voices(self) -> tuple[VoiceInfo, ...]:
        """The engine's voices; empty until the worker has started the engine."""
        return self._voices

    @property
    def engine_tag(self) -> str | None:
        """The engine's versions as the cache key has them; None until the engine started."""
        return self._engine_tag or None

    @property
    def queued_renders(self) -> int:
        """Renders waiting in the queue (not counting one in progress)."""
        with self._wake:
            return sum(1 for job in self._jobs if job.kind == "render")

    def configure(self, voice_id: str | None, rate: int) -> None:
        """Use this voice and rate for texts enqueued from now on; the session's texts queued
        ahead are queued again for them, and renders queued for the old ones are dropped."""
        with self._wake:
            if (voice_id, rate) == (self._voice_id, self._rate):
                return
            self._voice_id, self._rate = voice_id, rate
            kept = [
                j for j in self._jobs if j.kind == "say" or (j.voice_id, j.rate) == (voice_id, rate)
            ]
            self._jobs.clear()
            self._jobs.extend(kept)
            ahead = self._plan[self._reached : self._planned]
        self.render(ahead)

    def cache_path(self, text: str) -> Path | None:
        """Where this text's WAV is cached with the current voice and rate; None until the
        engine (and so its version, part of the key) is known."""
        if not self._engine_tag:
            return None
        return (
            self.cache_dir / f"{cache_key(text, self._voice_id, self._rate, self._engine_tag)}.wav"
        )

    def path_for(self, text: str) -> Path | None:
        """The rendered WAV for this text with the current voice and rate, if ready.

        Asking means the cue is due: the session has reached this text of the plan, so the
        texts planned after it are queued, and the file counts as used (marked on the worker).
        """
        self._reach(text)
        path = self.cache_path(text)
        if path is None or not path.is_file():
            return None
        with self._wake:
            self._used.add(path)
        return path

    def busy_for(self) -> float:
        """Seconds the current job has been running, 0.0 when idle."""
        since = self._busy_since
        return time.monotonic() - since if since is not None else 0.0

    def render(self, texts: Iterable[str]) -> None:
        """Queue texts for rendering in the background, in order."""
        self._put([self._job("render", t) for t in dict.fromkeys(texts)], urgent=False)

    def plan(
        self, texts: Iterable[str], *, ahead: int = RENDER_AHEAD, queue: bool = True
    ) -> list[str]:
        """Render a session's texts (in order of first use) as the session reaches them.

        The first ``ahead`` are queued now (unless ``queue`` is false: nothing yet); each
        time ``path_for`` or ``render_now`` asks for a later one, the texts up to ``ahead``
        past it are queued. Replaces the last session's plan, and drops its queued renders.
        Returns the texts queued now.
        """
        order = list(dict.fromkeys(texts))
        with self._wake:
            self._plan, self._plan_at = order, {t: i for i, t in enumerate(order)}
            self._ahead = max(1, ahead)
            self._planned = self._reached = 0
            kept = [j for j in self._jobs if j.kind == "say"]
            self._jobs.clear()
            self._jobs.extend(kept)
        return self._queue_plan(self._ahead) if queue else []

    def render_now(self, text: str) -> None:
        """Render this text before anything else queued."""
        self._reach(text)
        self._put([self._job("render", text, due=True)], urgent=True)

    def _reach(self, text: str) -> None:
        """The session has got to this text: queue the plan up to ``ahead`` texts past it."""
        at = self._plan_at.get(text)
        if at is None:
            return
        with self._wake:
            self._reached = max(self._reached, at)
        self._queue_plan(at + self._ahead)

    def _queue_plan(self, upto: int) -> list[str]:
        with self._wake:
            texts = self._plan[self._planned : upto]
            self._planned += len(texts)
        self._put([self._job("render", t) for t in texts], urgent=False)
        return texts

    def say(self, text: str) -> None:
        """Speak through pyttsx3 itself (its own audio path); dropped if it waits too long."""
        self._put([self._job("say", text)], urgent=True)

    def cancel(self) -> None:
        """Drop queued utterances (renders for the cache stay queued)."""
        with self._wake:
            kept = [j for j in self._jobs if j.kind == "render"]
            self._jobs.clear()
            self._jobs.extend(kept)

    def shutdown(self, timeout: float = 1.5) -> bool:
        """Stop the worker; True if it ended within ``timeout`` (it is a daemon either way)."""
        with self._wake:
            self._closing = True
            self._jobs.clear()
            self._wake.notify_all()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _job(self, kind: Literal["render", "say"], text: str, *, due: bool = False) -> _Job:
        return _Job(kind, text, self._voice_id, self._rate, time.monotonic(), due)

    def _put(self, jobs: list[_Job], urgent: bool) -> None:
        if self._failure is not None or not jobs:
            return
        with self._wake:
            if self._closing:
                return
            if urgent:
                self._jobs.extendleft(reversed(jobs))
            else:
                self._jobs.extend(jobs)
            self._wake.notify()
        self.start()

    def start(self) -> None:
        """Start the worker (and so the engine) if not yet started; returns at once."""
        with self._wake:
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
                self._thread.start()

    # --- the worker thread ----------------------------------------------------------

    def _next(self) -> _Job | None:
        with self._wake:
            while not self._jobs and not self._closing:
                self._wake.wait()
            return None if self._closing else self._jobs.popleft()

    def _run(self) -> None:
        try:
            make_private_dir(self.cache_dir)
            engine = self._open()
            self._prune(self._max_bytes)
            while (job := self._next()) is not None:
                self._busy_since = time.monotonic()
                try:
                    self._do(engine, job)
                finally:
                    self._busy_since = None
                self._mark_used()
            self._mark_used()
        except _Failed as exc:
            self._fail(str(exc))
        except Exception as exc:  # a driver raising mid-session: give up the voice, quietly
            self._fail(f"the speech engine failed: {type(exc).__name__}: {exc}")

    def _open(self) -> Any:
        try:
            with ENGINE_LOCK:
                engine = open_engine(self._driver_name)
                self._default_voice = engine.getProperty("voice")
                self._voices = tuple(
                    VoiceInfo(str(v.id), str(v.name)) for v in engine.getProperty("voices")
                )
                self._engine_tag = engine_version(engine)
        except Exception as exc:
            raise _Failed(f"the speech engine could not start: {exc}") from exc
        return engine

    def _fail(self, reason: str) -> None:
        with self._wake:
            self._jobs.clear()
            first = self._failure is None
            self._failure = reason
        if first and self._on_failure is not None and not self._closing:
            with contextlib.suppress(Exception):  # the receiver may already be gone
                self._on_failure(reason)

    def _do(self, engine: Any, job: _Job) -> None:
        if job.kind == "say":
            if time.monotonic() - job.queued_at <= LATE_LIMIT_S:
                self._utter(engine, job, None)
            return
        target = (
            self.cache_dir / f"{cache_key(job.text, job.voice_id, job.rate, self._engine_tag)}.wav"
        )
        if target.is_file():
            mark_used(target)  # the session is about to use it: keep it from pruning
        elif not self._can_save:
            self._speak_directly(engine, job, self._fallback or "")
        else:
            part = target.with_suffix(".part.wav")
            problem = ""
            for _attempt in range(3):  # espeak now and then leaves pyttsx3 an empty WAV
                self._utter(engine, job, part)
                problem = _as_wav16(part)
                if not problem or _unwritten(part):
                    break
                self.empty_retries += 1
            if problem:  # this platform's driver does not write sound files we can read
                part.unlink(missing_ok=True)
                self._speak_directly(engine, job, problem)
                return
            seal_private_file(part)  # in case a driver replaced the file made for it
            part.replace(target)
            self._count_written(target)
        if target.is_file() and self._on_rendered is not None:
            with contextlib.suppress(Exception):
                self._on_rendered(job.text, target)

    def _speak_directly(self, engine: Any, job: _Job, problem: str) -> None:
        """Saving does not work here: from now on cues are spoken with ``say``; this one too
        if the session is waiting for it (a render queued ahead is not spoken)."""
        first = self._can_save
        self._can_save = False
        if first:
            self._fallback = problem
            log.warning("speech: cues are spoken directly: %s", problem)
            if self._on_fallback is not None:
                with contextlib.suppress(Exception):
                    self._on_fallback(problem)
        if job.due and time.monotonic() - job.queued_at <= LATE_LIMIT_S:
            self._utter(engine, job, None)

    def _count_written(self, target: Path) -> None:
        with contextlib.suppress(OSError):
            self._cache_bytes += target.stat().st_size
        if self._cache_bytes > self._max_bytes:
            self._prune(int(self._max_bytes * CACHE_PRUNE_TO))

    def _prune(self, max_bytes: int) -> None:
        """Prune the cache (on the worker), keeping the session's start and its texts ahead."""
        self._mark_used()
        with self._wake:
            texts = {*self._plan[: self._ahead], *self._plan[self._reached : self._planned]}
            voice_id, rate = self._voice_id, self._rate
        keep = {f"{cache_key(t, voice_id, rate, self._engine_tag)}.wav" for t in texts}
        pruned = prune_cache(
            self.cache_dir, max_bytes=max_bytes, max_age_s=self._max_age_s, keep=keep
        )
        self._cache_bytes = pruned.kept_bytes
        self.last_prune = pruned
        if pruned.removed:
            log.info(
                "speech cache: removed %d of %d files (%.1f of %.1f MB) in %.0f ms",
                pruned.removed,
                pruned.files,
                pruned.removed_bytes / 1e6,
                pruned.total_bytes / 1e6,
                pruned.seconds * 1000,
            )

    def _mark_used(self) -> None:
        with self._wake:
            used, self._used = self._used, set()
        for path in used:
            mark_used(path)

    def _utter(self, engine: Any, job: _Job, into: Path | None) -> None:
        """One utterance, start to finish; pyttsx3 sometimes cancels one, so retry twice."""
        if not ENGINE_LOCK.acquire(timeout=self._job_timeout_s):
            raise _Failed("the speech engine is held by another speaker")
        try:
            for _attempt in range(3):
                if into is not None:
                    _fresh_private_file(into)
                if self._utter_once(engine, job, into):
                    return
                if into is not None:
                    into.unlink(missing_ok=True)
        finally:
            ENGINE_LOCK.release()
        raise _Failed("the speech engine kept cancelling cues")

    def _utter_once(self, engine: Any, job: _Job, into: Path | None) -> bool:
        """Queue, run, and wait for ``finished-utterance`` (with a deadline): completed?"""
        done = threading.Event()
        completed: list[bool] = []
        errors: list[object] = []

        def finished(completed_: bool = True, **_: object) -> None:
            completed.append(bool(completed_))
            done.set()

        tokens = [
            engine.connect("finished-utterance", lambda **kw: finished(kw.get("completed", True))),
            engine.connect("error", lambda **kw: errors.append(kw.get("exception"))),
        ]
        try:
            # Wait for espeak's own thread to finish the last cue, however busy the machine
            # is (within the job's limit): pyttsx3 cancels the next utterance otherwise.
            if not wait_for_espeak_idle(self._job_timeout_s):
                raise _Failed(f"the speech engine stayed busy for {self._job_timeout_s:g} s")
            self._set_voice(engine, job.voice_id)
            engine.setProperty("rate", job.rate)
            engine.setProperty("volume", 1.0)
            text = with_rate(engine, job.text, job.rate)
            if into is not None:
                engine.save_to_file(text, str(into))
            else:
                speak_aloud_again(engine)
                engine.say(text)
            started = time.monotonic()
            rescue = threading.Timer(self._job_timeout_s, end_loop, (engine,))
            rescue.daemon = True
            rescue.start()
            try:
                engine.runAndWait()
                ended = done.wait(max(0.0, self._job_timeout_s - (time.monotonic() - started)))
            finally:
                rescue.cancel()
            wait_for_espeak_idle(self._job_timeout_s)
        finally:
            for token in tokens:
                engine.disconnect(token)
        self.synth_count += 1
        if errors:
            raise _Failed(f"the speech engine failed: {errors[0]}")
        if not ended:
            raise _Failed(f"a cue took more than {self._job_timeout_s:g} s to speak")
        return any(completed)

    def _set_voice(self, engine: Any, voice_id: str | None) -> None:
        known = {v.id for v in self._voices}
        engine.setProperty("voice", voice_id if voice_id in known else self._default_voice)


def _fresh_private_file(path: Path) -> None:
    """An empty file for the driver to write the WAV into, private (0600) whatever the
    umask: pyttsx3 opens it with ``wave.open(path, "wb")``, which keeps an existing file's
    mode but would create a missing one as the umask allows. A leftover is replaced."""
    path.unlink(missing_ok=True)
    os.close(create_private_file(path))


def _as_wav16(path: Path) -> str:
    """Make the driver's file the 16-bit WAV the player reads (macOS writes AIFF; another
    driver may write float or 24-bit samples); "" when it is one with sound in it, else
    what is wrong."""
    try:
        source = to_wav16(path)
    except (OSError, AudioFormatError) as exc:
        return f"the speech engine wrote no sound file it can read: {exc}"
    if source != "WAV 16-bit PCM":
        log.debug("speech: %s converted from %s", path.name, source)
    if wav_seconds(path) <= 0:
        return "the speech engine wrote an empty sound file"
    return ""


def _unwritten(path: Path) -> bool:
    """The driver wrote nothing into the file made for it (or removed it)."""
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True
