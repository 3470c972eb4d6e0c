"""Composition root: the one place that builds the real clock, voice, journal, engine
controller and window, and connects them. Qt is imported only when a window is needed."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from sciatica_timer.cli import (
    Options,
    UsageError,
    known_routine,
    load_extra,
    parse_args,
    run_command,
)
from sciatica_timer.core.models import Library
from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.storage.library_cache import VerifiedCache
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.paths import (
    AppPaths,
    assets_dir,
    bundled_library,
    make_private_dir,
)
from sciatica_timer.storage.problems import LibraryError, printable
from sciatica_timer.storage.settings import Settings, load_settings, save_settings
from sciatica_timer.storage.user_library import UserLibrary

Loaded = tuple[Library, list[str], UserLibrary]
"""What ``load_libraries`` read: the window's library, what to tell the user, and the
user's own library (to change)."""

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from sciatica_timer.core.clock import Clock
    from sciatica_timer.core.cues import SpeechSettings
    from sciatica_timer.selftest import State
    from sciatica_timer.ui.audio.voice import Voice
    from sciatica_timer.ui.controller import SessionController
    from sciatica_timer.ui.mpris import MediaPlayer
    from sciatica_timer.ui.screens.main_window import MainWindow
    from sciatica_timer.ui.single_instance import SingleInstance
    from sciatica_timer.ui.voice_stop import VoiceStop

log = logging.getLogger("sciatica_timer")


@dataclass
class AppContext:
    """What the running window is made of (tests look inside)."""

    opts: Options
    paths: AppPaths
    library: Library
    journal: Journal
    settings: Settings
    controller: SessionController
    window: MainWindow
    voice: Voice
    user_library: UserLibrary
    """The user's own routines and exercises (an empty one that saves nothing until the
    routines are loaded; then the window has it too)."""
    notices: list[str] = field(default_factory=list)
    routine: str | None = None
    """The routine selected when the window opened (``--routine``, else the last one used)."""
    media: MediaPlayer | None = None
    """The session as an MPRIS player on the session bus (media keys, a headset's button)."""
    voice_stop: VoiceStop | None = None
    """Listening for "stop" during sessions (when on)."""

    def load_library(self) -> None:
        """Load and validate the routines and show them on the home screen."""
        self.use(load_libraries(self.opts))

    def use(self, loaded: Loaded) -> None:
        """Show what ``load_libraries`` read, and hand the user's library to the window."""
        library, notices, user_library = loaded
        self.user_library = user_library
        self.window.user_library = user_library
        self.show_library(library, notices)

    def show_library(self, library: Library, notices: Sequence[str] = ()) -> None:
        """Show the loaded routines, with the one to select resolved once, here."""
        self.library = library
        self.routine = library.first_of(self.opts.routine, self.settings.last_routine)
        self.window.set_library(library, self.routine)
        for notice in notices:
            self.window.show_notice(notice)
        self.notices += notices

    def close(self) -> None:
        self.controller.shutdown()
        if self.media is not None:
            self.media.release()
        if self.voice_stop is not None:
            self.voice_stop.shutdown()
        self.voice.shutdown()
        said = len(self.journal.notices)
        self.journal.close()
        for notice in self.journal.notices[said:]:  # the window is gone: terminal and log
            log.warning("%s", notice)
            print(f"sciatica-timer: {notice}", file=sys.stderr)
        _close_log_handlers()


