"""Reading what a speech driver really wrote (macOS writes AIFF into a .wav), and speaking
each cue directly where nothing readable is written. The formats are made by sox (a real
encoder) and by hand; the renderer tests use the real espeak driver, or a stand-in engine
for NSSpeechSynthesizer's AIFF (which cannot run here)."""

from __future__ import annotations

import array
import math
import shutil
import struct
import subprocess
import sys
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.platforms import linux_only

if sys.platform == "linux":  # importing it elsewhere raises: no eSpeak NG library there
    from pyttsx3.drivers.espeak import EspeakDriver
from support.speech import MakeRenderer

from sciatica_timer.speech import renderer as speech_renderer
from sciatica_timer.speech.audiofile import AudioFormatError, is_wav16, read_audio, to_wav16
from sciatica_timer.speech.renderer import (
    fix_hint,
    speaking_directly_message,
    voice_unavailable_message,
)

needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox (package sox)")


def _samples(pcm_frames: bytes) -> array.array[int]:
    out = array.array("h")
    out.frombytes(pcm_frames)
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _sox(out: Path, *encoding: str, rate: int = 22050, channels: int = 1) -> Path:
    """A 0.25 s 440 Hz tone at half scale, written by sox in the given encoding."""
    subprocess.run(
        ["sox", "-D", "-n", "-r", str(rate), "-c", str(channels), *encoding, str(out),
         "synth", "0.25", "sine", "440", "vol", "0.5"],
        check=True,
    )  # fmt: skip
    return out


def _aiff(path: Path, samples: list[int], rate: int = 22050, aifc: bytes | None = None) -> Path:
    """A mono 16-bit AIFF (or AIFF-C with that compression type) written by hand."""
    exponent = math.frexp(rate)[1] - 1
    mantissa = int(rate * 2 ** (63 - exponent))
    rate80 = struct.pack(">HQ", exponent + 16383, mantissa)
    if aifc == b"sowt":
        data = struct.pack(f"<{len(samples)}h", *samples)
    else:
        data = struct.pack(f">{len(samples)}h", *samples)
    comm = struct.pack(">hIh", 1, len(samples), 16) + rate80
    if aifc is not None:
        comm += aifc + b"\x00\x00"  # an empty Pascal string, padded to even
    ssnd = struct.pack(">II", 0, 0) + data
    body = b"AIFC" if aifc is not None else b"AIFF"
    for kind, chunk in ((b"COMM", comm), (b"SSND", ssnd)):
        body += kind + struct.pack(">I", len(chunk)) + chunk + b"\x00" * (len(chunk) & 1)
    path.write_bytes(b"FORM" + struct.pack(">I", len(body)) + body)
    return path


# --- reading ----------------------------------------------------------------------------


def test_hand_made_aiff_and_aiff_c_read_as_the_samples_written(tmp_path: Path) -> None:
    samples = [0, 1, -1, 32767, -32768, 1234, -4321]
    for name, aifc in (("plain.aiff", None), ("none.aifc", b"NONE"), ("sowt.aifc", b"sowt")):
        pcm = read_audio(_aiff(tmp_path / name, samples, aifc=aifc))
        assert (pcm.rate, pcm.channels) == (22050, 1), name
        assert list(_samples(pcm.frames)) == samples, name


@needs_sox
@pytest.mark.parametrize(
    ("name", "encoding", "tolerance"),
    [
        ("tone.aiff", ["-b", "16"], 0),
        ("tone.aifc", ["-b", "16"], 0),
        ("tone24.aiff", ["-b", "24"], 1),
        ("tone24.wav", ["-b", "24"], 1),
        ("tone32.wav", ["-b", "32"], 1),
        ("float.wav", ["-e", "floating-point", "-b", "32"], 2),
        ("tone8.wav", ["-b", "8"], 260),  # 8 bits: the low byte is lost
    ],
)
def test_formats_sox_writes_read_as_its_16_bit_wav(
    tmp_path: Path, name: str, encoding: list[str], tolerance: int
) -> None:
    """Each format decodes to the samples of sox's own 16-bit WAV of the same tone."""
    reference = _sox(tmp_path / "reference.wav", "-b", "16")
    with wave.open(str(reference)) as wav:
        expected = _samples(wav.readframes(wav.getnframes()))
    got = read_audio(_sox(tmp_path / name, *encoding))
    assert (got.rate, got.channels) == (22050, 1)
    values = _samples(got.frames)
    assert len(values) == len(expected)
    assert max(abs(a - b) for a, b in zip(values, expected, strict=True)) <= tolerance
    assert 0.24 < got.seconds < 0.26


@needs_sox
def test_macos_aiff_named_wav_becomes_a_16_bit_wav_in_place(tmp_path: Path) -> None:
    """What NSSpeechSynthesizer does (AIFF into the .wav asked for) is undone: the file is a
    16-bit WAV afterwards, stereo kept, and stays private (its mode is unchanged)."""
    aiff = _sox(tmp_path / "aiff.aiff", "-b", "16", channels=2)
    path = tmp_path / "cue.part.wav"
    path.write_bytes(aiff.read_bytes())
    path.chmod(0o600)
    assert not is_wav16(path)
    assert to_wav16(path) == "AIFF 16-bit"
    assert is_wav16(path) and path.stat().st_mode & 0o777 == 0o600
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (2, 22050, 2)
        assert 0.24 < wav.getnframes() / wav.getframerate() < 0.26
    before = path.read_bytes()
    assert to_wav16(path) == "WAV 16-bit PCM" and path.read_bytes() == before  # left as it is


