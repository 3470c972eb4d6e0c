"""Where things live: the user's private folders, and the files the app ships with."""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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
    package = Path(__file__).resolve().parents[1]
    installed = package / "data"
    if (installed / "exercises.json").is_file():
        return installed
    return package.parent


def bundled_library() -> Path:
    return bundled_root() / "exercises.json"


def shipped_verified() -> Path:
    """The digests of bundled exercise files checked when the package was built."""
    return bundled_root() / "verified-libraries.json"


def assets_dir() -> Path:
    return bundled_root() / "assets"


def make_private_dir(path: Path) -> Path:
    """Create the folder and each missing parent, readable by the user only (0700).

    Only the levels created here get their mode set, whatever the umask (``mkdir``'s mode
    is masked by it, and ``parents=True`` ignores it for parents). A folder that already
    exists keeps its mode: it may be shared (``--data-dir /tmp``) or not the app's.
    """
    if path.is_dir():
        return path
    if path.parent != path:
        make_private_dir(path.parent)
    try:
        os.mkdir(path, PRIVATE_DIR_MODE)
    except FileExistsError:
        if path.is_dir():  # made meanwhile by another thread or process: not ours
            return path
        raise
    _chmod_created_dir(path)
    return path


def _chmod_created_dir(path: Path) -> None:
    """Set 0700 on a folder just created here, never through a symbolic link."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except PermissionError:  # a umask that leaves even the owner no read access
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise
        os.chmod(path, PRIVATE_DIR_MODE)
        return
    try:
        os.fchmod(fd, PRIVATE_DIR_MODE)
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def create_private_file(path: Path, flags: int = os.O_WRONLY) -> int:
    """Create a new file readable by the user only (0600) whatever the umask; its descriptor.

    Raises FileExistsError when anything, a symbolic link included, is already at ``path``.
    """
    fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, PRIVATE_FILE_MODE)
    if os.name == "posix":
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
        except BaseException:
            os.close(fd)
            raise
    return fd


def open_private(path: Path, flags: int = os.O_WRONLY) -> int:
    """A descriptor on the file, created private (0600) when missing; an existing file is
    opened as it is, its mode untouched. A symbolic link is refused (OSError ELOOP), so
    nothing is written or created through a link to a file the app does not control."""
    try:
        return create_private_file(path, flags)
    except FileExistsError:
        pass
    try:
        return os.open(path, flags | _NOFOLLOW | _BINARY)
    except OSError as exc:
        if path.is_symlink():
            raise OSError(
                errno.ELOOP,
                f"{path.name} is a symbolic link, and health data is never written through one",
                str(path),
            ) from exc
        raise


def open_private_text(path: Path) -> TextIO:
    """A file the app writes for the user (an export), emptied: created private (0600)
    when missing, an existing one keeps its mode; never through a symbolic link."""
    fd = open_private(path, os.O_WRONLY | os.O_TRUNC)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def seal_private_file(path: Path) -> None:
    """Make a file the app has just written (through a library that may ignore the mode)
    readable by the user only, never through a symbolic link."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)


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
    def user_library(self) -> Path:
        """The user's own routines and exercises (imported or made in the editor), in the
        exercises file format; the previous version is kept beside as ``library.json.bak``."""
        return self.data_dir / "library.json"

    @property
    def images_dir(self) -> Path:
        """The pictures of the user's own exercises (``images/NAME`` in ``user_library``)."""
        return self.data_dir / "images"

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
