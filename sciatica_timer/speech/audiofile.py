"""Read whatever sound file a speech driver really wrote, and make it the 16-bit WAV the
player reads. No Qt.

pyttsx3's drivers do not all write what they are asked for: on macOS NSSpeechSynthesizer
writes AIFF (or AIFF-C) whatever the file is called (pyttsx3 PR #376), SAPI 5 may write
WAVE_FORMAT_EXTENSIBLE or another sample width than 16 bits, which ``wave`` does not read.
``to_wav16`` reads RIFF/WAVE (PCM 8 to 32 bits, IEEE float, extensible), AIFF and AIFF-C
(``NONE``, ``twos``, ``sowt``, ``fl32``, ``fl64``) and rewrites the file as 16-bit PCM WAV,
same rate and channels. Everything is done in memory: a cue is a second or two.
"""

from __future__ import annotations

import array
import math
import struct
import sys
import wave
from dataclasses import dataclass
from pathlib import Path


class AudioFormatError(Exception):
    """The file is not sound this module can read; the message says what it is."""


@dataclass(frozen=True)
class Pcm:
    """Decoded sound: 16-bit signed little-endian samples, interleaved."""

    rate: int
    channels: int
    frames: bytes
    source: str
    """What the file was: "WAV 16-bit PCM", "AIFF 16-bit", "AIFF-C sowt 16-bit"..."""

    @property
    def seconds(self) -> float:
        return len(self.frames) / (2 * self.channels * self.rate) if self.rate else 0.0


_WAVE_PCM, _WAVE_FLOAT, _WAVE_EXTENSIBLE = 0x0001, 0x0003, 0xFFFE


