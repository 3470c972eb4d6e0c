"""The speech cache stays small (issue 11, item 15): a session renders only the texts it is
about to reach, the cache is pruned least recently used first and by age, and the cache key
names the engine's versions.

Real pyttsx3 and espeak-ng wherever speech is involved, as in test_speech.py. The pruner's own
tests use files of known sizes and times instead of speech: the pruner is what is under test.
"""

from __future__ import annotations

import os
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from support.platforms import linux_only, posix_only
from support.speech import MakeRenderer

from sciatica_timer.core.cues import PAIN_STOP_SENTENCE, PAUSED_TEXT, RESUMED_TEXT, SpeechSettings
from sciatica_timer.core.models import Exercise, Library, Routine, Sides, Step
from sciatica_timer.core.timeline import all_cue_texts, build_timeline
from sciatica_timer.speech import renderer as renderer_module
from sciatica_timer.speech.cache import Pruned, cache_key, prune_cache
from sciatica_timer.speech.renderer import RENDER_AHEAD

ROOT = Path(__file__).resolve().parents[3]
SOUNDS = ROOT / "assets" / "sounds"
DAY = 24 * 3600
MB = 1024 * 1024


def huge_library(count: int = 10_000) -> Library:
    """A valid library of ``count`` exercises, one routine doing them all (made in memory)."""
    exercises = {
        f"e{i}": Exercise(
            id=f"e{i}",
            name=f"Exercise {i}",
            sides=Sides.EACH if i % 2 else Sides.NONE,
            duration_s=30 + i % 5 * 10,
            reps=5 + i % 10 if i % 4 == 0 else None,
            cue=f"Cue for exercise {i}" if i % 3 == 0 else None,
        )
        for i in range(count)
    }
    steps = tuple(Step(exercise=f"e{i}") for i in range(count))
    return Library(exercises, {"all": Routine(id="all", name="All of them", steps=steps)})