def test_what_is_not_sound_says_what_it_is(tmp_path: Path) -> None:
    for name, data, words in (
        ("empty.wav", b"", "no sound"),
        ("mp3.wav", b"ID3\x04" + b"\x00" * 40, "not WAV or AIFF"),
        ("alaw.aifc", None, "AIFF-C compressed as 'alaw'"),
    ):
        path = tmp_path / name
        if data is None:
            _aiff(path, [1, 2, 3], aifc=b"alaw")
        else:
            path.write_bytes(data)
        with pytest.raises(AudioFormatError, match=words):
            to_wav16(path)


# --- the renderer -----------------------------------------------------------------------


class _AiffEngine:
    """Stands in for pyttsx3 with NSSpeechSynthesizer: ``save_to_file`` writes AIFF whatever
    the name; events as pyttsx3 delivers them."""

    def __init__(self, aiff: Path) -> None:
        self.aiff = aiff
        self.props: dict[str, Any] = {"voice": "com.apple.voice.Samantha", "voices": []}
        self.handlers: dict[int, tuple[str, Callable[..., None]]] = {}
        self.said: list[str] = []
        self._pending: list[tuple[str, str | None]] = []

    def connect(self, topic: str, cb: Callable[..., None]) -> int:
        token = len(self.handlers) + 1
        self.handlers[token] = (topic, cb)
        return token

    def disconnect(self, token: int) -> None:
        self.handlers.pop(token, None)

    def getProperty(self, name: str) -> Any:
        return self.props.get(name)

    def setProperty(self, name: str, value: Any) -> None:
        self.props[name] = value

    def save_to_file(self, text: str, filename: str) -> None:
        self._pending.append((text, filename))

    def say(self, text: str) -> None:
        self._pending.append((text, None))

    def runAndWait(self) -> None:
        for text, filename in self._pending:
            if filename is None:
                self.said.append(text)
            else:
                Path(filename).write_bytes(self.aiff.read_bytes())
            for topic, cb in list(self.handlers.values()):
                if topic == "finished-utterance":
                    cb(name=None, completed=True)
        self._pending.clear()


@needs_sox
def test_renderer_turns_the_aiff_macos_writes_into_a_playable_wav(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = _AiffEngine(_sox(tmp_path / "nsss.aiff", "-b", "16"))
    monkeypatch.setattr(speech_renderer, "open_engine", lambda driver_name=None: fake)
    renderer, got = make_renderer(expect=1)
    renderer.render_now("Rest")
    assert got.all_rendered.wait(10), got.failures
    assert is_wav16(got.rendered["Rest"])
    assert renderer.can_save and renderer.fallback is None and fake.said == []


@linux_only
def test_a_due_cue_is_spoken_directly_when_saving_fails_and_a_queued_one_is_not(
    make_renderer: MakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save_to_file writing nothing (SAPI 5 with pyttsx3 #258): the cue the session waits
    for is spoken with say(), the window is told once, a render queued ahead stays silent."""
    spoken: list[str] = []
    changed = threading.Condition()
    say = EspeakDriver.say

    def recorded_say(self: EspeakDriver, text: str) -> None:
        with changed:
            spoken.append(text)
            changed.notify_all()
        say(self, text)

    def spoken_soon(words: str) -> bool:
        with changed:
            return changed.wait_for(lambda: any(t.endswith(words) for t in spoken), 10)

    def save_nothing(self: EspeakDriver, text: str, filename: str) -> None:
        self._save_file = None
        say(self, text)  # the engine runs (and ends its loop) but no file is written

    monkeypatch.setattr(EspeakDriver, "say", recorded_say)
    monkeypatch.setattr(EspeakDriver, "save_to_file", save_nothing)
    fallbacks: list[str] = []
    found = threading.Event()
    renderer, got = make_renderer(on_fallback=lambda why: (fallbacks.append(why), found.set()))
    renderer.render(["Later"])  # queued ahead: it finds that saving fails, and stays silent
    assert found.wait(10)
    renderer.render_now("Switch sides")
    assert spoken_soon("Switch sides")
    renderer.render_now("Rest")
    assert spoken_soon("Rest")
    assert not any(t.endswith("Later") for t in spoken)
    assert not renderer.can_save and got.failures == [] and got.rendered == {}
    assert len(fallbacks) == 1 and renderer.fallback == fallbacks[0]
    assert "spoken directly" in speaking_directly_message(fallbacks[0])


def test_the_fix_offered_for_a_missing_voice_is_this_systems() -> None:
    assert "apt-get install libespeak-ng1" in fix_hint("linux")
    assert "Settings, Time & language, Speech" in fix_hint("win32")
    assert "eSpeak" not in fix_hint("win32") and "eSpeak" not in fix_hint("darwin")
    assert "Spoken Content" in voice_unavailable_message("no voices", "darwin")
    assert voice_unavailable_message("x", sys.platform).endswith(fix_hint())
