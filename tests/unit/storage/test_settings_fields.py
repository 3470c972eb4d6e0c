"""The settings of issue 13: timing, hold, sides, session, body and look; the file's version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.platforms import POSIX

from sciatica_timer.core.engine import HOLD_DEFAULT_S, HOLD_MAX_S, HOLD_MIN_S
from sciatica_timer.core.models import DEFAULT_PAUSES, Pauses
from sciatica_timer.storage.settings import (
    CHOICES,
    TEXT_SIZES,
    VERSION,
    Settings,
    load_settings,
    newer_copy,
    save_settings,
)


def test_the_defaults_are_the_timelines_and_the_engines() -> None:
    """Get-ready, rest and switch default to core's Pauses, the hold to the engine's 20 s;
    text size 1 is the usual size, and there are at least four steps."""
    s = Settings()
    assert s.pauses == DEFAULT_PAUSES
    assert s.hold_s == HOLD_DEFAULT_S
    assert (s.first_side, s.pain_side, s.theme) == ("left", "both", "system")
    assert (s.fullscreen, s.keep_awake, s.flash_on) == (False, True, False)
    assert len(TEXT_SIZES) >= 4 and TEXT_SIZES[s.text_size] == 1.0


def test_every_new_field_round_trips_with_the_version_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(
        prepare_s=30, rest_s=0, switch_s=120, hold_s=HOLD_MAX_S, first_side="alternate",
        last_first_side="right", fullscreen=True, keep_awake=False, pain_side="left",
        theme="contrast", text_size=3, flash_on=True,
    )  # fmt: skip
    assert save_settings(path, settings) is None
    assert json.loads(path.read_text())["version"] == VERSION
    assert load_settings(path) == (settings, [])
    assert settings.pauses == Pauses(30, 0, 120)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("prepare_s", -1),
        ("prepare_s", 121),
        ("rest_s", 2.5),
        ("switch_s", "10"),
        ("hold_s", HOLD_MIN_S - 1),
        ("hold_s", HOLD_MAX_S + 1),
        ("hold_s", True),
        ("text_size", len(TEXT_SIZES)),
        ("text_size", -1),
        ("fullscreen", "yes"),
        ("keep_awake", 0),
        ("flash_on", "yes"),
        ("flash_on", 1),
        ("first_side", "up"),
        ("first_side", None),
        ("last_first_side", "alternate"),
        ("pain_side", "middle"),
        ("theme", "neon"),
        ("theme", "Dark"),
        ("version", "two"),
        ("version", 0),
    ],
)
def test_an_unusable_value_is_the_default_and_named(
    tmp_path: Path, name: str, value: object
) -> None:
    """Out of range, of the wrong type or not one of the choices: that one value falls
    back to its default, the notice names it and the file; the others are kept."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({name: value, "last_routine": "x", "rate": 170}))
    settings, notices = load_settings(path)
    expected = Settings(last_routine="x", rate=170)
    assert settings == expected
    assert len(notices) == 1 and name in notices[0] and str(path) in notices[0]


def test_every_choice_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    for name, values in CHOICES.items():
        for value in values:
            path.write_text(json.dumps({name: value}))
            settings, notices = load_settings(path)
            assert (getattr(settings, name), notices) == (value, [])


def test_an_older_file_without_a_version_is_read_and_saved_as_this_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"rate": 170, "voice_on": False}))
    settings, notices = load_settings(path)
    assert notices == [] and settings == Settings(rate=170, voice_on=False)
    assert save_settings(path, settings) is None
    assert json.loads(path.read_text())["version"] == VERSION
    assert list(tmp_path.iterdir()) == [path]


def test_a_newer_versions_file_is_copied_before_it_is_saved_over(tmp_path: Path) -> None:
    """A file from a newer version: what this version knows is used, a copy of the whole
    file is kept beside it (said once, by name), and a save never touches the copy."""
    path = tmp_path / "settings.json"
    text = json.dumps({"version": VERSION + 1, "theme": "dark", "future_setting": [1, 2]})
    path.write_text(text)
    settings, notices = load_settings(path)
    copy = newer_copy(path, VERSION + 1)
    assert settings == Settings(theme="dark")
    assert len(notices) == 1 and "newer version" in notices[0]
    assert str(path) in notices[0] and str(copy) in notices[0]
    assert copy.read_text() == text
    assert not POSIX or copy.stat().st_mode & 0o777 == 0o600
    assert load_settings(path) == (settings, []), "told once: the copy is already there"
    assert save_settings(path, settings.with_changes(text_size=2)) is None
    assert copy.read_text() == text
    assert json.loads(path.read_text())["version"] == VERSION
    assert load_settings(path) == (Settings(theme="dark", text_size=2), [])


def test_a_newer_file_that_cannot_be_copied_says_so(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": VERSION + 5}))
    newer_copy(path, VERSION + 5).mkdir()  # a folder where the copy would go
    settings, notices = load_settings(path)
    assert settings == Settings()
    assert len(notices) == 1 and "could not be copied" in notices[0] and str(path) in notices[0]