def wavs(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.wav")}


def fake_entry(folder: Path, n: int, size: int, used: float, rendered: float | None = None) -> str:
    """A cache-named file of ``size`` bytes, rendered (mtime) and last used (atime) then."""
    name = f"{n:064x}.wav"
    path = folder / name
    with path.open("wb") as f:
        f.truncate(size)
    rendered = used if rendered is None else rendered
    os.utime(path, ns=(round(used * 1e9), round(rendered * 1e9)))
    return name


# --- rendering only what the session reaches ------------------------------------------


@linux_only
def test_a_library_of_10000_exercises_queues_at_most_the_cap(make_renderer: MakeRenderer) -> None:
    """A session of 10,000 exercises (over 8,000 distinct texts) queues RENDER_AHEAD renders
    at start, renders exactly those, and nothing more while no cue is reached."""
    texts = all_cue_texts(build_timeline(huge_library(), "all"))
    assert len(texts) > 8000
    renderer, got = make_renderer()
    queued = renderer.plan(texts)
    assert queued == texts[:RENDER_AHEAD]
    assert renderer.queued_renders <= RENDER_AHEAD
    assert got.wait_for(RENDER_AHEAD), got.failures
    assert set(got.rendered) == set(texts[:RENDER_AHEAD])
    assert renderer.queued_renders == 0
    assert len(wavs(renderer.cache_dir)) == RENDER_AHEAD


@linux_only
def test_voice_prepare_of_10000_exercises_queues_at_most_the_cap(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Voice.prepare (what the controller calls at start) with every text of a 10,000-exercise
    session renders only the first RENDER_AHEAD, the pain-stop sentence among the first."""
    from sciatica_timer.ui.audio.voice import Voice

    texts = all_cue_texts(build_timeline(huge_library(), "all"))
    voice = Voice(SpeechSettings(sounds_on=False), tmp_path / "speech", SOUNDS)
    seen: list[str] = []
    voice._worker_rendered.connect(lambda text, _path: seen.append(text))
    try:
        voice.prepare(texts)
        renderer = voice.renderer
        assert renderer is not None
        assert renderer.queued_renders <= RENDER_AHEAD
        qtbot.waitUntil(lambda: len(seen) >= RENDER_AHEAD, timeout=60_000)
        first = [texts[0], PAIN_STOP_SENTENCE, PAUSED_TEXT, RESUMED_TEXT]
        assert seen == first + texts[1 : RENDER_AHEAD - 3]
        assert renderer.queued_renders == 0
        assert len(wavs(tmp_path / "speech")) == RENDER_AHEAD
    finally:
        voice.shutdown()


@linux_only
def test_later_texts_are_queued_as_the_session_reaches_them(make_renderer: MakeRenderer) -> None:
    """Looking up a cue further on queues the texts up to ``ahead`` past it; a due cue that is
    not ready (render_now) is rendered first and moves the window on too."""
    texts = [f"Cue number {n}" for n in range(12)]
    renderer, got = make_renderer()
    assert renderer.plan(texts, ahead=4) == texts[:4]
    assert got.wait_for(4), got.failures
    assert renderer.path_for(texts[5]) is None  # due, not ready: queues texts 4 to 8
    assert got.wait_for(9), got.failures
    assert set(got.rendered) == set(texts[:9])
    renderer.render_now(texts[10])  # what Voice does for a due cue with no WAV yet
    assert got.wait_for(12), got.failures
    assert set(got.rendered) == set(texts)
    assert renderer.queued_renders == 0


# --- pruning ------------------------------------------------------------------------


@posix_only  # a symbolic link in the cache, never followed
def test_the_cache_is_pruned_to_the_size_cap_least_recently_used_first(tmp_path: Path) -> None:
    """Over the cap, the least recently used files go first (used = the later of access and
    modification time) until the rest fit; files not named like cache entries, links and
    the names kept are never touched."""
    now = time.time()
    # n, size, hours since last use; n=3 was rendered long ago but used a moment ago
    sizes = {0: 30_000, 1: 20_000, 2: 25_000, 3: 40_000, 4: 10_000, 5: 35_000, 6: 15_000}
    hours = {0: 1, 1: 2, 2: 3, 3: 0.1, 4: 5, 5: 6, 6: 7}
    names = {
        n: fake_entry(
            tmp_path,
            n,
            sizes[n],
            now - hours[n] * 3600,
            rendered=now - 30 * DAY if n == 3 else None,
        )
        for n in sizes
    }
    kept_name = fake_entry(tmp_path, 99, 50_000, now - 9 * 3600)  # oldest, but kept
    (tmp_path / "notes.txt").write_bytes(b"x" * 100_000)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.wav"
    outside.write_bytes(b"y" * 100_000)
    link = tmp_path / f"{77:064x}.wav"
    link.symlink_to(outside)

    pruned = prune_cache(tmp_path, max_bytes=150_000, keep={kept_name}, now=now)

    # 225k in all. Oldest first: 99 (kept), 6, 5, 4 and 2 go (225k - 85k = 140k fits 150k);
    # 3 is the newest (its access time), however long ago it was rendered.
    survivors = {names[n] for n in (3, 0, 1)} | {kept_name}
    assert wavs(tmp_path) == survivors | {link.name}
    assert (tmp_path / "notes.txt").exists() and outside.exists() and link.is_symlink()
    assert pruned == Pruned(
        files=8,
        total_bytes=sum(sizes.values()) + 50_000,
        removed=4,
        removed_bytes=sizes[2] + sizes[4] + sizes[5] + sizes[6],
        seconds=pruned.seconds,
    )
    assert pruned.kept_bytes == 140_000 <= 150_000


def test_files_unused_longer_than_the_age_cap_go(tmp_path: Path) -> None:
    """Under the size cap, a file not used for 60 days goes, one used 59 days ago stays, and
    one rendered 90 days ago but used yesterday stays; a half-written ``.part.wav`` left by a
    crash goes, one being written right now stays."""
    now = time.time()
    old = fake_entry(tmp_path, 1, 1000, now - 61 * DAY)
    recent = fake_entry(tmp_path, 2, 1000, now - 59 * DAY)
    reused = fake_entry(tmp_path, 3, 1000, now - 1 * DAY, rendered=now - 90 * DAY)
    stale_part = tmp_path / f"{4:064x}.part.wav"
    fresh_part = tmp_path / f"{5:064x}.part.wav"
    for part, age in ((stale_part, 3600), (fresh_part, 5)):
        part.write_bytes(b"\0" * 100)
        os.utime(part, (now - age, now - age))

    pruned = prune_cache(tmp_path, max_bytes=50 * MB, max_age_s=60 * DAY, now=now)

    assert wavs(tmp_path) == {recent, reused, fresh_part.name}
    assert old not in wavs(tmp_path) and pruned.removed == 2


def test_pruning_a_5000_file_cache_takes_milliseconds(tmp_path: Path) -> None:
    """A pass over 5,000 cache files takes milliseconds, with nothing to remove (20 KB each,
    under the cap) and when about half must go (100 KB each, 488 MB, cut to 250 MB), the
    least recently used first; the figures are printed (pytest -s) for the report."""
    now = time.time()
    for n in range(5000):
        fake_entry(tmp_path, n, 20 * 1024, now - n * 60)
    scan = prune_cache(tmp_path, max_bytes=200 * MB, now=now)
    assert (scan.files, scan.removed) == (5000, 0)
    for n in range(5000):  # the same folder made five times larger: 100 KB a file
        os.truncate(tmp_path / f"{n:064x}.wav", 100 * 1024)
        os.utime(tmp_path / f"{n:064x}.wav", (now - n * 60, now - n * 60))
    pruned = prune_cache(tmp_path, max_bytes=250 * MB, now=now)
    assert pruned.removed == 2440 and pruned.kept_bytes <= 250 * MB
    assert {f"{n:064x}.wav" for n in range(2560)} == wavs(tmp_path)  # the newest stayed
    print(
        f"\nprune 5000 files: {scan.seconds * 1000:.1f} ms with nothing to remove, "
        f"{pruned.seconds * 1000:.1f} ms removing {pruned.removed}"
    )
    assert scan.seconds < 2 and pruned.seconds < 5


@linux_only
def test_the_worker_prunes_at_start(
    make_renderer: MakeRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer starting prunes its cache on its own worker thread before rendering: old
    files go, and the cache is cut to its cap least recently used first."""
    cache = tmp_path / "cache"
    cache.mkdir()
    now = time.time()
    aged = fake_entry(cache, 1, 1000, now - 61 * DAY)
    lru = fake_entry(cache, 2, 400_000, now - 2 * DAY)
    mru = fake_entry(cache, 3, 400_000, now - 1 * DAY)
    threads: list[str] = []
    real = renderer_module.prune_cache

    def recording(*args: Any, **kw: Any) -> Pruned:
        threads.append(threading.current_thread().name)
        return real(*args, **kw)

    monkeypatch.setattr(renderer_module, "prune_cache", recording)
    renderer, got = make_renderer(cache=cache, cache_max_bytes=600_000)
    renderer.render(["Rest"])
    assert got.wait_for(1), got.failures
    assert threads[0] == "speech" and set(threads) == {"speech"}
    remaining = wavs(cache)
    assert aged not in remaining and lru not in remaining and mru in remaining
    assert got.rendered["Rest"].name in remaining


@linux_only
def test_a_looked_up_cue_counts_as_used(make_renderer: MakeRenderer) -> None:
    """path_for() handing out a WAV marks it used (its access time, on the worker): it then
    outlives an older unused one when the cache is cut; its modification time stays."""
    renderer, got = make_renderer()
    renderer.render(["Rest", "Halfway"])
    assert got.wait_for(2), got.failures
    long_ago = time.time() - 10 * DAY
    for path in got.rendered.values():
        os.utime(path, (long_ago, long_ago))
    rest = renderer.path_for("Rest")
    assert rest == got.rendered["Rest"]
    assert renderer.shutdown(timeout=5)  # the worker marks what was handed out before it ends
    assert rest.stat().st_atime > time.time() - 60
    assert abs(rest.stat().st_mtime - long_ago) < 1
    prune_cache(renderer.cache_dir, max_bytes=rest.stat().st_size)
    assert wavs(renderer.cache_dir) == {rest.name}


@linux_only
def test_a_long_session_keeps_the_cache_under_its_cap(make_renderer: MakeRenderer) -> None:
    """Rendering past the size cap during a session prunes as it goes, on the worker: the
    cache ends at most at its cap and the latest renders are kept."""
    texts = [f"Exercise number {n}, left side, 2 minutes" for n in range(8)]
    renderer, got = make_renderer()
    renderer.render(texts[:1])
    assert got.wait_for(1), got.failures
    one = got.rendered[texts[0]].stat().st_size
    renderer.shutdown()
    cap = int(one * 3.5)  # room for about three of these
    renderer, got = make_renderer(cache_max_bytes=cap)
    renderer.render(texts)
    assert got.wait_for(len(texts)), got.failures
    total = sum(p.stat().st_size for p in renderer.cache_dir.glob("*.wav"))
    assert total <= cap
    assert got.rendered[texts[-1]].name in wavs(renderer.cache_dir)
    assert renderer.last_prune is not None and renderer.last_prune.removed > 0


# --- the key names the engine ----------------------------------------------------------


@linux_only
def test_the_key_changes_when_the_engine_version_changes(
    make_renderer: MakeRenderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache key includes espeak-ng's version (espeak_Info) and pyttsx3's: after either
    changes, the same text renders again to another file instead of playing the old one."""
    cache = tmp_path / "cache"
    first, got = make_renderer(cache=cache)
    first.render(["Rest"])
    assert got.wait_for(1), got.failures
    espeak: Any = pytest.importorskip("pyttsx3.drivers._espeak")
    version = espeak.Info(None).decode()
    assert first.engine_tag == f"pyttsx3 {metadata.version('pyttsx3')}; espeak-ng {version}"
    old = got.rendered["Rest"]

    monkeypatch.setattr(espeak, "Info", lambda _path: b"99.0")  # an upgraded espeak-ng
    second, again = make_renderer(cache=cache)
    second.render(["Rest"])
    assert again.wait_for(1), again.failures
    assert second.synth_count >= 1 and again.rendered["Rest"] != old
    assert second.engine_tag is not None and "espeak-ng 99.0" in second.engine_tag

    real_version = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: "9.0" if name == "pyttsx3" else real_version(name)
    )  # an upgraded pyttsx3
    third, more = make_renderer(cache=cache)
    third.render(["Rest"])
    assert more.wait_for(1), more.failures
    assert third.synth_count >= 1
    assert len({old, again.rendered["Rest"], more.rendered["Rest"]}) == 3
    assert old.exists()  # the old audio stays until pruned, but is never played
    assert cache_key("Rest", None, 150, "a") != cache_key("Rest", None, 150, "b")
