"""Where things live: the user's private folders, and the files the app ships with."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "sciatica-timer"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def bundled_root() -> Path:
    """The folder holding ``exercises.json`` and ``assets/``.

    Frozen (PyInstaller): inside the bundle. Installed: ``sciatica_timer/data``.
    From a source checkout: the top of the repository.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "sciatica_timer" / "data"
    installed = Path(__file__).with_name("data")
    if (installed / "exercises.json").is_file():
        return installed
    return Path(__file__).resolve().parent.parent


def bundled_library() -> Path:
    return bundled_root() / "exercises.json"


def shipped_verified() -> Path:
    """The digests of bundled exercise files checked when the package was built."""
    return bundled_root() / "verified-libraries.json"


def assets_dir() -> Path:
    return bundled_root() / "assets"


def make_private_dir(path: Path) -> Path:
    """Create the folder if needed and make it readable by the user only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if os.name == "posix":
        path.chmod(PRIVATE_DIR_MODE)
    return path


@dataclass(frozen=True)
class AppPaths:
    """The user's folders for the journal, settings, cache and logs."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def from_platform(cls) -> AppPaths:
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Everything below one folder (``--data-dir``: tests, portable use)."""
        root = root.expanduser().resolve()
        return cls(root, root / "config", root / "cache", root / "logs")

    @property
    def journal(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def settings(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def speech_cache(self) -> Path:
        return self.cache_dir / "speech"

    @property
    def verified_libraries(self) -> Path:
        """The digests of exercise files that passed full validation (``VerifiedCache``)."""
        return self.cache_dir / "verified-libraries.json"
