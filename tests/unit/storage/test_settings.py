"""Settings: saved atomically and privately, and never fatal when damaged."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from support.platforms import POSIX, posix_only

import sciatica_timer.storage.settings as settings_module
from sciatica_timer.core.cues import RATE_RANGE as SPEECH_RATE_RANGE
from sciatica_timer.core.cues import SpeechSettings
from sciatica_timer.storage.settings import RATE_RANGE, Settings, load_settings, save_settings

T = TypeVar("T")


def test_round_trip_is_private(tmp_path: Path) -> None:
    """Saved settings read back the same, in a file only the user can read."""
    path = tmp_path / "config" / "settings.json"
    settings = Settings(last_routine="gentle-flare-up", rate=170, verbosity="short")
    assert save_settings(path, settings) is None
    assert load_settings(path) == (settings, [])
    assert not POSIX or path.stat().st_mode & 0o777 == 0o600
    assert not POSIX or path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"], "no temporary left"


def test_corrupt_file_is_moved_aside_and_named(tmp_path: Path) -> None:
    """A damaged file gives defaults and a notice naming it and where it went."""
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 1 and str(path) in notices[0] and "damaged" in notices[0]
    assert not path.exists()
    assert len(list(tmp_path.glob("settings.json.corrupt-*"))) == 1


def test_wrong_types_fall_back_per_value(tmp_path: Path) -> None:
    """Unusable values are named and replaced; the good ones are kept."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"rate": "fast", "voice_on": 1, "last_routine": "x"}))
    settings, notices = load_settings(path)
    assert settings.last_routine == "x" and settings.rate == 150 and settings.voice_on is True
    assert "rate" in notices[0] and "voice_on" in notices[0]


def test_unwritable_folder_gives_a_notice(tmp_path: Path) -> None:
    """Saving where a file blocks the folder returns a message instead of raising."""
    blocker = tmp_path / "config"
    blocker.write_text("a file, not a folder")
    notice = save_settings(blocker / "settings.json", Settings())
    assert notice is not None and str(blocker / "settings.json") in notice


def _within(fn: Callable[[], T], timeout_s: float = 10.0) -> T:
    """Run ``fn`` on a daemon thread and wait for it to finish (an event, not a sleep)."""
    done = threading.Event()
    result: list[T] = []

    def run() -> None:
        try:
            result.append(fn())
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(timeout_s), "it hung"
    assert result, "it raised (see the thread's traceback above)"
    return result[0]


def _assert_moved_aside(path: Path, notices: list[str], problem: str) -> Path:
    """One notice naming the file, the problem and where it went; that name exists."""
    assert len(notices) == 1, notices
    asides = list(path.parent.glob(f"{path.name}.corrupt-*"))
    assert len(asides) == 1 and not os.path.lexists(path)
    assert str(path) in notices[0] and str(asides[0]) in notices[0] and problem in notices[0]
    return asides[0]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000, "larger than 64 KiB"),
        ("[" * 50_000, "nested too deeply"),
        ('{"rate": ' + "[" * 30_000 + "]" * 30_000 + "}", "nested too deeply"),
        ('"just a string"', "does not hold a JSON object"),
        ('{"last_routine": "x"} trailing', "Extra data"),
    ],
)
def test_unusable_text_is_moved_aside(tmp_path: Path, text: str, problem: str) -> None:
    """Too large, too deeply nested or not an object: defaults, the file moved aside intact."""
    path = tmp_path / "settings.json"
    path.write_text(text)
    settings, notices = _within(lambda: load_settings(path))
    assert settings == Settings()
    assert _assert_moved_aside(path, notices, problem).read_text() == text


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        '{"rate": 170}'.encode("utf-16"),
        '{"rate": 170}'.encode("utf-16-le"),
        '{"last_routine": "café"}'.encode("latin-1"),
    ],
    ids=["random", "utf-16", "utf-16-le", "latin-1"],
)
def test_undecodable_bytes_are_moved_aside(tmp_path: Path, data: bytes) -> None:
    """Bytes that are not UTF-8 JSON are moved aside unchanged, so a save cannot overwrite them."""
    path = tmp_path / "settings.json"
    path.write_bytes(data)
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert _assert_moved_aside(path, notices, "damaged").read_bytes() == data
    assert save_settings(path, Settings()) is None
    assert next(tmp_path.glob("settings.json.corrupt-*")).read_bytes() == data


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A file an editor saved as UTF-8 with a BOM is still the user's settings."""
    path = tmp_path / "settings.json"
    path.write_bytes('{"last_routine": "café"}'.encode("utf-8-sig"))
    assert load_settings(path) == (Settings(last_routine="café"), [])


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ('{"rate": NaN, "last_routine": "x"}', "rate"),
        ('{"rate": Infinity, "last_routine": "x"}', "rate"),
        ('{"rate": -Infinity, "last_routine": "x"}', "rate"),
        ('{"rate": 1e400, "last_routine": "x"}', "rate"),
        ('{"rate": ' + "9" * 4000 + ', "last_routine": "x"}', "rate"),
        ('{"rate": 5000, "last_routine": "x"}', "rate"),
        ('{"rate": 150.5, "last_routine": "x"}', "rate"),
        ('{"volume": NaN, "last_routine": "x"}', "volume"),
        ('{"volume": 1e400, "last_routine": "x"}', "volume"),
        ('{"volume": -0.5, "last_routine": "x"}', "volume"),
        ('{"volume": 3, "last_routine": "x"}', "volume"),
    ],
)
def test_non_finite_or_absurd_numbers_fall_back(tmp_path: Path, text: str, bad: str) -> None:
    """NaN, infinities, overflowing and out-of-range numbers are named; the rest is kept."""
    path = tmp_path / "settings.json"
    path.write_text(text)
    settings, notices = load_settings(path)
    assert settings == Settings(last_routine="x")
    assert len(notices) == 1 and str(path) in notices[0] and bad in notices[0]
    speech = SpeechSettings(rate=settings.rate, volume=settings.volume)  # no Overflow/ValueError
    assert (speech.rate, speech.volume) == (Settings().rate, Settings().volume)


