"""``sciatica-timer --self-test``: check that this copy of the app works, from source or frozen.

Runs the checks in order and prints one line each: ``name: ok (...)``, ``name: FAIL (...)``,
or ``name: none (...)`` when something the system must provide is missing (the speech
engine, the sound library), which is not a failure. Then a summary line. Everything is
written under a temporary folder, never the user's. The window and sound checks need Qt:
``app.py`` hands them in (``run(out, window=..., sound=...)``); this module never imports Qt.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sciatica_timer import __version__
from sciatica_timer.core.cues import Sound
from sciatica_timer.core.models import Library
from sciatica_timer.core.timeline import build_timeline
from sciatica_timer.storage.library_checks import schema_path
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.paths import AppPaths, assets_dir, bundled_library
from sciatica_timer.storage.problems import LibraryError

SPEECH_PHRASE = "Sciatica Timer self test."
SPEECH_TIMEOUT_S = 15.0
"""Longest the speech check waits for the engine to start and render one phrase."""
SPEECH_HINT = "on Debian/Ubuntu: apt-get install libespeak-ng1"
SOUND_HINT = "on Debian/Ubuntu: apt-get install libpulse0"


class CheckFailed(Exception):
    """A check found a problem; the message is the reason shown to the user."""


class Unavailable(Exception):
    """Something the system must provide is missing: reported as ``none``, not a failure."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(f"{reason}; {hint}")


@dataclass
class State:
    """What one check hands to the next."""

    paths: AppPaths
    library: Library | None = None
    user_library: Path | None = None
    """The user's own routines and exercises (``library.json`` in the data folder)."""


Check = Callable[[State], str]
"""A check: the detail shown after 'ok', or CheckFailed / Unavailable."""


def _not_handed_in(what: str) -> Check:
    def check(_state: State) -> str:
        raise Unavailable(
            f"the {what} check needs the window's parts", "run sciatica-timer --self-test"
        )

    return check


def run(
    out: TextIO,
    window: Check | None = None,
    sound: Check | None = None,
    user_library: Path | None = None,
) -> int:
    """Run every check, print the report to ``out``; 0 when all passed, 1 otherwise.

    ``window`` and ``sound`` are the Qt checks (``app.self_test`` hands them in); without
    them those two lines say ``none``. ``user_library``: the user's own library file, read
    and checked (never changed); without it there is no line for it."""
    started = time.monotonic()
    frozen = bool(getattr(sys, "frozen", False))
    out.write(
        f"Sciatica Timer {__version__} self-test ({'frozen' if frozen else 'source'}, "
        f"Python {sys.version.split()[0]}, {sys.platform})\n"
    )
    failures: list[str] = []
    with tempfile.TemporaryDirectory(
        prefix="sciatica-selftest-", ignore_cleanup_errors=True
    ) as tmp:
        state = State(AppPaths.under(Path(tmp)), user_library=user_library)
        checks: list[tuple[str, Check]] = [
            ("library", _check_library),
            ("routines", _check_routines),
            *([("your library", _check_user_library)] if user_library is not None else []),
            ("window", window or _not_handed_in("window")),
            ("sound", sound or _not_handed_in("sound")),
            ("speech", _check_speech),
            ("journal", _check_journal),
        ]
        for name, check in checks:
            try:
                detail = check(state)
            except Unavailable as exc:
                out.write(f"{name}: none ({exc})\n")
            except CheckFailed as exc:
                failures.append(f"{name}: {exc}")
                out.write(f"{name}: FAIL ({exc})\n")
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                failures.append(f"{name}: {reason}")
                out.write(f"{name}: FAIL ({reason})\n")
            else:
                out.write(f"{name}: ok ({detail})\n")
            out.flush()
    elapsed = time.monotonic() - started
    if failures:
        out.write(f"self-test: FAILED in {elapsed:.1f} s: {'; '.join(failures)}\n")
        return 1
    out.write(f"self-test: passed in {elapsed:.1f} s\n")
    return 0


def _check_library(state: State) -> str:
    """The bundled library loads and validates; its pictures, sounds and schema are there."""
    path = bundled_library()
    if not schema_path().is_file():
        raise CheckFailed(f"the schema is missing: {schema_path()}")
    try:
        library = load_library(path, display="exercises.json (bundled)")
    except LibraryError as exc:
        raise CheckFailed(f"{len(exc.problems)} problem(s), first: {exc.problems[0]}") from exc
    assets = assets_dir()
    missing = [
        e.image for e in library.exercises.values() if e.image and not (assets / e.image).is_file()
    ]
    missing += [f"sounds/{s}.wav" for s in Sound if not (assets / "sounds" / f"{s}.wav").is_file()]
    if missing:
        raise CheckFailed(f"missing from {assets}: {', '.join(missing)}")
    if not library.routines:
        raise CheckFailed(f"{path} has no routines")
    state.library = library
    pictures = sum(1 for e in library.exercises.values() if e.image)
    return (
        f"{len(library.exercises)} exercises, {len(library.routines)} routines, "
        f"{pictures} pictures, {len(Sound)} sounds in {path.parent}"
    )


