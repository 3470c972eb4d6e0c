"""User settings: a small JSON file, written atomically, never fatal when broken."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sciatica_timer.paths import PRIVATE_FILE_MODE, make_private_dir


@dataclass(frozen=True)
class Settings:
    last_routine: str | None = None
    voice_on: bool = True
    voice_id: str | None = None
    rate: int = 150
    volume: float = 0.9
    verbosity: str = "full"
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

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(raw: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Keep every well-typed known value; name the ones that are not."""
    defaults = Settings()
    values: dict[str, Any] = {}
    bad: list[str] = []
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        if isinstance(default, tuple):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[f.name] = tuple(value)
            else:
                bad.append(f.name)
            continue
        ok = (
            (
                value is None
                and f.name in ("last_routine", "voice_id", "red_flags_clear_on", "red_flag_yes_on")
            )
            or (isinstance(default, bool) and isinstance(value, bool))
            or (
                not isinstance(default, bool)
                and isinstance(default, int | float)
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            )
            or (isinstance(value, str) and (isinstance(default, str) or default is None))
        )
        if ok:
            values[f.name] = value
        else:
            bad.append(f.name)
    return replace(defaults, **values), bad


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """The saved settings and any notices; a broken file is moved aside, never fatal."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(), [f"Could not read the settings file {path} ({exc}); using defaults."]
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("it does not hold a JSON object")
    except ValueError as exc:
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now():%Y%m%d-%H%M%S}")
        with contextlib.suppress(OSError):
            path.replace(aside)
        return Settings(), [
            f"The settings file {path} was damaged ({exc}); it was moved to {aside} "
            "and the defaults are in use."
        ]
    settings, bad = _coerce(raw)
    notices = []
    if bad:
        notices.append(
            f"The settings file {path} had unusable values for {', '.join(bad)}; "
            "defaults are used for those."
        )
    return settings, notices


def save_settings(path: Path, settings: Settings) -> str | None:
    """Write atomically (temporary file, then rename); return a notice on failure."""
    try:
        make_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(settings), fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, PRIVATE_FILE_MODE)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        return f"Could not save the settings to {path}: {exc.strerror or exc}."
    return None
