"""Settings: saved atomically and privately, and never fatal when damaged."""

from __future__ import annotations

import json
from pathlib import Path

from sciatica_timer.settings import Settings, load_settings, save_settings


def test_round_trip_is_private(tmp_path: Path) -> None:
    """Saved settings read back the same, in a file only the user can read."""
    path = tmp_path / "config" / "settings.json"
    settings = Settings(last_routine="gentle-flare-up", rate=170, verbosity="short")
    assert save_settings(path, settings) is None
    assert load_settings(path) == (settings, [])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
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
