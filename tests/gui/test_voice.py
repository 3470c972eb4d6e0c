"""The Voice: engine events in, cue requests, playback and one plain notice out.

Real pyttsx3, espeak-ng and QtMultimedia, playing into the private PulseAudio server of
the test session (tests/sound_server.py): its null sink is a real output with no sound
card behind it, and its monitor is recorded where a test must hear what was played.
QtMultimedia prints a few known warnings about optional libraries it does not find
(ignored below by exact pattern).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from pyttsx3.drivers.espeak import EspeakDriver
from support.processes import run_python
from support.sound_server import SoundServer, loud_seconds, wav_loud_seconds

from sciatica_timer.core.clock import NS_PER_S, FakeClock
from sciatica_timer.core.cues import (
    PAIN_STOP_SENTENCE,
    PAUSED_TEXT,
    RESUMED_TEXT,
    SpeechSettings,
    Verbosity,
)
from sciatica_timer.core.engine import Engine, Event, EventKind
from sciatica_timer.core.timeline import Cue, CueKind, all_cue_texts, build_timeline
from sciatica_timer.speech.renderer import CueRenderer
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.ui.audio.player_client import NO_DEVICE_QT_WARNINGS, NO_OUTPUT_MESSAGE
from sciatica_timer.ui.audio.voice import Voice

ROOT = Path(__file__).resolve().parents[2]
SOUNDS = ROOT / "assets" / "sounds"
LONG = "Cross your ankle over your knee and roll the buttock slowly, breathing out as you go."

pytestmark = pytest.mark.qt_log_ignore(*NO_DEVICE_QT_WARNINGS)


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
def output(sound_server: SoundServer) -> SoundServer:
    """A real sound output (the session's private PulseAudio null sink)."""
    return sound_server


def quiesce(qtbot: QtBot, voice: Voice) -> None:
    """End with the speaker stopped and settled, while pytest-qt still captures Qt messages
    (a message arriving while pytest-qt swaps its handler crashed PySide 6.12)."""
    voice.stop()
    speaker = voice.speaker
    if speaker is not None:
        qtbot.waitUntil(lambda: not speaker.is_playing())
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
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "t = time.perf_counter()\n"
        "v = Voice(SpeechSettings(), Path('/nonexistent'), Path('/nonexistent'))\n"
        "print(time.perf_counter() - t)\n"
        "assert 'pyttsx3' not in sys.modules and 'PySide6.QtMultimedia' not in sys.modules\n"
    )
    run = run_python(code)
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


