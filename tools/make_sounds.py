"""Write the short cue sounds in assets/sounds/ with the wave module: tick, chime, end.

Deterministic (no randomness), so running it again gives the same bytes. Small 16-bit mono
WAVs at 22,050 Hz, each well under 40 KB. Run: ``python tools/make_sounds.py [OUT_DIR]``.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from collections.abc import Sequence
from pathlib import Path

RATE = 22_050
PEAK = 32_767


def _note(freq: float, start_s: float, length_s: float, level: float, decay: float) -> list[float]:
    """A soft bell-like note: fast attack, exponential decay, two quiet overtones."""
    n = int(length_s * RATE)
    attack = max(1, int(0.008 * RATE))
    out = []
    for i in range(n):
        t = i / RATE
        ramp = 0.5 - 0.5 * math.cos(math.pi * min(1.0, i / attack))  # soft onset, no click
        env = ramp * math.exp(-decay * t)
        wave_ = (
            math.sin(2 * math.pi * freq * t)
            + 0.25 * math.sin(2 * math.pi * 2 * freq * t)
            + 0.08 * math.sin(2 * math.pi * 3 * freq * t)
        )
        out.append(level * env * wave_ / 1.33)
    return [0.0] * int(start_s * RATE) + out


def _mix(parts: Sequence[list[float]], length_s: float) -> list[float]:
    total = [0.0] * int(length_s * RATE)
    for part in parts:
        for i, value in enumerate(part[: len(total)]):
            total[i] += value
    fade = int(0.03 * RATE)  # no click at the very end
    for i in range(fade):
        total[-1 - i] *= i / fade
    return total


def tick() -> list[float]:
    """A soft, short wooden tick for the last three seconds."""
    return _mix([_note(1_100.0, 0.0, 0.06, 0.30, 70.0)], 0.06)


def chime() -> list[float]:
    """A gentle two-note chime at each phase change."""
    return _mix(
        [_note(660.0, 0.0, 0.55, 0.28, 6.0), _note(990.0, 0.07, 0.48, 0.18, 7.0)],
        0.55,
    )


def end() -> list[float]:
    """A distinct rising three-note ending (C, E, G)."""
    return _mix(
        [
            _note(523.25, 0.00, 0.80, 0.26, 4.5),
            _note(659.25, 0.18, 0.62, 0.24, 4.5),
            _note(783.99, 0.36, 0.44, 0.24, 4.0),
        ],
        0.80,
    )


SOUNDS = {"tick": tick, "chime": chime, "end": end}


def write(path: Path, samples: Sequence[float]) -> None:
    """Write samples in -1..1 as a 16-bit mono WAV."""
    frames = b"".join(struct.pack("<h", round(max(-1.0, min(1.0, s)) * PEAK)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


def main(argv: Sequence[str]) -> int:
    out_dir = (
        Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "assets" / "sounds"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, make in SOUNDS.items():
        path = out_dir / f"{name}.wav"
        write(path, make())
        print(f"{path}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
