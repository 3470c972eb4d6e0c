"""Hearing "stop" in a stream of 16 kHz mono samples. No Qt; run by the listener process.

Three checks, each cheap, in turn:

1. PocketSphinx keyword spotting with a loose threshold finds every moment that might be
   "stop" (it must catch a tired, quiet or accented one). On its own it also fires inside
   ordinary speech ("shop", "eight", "Stopping now").
2. The word must stand alone: a burst of sound no longer than ``MAX_WORD_S``, with
   ``QUIET_S`` of quiet before and after it (``QUIET_DB`` under its loudest part, or down at
   the room's noise floor). This waits for the quiet after the word, so a stop is reported
   about half a second after the word ends.
3. That burst, decoded against a small grammar of one word (``assets/voice/words.gram``:
   "stop", the everyday words nearest it, and the words a session says: numbers, "rest",
   "next"...), must come out as a word in ``STOP_WORDS``: "stop" and what this acoustic
   model hears for it in synthetic voices ("stalk", "sob"...), and "help".

Measured on espeak-ng (8 voices x 3 speeds x 3 noise levels, plus "Stop!"; every cue of
the bundled routines in 2 voices, and 20 near words): 84 of 88 caught, 5 false of 268
(two of them "top" and "stomp"). ``make bench`` prints the figures again.
Only the acoustic model (``model_folder``) and the two small files in assets/voice are used:
the package's 26 MB language model and 3 MB dictionary are not.
"""

from __future__ import annotations

import array
import math
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RATE = 16000
FRAME = 160  # 10 ms
FRAMES_PER_S = RATE // FRAME
KEYPHRASE = "stop"
KWS_THRESHOLD = 1e-40
MAX_WORD_S = 1.0
QUIET_S = 0.3
QUIET_DB = 12.0
GAP_S = 0.2
"""A gap shorter than this is inside the word (the closure before the "p" of "stop")."""
PAD_S = 0.3
"""Sound kept either side of the burst when it is decoded as a word."""
HISTORY_S = 4.0
STOP_WORDS = frozenset(
    {
        "stop",
        "stopped",
        "stalk",
        "stock",
        "stomp",
        "top",
        "sob",
        "saw",
        "so",
        "slow",
        "talk",
        "help",
    }
)
"""What the word check may hear for "stop" (and "help", which stops as well)."""


def model_folder() -> Path:
    """The English acoustic model shipped in the pocketsphinx package."""
    from pocketsphinx import get_model_path

    return Path(get_model_path()) / "en-us" / "en-us"


@dataclass(frozen=True)
class Heard:
    """One "stop" that stood alone: the word heard, and when, in seconds of the stream."""

    word: str
    start_s: float
    end_s: float


