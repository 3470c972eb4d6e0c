"""Speech and sound timings: rendering, GUI-thread cost, and time from request to playback.

Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_speech.py [--wav OUT.wav] [--no-session]``.
Playback goes into a private PulseAudio server with a null sink (tests/sound_server.py),
so the voice really plays, with no sound card; needs ``pulseaudio`` installed.
"""

from __future__ import annotations

import argparse
import builtins
import os
import statistics
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from sciatica_timer.core.clock import NS_PER_S, MonotonicClock  # noqa: E402
from sciatica_timer.core.cues import SpeechSettings  # noqa: E402
from sciatica_timer.core.engine import Engine, Event, EventKind  # noqa: E402
from sciatica_timer.core.models import Library, Routine, Step  # noqa: E402
from sciatica_timer.core.timeline import Cue, CueKind, Timeline, all_cue_texts, build_timeline  # noqa: E402
from sciatica_timer.speech.cache import wav_seconds  # noqa: E402
from sciatica_timer.speech.renderer import CueRenderer  # noqa: E402
from sciatica_timer.storage.library_file import load_library  # noqa: E402
from sciatica_timer.ui.audio.voice import Voice  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from support.sound_server import private_sound_server  # noqa: E402

SOUNDS = ROOT / "assets" / "sounds"
KEEP: list[Voice] = []
"""Voices done with, kept alive: a Voice is in a reference cycle with its speech worker, and
the cycle collector may run on that worker's thread, where Qt will not destroy its timers."""
OUT = sys.stdout
"""The bench's own output; sys.stdout is muted (pyttsx3 prints "Audio saved to ..." per file)."""


