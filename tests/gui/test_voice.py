"""The Voice: engine events in, cue requests, playback and one plain notice out.

Real pyttsx3, espeak-ng and QtMultimedia. This machine has no sound card: QtMultimedia
prints a few known warnings about missing optional libraries and the absent PulseAudio
server (ignored below by exact pattern). Tests that need playback pretend an output exists
(``probe_audio`` patched): QMediaPlayer then really plays into nowhere and warns "No audio
device detected", so the start and stop paths are exercised on the real player.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from pyttsx3.drivers.espeak import EspeakDriver

from sciatica_timer.clock import NS_PER_S, FakeClock
from sciatica_timer.engine import Engine, Event, EventKind
from sciatica_timer.library import load_library
from sciatica_timer.speech import (
    NO_OUTPUT_MESSAGE,
    PAIN_STOP_SENTENCE,
    PAUSED_TEXT,
    RESUMED_TEXT,
    CueRenderer,
    SpeechSettings,
    Verbosity,
)
from sciatica_timer.timeline import Cue, CueKind, all_cue_texts, build_timeline
from sciatica_timer.ui import voice as voice_module
from sciatica_timer.ui.voice import NO_DEVICE_QT_WARNINGS, Voice

ROOT = Path(__file__).resolve().parents[2]
SOUNDS = ROOT / "assets" / "sounds"
LONG = "Cross your ankle over your knee and roll the buttock slowly, breathing out as you go."
NO_DEVICE_PLAYBACK = r"^No audio device detected$"

pytestmark = pytest.mark.qt_log_ignore(*NO_DEVICE_QT_WARNINGS)
playback = pytest.mark.qt_log_ignore(*NO_DEVICE_QT_WARNINGS, NO_DEVICE_PLAYBACK)


class Recorded:
    """What a Voice asked to say and told the window."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.requested: list[str] = []
        self.notices: list[str] = []
        voice.cue_requested.connect(self.requested.append)
        voice.notice.connect(self.notices.append)


MakeVoice = Callable[..., Recorded]