def test_no_sound_output_gives_one_notice(tmp_path: Path) -> None:
    """With no audio output (no sound server at all) the window is told once, as soon as
    the player process has looked (the window itself never waits on the sound system);
    cues are still requested on time."""
    code = (
        "import sys; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.core.engine import Event, EventKind\n"
        "from sciatica_timer.core.timeline import Cue, CueKind\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "v = Voice(SpeechSettings(), Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "notices, asked = [], []\n"
        "v.notice.connect(notices.append); v.cue_requested.connect(asked.append)\n"
        "v.prepare(['Halfway'])\n"
        "for kind in (EventKind.PHASE_STARTED, EventKind.COMPLETED):\n"
        "    v.handle(Event(kind, 0, None))\n"
        "for text in ('Halfway', '3'):\n"
        "    v.handle(Event(EventKind.CUE, 0, None, Cue(0, CueKind.REMINDER, text)))\n"
        "loop = QEventLoop(); v.notice.connect(loop.quit); QTimer.singleShot(10000, loop.quit)\n"
        "loop.exec()\n"
        "v.handle(Event(EventKind.CUE, 0, None, Cue(0, CueKind.REMINDER, 'Rest')))\n"
        "v.handle(Event(EventKind.PHASE_STARTED, 0, None))\n"
        "v.shutdown()\n"
        "import json; print(json.dumps([notices, asked, v.speaker is None]))\n"
    )
    run = run_python(code, str(tmp_path / "speech"), str(SOUNDS), no_sound_in=tmp_path)
    assert run.returncode == 0, run.stderr
    notices, asked, no_speaker = json.loads(run.stdout.strip().splitlines()[-1])
    assert notices == [NO_OUTPUT_MESSAGE]
    assert asked == ["Halfway", "3", "Rest"]
    assert no_speaker


def test_without_libpulse_the_notice_names_the_package(tmp_path: Path) -> None:
    """With libpulse0 hidden, QtMultimedia cannot load in the player process and one notice
    says what to install."""
    lib = Path("/usr/lib/x86_64-linux-gnu/libpulse.so.0")
    if shutil.which("unshare") is None or not lib.exists() or os.geteuid() != 0:
        pytest.skip("needs root, unshare and the system libpulse to hide")
    code = (
        "import sys; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "v = Voice(SpeechSettings(voice_on=False), Path(sys.argv[1]), Path('.'))\n"
        "notices = []; v.notice.connect(notices.append)\n"
        "loop = QEventLoop(); v.notice.connect(loop.quit); QTimer.singleShot(10000, loop.quit)\n"
        "v.prepare(['Rest']); loop.exec(); v.prepare(['Rest']); v.shutdown()\n"
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
    make_voice: MakeVoice, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, output: SoundServer
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


def test_a_spoken_cue_is_heard(make_voice: MakeVoice, qtbot: QtBot, output: SoundServer) -> None:
    """A rendered cue really comes out of the sound output: the sink's monitor records
    about as much speech as the WAV holds."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    renderer = _rendered(qtbot, rec.voice, LONG)
    path = renderer.path_for(LONG)
    assert path is not None
    said = wav_loud_seconds(path)
    recording = output.record()
    rec.voice.handle(cue(CueKind.REMINDER, LONG))
    speaker = rec.voice.speaker
    assert speaker is not None and speaker.is_playing()
    qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=10_000)
    qtbot.wait(300)
    heard = loud_seconds(recording.stop())
    assert said > 2 and 0.7 * said < heard < said + 0.5


def test_a_playing_cue_is_cut_off_by_pain_stop(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """A long cue being said is cut off by PAIN_STOP before handle() returns, and the calm
    sentence is what is said next: the recording holds nothing more of the long cue."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    renderer = _rendered(qtbot, rec.voice, LONG, PAIN_STOP_SENTENCE)
    sentence = renderer.path_for(PAIN_STOP_SENTENCE)
    assert sentence is not None
    recording = output.record()
    rec.voice.handle(cue(CueKind.REMINDER, LONG))
    speaker = rec.voice.speaker
    assert speaker is not None
    qtbot.wait(500)
    assert speaker.is_playing() and speaker.source == renderer.path_for(LONG)  # still talking
    asked = time.perf_counter()
    rec.voice.handle(event(EventKind.PAIN_STOP))
    assert time.perf_counter() - asked < 0.05
    assert speaker.source == sentence and speaker.is_playing()
    qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=10_000)
    qtbot.wait(300)
    heard = loud_seconds(recording.stop())
    assert heard < 0.5 + wav_loud_seconds(sentence) + 0.3  # 0.5 s of the long cue, the calm one
    assert rec.requested == [LONG, PAIN_STOP_SENTENCE]


def test_stop_and_mute_cut_off_playback(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """stop() and set_muted(True) silence the speaker before they return, cue after cue."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    _rendered(qtbot, rec.voice, LONG)
    speaker = rec.voice.speaker
    assert speaker is not None
    for cut in (rec.voice.stop, lambda: rec.voice.set_muted(True)) * 3:
        rec.voice.set_muted(False)
        rec.voice.handle(cue(CueKind.REMINDER, LONG))
        qtbot.wait(100)
        assert speaker.is_playing()
        cut()
        assert not speaker.is_playing()


def test_a_chime_then_the_announcement_and_no_sound_over_speech(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """A phase starts: its chime plays, the announcement follows straight after it; a sound
    due while words are being said is left out rather than played over them."""
    rec = make_voice()
    announce = "Figure-4 glute roll, left side, 2 minutes"
    rec.voice.prepare([announce])
    renderer = _rendered(qtbot, rec.voice, announce)
    speaker = rec.voice.speaker
    assert speaker is not None
    rec.voice.handle(event(EventKind.PHASE_STARTED))
    rec.voice.handle(cue(CueKind.ANNOUNCE, announce))
    assert speaker.source == SOUNDS / "chime.wav" and speaker.is_playing()
    started = time.perf_counter()
    qtbot.waitUntil(lambda: speaker.source == renderer.path_for(announce))
    with wave.open(str(SOUNDS / "chime.wav")) as wav:
        chime = wav.getnframes() / wav.getframerate()
    assert chime - 0.1 < time.perf_counter() - started < chime + 0.15
    rec.voice.handle(event(EventKind.PHASE_STARTED))  # a chime while talking
    assert speaker.source == renderer.path_for(announce) and speaker.is_playing()


def test_a_newly_plugged_in_output_is_used_from_the_next_cue(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """Headphones plugged in mid-session become the default output: the sound server
    reports the next cue's stream playing on them, not on the speakers it started on, and
    it is heard there."""
    from PySide6.QtMultimedia import QMediaDevices

    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare(["Rest", "Switch sides"])
    renderer = _rendered(qtbot, rec.voice, "Rest", "Switch sides")
    speaker = rec.voice.speaker
    assert speaker is not None
    rec.voice.handle(cue(CueKind.REST, "Rest"))
    qtbot.waitUntil(lambda: output.playing_on() == ["mat"])  # in the player, a moment later
    qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=5000)
    module = output.add_sink("headphones")
    try:
        output.set_default("headphones")
        qtbot.waitUntil(
            lambda: "headphones" in bytes(QMediaDevices.defaultAudioOutput().id().data()).decode()
        )
        recording = output.record("headphones")
        rec.voice.handle(cue(CueKind.SWITCH, "Switch sides"))
        qtbot.wait(100)
        assert output.playing_on() == ["headphones"]
        qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=5000)
        said = renderer.path_for("Switch sides")
        assert said is not None
        assert loud_seconds(recording.stop()) > 0.7 * wav_loud_seconds(said)
        quiesce(qtbot, rec.voice)
    finally:
        output.set_default("mat")
        output.remove_sink(module)


def test_playback_never_spins_the_event_loop(tmp_path: Path, sound_server: SoundServer) -> None:
    """Cues and sounds, started and stopped in the pattern that made QSoundEffect (Qt 6.10
    to 6.12) leave a socket notifier on another thread, so that the GUI thread spun at full
    speed printing "QSocketNotifier: Invalid socket" and grew by 50 MB a second."""
    code = (
        "import random, sys, tempfile; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.core.engine import Event, EventKind\n"
        "from sciatica_timer.core.timeline import Cue, CueKind\n"
        "def wait(ms):\n"
        "    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()\n"
        "v = Voice(SpeechSettings(), Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "texts = ['Switch sides', 'Rest', 'Roll slowly along the outer thigh']\n"
        "v.prepare(texts)\n"
        "while any(v.renderer.path_for(t) is None for t in texts): wait(10)\n"
        "for seed in (2, 4):\n"
        "    rnd = random.Random(seed)\n"
        "    for i in range(30):\n"
        "        if rnd.random() < 0.3: v.stop()\n"
        "        if rnd.random() < 0.5:\n"
        "            v.handle(Event(EventKind.PHASE_STARTED, 0, None))\n"
        "        v.handle(Event(EventKind.CUE, 0, None, Cue(0, CueKind.REST, rnd.choice(texts))))\n"
        "        wait(rnd.choice([0, 5, 50, 100, 300, 700]))\n"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]\n"
        "v.shutdown(); print(int(rss) // 1024)\n"
    )
    run = run_python(code, str(tmp_path), str(SOUNDS))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "QSocketNotifier" not in run.stderr and "another thread" not in run.stderr
    assert int(run.stdout.split()[-1]) < 150  # MB: it grew past 1 GB in seconds when it spun


def test_sound_never_loads_the_media_backend() -> None:
    """Voice and sounds play without QtMultimedia's FFmpeg backend (about 12 MB resident)."""
    code = (
        "import sys, time; from pathlib import Path; import tempfile\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.core.engine import Event, EventKind\n"
        "v = Voice(SpeechSettings(), Path(tempfile.mkdtemp()), Path(sys.argv[1]))\n"
        "v.prepare(['Rest']); v.handle(Event(EventKind.PHASE_STARTED, 0, None))\n"
        "loop = QEventLoop(); QTimer.singleShot(500, loop.quit); loop.exec()\n"
        "playing = v.speaker is not None and v.speaker.is_playing()\n"
        "maps = Path('/proc/self/maps').read_text()\n"
        "v.shutdown()\n"
        "print(playing, 'ffmpegmediaplugin' in maps, 'libavcodec' in maps)\n"
    )
    run = run_python(code, str(SOUNDS))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-3:] == ["True", "False", "False"]


def test_rapid_play_and_stop_never_deadlocks() -> None:
    """Cues cut off right as they start, many times over, never hang the GUI thread."""
    code = (
        "import sys, time; from pathlib import Path; import tempfile\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.ui.audio import voice as vm\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.core.engine import Event, EventKind\n"
        "from sciatica_timer.core.timeline import Cue, CueKind\n"
        "def wait(ms):\n"
        "    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()\n"
        "v = vm.Voice(SpeechSettings(sounds_on=False), Path(tempfile.mkdtemp()), Path('.'))\n"
        "texts = ['Switch sides', 'Rest']; v.prepare(texts)\n"
        "while any(v.renderer.path_for(t) is None for t in texts): wait(10)\n"
        "for i in range(40):\n"
        "    v.handle(Event(EventKind.CUE, 0, None, Cue(0, CueKind.REST, texts[i % 2])))\n"
        "    while not v.speaker.is_playing(): wait(1)\n"
        "    v.stop() if i % 3 else v.set_muted(True); v.set_muted(False)\n"
        "v.shutdown(); print('ok')\n"
    )
    run = run_python(code)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == "ok"


def test_a_cue_not_yet_rendered_is_rendered_and_played(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """A cue with no WAV yet is rendered on the worker at once and played when ready."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.handle(cue(CueKind.REMINDER, "Something never prepared"))
    renderer = rec.voice.renderer
    speaker = rec.voice.speaker
    assert renderer is not None and speaker is not None
    qtbot.waitUntil(lambda: speaker.is_playing())
    assert speaker.source == renderer.path_for("Something never prepared")
    quiesce(qtbot, rec.voice)


def test_a_hung_engine_gives_one_notice_and_the_session_goes_on(
    make_voice: MakeVoice, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, output: SoundServer
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


def test_the_window_never_loads_multimedia_and_its_player_no_media_backend(
    tmp_path: Path, sound_server: SoundServer
) -> None:
    """Sound plays in the player process: the window's process loads no QtMultimedia at
    all (nor PulseAudio's client library), and the player no FFmpeg backend."""
    code = (
        "import sys, time; from pathlib import Path; import tempfile\n"
        "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from sciatica_timer.ui.audio.voice import Voice\n"
        "from sciatica_timer.core.cues import SpeechSettings\n"
        "from sciatica_timer.core.engine import Event, EventKind\n"
        "v = Voice(SpeechSettings(voice_on=False), Path(tempfile.mkdtemp()), Path(sys.argv[1]))\n"
        "v.prepare([])\n"
        "loop = QEventLoop(); v.speaker.player.ready.connect(loop.quit)\n"
        "QTimer.singleShot(10000, loop.quit); loop.exec()\n"
        "v.handle(Event(EventKind.PHASE_STARTED, 0, None))\n"
        "loop = QEventLoop(); QTimer.singleShot(200, loop.quit); loop.exec()\n"
        "mine = Path('/proc/self/maps').read_text()\n"
        "player = Path(f'/proc/{v.speaker.player.pid()}/maps').read_text()\n"
        "print(v.speaker.is_playing(), 'PySide6.QtMultimedia' in sys.modules,\n"
        "      'libQt6Multimedia' in mine, 'libpulse' in mine, 'libQt6Multimedia' in player,\n"
        "      'ffmpegmediaplugin' in player or 'libavcodec' in player)\n"
        "v.shutdown()\n"
    )
    run = run_python(code, str(SOUNDS))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-6:] == ["True", "False", "False", "False", "True", "False"]


def test_a_player_that_dies_is_told_once_and_started_again(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """The player process killed from outside (as Qt's PulseAudio code aborts it when the
    sound server goes away): one notice, a new player soon after that plays the next
    cue, and a second death tells nothing new."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare(["Rest"])
    _rendered(qtbot, rec.voice, "Rest")
    speaker = rec.voice.speaker
    assert speaker is not None
    player = speaker.player
    player.retry_s = (0.1,)
    for _ in range(2):
        qtbot.waitUntil(player.is_ready, timeout=10_000)
        pid = player.pid()
        assert pid is not None
        rec.voice.handle(cue(CueKind.REST, "Rest"))
        qtbot.waitUntil(lambda: output.playing_on() != [])
        os.kill(pid, signal.SIGKILL)
        qtbot.waitUntil(lambda was=pid: player.pid() != was, timeout=5000)
        assert not speaker.is_playing()
    assert len(rec.notices) == 1 and "Sound stopped working" in rec.notices[0]
    qtbot.waitUntil(player.is_ready, timeout=10_000)
    recording = output.record()
    rec.voice.handle(cue(CueKind.REST, "Rest"))
    qtbot.waitUntil(lambda: not speaker.is_playing(), timeout=5000)
    said = rec.voice.renderer.path_for("Rest")  # type: ignore[union-attr]
    assert said is not None
    assert loud_seconds(recording.stop()) > 0.7 * wav_loud_seconds(said)
    assert player.started == 3
    quiesce(qtbot, rec.voice)


def test_a_stop_the_player_does_not_confirm_in_time_kills_it(
    make_voice: MakeVoice, qtbot: QtBot, output: SoundServer
) -> None:
    """A player stuck in the sound system (frozen here with SIGSTOP) is killed once a stop
    has gone unconfirmed for 50 ms, which silences it: stop() itself returns at once."""
    rec = make_voice(SpeechSettings(sounds_on=False))
    rec.voice.prepare([LONG])
    _rendered(qtbot, rec.voice, LONG)
    speaker = rec.voice.speaker
    assert speaker is not None
    player = speaker.player
    qtbot.waitUntil(player.is_ready, timeout=10_000)
    rec.voice.handle(cue(CueKind.REMINDER, LONG))
    qtbot.waitUntil(lambda: output.playing_on() != [])
    pid = player.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    asked = time.perf_counter()
    rec.voice.handle(event(EventKind.PAIN_STOP))
    assert time.perf_counter() - asked < 0.02
    qtbot.waitUntil(lambda: output.playing_on() == [], timeout=2000)  # the stream is gone
    silent_after = time.perf_counter() - asked
    assert player.pid() != pid
    assert 0.04 < silent_after < 0.5
    assert len(rec.notices) == 1 and "stopped answering" in rec.notices[0]
    quiesce(qtbot, rec.voice)
