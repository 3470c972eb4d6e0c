"""Hearing "stop" in a stream of 16 kHz mono samples. No Qt; run by the listener process.

Three checks, each cheap, in turn, on sound that clears the room's noise floor by
``GATE_DB`` (in quiet the decoder rests: it was nearly all of the listener's CPU):

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
GATE_DB = 15.0
"""The keyword spotter hears only sound this far above the room's noise floor: in a quiet
room it rests, and decoding was nearly all the listener's CPU (31 ms of every second of
sound, measured here). A room's hiss wanders 9 dB above its floor (pink noise, 10 ms
frames), so a word that can stand alone (quiet around it under its peak less
``QUIET_DB``) peaks at least 21 dB above the floor: it always opens the gate."""
WORD_DB = 6.0
"""A word's edges are never put nearer the floor than this."""
PREROLL_S = 0.5
"""Sound from before the gate opened that the spotter hears first (the start of the word)."""
HANG_S = 1.0
"""The gate stays open this long after the last loud frame (the end of the word)."""
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
        self._loud_until = -1  # frame number until which the spotter listens (the gate)
        self.decoded_s = 0.0
        """Seconds of sound the keyword spotter decoded (for the bench: the gate's saving)."""
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
        was_open = self._frames <= self._loud_until
        floor = self._floor()
        first = self._frames
        for i in range(0, len(samples), FRAME):
            frame = samples[i : i + FRAME]
            power = sum(s * s for s in frame) / FRAME
            level = 10 * math.log10(power + 1.0)
            self._energy.append(level)
            self._audio.append(frame.tobytes())
            self._frames += 1
            if level >= floor + GATE_DB:
                self._loud_until = self._frames + int(HANG_S * FRAMES_PER_S)
        if self._frames <= self._loud_until or was_open:
            if was_open:
                heard = data[:usable]
            else:  # opening: from a little before the first loud frame
                back = min(len(self._audio), self._frames - first + int(PREROLL_S * FRAMES_PER_S))
                heard = b"".join(list(self._audio)[-back:])
            self.decoded_s += len(heard) / (2 * RATE)
            self._spot.process_raw(heard, False, False)
            if self._spot.hyp() is not None:
                self.spotted += 1
                self._pending.append(self._frames)
                self._spot.end_utt()
                self._spot.start_utt()
            elif self._frames > self._loud_until:  # closing: the next sound starts afresh
                self._spot.end_utt()
                self._spot.start_utt()
        return self._judge()

    def _floor(self) -> float:
        """The room's noise floor (dB): the quietest tenth of the last few seconds."""
        if not self._energy:
            return 0.0
        return sorted(self._energy)[len(self._energy) // 10]

    def reset(self) -> None:
        """Forget what was heard (while the app speaks, or after a gap in listening)."""
        self._spot.end_utt()
        self._spot.start_utt()
        self._pending.clear()
        self._energy.clear()
        self._audio.clear()
        self._rest = b""
        self._loud_until = -1

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
        loud = max(energy[peak_at] - QUIET_DB, self._floor() + WORD_DB)
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
