"""Speech without Qt: the verbosity table, the cue cache, and pyttsx3 as it really behaves.

These use the real pyttsx3 and espeak-ng; the only fakes are faults that cannot be caused
otherwise (a missing library, a driver raising or hanging mid-session).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pyttsx3
from support.platforms import linux_only
from support.speech import MakeRenderer

from sciatica_timer.core.timeline import all_cue_texts, build_timeline
from sciatica_timer.speech import engine as speech_engine
from sciatica_timer.speech.cache import cache_key, wav_seconds
from sciatica_timer.storage.library_file import load_library

if sys.platform == "linux":  # importing it elsewhere raises: no eSpeak NG library there
    from pyttsx3.drivers.espeak import EspeakDriver

ROOT = Path(__file__).resolve().parents[3]
SOUNDS = ROOT / "assets" / "sounds"
LONG = "Keep your knees soft and roll the back of the thigh gently."


def _run(engine: Any) -> None:
    """runAndWait, then wait for espeak's own thread to finish the utterance."""
    done = threading.Event()
    token = engine.connect("finished-utterance", lambda **_: done.set())
    try:
        engine.runAndWait()
        assert done.wait(10)
        assert speech_engine.wait_for_espeak_idle()
    finally:
        engine.disconnect(token)


@pytest.fixture
def engine() -> Iterator[Any]:
    """The process's pyttsx3 engine, held so that no renderer drives it meanwhile."""
    with speech_engine.ENGINE_LOCK:
        eng = speech_engine.open_engine()
        eng.setProperty("rate", 150)
        yield eng
        speech_engine.speak_aloud_again(eng)


# --- what is said -------------------------------------------------------------------


def test_cache_key_depends_on_text_voice_and_rate() -> None:
    """The cache file name changes with the text, the voice and the rate."""
    keys = {
        cache_key("Rest", None, 150),
        cache_key("Rest", "gmw/en-us", 150),
        cache_key("Rest", None, 170),
        cache_key("Rest.", None, 150),
    }
    assert len(keys) == 4
    assert cache_key("Rest", None, 150) == cache_key("Rest", None, 150)


def test_speech_module_does_not_import_qt() -> None:
    """Importing sciatica_timer.speech.renderer loads neither PySide6 nor pyttsx3."""
    code = (
        "import sys, sciatica_timer.speech.renderer\n"
        "assert 'PySide6' not in sys.modules, 'PySide6'\n"
        "assert 'pyttsx3' not in sys.modules, 'pyttsx3'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


# --- pyttsx3 as it behaves (2.99, espeak driver) --------------------------------------


@linux_only
def test_pyttsx3_init_returns_one_engine_per_process_even_across_threads() -> None:
    """pyttsx3.init() hands every thread the same engine, hence one owner thread and a lock."""
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(pyttsx3.init()))
    thread.start()
    thread.join(10)
    assert seen == [pyttsx3.init()]


@linux_only
def test_pyttsx3_save_to_file_then_run_writes_a_wav(engine: Any, tmp_path: Path) -> None:
    """save_to_file + runAndWait (+ finished-utterance) writes a 16-bit mono WAV. With both
    cores busy about 1 attempt in 400 comes out empty (measured), which is why the renderer
    tries three times: so does this test, and at least one attempt must be a WAV."""
    out = tmp_path / "halfway.wav"
    for _attempt in range(3):
        engine.save_to_file("Halfway", str(out))
        _run(engine)
        if wav_seconds(out) > 0:
            break
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
    assert 0.3 < wav_seconds(out) < 3


