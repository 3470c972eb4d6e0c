"""User settings: a small JSON file, written atomically, never fatal when broken."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sciatica_timer.core.cues import RATE_RANGE, Verbosity
from sciatica_timer.core.engine import HOLD_DEFAULT_S, HOLD_MAX_S, HOLD_MIN_S
from sciatica_timer.core.models import DEFAULT_PAUSES, Pauses
from sciatica_timer.storage.files import move_aside, write_private_atomically
from sciatica_timer.storage.paths import make_private_dir


@dataclass(frozen=True)
class Settings:
    last_routine: str | None = None
    voice_on: bool = True
    voice_id: str | None = None
    rate: int = 150
    volume: float = 0.9
    verbosity: str = Verbosity.FULL.value
    """A ``Verbosity`` name (one the app does not know is read as full)."""
    sounds_on: bool = True
    disclaimer_accepted: bool = False
    red_flags_clear_on: str | None = None
    """The date (ISO) the red-flag questions were last answered all 'no'."""
    left_out: tuple[str, ...] = ()
    """Exercises the user chose to leave out of every routine."""
    red_flag_yes_on: str | None = None
    """The date (ISO) a red-flag question was answered 'yes': no session that day."""
    red_flags_yes: tuple[str, ...] = ()
    """Which red flags were answered 'yes' that day."""
    prepare_s: int = DEFAULT_PAUSES.prepare_s
    """Get-ready before a routine, for a routine that does not set its own (as the rest and
    the side switch)."""
    rest_s: int = DEFAULT_PAUSES.rest_s
    switch_s: int = DEFAULT_PAUSES.switch_s
    hold_s: int = HOLD_DEFAULT_S
    """The tender-spot hold (H)."""
    first_side: str = "left"
    """The side a session starts on: left, right, or alternate (each session the other)."""
    last_first_side: str | None = None
    """The side the last session started on (for "alternate")."""
    fullscreen: bool = False
    """Sessions start in full screen."""
    keep_awake: bool = True
    """The screen does not blank or lock during a session."""
    voice_stop: bool = False
    """Saying "stop" does the pain stop: the microphone is listened to during sessions, on
    this computer only, and nothing heard is kept."""
    flash_on: bool = False
    """A soft flash of colour over the session at each change and at 3, 2, 1 (for people
    who cannot hear the cues)."""
    pain_side: str = "both"
    """The side that hurts: the check-in's body map starts on it; the history names it."""
    theme: str = "system"
    text_size: int = 1
    """A step of ``TEXT_SIZES`` (1 is the usual size)."""

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def pauses(self) -> Pauses:
        """The timing defaults, for ``build_timeline``."""
        return Pauses(self.prepare_s, self.rest_s, self.switch_s)


MAX_BYTES = 64 * 1024
"""A settings file larger than this is not one the app wrote, and is not read."""
TEMP_PREFIX, TEMP_SUFFIX = ".settings-", ".json"
STALE_TEMP_S = 60.0
"""A temporary file of ours older than this is a save that was killed; it is removed."""
VERSION = 2
"""The settings file's format: written in the file; a newer one is kept before a save."""
PAUSE_RANGE = (0, 120)
HOLD_RANGE = (HOLD_MIN_S, HOLD_MAX_S)
TEXT_SIZES = (0.9, 1.0, 1.15, 1.3)
"""Text size steps: the scale of every font size (step 1 is the usual size)."""
CHOICES: dict[str, tuple[str, ...]] = {
    "first_side": ("left", "right", "alternate"),
    "last_first_side": ("left", "right"),
    "pain_side": ("both", "left", "right"),
    "theme": ("system", "light", "dark", "contrast"),
}
"""The text settings with a fixed set of values (any other is the default, and named)."""
_RANGES: dict[str, tuple[int, int]] = {
    "rate": RATE_RANGE,
    "prepare_s": PAUSE_RANGE,
    "rest_s": PAUSE_RANGE,
    "switch_s": PAUSE_RANGE,
    "hold_s": HOLD_RANGE,
    "text_size": (0, len(TEXT_SIZES) - 1),
}
"""The whole-number settings and their limits."""
_OPTIONAL = ("last_routine", "voice_id", "red_flags_clear_on", "red_flag_yes_on", "last_first_side")
_now: Callable[[], datetime] = datetime.now


