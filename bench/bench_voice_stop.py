"""The voice stop's figures (part of `make bench`): printed, never asserted.

1. Word spotting on its own (``StopSpotter``, no microphone): "stop" and "Stop!" in espeak-ng's
   8 English voices x 3 speeds x 3 room-noise levels; every cue of every bundled routine
   (and the app's own event sentences) in 2 voices; 20 near words. How many stop, and the
   CPU it costs per second of sound.
2. The real sound path: a private PulseAudio server, its virtual microphone, the real
   listener process. Each "stop" played into it: how long from the end of the word to the
   listener's "heard" (the session's pain stop follows on the GUI thread at once); then the
   cues that hold "stop" and a sample of others, played with the listener not told the app
   is speaking (the worst case: the app's own words are never listened to).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from support.sound_server import SoundServer, private_sound_server  # noqa: E402
from support.spoken import VOICES, samples, say, spoken_seconds, stops_heard  # noqa: E402

from sciatica_timer.core.cues import EVENT_TEXTS  # noqa: E402
from sciatica_timer.core.timeline import all_cue_texts, build_timeline  # noqa: E402
from sciatica_timer.speech.spotter import RATE, StopSpotter  # noqa: E402
from sciatica_timer.storage.library_file import load_library  # noqa: E402

SPEEDS = (120, 175, 230)
NOISES = (0.005, 0.02, 0.05)
NEAR = ["shop", "top", "stock", "stomp", "spot", "step", "stay", "start", "go", "okay", "yes",
        "no", "hello", "stopping", "pause", "drop", "stab", "stuff", "sorry", "oh no"]  # fmt: skip
WITHIN_S = 1.5


def cue_texts() -> list[str]:
    library = load_library(ROOT / "exercises.json")
    texts: dict[str, None] = {}
    for routine in library.routines:
        for text in all_cue_texts(build_timeline(library, routine)):
            texts[text] = None
    return [*texts, *EVENT_TEXTS]


def offline(folder: Path) -> None:
    spotter = StopSpotter(ROOT / "assets" / "voice" / "words")
    clip = folder / "clip.wav"
    cpu, audio = 0.0, 0.0

    def run(text: str, voice: str, speed: int, noise: float) -> bool:
        nonlocal cpu, audio
        pcm = samples(say(text, clip, voice, speed, noise, rate=RATE))
        started = time.process_time()
        stopped = bool(stops_heard(spotter, pcm))
        cpu += time.process_time() - started
        audio += len(pcm) / 2 / RATE
        return stopped

    stops = [
        (w, v, s, n) for w in ("stop", "Stop!") for v in VOICES for s in SPEEDS for n in NOISES
    ]
    caught = [k for k in stops if run(*k)]
    missed = [k for k in stops if k not in caught]
    print(
        f"spotting: 'stop' caught {len(caught)}/{len(stops)} "
        f"({100 * len(caught) / len(stops):.1f} %) [{len(VOICES)} voices x {len(SPEEDS)} "
        f"speeds x {len(NOISES)} noise levels, 'stop' and 'Stop!']"
    )
    if missed:
        print(f"  missed: {missed}")
    texts = cue_texts()
    false_cues = [(t, v) for t in texts for v in ("en-us", "en+f4") if run(t, v, 175, 0.005)]
    print(
        f"spotting: cue sentences that would stop if heard: {len(false_cues)}/{2 * len(texts)} "
        f"(every cue of every bundled routine and the app's event sentences, 2 voices)"
    )
    for text, voice in false_cues:
        print(f"  {voice}: {text}")
    false_near = [w for w in NEAR if run(w, "en-us", 175, 0.005)]
    print(f"spotting: near words that stop: {len(false_near)}/{len(NEAR)} {false_near}")
    print(
        f"spotting: CPU {100 * cpu / audio:.1f} % of one core while listening "
        f"({audio:.0f} s of sound)"
    )


class Listener:
    """The real listener process, its events timed as they arrive."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "sciatica_timer.ui.audio.listener_process"]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
        )
        self.events: list[tuple[float, dict[str, object]]] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.events.append((time.monotonic(), json.loads(line)))
                self.changed.notify_all()

    def wait_for(
        self, kind: str, after: float, timeout: float = 30
    ) -> tuple[float, dict[str, object]] | None:
        def found() -> tuple[float, dict[str, object]] | None:
            return next((e for e in self.events if e[1].get("ev") == kind and e[0] >= after), None)

        with self.changed:
            self.changed.wait_for(lambda: found() is not None, timeout)
            return found()

    def judged(self) -> None:
        """Everything played so far has been judged."""
        asked = time.monotonic()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b'{"op": "mark"}\n')
        self.proc.stdin.flush()
        self.wait_for("marked", asked)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(10)


def real_path(server: SoundServer, folder: Path) -> None:
    server.add_microphone()
    started = time.monotonic()
    listener = Listener()
    ready = listener.wait_for("ready", 0)
    if ready is None or ready[1].get("problem"):
        print(f"real path: the listener did not start: {ready}")
        return
    print(f"real path: listener ready {ready[0] - started:.2f} s after it was started")
    delays: list[float] = []
    missed = []
    clip = folder / "real.wav"
    for voice in VOICES:
        for speed in (140, 200):
            say("stop", clip, voice, speed, 0.02)
            played = time.monotonic()
            server.play(clip)
            word_end = played + 1.0 + spoken_seconds("stop", voice, speed)
            event = listener.wait_for("heard", played, timeout=5)
            if event is None:
                missed.append((voice, speed))
            else:
                delays.append(event[0] - word_end)
            listener.judged()
    within = sum(1 for d in delays if d <= WITHIN_S)
    total = len(delays) + len(missed)
    print(
        f"real path: 'stop' heard within {WITHIN_S} s of the word's end: {within}/{total}; "
        f"delay median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
        if delays
        else f"real path: 'stop' heard 0/{total}"
    )
    if missed:
        print(f"  missed: {missed}")
    texts = [t for t in cue_texts() if "stop" in t.lower()] + cue_texts()[:12]
    after = time.monotonic()
    for text in texts:
        server.play(say(text, clip, "en-us", 175, 0.005))
    listener.judged()
    false = [e for e in listener.events if e[1].get("ev") == "heard" and e[0] >= after]
    print(
        f"real path: {len(texts)} cues played with nothing to say the app is speaking: "
        f"{len(false)} would stop (in a session they are never listened to)"
    )
    listener.close()


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="sciatica-voice-bench-"))
    offline(folder)
    with private_sound_server("voice stop bench") as server:
        real_path(server, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