def _chunks(data: bytes, start: int, big_endian: bool) -> dict[bytes, bytes]:
    """The first chunk of each id in an IFF/RIFF body (chunks are padded to even sizes)."""
    out: dict[bytes, bytes] = {}
    pos = start
    fmt = ">I" if big_endian else "<I"
    while pos + 8 <= len(data):
        kind = data[pos : pos + 4]
        (size,) = struct.unpack(fmt, data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        out.setdefault(kind, body)
        pos += 8 + size + (size & 1)
    return out


def _extended(raw: bytes) -> float:
    """An 80-bit IEEE 754 extended float (AIFF's sample rate)."""
    exponent, mantissa = struct.unpack(">HQ", raw)
    sign = -1.0 if exponent & 0x8000 else 1.0
    exponent &= 0x7FFF
    if exponent == 0 and mantissa == 0:
        return 0.0
    if exponent == 0x7FFF:
        raise AudioFormatError("the sample rate is not a number")
    return sign * math.ldexp(mantissa, exponent - 16383 - 63)


def _int_to_16le(data: bytes, width: int, big_endian: bool, unsigned: bool = False) -> bytes:
    """Integer samples of ``width`` bytes to 16-bit little-endian (the top 16 bits kept)."""
    count = len(data) // width
    data = data[: count * width]
    out = bytearray(2 * count)
    if width == 1:
        out[1::2] = bytes(b ^ 0x80 for b in data) if unsigned else data
        return bytes(out)
    if width not in (2, 3, 4):
        raise AudioFormatError(f"{width * 8}-bit samples")
    if big_endian:  # the two most significant bytes come first
        out[0::2], out[1::2] = data[1::width], data[0::width]
    else:  # the two most significant bytes come last
        out[0::2], out[1::2] = data[width - 2 :: width], data[width - 1 :: width]
    return bytes(out)


def _float_to_16le(data: bytes, width: int, big_endian: bool) -> bytes:
    if width not in (4, 8):
        raise AudioFormatError(f"{width * 8}-bit float samples")
    samples = array.array("f" if width == 4 else "d")
    samples.frombytes(data[: len(data) // width * width])
    if big_endian != (sys.byteorder == "big"):
        samples.byteswap()
    out = array.array(
        "h", (round(max(-1.0, min(1.0, s if s == s else 0.0)) * 32767) for s in samples)
    )
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _read_wave(data: bytes) -> Pcm:
    chunks = _chunks(data, 12, big_endian=False)
    fmt, frames = chunks.get(b"fmt "), chunks.get(b"data")
    if fmt is None or len(fmt) < 16 or frames is None:
        raise AudioFormatError("a WAV file without its format or data")
    tag, channels, rate, _bps, _align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _WAVE_EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack("<H", fmt[24:26])  # the sub-format GUID starts with the tag
    width = (bits + 7) // 8
    if tag == _WAVE_PCM:
        samples = _int_to_16le(frames, width, big_endian=False, unsigned=width == 1)
        kind = f"WAV {bits}-bit PCM"
    elif tag == _WAVE_FLOAT:
        samples, kind = _float_to_16le(frames, width, big_endian=False), f"WAV {bits}-bit float"
    else:
        raise AudioFormatError(f"a WAV file in format 0x{tag:04x}")
    return _pcm(rate, channels, samples, kind)


_AIFC_KINDS = {
    b"NONE": ("int", True),
    b"twos": ("int", True),
    b"sowt": ("int", False),
    b"fl32": ("float", True),
    b"FL32": ("float", True),
    b"fl64": ("float", True),
    b"FL64": ("float", True),
}


def _read_aiff(data: bytes, compressed: bool) -> Pcm:
    chunks = _chunks(data, 12, big_endian=True)
    comm, ssnd = chunks.get(b"COMM"), chunks.get(b"SSND")
    if comm is None or len(comm) < 18 or ssnd is None or len(ssnd) < 8:
        raise AudioFormatError("an AIFF file without its COMM or SSND chunk")
    channels, frame_count, bits = struct.unpack(">hIh", comm[:8])
    rate = _extended(comm[8:18])
    compression = comm[18:22] if compressed and len(comm) >= 22 else b"NONE"
    if compression not in _AIFC_KINDS:
        raise AudioFormatError(f"AIFF-C compressed as {compression.decode(errors='replace')!r}")
    number, big_endian = _AIFC_KINDS[compression]
    if compression.lower() == b"fl32":
        bits = 32
    elif compression.lower() == b"fl64":
        bits = 64
    (offset,) = struct.unpack(">I", ssnd[:4])
    width = (bits + 7) // 8
    frames = ssnd[8 + offset : 8 + offset + frame_count * max(channels, 1) * width]
    if number == "float":
        samples = _float_to_16le(frames, width, big_endian)
    else:
        samples = _int_to_16le(frames, width, big_endian)
    name = f"AIFF-C {compression.decode()}" if compressed else "AIFF"
    return _pcm(round(rate), channels, samples, f"{name} {bits}-bit")


def _pcm(rate: int, channels: int, samples: bytes, kind: str) -> Pcm:
    if rate <= 0 or channels <= 0:
        raise AudioFormatError(f"{kind} with {rate} Hz and {channels} channels")
    whole = len(samples) // (2 * channels) * 2 * channels
    return Pcm(rate, channels, samples[:whole], kind)


def read_audio(path: Path) -> Pcm:
    """The sound in a WAV, AIFF or AIFF-C file, whatever it is named; raises
    ``AudioFormatError`` (or ``OSError``) when it cannot be read."""
    data = path.read_bytes()
    if len(data) < 12:
        raise AudioFormatError(f"{len(data)} bytes: no sound")
    head, form = data[:4], data[8:12]
    if head == b"RIFF" and form == b"WAVE":
        return _read_wave(data)
    if head == b"FORM" and form in (b"AIFF", b"AIFC"):
        return _read_aiff(data, compressed=form == b"AIFC")
    raise AudioFormatError(f"not WAV or AIFF (it starts {data[:4]!r})")


def is_wav16(path: Path) -> bool:
    """The player can read this file as it is: a PCM WAV ``wave`` opens, 16-bit samples."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getsampwidth() == 2 and wav.getframerate() > 0
    except (OSError, EOFError, wave.Error):
        return False


def to_wav16(path: Path) -> str:
    """Make ``path`` a 16-bit PCM WAV with the sound it holds (in place; its mode is kept);
    returns what it was. A file that already is one is left as it is. Raises
    ``AudioFormatError`` or ``OSError`` when it holds no sound this module reads."""
    if is_wav16(path):
        return "WAV 16-bit PCM"
    pcm = read_audio(path)
    with wave.open(str(path), "wb") as wav:  # opens the existing file: its mode stays
        wav.setnchannels(pcm.channels)
        wav.setsampwidth(2)
        wav.setframerate(pcm.rate)
        wav.writeframes(pcm.frames)
    return pcm.source