class StopSpotter:
    """Feed it samples (``feed``); it returns each "stop" that stood alone, once."""

    def __init__(self, words: Path, threshold: float = KWS_THRESHOLD) -> None:
        from pocketsphinx import Config, Decoder

        dictionary, grammar = words.with_suffix(".dict"), words.with_suffix(".gram")
        common = {"hmm": str(model_folder()), "dict": str(dictionary), "loglevel": "FATAL"}
        spot = Config(**common, keyphrase=KEYPHRASE, kws_threshold=threshold, lm=None)
        self._spot: Any = Decoder(spot)
        self._word: Any = Decoder(Config(**common, jsgf=str(grammar), lm=None))
        self._spot.start_utt()
        keep = int(HISTORY_S * FRAMES_PER_S)
        self._energy: deque[float] = deque(maxlen=keep)
        self._audio: deque[bytes] = deque(maxlen=keep)
        self._frames = 0  # frames seen since the start of the stream
        self._rest = b""
        self._pending: list[int] = []  # frame numbers of spotted words not yet judged
        self._last_end = 0  # frame number where the last word judged ended
        self.spotted = 0
        """Keyword hits before the two checks (for the bench)."""
        self.words: list[str] = []
        """What the word check heard for each burst that stood alone (for the bench)."""

    @property
    def seconds(self) -> float:
        """Seconds of sound fed so far."""
        return self._frames / FRAMES_PER_S

    def feed(self, pcm: bytes) -> list[Heard]:
        """Samples in (16-bit little-endian mono at 16 kHz, any length); words out."""
        data = self._rest + pcm
        usable = len(data) - len(data) % (2 * FRAME)
        self._rest = data[usable:]
        if not usable:
            return []
        samples = array.array("h")
        samples.frombytes(data[:usable])
        for i in range(0, len(samples), FRAME):
            frame = samples[i : i + FRAME]
            power = sum(s * s for s in frame) / FRAME
            self._energy.append(10 * math.log10(power + 1.0))
            self._audio.append(frame.tobytes())
            self._frames += 1
        self._spot.process_raw(data[:usable], False, False)
        if self._spot.hyp() is not None:
            self.spotted += 1
            self._pending.append(self._frames)
            self._spot.end_utt()
            self._spot.start_utt()
        return self._judge()

    def reset(self) -> None:
        """Forget what was heard (while the app speaks, or after a gap in listening)."""
        self._spot.end_utt()
        self._spot.start_utt()
        self._pending.clear()
        self._energy.clear()
        self._audio.clear()
        self._rest = b""

    def _judge(self) -> list[Heard]:
        heard: list[Heard] = []
        wait = int((QUIET_S + GAP_S) * FRAMES_PER_S) + 5
        while self._pending and self._frames - self._pending[0] >= wait:
            hit = self._pending.pop(0)
            span = self._alone(hit)
            if span is None or span[0] < self._last_end:
                continue  # not alone, or a second hit in a word already judged
            self._last_end = span[1]
            word = self._say(*span)
            self.words.append(word)
            if word in STOP_WORDS:
                heard.append(Heard(word, span[0] / FRAMES_PER_S, span[1] / FRAMES_PER_S))
        return heard

    def _alone(self, hit: int) -> tuple[int, int] | None:
        """The burst (first and last frame numbers) around frame ``hit``, if it stood alone."""
        first = self._frames - len(self._energy)  # frame number of energy[0]
        energy = list(self._energy)
        at = hit - first - 1
        if at < 0:
            return None
        look = int(MAX_WORD_S * FRAMES_PER_S)
        peak_at = max(range(max(0, at - look), min(len(energy), at + 10)), key=energy.__getitem__)
        floor = sorted(energy)[len(energy) // 10]
        loud = max(energy[peak_at] - QUIET_DB, floor + 6.0)
        gap = int(GAP_S * FRAMES_PER_S)
        start = _edge(energy, peak_at, -1, loud, gap)
        end = _edge(energy, peak_at, 1, loud, gap)
        need = int(QUIET_S * FRAMES_PER_S)
        before = energy[max(0, start - need) : start]
        after = energy[end + 1 : end + 1 + need]
        if len(before) < need // 2 or len(after) < need:
            return None  # not enough heard around it to tell
        if max(before, default=0.0) >= loud or max(after, default=0.0) >= loud:
            return None
        if (end - start + 1) / FRAMES_PER_S > MAX_WORD_S:
            return None
        return first + start, first + end + 1

    def _say(self, start: int, end: int) -> str:
        """The one word of the grammar that the burst sounds most like ("" for none)."""
        first = self._frames - len(self._audio)
        pad = int(PAD_S * FRAMES_PER_S)
        frames = list(self._audio)[max(0, start - pad - first) : max(0, end + pad - first)]
        self._word.start_utt()
        self._word.process_raw(b"".join(frames), False, True)
        self._word.end_utt()
        hyp = self._word.hyp()
        return hyp.hypstr.strip() if hyp is not None else ""


def _edge(energy: list[float], at: int, step: int, loud: float, gap: int) -> int:
    """From the peak at ``at``, the last loud frame before ``gap`` quiet ones (going ``step``)."""
    edge = i = at
    quiet = 0
    while 0 < i < len(energy) - 1 and quiet < gap:
        i += step
        quiet = quiet + 1 if energy[i] < loud else 0
        if not quiet:
            edge = i
    return edge