def load_libraries(opts: Options) -> Loaded:
    """The bundled routines, the user's own (``UserLibrary``: imported or made in the
    editor), plus an ``--exercises`` file's when it is usable.

    Files that passed validation at an earlier start are not checked against the schema
    again (``VerifiedCache`` in the cache folder): start-up stays light.
    """
    notices: list[str] = []
    verified = VerifiedCache.of(opts.paths)
    try:
        bundled = load_library(
            bundled_library(), display="exercises.json (bundled)", verified=verified
        )
    except LibraryError as exc:
        bundled = Library({}, {})
        notices.append(f"The bundled exercise library could not be read: {exc.problems[0]}")
    if bundled.exercises:
        user_library, user_notices = UserLibrary.open(opts.paths, bundled)
        notices += user_notices
    else:  # its routines name bundled exercises: never judged (or moved) without them
        user_library = UserLibrary(opts.paths, bundled, blocked="the bundled exercises are missing")
    library = user_library.library()
    if opts.exercises:
        try:
            library = library.merged_with(load_extra(opts.exercises, bundled, opts.paths))
        except LibraryError as exc:
            shown = "; ".join(str(p) for p in exc.problems[:3])
            more = f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
            notices.append(
                f"Your exercises file {opts.exercises} has problems, so its routines are not "
                f"shown: {shown}{more}. Check it with: sciatica-timer --check "
                f"{opts.exercises}"
            )
    return library, notices, user_library


def _close_log_handlers() -> None:
    root = logging.getLogger("sciatica_timer")
    for handler in root.handlers:
        handler.close()
    root.handlers = []


def _setup_logging(paths: AppPaths) -> list[str]:
    from sciatica_timer.storage.logfile import PrivateLog

    try:
        make_private_dir(paths.log_dir)
        handler = PrivateLog(
            paths.log_dir / "sciatica-timer.log", maxBytes=512_000, backupCount=2, encoding="utf-8"
        )
    except OSError as exc:
        return [f"Logs cannot be written to {paths.log_dir}: {exc.strerror or exc}."]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("sciatica_timer")
    _close_log_handlers()
    root.handlers = [handler]
    top = logging.getLogger()
    if not top.handlers:  # a library's bare logging.debug() (pyttsx3's espeak driver) would
        top.addHandler(logging.NullHandler())  # give the root a terminal handler otherwise
    root.setLevel(logging.INFO)
    return []


def build(
    opts: Options,
    clock: Clock | None = None,
    defer_library: bool = False,
    loaded: Loaded | None = None,
) -> AppContext:
    """Build the window and everything behind it (a QApplication must exist).

    ``clock`` defaults to the monotonic clock; tests pass a fake one. ``loaded`` is a
    library the caller has already read (``load_libraries``): it is shown, never read
    again. Otherwise, with ``defer_library`` the caller loads the routines
    (``ctx.load_library()``) once the window has painted: validating them is the slowest
    part of start-up.
    """
    from sciatica_timer.core.clock import MonotonicClock
    from sciatica_timer.ui.awake import ScreenAwake
    from sciatica_timer.ui.controller import SessionController
    from sciatica_timer.ui.mpris import MediaPlayer
    from sciatica_timer.ui.screens.main_window import MainWindow
    from sciatica_timer.ui.voice_stop import VoiceStop

    paths = opts.paths
    notices = _setup_logging(paths)
    settings, settings_notices = load_settings(paths.settings)
    notices += settings_notices
    library = Library({}, {})
    journal = Journal.open(paths.journal)
    notices += journal.notices
    for row in journal.mark_interrupted():
        started = row.started_at[:16].replace("T", " ")
        notices.append(
            f"Your last session, {row.routine_name} (started {started}), "
            "was interrupted: the app closed before it finished."
        )
    voice = _make_voice(settings, paths, opts.no_voice)
    awake = ScreenAwake()
    awake.set_enabled(settings.keep_awake)
    controller = SessionController(clock or MonotonicClock(), journal, voice, awake)
    selected = opts.routine or settings.last_routine
    window = MainWindow(library, controller, assets_dir(), selected, settings)
    loading = UserLibrary(paths, library, blocked="your routines are not loaded yet")
    ctx = AppContext(
        opts, paths, library, journal, settings, controller, window, voice, loading, notices
    )
    ctx.media = MediaPlayer(controller, lambda: come_forward(window), parent=window)
    window.voices = lambda: [(v.id, v.name) for v in voice.voices()]
    voice.setParent(window)
    voice.notice.connect(window.show_notice)
    window.mute_toggled.connect(voice.set_muted)
    ctx.voice_stop = VoiceStop(
        controller,
        voice,
        window.set_listening,
        window.show_notice,
        enabled=settings.voice_stop or opts.voice_stop,
        parent=window,
    )

    def save(settings: Settings) -> None:
        speech_before = speech_settings(ctx.settings, opts.no_voice)
        ctx.settings = settings
        awake.set_enabled(settings.keep_awake)
        if ctx.voice_stop is not None:
            ctx.voice_stop.set_enabled(settings.voice_stop or opts.voice_stop)
        problem = save_settings(paths.settings, settings)
        if problem:
            window.show_notice(problem)
        if (speech := speech_settings(settings, opts.no_voice)) != speech_before:
            voice.apply(speech)  # not for a routine or an answer saved

    window.settings_changed.connect(save)
    for notice in notices:
        window.show_notice(notice)
    if loaded is not None:
        ctx.use(loaded)
    elif not defer_library:
        ctx.load_library()
        drop_source_lines()
    return ctx