def _check_user_library(state: State) -> str:
    """The user's routines and exercises pass the checks of ``--check`` (against the
    bundled exercises) and every routine compiles; the file is only read."""
    path = state.user_library
    assert path is not None
    if not path.exists():
        return f"no routines or exercises of your own yet ({path})"
    known = state.library.exercises if state.library is not None else None
    try:
        mine = load_library(path, str(path), known=known, base=path.parent, empty_ok=True)
    except LibraryError as exc:
        raise CheckFailed(
            f"{len(exc.problems)} problem(s), first: {exc.problems[0]}; at the next start "
            "the app moves the file aside and shows the bundled routines"
        ) from exc
    if state.library is not None:
        both = state.library.merged_with(mine)
        for routine_id in mine.routines:
            build_timeline(both, routine_id)
    routines, exercises = len(mine.routines), len(mine.exercises)
    return (
        f"{routines} routine{'' if routines == 1 else 's'}, {exercises} exercise"
        f"{'' if exercises == 1 else 's'} of your own in {path}"
    )


def _check_routines(state: State) -> str:
    """Every routine compiles to a timeline with at least one exercise in it."""
    if state.library is None:
        raise CheckFailed("no library to compile")
    phases = 0
    for routine_id in state.library.routines:
        timeline = build_timeline(state.library, routine_id)
        if not timeline.work_phases:
            raise CheckFailed(f"{routine_id} has no exercise phase")
        phases += len(timeline.phases)
    return f"{len(state.library.routines)} compiled, {phases} phases"


def _check_speech(state: State) -> str:
    """The speech engine starts and renders one phrase to a WAV; a missing engine is 'none'."""
    from sciatica_timer.speech.renderer import CueRenderer

    done = threading.Event()
    failure: list[str] = []

    def failed(reason: str) -> None:
        failure.append(reason)
        done.set()

    renderer = CueRenderer(
        state.paths.speech_cache,
        on_failure=failed,
        on_rendered=lambda _text, _path: done.set(),
        job_timeout_s=SPEECH_TIMEOUT_S - 2.0,
    )
    started = time.monotonic()
    chatter = io.StringIO()  # the espeak driver prints "Audio saved to ..." on stdout
    try:
        with contextlib.redirect_stdout(chatter):
            renderer.render_now(SPEECH_PHRASE)
            while not done.wait(0.05):
                if not renderer.can_save:
                    voices = len(renderer.voices)
                    return f"engine started with {voices} voices; it cannot save WAV files here"
                if time.monotonic() - started > SPEECH_TIMEOUT_S:
                    raise Unavailable(
                        f"the engine did not answer within {SPEECH_TIMEOUT_S:.0f} s", SPEECH_HINT
                    )
        elapsed = time.monotonic() - started
    finally:
        renderer.shutdown()
    if failure:
        raise Unavailable(failure[0], SPEECH_HINT)
    wav = renderer.path_for(SPEECH_PHRASE)
    if wav is None:
        raise Unavailable("the engine wrote no sound file", SPEECH_HINT)
    return (
        f"{len(renderer.voices)} voices; {SPEECH_PHRASE!r} rendered to a "
        f"{wav.stat().st_size / 1024:.0f} KiB WAV in {elapsed:.2f} s"
    )


def _check_journal(state: State) -> str:
    """A session and a pain stop are written to a journal file and read back after reopening."""
    from sciatica_timer.core.records import PainStopRecord, SessionStatus
    from sciatica_timer.core.timeline import PhaseKind
    from sciatica_timer.storage.journal.store import Journal

    path = state.paths.journal
    journal = Journal.open(path)
    try:
        session = journal.start_session("self-test", "Self test")
        stop = PainStopRecord(
            session, "self-test", None, None, None, PhaseKind.WORK, "Self test", 1.5
        )
        journal.record_pain_stop(stop)
        if not journal.writable:
            raise CheckFailed(f"{path} cannot be written: {'; '.join(journal.notices)}")
    finally:
        journal.close()
    journal = Journal.open(path)
    try:
        sessions = [s for s in journal.sessions() if s.session_id == session]
        stops = [p for p in journal.pain_stops() if p.session_id == session]
    finally:
        journal.close()
    if len(sessions) != 1 or sessions[0].status is not SessionStatus.STOPPED_PAIN:
        raise CheckFailed(f"the session written to {path} did not read back: {sessions}")
    if len(stops) != 1:
        raise CheckFailed(f"the pain stop written to {path} did not read back")
    return f"a session and a pain stop written to and read back from {path.name}"