def _number(name: str, value: Any) -> int | float | None:
    """A sane whole number in its range (rate, pauses, hold, text size) or volume, or None:
    not a number, NaN, infinite, huge, out of range.

    Comparisons only (no ``float()`` of a 4,000-digit int): NaN compares false to all.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    limits = _RANGES.get(name)
    if limits and not (isinstance(value, float) and not value.is_integer()):
        return int(value) if limits[0] <= value <= limits[1] else None
    if name == "volume":
        return float(value) if 0.0 <= value <= 1.0 else None
    return None


def _coerce(raw: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Keep every well-typed, sane known value; name the ones that are not."""
    defaults = Settings()
    values: dict[str, Any] = {}
    bad: list[str] = []
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        if isinstance(default, tuple):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else None
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int | float):
            value = _number(f.name, value)
            ok = value is not None
        else:  # a string, or None for the optional ones
            ok = isinstance(value, str) or (value is None and f.name in _OPTIONAL)
            if ok and value is not None and f.name in CHOICES:
                ok = value in CHOICES[f.name]
        if ok:
            values[f.name] = value
        else:
            bad.append(f.name)
    return replace(defaults, **values), bad


def _read(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file; OSError or ValueError otherwise.

    The file is checked before it is opened (opening a device or a named pipe may block
    or do something) and again once open, without waiting for a writer.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError("it is not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("it is not a regular file")
        return fh.read(MAX_BYTES + 1)


def _parse(data: bytes) -> dict[str, Any]:
    """The JSON object in the file; ValueError naming what is wrong with it."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"it is larger than {MAX_BYTES // 1024} KiB")
    try:
        raw = json.loads(data.decode("utf-8-sig"))  # NaN, Infinity: refused per value
    except UnicodeDecodeError:
        raise ValueError("it is not UTF-8 text") from None
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    if not isinstance(raw, dict):
        raise ValueError("it does not hold a JSON object")
    return raw


def _remove_stale_temps(folder: Path) -> None:
    """Delete our own temporary files left by saves that were killed (never anything else)."""
    cutoff = time.time() - STALE_TEMP_S
    with contextlib.suppress(OSError):
        for tmp in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                st = os.lstat(tmp)
                if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                    os.unlink(tmp)


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """The saved settings and any notices; a broken file is moved aside, never fatal."""
    _remove_stale_temps(path.parent)
    try:
        raw = _parse(_read(path))
    except FileNotFoundError:
        return Settings(), []
    except (OSError, ValueError) as exc:
        problem = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        try:
            aside = move_aside(path, now=lambda: _now())
        except OSError as err:
            return Settings(), [
                f"The settings file {path} could not be used ({problem}) and could not be "
                f"moved aside ({err.strerror or err}); the defaults are in use, and the file "
                "will be replaced when the settings are next saved."
            ]
        return Settings(), [
            f"The settings file {path} was damaged ({problem}); it was moved to {aside} "
            "and the defaults are in use."
        ]
    settings, bad = _coerce(raw)
    notices = []
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        bad.append("version")
    elif version > VERSION:
        notices += _keep_newer(path, version)
    if bad:
        notices.append(
            f"The settings file {path} had unusable values for {', '.join(bad)}; "
            "defaults are used for those."
        )
    return settings, notices


def newer_copy(path: Path, version: int) -> Path:
    """Where a settings file of a newer format is kept before this version saves over it."""
    return path.with_name(f"{path.name}.v{version}")


def _keep_newer(path: Path, version: int) -> list[str]:
    """A copy of a newer version's file beside it (once): this version saves only what it
    knows, so the next save would drop the rest. Told once, when the copy is made."""
    copy = newer_copy(path, version)
    try:
        if copy.exists() and copy.read_bytes() == path.read_bytes():
            return []
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o600)
    except OSError as exc:
        return [
            f"The settings file {path} was written by a newer version of Sciatica Timer "
            f"(format {version}) and could not be copied to {copy} ({exc.strerror or exc}); "
            "the settings this version knows are in use."
        ]
    return [
        f"The settings file {path} was written by a newer version of Sciatica Timer "
        f"(format {version}); a copy was kept at {copy}, and the settings this version "
        "knows are in use."
    ]


def save_settings(path: Path, settings: Settings) -> str | None:
    """Write atomically (private temporary file, then rename); return a notice on failure."""
    try:
        make_private_dir(path.parent)
        _remove_stale_temps(path.parent)
        write_private_atomically(
            path,
            json.dumps({"version": VERSION, **asdict(settings)}, indent=2),
            TEMP_PREFIX,
            TEMP_SUFFIX,
        )
    except OSError as exc:
        return f"Could not save the settings to {path}: {exc.strerror or exc}."
    return None