@pytest.fixture
def make_voice(qtbot: QtBot, tmp_path: Path) -> Iterator[MakeVoice]:
    made: list[Voice] = []

    def make(settings: SpeechSettings | None = None) -> Recorded:
        voice = Voice(settings or SpeechSettings(), tmp_path / "speech", SOUNDS)
        made.append(voice)
        return Recorded(voice)

    yield make
    for voice in made:
        started = time.monotonic()
        voice.shutdown()
        assert time.monotonic() - started < 2


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a sound output exists (there is none here): the real players are built."""
    monkeypatch.setattr(voice_module, "probe_audio", lambda: None)


def quiesce(qtbot: QtBot, voice: Voice) -> None:
    """End with the player stopped and settled, while pytest-qt still captures Qt messages.

    QtMultimedia's audio thread warns "No audio device detected" on its own schedule; such
    a warning arriving while pytest-qt swaps its message handler crashed PySide 6.12.
    """
    voice.stop()
    player = voice.player
    if player is not None:
        from PySide6.QtMultimedia import QMediaPlayer

        stopped = QMediaPlayer.PlaybackState.StoppedState
        qtbot.waitUntil(lambda: player.playbackState() is stopped)
    qtbot.wait(100)


def cue(kind: CueKind, text: str, late_s: float = 0.0) -> Event:
    return Event(EventKind.CUE, 0, None, Cue(0, kind, text), late_ns=int(late_s * NS_PER_S))


def event(kind: EventKind) -> Event:
    return Event(kind, 0, None)


SAMPLE = [
    cue(CueKind.ANNOUNCE, "Figure-4 glute roll, left side, 2 minutes"),
    cue(CueKind.REMINDER, "Roll slowly."),
    cue(CueKind.HALFWAY, "Halfway"),
    cue(CueKind.TEN_SECONDS, "10 seconds"),
    cue(CueKind.COUNTDOWN, "3"),
    cue(CueKind.SWITCH, "Switch sides"),
    cue(CueKind.NEXT, "Next: IT-band roll, left side"),
    cue(CueKind.REP, "1"),
    cue(CueKind.COMPLETE, "Session complete"),
]


def test_building_a_voice_is_cheap_and_loads_no_speech_or_multimedia() -> None:
    """Constructing a Voice takes milliseconds and imports neither pyttsx3 nor QtMultimedia."""
    code = (
        "import sys, time; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from sciatica_timer.speech import SpeechSettings\n"
        "from sciatica_timer.ui.voice import Voice\n"
        "t = time.perf_counter()\n"
        "v = Voice(SpeechSettings(), Path('/nonexistent'), Path('/nonexistent'))\n"
        "print(time.perf_counter() - t)\n"
        "assert 'pyttsx3' not in sys.modules and 'PySide6.QtMultimedia' not in sys.modules\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert float(run.stdout.split()[-1]) < 0.02


@pytest.mark.parametrize(
    ("verbosity", "expected"),
    [
        (Verbosity.FULL, [e.cue.text for e in SAMPLE if e.cue]),
        (
            Verbosity.SHORT,
            [
                "Figure-4 glute roll, left side, 2 minutes",
                "10 seconds",
                "3",
                "Switch sides",
                "1",
                "Session complete",
            ],
        ),
        (Verbosity.BEEPS, []),
        (Verbosity.SILENT, []),
    ],
)
def test_cue_events_request_their_text_by_verbosity(
    make_voice: MakeVoice, verbosity: Verbosity, expected: list[str]
) -> None:
    """CUE events emit cue_requested with their text, filtered by the verbosity."""
    rec = make_voice(SpeechSettings(verbosity=verbosity))
    for e in SAMPLE:
        rec.voice.handle(e)
    assert rec.requested == expected


def test_voice_off_requests_nothing(make_voice: MakeVoice) -> None:
    """With the voice off, no cue is asked to be spoken."""
    rec = make_voice(SpeechSettings(voice_on=False))
    for e in SAMPLE:
        rec.voice.handle(e)
    assert rec.requested == []


def test_mute_silences_until_unmuted(make_voice: MakeVoice) -> None:
    """While muted nothing is requested; unmuting brings the voice back."""
    rec = make_voice()
    rec.voice.set_muted(True)
    assert rec.voice.muted
    rec.voice.handle(cue(CueKind.HALFWAY, "Halfway"))
    rec.voice.set_muted(False)
    rec.voice.handle(cue(CueKind.SWITCH, "Switch sides"))
    assert rec.requested == ["Switch sides"]


def test_late_cues_are_dropped_except_session_complete(make_voice: MakeVoice) -> None:
    """A cue more than 1.5 s late is not said, except "Session complete"."""
    rec = make_voice()
    rec.voice.handle(cue(CueKind.HALFWAY, "Halfway", late_s=1.4))
    rec.voice.handle(cue(CueKind.COUNTDOWN, "3", late_s=2.0))
    rec.voice.handle(cue(CueKind.COMPLETE, "Session complete", late_s=30))
    assert rec.requested == ["Halfway", "Session complete"]


def test_pain_stop_says_one_calm_sentence_then_silence(make_voice: MakeVoice) -> None:
    """PAIN_STOP says the calm sentence once; nothing after it is said or repeated."""
    rec = make_voice()
    rec.voice.handle(cue(CueKind.HALFWAY, "Halfway"))
    rec.voice.handle(event(EventKind.PAIN_STOP))
    rec.voice.handle(cue(CueKind.COUNTDOWN, "3"))
    rec.voice.handle(event(EventKind.PAIN_STOP))
    rec.voice.handle(event(EventKind.COMPLETED))
    assert rec.requested == ["Halfway", PAIN_STOP_SENTENCE]
    rec.voice.handle(event(EventKind.STARTED))
    rec.voice.handle(cue(CueKind.GET_READY, "Get ready"))
    assert rec.requested[-1] == "Get ready"


def test_pause_and_resume_are_said(make_voice: MakeVoice) -> None:
    """PAUSED stops speech and says "Paused"; RESUMED says "Resuming"."""
    rec = make_voice()
    rec.voice.handle(event(EventKind.PAUSED))
    rec.voice.handle(event(EventKind.RESUMED))
    assert rec.requested == [PAUSED_TEXT, RESUMED_TEXT]


def test_no_sound_output_gives_one_notice(make_voice: MakeVoice, qtbot: QtBot) -> None:
    """With no audio output the window is told once; cues are still requested on time."""
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.audioOutputs():
        pytest.skip("this machine has a sound output")
    rec = make_voice()
    rec.voice.prepare(["Halfway"])
    for e in [*SAMPLE, event(EventKind.PHASE_STARTED), event(EventKind.COMPLETED)]:
        rec.voice.handle(e)
    assert rec.notices == [NO_OUTPUT_MESSAGE]
    assert len(rec.requested) == len(SAMPLE)
    assert rec.voice.player is None


def test_without_libpulse_the_notice_names_the_package(tmp_path: Path) -> None:
    """With libpulse0 hidden, QtMultimedia cannot load and one notice says what to install."""
    lib = Path("/usr/lib/x86_64-linux-gnu/libpulse.so.0")
    if shutil.which("unshare") is None or not lib.exists() or os.geteuid() != 0:
        pytest.skip("needs root, unshare and the system libpulse to hide")
    code = (
        "import sys; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from sciatica_timer.speech import SpeechSettings\n"
        "from sciatica_timer.ui.voice import Voice\n"
        "v = Voice(SpeechSettings(voice_on=False), Path(sys.argv[1]), Path('.'))\n"
        "notices = []; v.notice.connect(notices.append)\n"
        "v.prepare(['Rest']); v.prepare(['Rest']); v.shutdown()\n"
        "print(len(notices)); print(notices[0])\n"
    )
    hide = f'mount --bind /dev/null {lib.resolve()} && exec {sys.executable} -c "$0" "$1"'
    run = subprocess.run(
        ["unshare", "--mount", "sh", "-c", hide, code, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    if run.returncode != 0 and "Traceback" not in run.stderr:
        pytest.skip(f"cannot hide the library here: {run.stderr.strip()[-200:]}")
    assert run.returncode == 0, run.stderr
    count, message = run.stdout.strip().splitlines()[-2:]
    assert count == "1" and "apt-get install libpulse0" in message


def test_missing_speech_library_gives_one_notice(
    make_voice: MakeVoice, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, output: None
) -> None:
    """If pyttsx3.init raises, one plain notice names the fix and nothing raises."""
    import pyttsx3

    def no_library(*_: object, **__: object) -> object:
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(pyttsx3, "init", no_library)
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare(["Halfway", "Rest"])
    qtbot.waitUntil(lambda: bool(rec.notices), timeout=5000)
    for e in SAMPLE:
        rec.voice.handle(e)
    qtbot.wait(100)
    assert len(rec.notices) == 1
    assert "voice is unavailable" in rec.notices[0]
    assert "apt-get install libespeak-ng1" in rec.notices[0]
    assert len(rec.requested) == len(SAMPLE)


@playback
@pytest.mark.parametrize("fault", [False, True], ids=["healthy", "driver-fails-mid-render"])
def test_a_whole_session_requests_every_cue_at_its_offset(
    make_voice: MakeVoice, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, fault: bool
) -> None:
    """Driven by the real engine, each cue is requested at its offset; a driver fault
    mid-render costs one notice and nothing else."""
    if fault:
        calls: list[str] = []
        real = EspeakDriver.save_to_file

        def flaky(self: EspeakDriver, text: str, filename: str) -> None:
            calls.append(text)
            if len(calls) > 3:
                raise OSError("audio driver went away")
            real(self, text, filename)

        monkeypatch.setattr(EspeakDriver, "save_to_file", flaky)
        monkeypatch.setattr(voice_module, "probe_audio", lambda: None)
    library = load_library(ROOT / "exercises.json")
    timeline = build_timeline(library, "sciatica-foam-roll")
    rec = make_voice(SpeechSettings(sounds_on=False))
    clock = FakeClock()
    engine = Engine(timeline)
    heard: list[tuple[int, str]] = []
    start = clock.now_ns()
    rec.voice.cue_requested.connect(lambda text: heard.append((clock.now_ns() - start, text)))
    engine.subscribe(rec.voice.handle)
    rec.voice.prepare(all_cue_texts(timeline))
    engine.start(clock.now_ns())
    for _ in range(timeline.total_s):
        clock.advance(1)
        engine.tick(clock.now_ns())
    expected = [
        ((phase.start_s + c.offset_s) * NS_PER_S, c.text)
        for phase in timeline.phases
        for c in phase.cues
    ]
    assert heard == expected
    if fault:
        qtbot.waitUntil(lambda: bool(rec.notices), timeout=5000)
        assert len(rec.notices) == 1 and "audio driver went away" in rec.notices[0]
    quiesce(qtbot, rec.voice)


def test_handle_never_blocks(make_voice: MakeVoice) -> None:
    """handle() returns quickly even on first use (real timing is in bench/bench_speech.py)."""
    rec = make_voice()
    rec.voice.prepare([e.cue.text for e in SAMPLE if e.cue])
    worst = 0.0
    for e in [*SAMPLE, event(EventKind.PHASE_STARTED), event(EventKind.PAIN_STOP)]:
        started = time.perf_counter()
        rec.voice.handle(e)
        worst = max(worst, time.perf_counter() - started)
    assert worst < 0.2


def _rendered(qtbot: QtBot, voice: Voice, *texts: str) -> CueRenderer:
    renderer = voice.renderer
    assert renderer is not None
    ready = lambda: all(renderer.path_for(t) is not None for t in texts)  # noqa: E731
    qtbot.waitUntil(ready, timeout=10_000)
    return renderer


@playback
def test_a_playing_cue_is_cut_off_by_pain_stop(
    make_voice: MakeVoice, qtbot: QtBot, output: None
) -> None:
    """A long cue playing on the media player stops within 50 ms of PAIN_STOP; the calm
    sentence is what plays next."""
    from PySide6.QtMultimedia import QMediaPlayer

    playing, stopped = (
        QMediaPlayer.PlaybackState.PlayingState,
        QMediaPlayer.PlaybackState.StoppedState,
    )
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    renderer = _rendered(qtbot, rec.voice, LONG, PAIN_STOP_SENTENCE)
    player = rec.voice.player
    assert player is not None
    rec.voice.handle(cue(CueKind.REMINDER, LONG))
    qtbot.waitUntil(lambda: player.playbackState() is playing)
    qtbot.wait(300)
    assert player.playbackState() is playing  # still talking
    states: list[tuple[float, QMediaPlayer.PlaybackState]] = []
    player.playbackStateChanged.connect(lambda st: states.append((time.perf_counter(), st)))
    asked = time.perf_counter()
    rec.voice.handle(event(EventKind.PAIN_STOP))
    qtbot.waitUntil(lambda: bool(states))
    assert states[0][1] is stopped and states[0][0] - asked < 0.05
    sentence = str(renderer.path_for(PAIN_STOP_SENTENCE))
    qtbot.waitUntil(lambda: player.source().toLocalFile() == sentence)
    qtbot.waitUntil(lambda: player.playbackState() is playing)
    assert rec.requested == [LONG, PAIN_STOP_SENTENCE]
    quiesce(qtbot, rec.voice)


@playback
def test_stop_and_mute_cut_off_playback(make_voice: MakeVoice, qtbot: QtBot, output: None) -> None:
    """stop() and set_muted(True) stop the player within 50 ms, cue after cue."""
    from PySide6.QtMultimedia import QMediaPlayer

    playing, stopped = (
        QMediaPlayer.PlaybackState.PlayingState,
        QMediaPlayer.PlaybackState.StoppedState,
    )
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    _rendered(qtbot, rec.voice, LONG)
    player = rec.voice.player
    assert player is not None
    for cut in (rec.voice.stop, lambda: rec.voice.set_muted(True)) * 3:
        rec.voice.set_muted(False)
        rec.voice.handle(cue(CueKind.REMINDER, LONG))
        qtbot.waitUntil(lambda: player.playbackState() is playing)
        asked = time.perf_counter()
        cut()
        qtbot.waitUntil(lambda: player.playbackState() is stopped, timeout=1000)
        assert time.perf_counter() - asked < 0.05
    quiesce(qtbot, rec.voice)


def test_rapid_play_and_stop_never_deadlocks() -> None:
    """Cues cut off right as they start, many times over, never hang the GUI thread."""
    code = (
        "import sys, time; from pathlib import Path; import tempfile\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from PySide6.QtMultimedia import QMediaPlayer\n"
        "from sciatica_timer.ui import voice as vm\n"
        "from sciatica_timer.speech import SpeechSettings\n"
        "from sciatica_timer.engine import Event, EventKind\n"
        "from sciatica_timer.timeline import Cue, CueKind\n"
        "vm.probe_audio = lambda: None\n"
        "def wait(ms):\n"
        "    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()\n"
        "v = vm.Voice(SpeechSettings(sounds_on=False), Path(tempfile.mkdtemp()), Path('.'))\n"
        "texts = ['Switch sides', 'Rest']; v.prepare(texts)\n"
        "while any(v.renderer.path_for(t) is None for t in texts): wait(10)\n"
        "playing = QMediaPlayer.PlaybackState.PlayingState\n"
        "for i in range(40):\n"
        "    v.handle(Event(EventKind.CUE, 0, None, Cue(0, CueKind.REST, texts[i % 2])))\n"
        "    while v.player.playbackState() is not playing: wait(1)\n"
        "    v.stop() if i % 3 else v.set_muted(True); v.set_muted(False)\n"
        "v.shutdown(); print('ok')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == "ok"


@playback
def test_a_cue_not_yet_rendered_is_rendered_and_played(
    make_voice: MakeVoice, qtbot: QtBot, output: None
) -> None:
    """A cue with no WAV yet is rendered on the worker at once and played when ready."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.handle(cue(CueKind.REMINDER, "Something never prepared"))
    renderer = rec.voice.renderer
    assert renderer is not None
    qtbot.waitUntil(
        lambda: rec.voice.player is not None and not rec.voice.player.source().isEmpty()
    )
    player = rec.voice.player
    assert player is not None
    assert player.source().toLocalFile() == str(renderer.path_for("Something never prepared"))
    quiesce(qtbot, rec.voice)


