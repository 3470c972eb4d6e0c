"""The voice stop as a user meets it: a real microphone path (the private PulseAudio server's
virtual microphone, which hears what is played into its sink, as a laptop's microphone hears
the room and its own speakers), the real listener process and PocketSphinx."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import check_in, click, open_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.sound_server import SoundServer
from support.spoken import say

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.storage.settings import Settings, load_settings

LISTEN_MS = 30_000
"""The listener process starts Qt and PocketSphinx: a few seconds on a loaded machine."""
HEAR_MS = 20_000


def judged(ctx: AppContext, qtbot: QtBot) -> None:
    """Wait until everything the microphone heard so far has been judged by the listener."""
    assert ctx.voice_stop is not None
    with qtbot.waitSignal(ctx.voice_stop.listener.marked, timeout=HEAR_MS):
        ctx.voice_stop.listener.mark()


def open_app(qtbot: QtBot, data: Path, *flags: str) -> AppContext:
    ctx = build(parse_args(["--data-dir", str(data), "--voice-stop", *flags]), clock=FakeClock())
    qtbot.addWidget(ctx.window)
    ctx.window.resize(1366, 768)
    ctx.window.show()
    return ctx


def start_listening(ctx: AppContext, qtbot: QtBot) -> None:
    click(ctx, qtbot, "startButton")
    check_in(ctx, qtbot)
    assert ctx.voice_stop is not None
    qtbot.waitUntil(lambda: ctx.voice_stop.listener.is_listening, timeout=LISTEN_MS)


@pytest.fixture
def listening(qtbot: QtBot, tmp_path: Path, sound_server: SoundServer) -> Iterator[AppContext]:
    """A session running with ``--voice-stop`` (no voice), once the listener listens."""
    sound_server.add_microphone()
    ctx = open_app(qtbot, tmp_path / "data", "--no-voice")
    start_listening(ctx, qtbot)
    yield ctx
    ctx.close()


def test_saying_stop_does_the_pain_stop(
    listening: AppContext, qtbot: QtBot, tmp_path: Path, sound_server: SoundServer
) -> None:
    """ "Stop" said into the microphone ends the session as the red button does: recorded,
    then the safety screen; the mark showed while listening, and the microphone is let go."""
    ctx = listening
    assert ctx.voice_stop is not None
    mark = ctx.window.session.listening_label
    assert mark.isVisible() and mark.accessibleName() == "Voice stop: listening"
    wav = say("stop", tmp_path / "stop.wav")
    player = subprocess.Popen(
        ["paplay", "--server", sound_server.address, "--device=mat", str(wav)]
    )
    qtbot.waitUntil(lambda: ctx.window.stack.currentWidget() is ctx.window.safety, timeout=HEAR_MS)
    player.wait(30)
    assert len(ctx.journal.pain_stops()) == 1
    assert not mark.isVisible()
    qtbot.waitUntil(lambda: ctx.voice_stop.listener._proc is None, timeout=5000)


def test_other_words_do_not_stop(
    listening: AppContext, qtbot: QtBot, tmp_path: Path, sound_server: SoundServer
) -> None:
    """A sentence with "stop" in it, and other words said on their own, do not stop the
    session."""
    ctx = listening
    for i, text in enumerate(["Roll slowly and stop at the lowest rib.", "Rest", "Seven"]):
        sound_server.play(say(text, tmp_path / f"w{i}.wav"))
    judged(ctx, qtbot)
    assert ctx.controller.running and ctx.journal.pain_stops() == []


def test_the_app_saying_stop_itself_does_not_stop(
    qtbot: QtBot, tmp_path: Path, sound_server: SoundServer
) -> None:
    """The app's own sound reaches the microphone (one sink, as a laptop's speakers reach its
    microphone), and it does not listen while it plays: the very WAV of "Stop." that stops
    the session when someone says it does nothing when the app plays it, nor does a cue of
    its own with "stop" in it."""
    sound_server.add_microphone()
    ctx = open_app(qtbot, tmp_path / "data")
    try:
        ctx.voice.set_muted(True)  # the session's own cues stay out of this test's way
        start_listening(ctx, qtbot)
        cue = "Roll the side of your ribs slowly and stop at the lowest rib."
        ctx.voice.prepare([cue])
        renderer = ctx.voice.renderer
        assert renderer is not None
        qtbot.waitUntil(lambda: renderer.path_for(cue) is not None, timeout=HEAR_MS)
        speaker = ctx.voice.speaker
        assert speaker is not None
        stop = say("Stop.", tmp_path / "stop.wav")
        for path in (stop, renderer.path_for(cue)):
            assert path is not None
            speaker.play_voice(path)
            qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=HEAR_MS)
        judged(ctx, qtbot)
        assert ctx.controller.running and ctx.journal.pain_stops() == []
        # The same WAV from someone else (it starts with a second of quiet: past the echo).
        sound_server.play(stop)
        qtbot.waitUntil(lambda: not ctx.controller.running, timeout=HEAR_MS)
        assert len(ctx.journal.pain_stops()) == 1
    finally:
        ctx.close()


def test_no_microphone_is_said_once_and_the_session_runs(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sound system at all (so no microphone): one plain notice naming the way to stop;
    no mark; the session runs on."""
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'none'}")
    ctx = open_app(qtbot, tmp_path / "data", "--no-voice")
    try:
        click(ctx, qtbot, "startButton")
        check_in(ctx, qtbot)

        def told() -> list[str]:
            return [m for m in ctx.window.banner.messages() if "microphone" in m]

        qtbot.waitUntil(lambda: bool(told()), timeout=LISTEN_MS)
        assert len(told()) == 1 and "red button or P" in told()[0]
        assert not ctx.window.session.listening_label.isVisible()
        assert ctx.controller.running
    finally:
        ctx.close()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_turning_it_on_explains_first_and_asks(qtbot: QtBot, tmp_path: Path) -> None:
    """Off by default. Turning it on by keyboard opens one screen that says what happens to
    the microphone; "Not now" (Esc) leaves it off, "Turn on listening" (Enter) turns it on
    and it is saved. Turning it off asks nothing."""
    assert Settings().voice_stop is False
    ctx = open_window(qtbot, tmp_path)
    try:
        ctx.window.show_settings()
        page = ctx.window.settings_page
        box = page.voice_stop
        assert box in page.controls() and box.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert "microphone" in box.accessibleName() and "recorded" in box.accessibleDescription()
        box.setFocus(Qt.FocusReason.TabFocusReason)
        for key, expected in ((Qt.Key.Key_Escape, False), (Qt.Key.Key_Return, True)):
            qtbot.keyClick(box, Qt.Key.Key_Space)
            explained = page.voice_stop_box
            assert explained is not None and not box.isChecked()
            text = explained.informativeText()
            assert "Nothing you say is recorded" in text and "this computer" in text
            qtbot.waitUntil(explained.isVisible)
            qtbot.keyClick(explained, key)
            qtbot.waitUntil(lambda: page.voice_stop_box is None)
            assert box.isChecked() is expected
        page.apply_now()
        assert ctx.window.settings.voice_stop is True
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert page.voice_stop_box is None and not box.isChecked()
        qtbot.keyClick(box, Qt.Key.Key_Space)
        page.voice_stop_box.done(0)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: page.voice_stop_box is None)
        page.apply_now()
        assert ctx.window.settings.voice_stop is False
    finally:
        ctx.close()
    assert load_settings(tmp_path / "config" / "settings.json")[0].voice_stop is False
