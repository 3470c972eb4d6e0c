"""espeak-ng saying a word as someone in the room would, for the voice stop's tests and bench."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path
from typing import Any

VOICES = ("en-us", "en", "en-gb-scotland", "en-029", "en-us+f3", "en+m3", "en-gb-x-rp+f2", "en+f4")
"""espeak-ng's English voices: American, British, Scottish, Caribbean; men's and women's."""


def say(
    text: str,
    into: Path,
    voice: str = "en-us",
    speed: int = 160,
    noise: float = 0.005,
    rate: int | None = None,
) -> Path:
    """A mono WAV of ``text`` with a second of quiet either side, in pink-noise room hiss of
    amplitude ``noise`` (a microphone always hears some); resampled to ``rate`` if given."""
    raw, hiss, mixed = (into.with_suffix(f".{n}.wav") for n in ("raw", "hiss", "mixed"))
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    resample = ["-r", str(rate)] if rate else []
    subprocess.run(["sox", str(raw), "-c", "1", *resample, str(into), "pad", "1", "1"], check=True)
    hissing = ["synth", "pinknoise", "vol", str(noise)]
    subprocess.run(["sox", "-R", str(into), str(hiss), *hissing], check=True)  # the same each time
    subprocess.run(["sox", "-m", str(into), str(hiss), str(mixed)], check=True)
    mixed.replace(into)
    for part in (raw, hiss):
        part.unlink(missing_ok=True)
    return into


def samples(path: Path) -> bytes:
    with wave.open(str(path)) as wav:
        return wav.readframes(wav.getnframes())


def spoken_seconds(text: str, voice: str = "en-us", speed: int = 160) -> float:
    """How long espeak-ng takes to say ``text`` (without the quiet around it)."""
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return (len(out) - 44) / 2 / 22050


def stops_heard(spotter: Any, pcm: bytes, rate: int = 16000) -> list[str]:
    """The words a ``StopSpotter`` reports for these samples, fed as the microphone hands
    them over (a fifth of a second at a time), from a fresh start."""
    spotter.reset()
    words = []
    step = rate // 5
    for i in range(0, len(pcm), step):
        words += [w.word for w in spotter.feed(pcm[i : i + step])]
    return words
