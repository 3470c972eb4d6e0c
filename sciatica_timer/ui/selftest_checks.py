"""The self-test's checks that need Qt: the sound path and the Qt modules a frozen build
must carry (``app.self_test`` hands them to ``selftest.run``)."""

from __future__ import annotations

from sciatica_timer.selftest import SOUND_HINT, CheckFailed, State, Unavailable
from sciatica_timer.storage.paths import assets_dir

QT_LOADED = ("QtSvg", "QtDBus", "QtCharts", "QtPrintSupport")
"""Qt modules the window check loads besides the main window's own (the history window's)."""


def check_sound(_state: State) -> str:
    """QtMultimedia loads, and every bundled sound is a 16-bit WAV the speaker can play.

    No media backend plugin is needed (or shipped): sounds and cues are WAVs that the
    speaker hands to a QAudioSink itself. Qt's messages are kept out of the report: on a
    machine without PipeWire or a sound server QtMultimedia warns about it, which says
    nothing about this copy of the app.
    """
    import wave

    from PySide6.QtCore import qInstallMessageHandler

    from sciatica_timer.core.cues import Sound
    from sciatica_timer.ui.audio.player_client import probe_audio

    previous = qInstallMessageHandler(lambda *_: None)
    try:
        try:
            import PySide6.QtMultimedia  # noqa: F401
        except ImportError as exc:
            if "libpulse" in str(exc):
                raise Unavailable(f"QtMultimedia cannot load: {exc}", SOUND_HINT) from exc
            raise CheckFailed(f"QtMultimedia cannot load: {exc}") from exc
        output = probe_audio()
    finally:
        qInstallMessageHandler(previous)
    for name in Sound:
        path = assets_dir() / "sounds" / f"{name}.wav"
        try:
            with wave.open(str(path)) as wav:
                if wav.getsampwidth() != 2 or wav.getnframes() == 0:
                    raise CheckFailed(f"{path.name} is not 16-bit PCM with sound in it")
        except (OSError, EOFError, wave.Error) as exc:
            raise CheckFailed(f"{path.name} cannot be read: {exc}") from exc
    where = "an audio output" if output is None else "no audio output here"
    return f"QtMultimedia loads, {len(Sound)} sounds readable, {where}"


def qt_modules() -> str:
    """The Qt modules only later screens load are there (a frozen build must carry them)."""
    import importlib

    from PySide6 import __version__ as pyside_version

    for name in QT_LOADED:
        importlib.import_module(f"PySide6.{name}")
    return f"PySide6 {pyside_version}: {', '.join(QT_LOADED)} load"