def test_a_hung_engine_gives_one_notice_and_the_session_goes_on(
    make_voice: MakeVoice, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, output: None
) -> None:
    """A speech job that never ends is noticed once; handle() keeps returning at once."""
    monkeypatch.setattr(EspeakDriver, "_start_synthesis", lambda self, text: None)
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.stall_limit_s = 0.2
    rec.voice.job_timeout_s = 1.0
    rec.voice.prepare(["Rest"])
    qtbot.wait(400)
    started = time.perf_counter()
    for e in SAMPLE:
        rec.voice.handle(e)
    assert time.perf_counter() - started < 0.2
    qtbot.wait(1200)  # the worker's own deadline passes too: still one notice
    assert len(rec.notices) == 1 and "more than" in rec.notices[0]


def test_apply_new_rate_renders_again(make_voice: MakeVoice, qtbot: QtBot) -> None:
    """Changing the rate makes the prepared cues render again under the new key."""
    rec = make_voice()
    rec.voice.prepare(["Halfway"])
    renderer = rec.voice.renderer
    assert renderer is not None
    qtbot.waitUntil(lambda: renderer.path_for("Halfway") is not None, timeout=10_000)
    old = renderer.path_for("Halfway")
    rec.voice.apply(SpeechSettings(rate=200))
    qtbot.waitUntil(lambda: renderer.path_for("Halfway") not in (None, old), timeout=10_000)


def test_voices_are_listed_once_the_engine_has_started(make_voice: MakeVoice, qtbot: QtBot) -> None:
    """voices() starts the engine in the background and then lists espeak's voices."""
    rec = make_voice()
    first = rec.voice.voices()
    qtbot.waitUntil(lambda: bool(rec.voice.voices()), timeout=10_000)
    ids = {v.id for v in rec.voice.voices()}
    assert first == () or ids
    assert any(i.endswith("/en") or i.startswith("en") for i in ids)


def test_shutdown_is_prompt_while_rendering(make_voice: MakeVoice) -> None:
    """shutdown() returns well within 2 s with a long render queue."""
    rec = make_voice()
    rec.voice.prepare([f"Cue number {i}" for i in range(300)])
    started = time.monotonic()
    rec.voice.shutdown()
    assert time.monotonic() - started < 2