@linux_only
def test_pyttsx3_first_run_returns_before_the_file_is_written(tmp_path: Path) -> None:
    """On a fresh engine the first runAndWait returns before espeak has written the file."""
    out = tmp_path / "first.wav"
    code = (
        "import os, sys, threading, pyttsx3\n"
        "e = pyttsx3.init(); done = threading.Event()\n"
        "e.connect('finished-utterance', lambda **_: done.set())\n"
        f"e.save_to_file({LONG * 8!r}, sys.argv[1]); e.runAndWait()\n"
        "print(os.path.exists(sys.argv[1])); assert done.wait(10)\n"
        "print(os.path.exists(sys.argv[1]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = [x for x in run.stdout.splitlines() if x in ("True", "False")]
    assert lines == ["False", "True"]


@linux_only
def test_the_rate_inside_the_text_wins_over_the_rate_property(engine: Any, tmp_path: Path) -> None:
    """espeak's embedded speed command sets this utterance's rate whatever the rate property
    says, so a rate change that espeak applies late (it does under load) cannot reach it."""
    slow, fast = tmp_path / "slow.wav", tmp_path / "fast.wav"
    engine.save_to_file(LONG, str(slow))
    _run(engine)
    engine.save_to_file(speech_engine.with_rate(engine, LONG, 220), str(fast))
    _run(engine)
    assert engine.getProperty("rate") == 150
    assert wav_seconds(fast) < wav_seconds(slow) - 0.5


@linux_only
def test_pyttsx3_two_saves_before_one_run_write_only_the_last(engine: Any, tmp_path: Path) -> None:
    """Two utterances queued before one runAndWait: only the last one is produced."""
    first, second = tmp_path / "1.wav", tmp_path / "2.wav"
    engine.save_to_file("Rest", str(first))
    engine.save_to_file("Switch sides", str(second))
    _run(engine)
    assert not first.exists()
    assert second.exists()  # samples or none: see the next test


@linux_only
def test_pyttsx3_second_run_repeats_the_last_utterance(engine: Any, tmp_path: Path) -> None:
    """A runAndWait with nothing new queued produces the last utterance again (same file)."""
    out = tmp_path / "again.wav"
    engine.save_to_file("Rest", str(out))
    _run(engine)
    out.unlink()
    _run(engine)
    assert out.exists()  # often with no samples at all: the renderer checks and retries


@linux_only
def test_pyttsx3_say_after_save_goes_into_that_file(engine: Any, tmp_path: Path) -> None:
    """After a save_to_file, say() writes into that file; resetting the driver undoes it."""
    out = tmp_path / "rest.wav"
    engine.save_to_file("Rest", str(out))
    _run(engine)
    out.unlink()
    engine.say(LONG)
    _run(engine)
    assert out.exists()  # the "spoken" sentence was written into the saved file
    out.unlink()
    speech_engine.speak_aloud_again(engine)
    engine.say("Rest")
    _run(engine)
    assert not out.exists()


@linux_only
def test_pyttsx3_say_reports_success_without_a_sound_card(engine: Any) -> None:
    """say() finishes as 'completed' even where nothing can play (it shells out to aplay)."""
    finished: list[bool] = []
    token = engine.connect("finished-utterance", lambda name, completed: finished.append(completed))
    try:
        speech_engine.speak_aloud_again(engine)
        engine.say("Rest")
        _run(engine)
    finally:
        engine.disconnect(token)
    assert finished[0] is True  # now and then a stray completed=False follows it


# --- the renderer -------------------------------------------------------------------


@linux_only
def test_every_cue_of_the_bundled_routine_renders_a_plausible_wav(
    make_renderer: MakeRenderer,
) -> None:
    """Each distinct text of sciatica-foam-roll becomes a WAV as long as its words need."""
    library = load_library(ROOT / "exercises.json")
    texts = all_cue_texts(build_timeline(library, "sciatica-foam-roll"))
    renderer, got = make_renderer(expect=len(texts))
    renderer.render(texts)
    assert got.all_rendered.wait(60), got.failures
    assert got.threads == {"speech"}
    for text in texts:
        path = renderer.path_for(text)
        assert path == got.rendered[text]
        seconds = wav_seconds(path)
        assert max(0.2, 0.4 + 0.03 * len(text)) <= seconds <= 1.0 + 0.25 * len(text), text
    assert renderer.synth_count == len(texts)


@linux_only
def test_cache_hits_do_not_render_again(make_renderer: MakeRenderer, tmp_path: Path) -> None:
    """A second renderer on the same folder finds the WAVs and synthesises nothing."""
    texts = ["Rest", "Switch sides", "Halfway"]
    first, got = make_renderer(expect=3)
    first.render(texts)
    assert got.all_rendered.wait(30)
    stamps = {t: got.rendered[t].stat().st_mtime_ns for t in texts}
    second, again = make_renderer(expect=3)
    second.render(texts)
    assert again.all_rendered.wait(30)
    assert second.synth_count == 0
    assert {t: again.rendered[t].stat().st_mtime_ns for t in texts} == stamps


@linux_only
def test_a_different_rate_renders_a_different_file(make_renderer: MakeRenderer) -> None:
    """Changing the rate gives another cache file, and a faster rate a shorter one."""
    renderer, got = make_renderer(expect=1, rate=150)
    renderer.render([LONG])
    assert got.all_rendered.wait(30)
    slow = renderer.path_for(LONG)
    renderer.configure(None, 220)
    assert renderer.path_for(LONG) is None
    got.all_rendered.clear()
    renderer.render([LONG])
    assert got.all_rendered.wait(30)
    fast = renderer.path_for(LONG)
    assert slow is not None and fast is not None and slow != fast
    assert wav_seconds(fast) < wav_seconds(slow) - 0.5


@linux_only
def test_rate_changes_apply_in_order(make_renderer: MakeRenderer, tmp_path: Path) -> None:
    """Alternating rates give alternating lengths (pyttsx3 races here without the waits)."""
    lengths = []
    for i, rate in enumerate((150, 220, 150, 220)):
        renderer, got = make_renderer(expect=1, cache=tmp_path / str(i), rate=rate)
        renderer.render([LONG])
        assert got.all_rendered.wait(30)
        lengths.append(wav_seconds(got.rendered[LONG]))
    assert lengths[0] > lengths[1] + 0.5 and lengths[2] > lengths[3] + 0.5
    assert abs(lengths[0] - lengths[2]) < 0.1


def test_missing_speech_library_is_reported_once(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When pyttsx3.init raises (no espeak library), the failure callback runs once."""

    def no_library(*_: object, **__: object) -> object:
        raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")

    monkeypatch.setattr(pyttsx3, "init", no_library)
    renderer, got = make_renderer()
    renderer.render(["Rest", "Halfway"])
    assert got.failed.wait(10)
    renderer.render(["Switch sides"])
    renderer.say("Rest")
    assert renderer.shutdown(timeout=5)
    assert len(got.failures) == 1 and "eSpeak" in got.failures[0]
    assert got.threads == {"speech"}
    assert renderer.failure is not None and renderer.path_for("Rest") is None


def test_missing_pyttsx3_package_is_reported(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When pyttsx3 cannot even be imported, the failure is reported, not raised."""
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    renderer, got = make_renderer()
    renderer.render(["Rest"])
    assert got.failed.wait(10)
    assert "could not start" in got.failures[0]


@linux_only
def test_driver_raising_mid_session_is_reported_once(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A driver that starts raising after two cues ends the voice with one failure callback."""
    calls = []
    real = EspeakDriver.save_to_file

    def flaky(self: EspeakDriver, text: str, filename: str) -> None:
        calls.append(text)
        if len(calls) > 2:
            raise OSError("audio driver went away")
        real(self, text, filename)

    monkeypatch.setattr(EspeakDriver, "save_to_file", flaky)
    renderer, got = make_renderer(expect=2)
    renderer.render(["Rest", "Halfway", "Switch sides", "Release"])
    assert got.failed.wait(10)
    assert renderer.shutdown(timeout=5)
    assert set(got.rendered) == {"Rest", "Halfway"}
    assert len(got.failures) == 1 and "audio driver went away" in got.failures[0]


@linux_only
def test_hung_run_loop_is_ended_and_reported(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A driver whose run loop never ends is stopped by the job deadline and reported."""
    monkeypatch.setattr(EspeakDriver, "_start_synthesis", lambda self, text: None)
    renderer, got = make_renderer(job_timeout_s=0.5)
    renderer.render(["Rest"])
    assert got.failed.wait(10)
    assert "took more than" in got.failures[0]
    assert renderer.shutdown(timeout=5)


@linux_only
def test_platform_where_saving_fails_falls_back_to_say(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If save_to_file writes no WAV, rendering stops and say() is used without failing."""

    def speak_instead(self: EspeakDriver, text: str, filename: str) -> None:
        self._save_file = None  # a driver that can only speak aloud
        self.say(text)

    monkeypatch.setattr(EspeakDriver, "save_to_file", speak_instead)
    renderer, got = make_renderer()
    renderer.render(["Rest"])
    assert _eventually(lambda: not renderer.can_save)
    renderer.say("Switch sides")
    assert _eventually(lambda: renderer.synth_count >= 2)
    assert renderer.path_for("Rest") is None and got.failures == []


def _eventually(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@linux_only
def test_shutdown_is_prompt_with_work_queued(make_renderer: MakeRenderer) -> None:
    """shutdown() drops queued work and the worker ends within its timeout."""
    renderer, _ = make_renderer()
    renderer.render([f"Cue number {i}" for i in range(200)])
    assert renderer.shutdown(timeout=2)
    assert renderer.synth_count < 200


@linux_only
def test_bundled_espeak_is_used_when_the_system_library_is_missing(tmp_path: Path) -> None:
    """With libespeak-ng hidden, pyttsx3 fails alone but works through espeakng-loader."""
    if importlib.util.find_spec("espeakng_loader") is None:
        pytest.skip("espeakng-loader is not installed")
    lib = Path("/usr/lib/x86_64-linux-gnu/libespeak-ng.so.1")
    if shutil.which("unshare") is None or not lib.exists() or os.geteuid() != 0:
        pytest.skip("needs root, unshare and the system library to hide")
    code = (
        "import sys, threading; from sciatica_timer.speech import engine as speech_engine\n"
        "print(speech_engine.use_bundled_espeak())\n"
        "import pyttsx3; e = pyttsx3.init(); done = threading.Event()\n"
        "e.connect('finished-utterance', lambda **_: done.set())\n"
        "e.save_to_file('Rest', sys.argv[1]); e.runAndWait(); assert done.wait(10)\n"
        "print([l.split()[-1] for l in open('/proc/self/maps') if 'espeak' in l][0])\n"
    )
    real = lib.resolve()
    hide = f'mount --bind /dev/null {real} && exec {sys.executable} -c "$0" "$1"'
    out = tmp_path / "rest.wav"
    run = subprocess.run(
        ["unshare", "--mount", "sh", "-c", hide, code, str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    if "mount" in run.stderr and run.returncode != 0 and "Traceback" not in run.stderr:
        pytest.skip(f"cannot hide the library here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split()
    assert lines[0] == "True" and "espeakng_loader" in lines[-1]
    assert wav_seconds(out) > 0.3


# --- the short sounds -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tick", "chime", "end"])
def test_bundled_sounds_are_small_16bit_mono_wavs(name: str) -> None:
    """Each cue sound is a 16-bit mono WAV under 40 KB, long enough to hear."""
    path = SOUNDS / f"{name}.wav"
    assert path.stat().st_size < 40_000
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
    assert 0.03 <= wav_seconds(path) <= 1.0


def test_sounds_are_what_the_generator_makes(tmp_path: Path) -> None:
    """tools/make_sounds.py reproduces the committed sounds byte for byte."""
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_sounds.py"), str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("tick", "chime", "end"):
        assert (tmp_path / f"{name}.wav").read_bytes() == (SOUNDS / f"{name}.wav").read_bytes()


@linux_only
def test_a_slow_espeak_is_waited_for_before_the_rate_is_set(
    make_renderer: MakeRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a busy machine espeak's own thread can take over a second to finish: the rate is
    set only once it has (before, the wait gave up after 1 s and espeak ignored the new
    rate). The slow espeak is the one fake here: a loaded machine cannot be ordered up."""
    espeak: Any = sys.modules["pyttsx3.drivers._espeak"]
    real_playing = espeak.IsPlaying
    busy_until = time.monotonic() + 1.6
    rate_set_at: list[float] = []

    def slow_playing() -> bool:
        return time.monotonic() < busy_until or bool(real_playing())

    real_set = pyttsx3.engine.Engine.setProperty

    def recording_set(self: Any, name: str, value: object) -> None:
        if name == "rate":
            rate_set_at.append(time.monotonic())
        real_set(self, name, value)

    monkeypatch.setattr(espeak, "IsPlaying", slow_playing)
    monkeypatch.setattr(pyttsx3.engine.Engine, "setProperty", recording_set)
    renderer, got = make_renderer(expect=1, cache=tmp_path / "slow", rate=220)
    renderer.render([LONG])
    assert got.all_rendered.wait(30)
    assert rate_set_at and min(rate_set_at) >= busy_until
