"""The voice stop's word spotting on its own (no microphone): espeak-ng's voices saying
"stop", and the words and sentences that must not stop a session. The full sweep (8 voices,
3 speeds, 3 noise levels, every bundled cue) is in ``make bench``."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.platforms import linux_only
from support.spoken import samples, say, stops_heard

from sciatica_timer.speech.spotter import RATE, StopSpotter

pytestmark = linux_only  # espeak-ng and sox make the words
WORDS = Path(__file__).resolve().parents[3] / "assets" / "voice" / "words"


def spoken(text: str, folder: Path, voice: str = "en-us", speed: int = 160) -> bytes:
    """16 kHz samples of espeak-ng saying ``text``, with a second of faint room hiss around."""
    return samples(say(text, folder / "said.wav", voice, speed, rate=RATE))


@pytest.fixture(scope="module")
def spotter() -> StopSpotter:
    return StopSpotter(WORDS)


@pytest.mark.parametrize(("voice", "speed"), [("en-us", 150), ("en", 175), ("en-us+f3", 140)])
def test_stop_said_alone_is_heard_once(
    spotter: StopSpotter, tmp_path: Path, voice: str, speed: int
) -> None:
    """A "stop" on its own, in a man's and a woman's voice, is heard, and only once."""
    assert len(stops_heard(spotter, spoken("stop", tmp_path, voice, speed))) == 1


@pytest.mark.parametrize(
    "text",
    ["Roll the side of your ribs slowly and stop at the lowest rib.", "Rest", "Eight", "Next"],
)
def test_words_that_are_not_a_stop_on_its_own_are_not_heard(
    spotter: StopSpotter, tmp_path: Path, text: str
) -> None:
    """A sentence with "stop" inside it, and the short words a session says, never stop."""
    assert stops_heard(spotter, spoken(text, tmp_path)) == []


def test_a_word_is_judged_only_once_its_quiet_after_has_been_heard(
    spotter: StopSpotter, tmp_path: Path
) -> None:
    """Nothing is reported while the word may still go on: the quiet after it comes first."""
    samples = spoken("stop", tmp_path)
    spotter.reset()
    cut = len(samples) - 2 * int(RATE * 0.9)  # stop feeding 0.1 s after the hiss resumes
    assert spotter.feed(samples[:cut]) == []
    assert [w.word for w in spotter.feed(samples[cut:])] == ["stop"]


def test_the_decoder_rests_in_a_quiet_room_and_still_hears_the_word(tmp_path: Path) -> None:
    """Ten seconds of room hiss with one "stop" in the middle: the keyword spotter decodes
    only the sound around the word (decoding is nearly all the listener's CPU), and the
    word is still heard."""
    spotter = StopSpotter(WORDS)
    word = spoken("stop", tmp_path)
    hiss = samples(say("", tmp_path / "hiss.wav", rate=RATE))  # a second of hiss either side
    stream = hiss * 2 + word + hiss * 2
    assert stops_heard(spotter, stream) == ["stop"]
    heard_s = len(stream) / (2 * RATE)
    assert heard_s > 8
    assert spotter.decoded_s < 4.0, f"decoded {spotter.decoded_s:.1f} s of {heard_s:.1f} s"