def report(*args: object) -> None:
    """The bench's output, unaffected by the muted sys.stdout."""
    builtins.print(*args, file=OUT, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def spread(name: str, values: Sequence[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    report(
        f"  {name:44s} n={len(values):3d}  median {ms(statistics.median(values))}"
        f"  p95 {ms(p95)}  max {ms(ordered[-1])}"
    )


def wait(ms_: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms_, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        wait(1)
    return True


def bench_rendering(texts: list[str], cache: Path) -> CueRenderer:
    """Cold renders of every text, one at a time, then a warm pass (cache hits)."""
    report(f"Rendering ({len(texts)} distinct cue texts, pyttsx3 save_to_file, cold cache)")
    stamps: dict[str, float] = {}

    def rendered(text: str, _path: Path) -> None:
        stamps.setdefault(text, time.perf_counter())

    renderer = CueRenderer(cache, on_rendered=rendered)
    per_cue = []
    for text in texts:
        started = time.perf_counter()
        renderer.render([text])
        wait_until(lambda t=text: t in stamps, 30)  # type: ignore[misc]
        per_cue.append(stamps[text] - started)
    spread("render one cue (enqueue -> WAV on disk)", per_cue)
    audio = sum(wav_seconds(p) for t in texts if (p := renderer.path_for(t)) is not None)
    report(
        f"  {'audio rendered':44s} {audio:.1f} s in {sum(per_cue):.2f} s;"
        f" empty-WAV retries {renderer.empty_retries}"
    )
    started = time.perf_counter()
    hits: list[str] = []
    warm = CueRenderer(cache, on_rendered=lambda t, p: hits.append(t))
    warm.render(texts)
    wait_until(lambda: len(hits) == len(texts))
    report(
        f"  {'warm pass (all cache hits)':44s} {ms(time.perf_counter() - started)}"
        f", synthesised {warm.synth_count}"
    )
    warm.shutdown()
    return renderer


def cue_event(text: str, kind: CueKind = CueKind.REMINDER) -> Event:
    return Event(EventKind.CUE, 0, None, Cue(0, kind, text))


def bench_gui_thread(texts: list[str], cache: Path) -> None:
    """What the GUI thread pays: prepare(), the first handle(), then every handle()."""
    report("GUI thread cost")
    probe = time.perf_counter()
    voice = Voice(SpeechSettings(), cache, SOUNDS)
    construct = time.perf_counter() - probe
    notices: list[tuple[float, str]] = []
    voice.notice.connect(lambda m: notices.append((time.perf_counter(), m)))
    started = time.perf_counter()
    voice.prepare(texts)
    prepared = time.perf_counter() - started
    report(f"  {'Voice() construction':44s} {ms(construct)}")
    report(f"  {'prepare() (first: loads QtMultimedia, probes)':44s} {ms(prepared)}")
    if notices:
        report(f"  {'request -> no-device notice':44s} {ms(notices[0][0] - started)}")
        report(f"    notice: {notices[0][1]!r}")
    costs = []
    for i in range(300):
        text = texts[i % len(texts)]
        t0 = time.perf_counter()
        voice.handle(cue_event(text))
        costs.append(time.perf_counter() - t0)
    spread("handle(CUE) on the GUI thread", costs)
    voice.shutdown()
    KEEP.append(voice)


def bench_playback(texts: list[str], cache: Path) -> None:
    """Request -> the speaker is playing, and stop() -> it is silent."""
    report("Playback (one QAudioSink into the null sink)")
    voice = Voice(SpeechSettings(sounds_on=False), cache, SOUNDS)
    voice.prepare(texts)
    renderer, speaker = voice.renderer, voice.speaker
    assert renderer is not None and speaker is not None
    wait_until(lambda: all(renderer.path_for(t) is not None for t in texts), 60)

    def latency(action: Callable[[], None], playing: bool) -> float:
        t0 = time.perf_counter()
        action()
        wait_until(lambda: speaker.is_playing() is playing, 5)
        return time.perf_counter() - t0

    starts, stops, fresh = [], [], []
    for i in range(30):
        starts.append(latency(lambda i=i: voice.handle(cue_event(texts[i % len(texts)])), True))  # type: ignore[misc]
        wait(20)
        stops.append(latency(voice.stop, False))
    for i in range(10):
        text = f"A cue nobody prepared, number {i}"
        fresh.append(latency(lambda t=text: voice.handle(cue_event(t)), True))  # type: ignore[misc]
        voice.stop()
    spread("pre-rendered cue: handle() -> playing", starts)
    spread("stop() -> silent", stops)
    spread("unrendered cue: handle() -> render -> playing", fresh)
    voice.shutdown()
    KEEP.append(voice)


def mini_timeline(library: Library) -> Timeline:
    routine = Routine(
        id="bench",
        name="Bench",
        steps=(Step("figure-4-glute-roll", duration_s=10),),
        prepare_s=5,
        switch_s=3,
    )
    merged = Library(library.exercises, {"bench": routine})
    return build_timeline(merged, "bench")


def bench_session(library: Library, cache: Path) -> None:
    """A real-time session on the monotonic clock: offsets, and the GUI thread's worst gap."""
    timeline = mini_timeline(library)
    report(
        f"Real-time session ({timeline.total_s} s, {sum(len(p.cues) for p in timeline.phases)}"
        " cues, sounds on)"
    )
    clock = MonotonicClock()
    voice = Voice(SpeechSettings(), cache, SOUNDS)
    voice.prepare(all_cue_texts(timeline))
    renderer = voice.renderer
    speaker = voice.speaker
    assert renderer is not None and speaker is not None
    wait_until(lambda: all(renderer.path_for(t) is not None for t in all_cue_texts(timeline)), 60)
    due: list[tuple[int, str]] = []
    started_at: list[int] = []
    heard: list[Path | None] = [None]

    def watch() -> None:  # the speaker starts synchronously: note when a new cue begins
        if speaker.is_playing() and speaker.kind == "voice" and speaker.source != heard[0]:
            heard[0] = speaker.source
            started_at.append(clock.now_ns())

    engine = Engine(timeline)
    engine.subscribe(voice.handle)
    engine.subscribe(lambda e: due.append((e.at_ns, e.cue.text)) if e.cue else None)
    phase_starts: set[int] = set()
    engine.subscribe(
        lambda e: phase_starts.add(e.at_ns) if e.kind is EventKind.PHASE_STARTED else None
    )
    gaps: list[float] = []
    last = [time.perf_counter()]

    def heartbeat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
        engine.tick(clock.now_ns())
        watch()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    engine.start(clock.now_ns())
    timer.start()
    wait_until(lambda: engine.state.finished, timeline.total_s + 5)
    wait(500)
    timer.stop()
    offsets, chimed = [], []
    for at_ns, _text in due:
        after = [s for s in started_at if s >= at_ns]
        if after:
            (chimed if at_ns in phase_starts else offsets).append((after[0] - at_ns) / NS_PER_S)
    report(f"  cues due {len(due)}, playbacks started {len(started_at)}")
    spread("cue due -> speaker playing", offsets)
    spread("phase start -> announcement, after its chime", chimed)
    spread("GUI event-loop gap (5 ms heartbeat)", gaps)
    voice.shutdown()
    KEEP.append(voice)


def write_routine_wav(library: Library, cache: Path, out: Path) -> None:
    """Every cue of sciatica-foam-roll in session order, 0.3 s apart, in one WAV."""
    timeline = build_timeline(library, "sciatica-foam-roll")
    texts = [c.text for p in timeline.phases for c in p.cues]
    hits: list[str] = []
    renderer = CueRenderer(cache, on_rendered=lambda t, p: hits.append(t))
    renderer.render(texts)
    wait_until(lambda: len(set(hits)) == len(set(texts)), 60)
    renderer.shutdown()
    with wave.open(str(out), "wb") as joined:
        for i, text in enumerate(texts):
            path = renderer.path_for(text)
            assert path is not None, text
            with wave.open(str(path), "rb") as part:
                if i == 0:
                    joined.setparams(part.getparams())
                joined.writeframes(part.readframes(part.getnframes()))
                joined.writeframes(b"\0\0" * int(0.3 * part.getframerate()))
    report(f"Wrote {out}: {len(texts)} cues of sciatica-foam-roll, {wav_seconds(out):.1f} s")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wav", type=Path, help="also write the routine's cues as one WAV")
    parser.add_argument("--no-session", action="store_true", help="skip the real-time session")
    args = parser.parse_args(argv)
    with private_sound_server("bench_speech"):
        app = QApplication.instance() or QApplication([])
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        library = load_library(ROOT / "exercises.json")
        texts = all_cue_texts(build_timeline(library, "sciatica-foam-roll"))
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "speech"
            bench_rendering(texts, cache).shutdown()
            bench_gui_thread(texts, Path(tmp) / "cold")
            bench_playback(texts, cache)
            if not args.no_session:
                bench_session(library, cache)
            if args.wav:
                write_routine_wav(library, cache, args.wav)
        del app
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