def come_forward(window: MainWindow) -> None:
    """Bring the window to the front (a second start, or the desktop's media widget)."""
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def drop_source_lines() -> None:
    """Forget the source lines PySide6 read while the app started (about 5 MB).

    PySide6's import hook reads the source of every module that imports anything, to see
    whether it mentions PySide6, and ``linecache`` keeps all of it. Dropped once start-up
    is over, that memory is reused by what the session builds. (A packaged app has no
    source to read.)
    """
    import linecache

    linecache.clearcache()


def _make_voice(settings: Settings, paths: AppPaths, no_voice: bool) -> Voice:
    """The voice and the sounds (each may be off; the settings page can turn them on)."""
    from sciatica_timer.ui.audio.voice import Voice

    return Voice(speech_settings(settings, no_voice), paths.speech_cache, assets_dir() / "sounds")


def speech_settings(settings: Settings, no_voice: bool = False) -> SpeechSettings:
    """The speech part of the user's settings (``--no-voice`` turns the voice off)."""
    from sciatica_timer.core.cues import SpeechSettings, verbosity_named

    return SpeechSettings(
        voice_on=settings.voice_on and not no_voice,
        voice_id=settings.voice_id,
        rate=settings.rate,
        volume=settings.volume,
        verbosity=verbosity_named(settings.verbosity),
        sounds_on=settings.sounds_on,
    )