def test_sane_numbers_keep_the_defaults_types(tmp_path: Path) -> None:
    """A whole-number float rate becomes an int, an int volume a float; the limits are kept."""
    path = tmp_path / "settings.json"
    path.write_text('{"rate": 300.0, "volume": 0}')
    settings, notices = load_settings(path)
    assert notices == [] and (settings.rate, settings.volume) == (300, 0.0)
    assert type(settings.rate) is int and type(settings.volume) is float
    assert RATE_RANGE == SPEECH_RATE_RANGE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_does_not_hang_and_is_moved_aside(tmp_path: Path) -> None:
    """Reading a FIFO would wait forever for a writer: it is renamed aside unread."""
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    try:
        settings, notices = _within(lambda: load_settings(path))
    finally:  # without the fix: give the stuck reader a writer so the thread ends
        if os.path.lexists(path):
            with contextlib.suppress(OSError):
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    assert settings == Settings()
    aside = _assert_moved_aside(path, notices, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(aside).st_mode)


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_link_to_a_device_is_not_read_and_the_link_is_moved(tmp_path: Path) -> None:
    """A symlink to /dev/zero is never read (endless); the link, not the device, is moved."""
    path = tmp_path / "settings.json"
    path.symlink_to("/dev/zero")
    settings, notices = _within(lambda: load_settings(path))
    assert settings == Settings()
    aside = _assert_moved_aside(path, notices, "not a regular file")
    assert os.readlink(aside) == "/dev/zero" and os.path.exists("/dev/zero")


@posix_only
def test_a_folder_or_a_link_loop_is_moved_aside(tmp_path: Path) -> None:
    """A folder, or a link to itself, where the file should be is renamed; saving then works."""
    path = tmp_path / "settings.json"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    _settings, notices = load_settings(path)
    aside = _assert_moved_aside(path, notices, "not a regular file")
    assert (aside / "keep.txt").read_text() == "mine"
    aside.rename(tmp_path / "elsewhere")
    path.symlink_to(path.name)
    _settings, notices = load_settings(path)
    assert os.readlink(_assert_moved_aside(path, notices, "damaged")) == path.name
    assert save_settings(path, Settings(rate=170)) is None
    assert load_settings(path) == (Settings(rate=170), [])


@posix_only
def test_a_link_to_good_settings_is_followed(tmp_path: Path) -> None:
    """Settings kept elsewhere (a dotfiles folder) and linked in are read, not moved."""
    real = tmp_path / "dotfiles" / "settings.json"
    assert save_settings(real, Settings(rate=200)) is None
    path = tmp_path / "settings.json"
    path.symlink_to(real)
    assert load_settings(path) == (Settings(rate=200), [])
    assert path.is_symlink()


@posix_only
def test_files_moved_aside_in_one_second_keep_their_own_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damaged files moved aside within the same second get -2, -3: none overwrites another."""
    monkeypatch.setattr(settings_module, "_now", lambda: datetime(2024, 5, 6, 7, 8, 9))
    path = tmp_path / "settings.json"
    stamp = "settings.json.corrupt-20240506-070809"
    (tmp_path / f"{stamp}-2").symlink_to("nowhere")  # taken, though it points nowhere
    for n in range(3):
        path.write_text(f"broken {n}")
        assert load_settings(path)[0] == Settings()
    assert (tmp_path / stamp).read_text() == "broken 0"
    assert os.readlink(tmp_path / f"{stamp}-2") == "nowhere"
    assert (tmp_path / f"{stamp}-3").read_text() == "broken 1"
    assert (tmp_path / f"{stamp}-4").read_text() == "broken 2"


@posix_only
@pytest.mark.parametrize("call", ["load", "save"])
def test_stale_temporary_files_of_killed_saves_are_removed(tmp_path: Path, call: str) -> None:
    """Our own temporaries older than a minute go; a fresh one and anything else stay."""
    old_time = time.time() - 120
    stale = tmp_path / ".settings-k1lled00.json"
    fresh = tmp_path / ".settings-inuse000.json"  # another instance saving right now
    other = tmp_path / ".settings-notes.txt"
    link = tmp_path / ".settings-link0000.json"
    for p in (stale, fresh, other):
        p.write_text("{")
    link.symlink_to(other)
    for p in (stale, other, link):
        os.utime(p, (old_time, old_time), follow_symlinks=False)
    path = tmp_path / "settings.json"
    if call == "load":
        assert load_settings(path) == (Settings(), [])
    else:
        assert save_settings(path, Settings()) is None
    assert not stale.exists()
    assert fresh.exists() and other.exists() and link.is_symlink()


@posix_only
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_saved_and_temporary_files_are_private_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    """The temporary file is 0600 before anything is written, and so is the saved file."""
    seen: list[int] = []
    real_fsync = os.fsync

    def spying_fsync(fd: int) -> None:
        seen.append(os.fstat(fd).st_mode & 0o777)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spying_fsync)
    path = tmp_path / "config" / "settings.json"
    old = os.umask(umask)
    try:
        assert save_settings(path, Settings(rate=170)) is None
        assert save_settings(path, Settings(rate=180)) is None
    finally:
        os.umask(old)
    assert seen == [0o600, 0o600]
    assert not POSIX or path.stat().st_mode & 0o777 == 0o600
    assert not POSIX or path.parent.stat().st_mode & 0o777 == 0o700
    assert load_settings(path) == (Settings(rate=180), [])