def _calm_excepthook(window: MainWindow) -> None:
    """An unexpected error is logged and shown as one calm line, never a traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        window.show_notice(
            f"Something went wrong ({kind.__name__}); it was written to the log. "
            "The timer keeps running."
        )

    sys.excepthook = hook


def _quiet_expected_qt_messages() -> None:
    """Keep Qt's notes about what the app leaves out on purpose, or already tells the user
    in the window, off the terminal (they go to the log); every other Qt message is passed
    on as before."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    from sciatica_timer.ui.audio.player_client import expected_qt_message

    previous: Callable[[QtMsgType, QMessageLogContext, str], None] | None = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if expected_qt_message(message):
            log.info("Qt: %s", message)
        elif previous is not None:
            previous(kind, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def run_window(opts: Options, loaded: Loaded | None = None) -> int:
    """The window, until it is closed (``loaded``: the routines, when already read)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName("Sciatica Timer")
    app.setDesktopFileName("sciatica-timer")
    _quiet_expected_qt_messages()
    instance = _one_window_per_folder(opts, app)
    if instance is None:
        also = ""
        if opts.open_file is not None:
            also = f" and asked to import {printable(str(opts.open_file))}"
        print(
            "sciatica-timer: Sciatica Timer is already open for this data folder; "
            f"it was brought to the front{also}.",
            file=sys.stderr,
        )
        return 0
    ctx = build(opts, defer_library=True, loaded=loaded)
    instance.activated.connect(lambda: come_forward(ctx.window))
    instance.open_requested.connect(lambda path: open_file(ctx, Path(path)))
    _calm_excepthook(ctx.window)
    if opts.fullscreen:
        ctx.window.showFullScreen()
    else:
        ctx.window.show_fitted()  # maximised on a small screen, else a size that fits it

    def after_first_paint() -> None:
        instance.listen()
        if loaded is None:
            ctx.load_library()
        drop_source_lines()
        if opts.open_file is not None:
            open_file(ctx, opts.open_file)
        elif opts.start and ctx.routine:  # never past the disclaimer and the red flags
            ctx.window.ask_then_start(ctx.routine, pain_questions=False)

    QTimer.singleShot(0, after_first_paint)
    try:
        return app.exec()
    finally:
        ctx.close()
        instance.release()


def check_window(state: State) -> str:
    """The real window builds, shows and closes (offscreen when there is no display)."""
    if (
        not os.environ.get("QT_QPA_PLATFORM")
        and sys.platform not in ("win32", "darwin")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from sciatica_timer.selftest import CheckFailed
    from sciatica_timer.ui.selftest_checks import qt_modules

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    data_dir = str(state.paths.data_dir)
    ctx = build(parse_args(["--no-voice", "--data-dir", data_dir]))
    try:
        ctx.window.resize(1366, 768)
        ctx.window.show()
        deadline = time.monotonic() + 5.0
        while not ctx.window.isVisible() and time.monotonic() < deadline:
            app.processEvents()
        app.processEvents()
        if not ctx.window.isVisible():
            raise CheckFailed(f"the window did not appear (platform {app.platformName()})")
        routine = ctx.window.home.selected_routine()
        if routine is None:
            raise CheckFailed("the window shows no routine")
        size = ctx.window.size()
        title = ctx.window.windowTitle()
    finally:
        ctx.window.close()
        ctx.close()
        ctx.window.deleteLater()
        app.processEvents()
    return (
        f"{title!r} shown at {size.width()}x{size.height()} on {app.platformName()}; {qt_modules()}"
    )


def self_test(out: TextIO, user_library: Path | None = None) -> int:
    """``--self-test`` with every check, the window and sound ones included, and the
    user's own library (read only)."""
    from sciatica_timer.selftest import run
    from sciatica_timer.ui.selftest_checks import check_sound

    return run(out, window=check_window, sound=check_sound, user_library=user_library)


def _window_open(folder: Path) -> bool:
    """Whether a window holds this data folder (its lock; QtCore only, no window)."""
    from sciatica_timer.ui.single_instance import folder_in_use

    return folder_in_use(folder)


def _one_window_per_folder(opts: Options, app: QObject) -> SingleInstance | None:
    """The data folder's lock, or None when another window has it (it was asked forward)."""
    from sciatica_timer.ui.single_instance import SingleInstance

    folder = opts.paths.data_dir
    with contextlib.suppress(OSError):  # the journal will say what is wrong with the folder
        make_private_dir(folder)
    instance = SingleInstance(folder, app)
    return instance if instance.acquire(opts.open_file) else None


def open_file(ctx: AppContext, path: Path) -> None:
    """The file the app was opened with (``sciatica-timer FILE``, or handed over by a later
    start): the window comes forward with the import dialog for it, which lists its
    problems or what importing it would do. Nothing is imported without the user."""
    window = ctx.window
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    window.import_file(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line or the window; returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["--audio-player"]:  # the packaged app's own sound player process
        from sciatica_timer.ui.audio.player_process import serve

        return serve()
    if args[:1] == ["--voice-listener"]:  # and its listener for the voice stop
        from sciatica_timer.ui.audio.listener_process import serve as listen

        return listen()
    loaded = None
    try:
        opts = parse_args(args)
        if opts.opens_window and opts.routine:  # read once, here, to refuse an unknown
            loaded = load_libraries(opts)  # routine before a window opens (exit 2)
            known_routine(loaded[0], opts.routine)
    except UsageError as exc:
        print(f"sciatica-timer: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    if not opts.opens_window:
        return run_command(opts, window_open=_window_open, self_test=self_test)
    return run_window(opts, loaded)
