"""The two ways the app replaces or keeps a file: an atomic private write, and moving a
damaged file aside under a free, dated name (never deleting it)."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sciatica_timer.storage.paths import PRIVATE_FILE_MODE, make_private_dir


def write_private_atomically(
    path: Path, text: str, temp_prefix: str, temp_suffix: str, sync: bool = True
) -> None:
    """Write ``text`` to ``path`` through a private (0600) temporary file in the same
    folder, then rename it over ``path``: a reader sees the old file or the new one, never
    half of one. ``sync`` waits for the disk first (skip it only for a file whose loss
    costs nothing but time). Raises OSError; the temporary file never stays behind."""
    folder = path.parent
    make_private_dir(folder)  # an existing folder keeps its mode, even read-only
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix, suffix=temp_suffix, dir=folder)
    try:
        # newline="": the bytes are the text's (on Windows, "\n" would become "\r\n", and a
        # file's digest, taken of the text, would never match the file again)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if os.name == "posix":  # 0600 before a byte is written, whatever the umask
                os.fchmod(fh.fileno(), PRIVATE_FILE_MODE)
            fh.write(text)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def aside_name(
    path: Path, label: str, ext: str = "", now: Callable[[], datetime] = datetime.now
) -> Path:
    """A name no entry holds next to ``path``: ``{name}.{label}-{YYYYmmdd-HHMMSS}[-n]{ext}``."""
    stamp = now().strftime("%Y%m%d-%H%M%S")
    names = (f"{stamp}-{n}" if n > 1 else stamp for n in itertools.count(1))
    candidates = (path.with_name(f"{path.name}.{label}-{s}{ext}") for s in names)
    return next(p for p in candidates if not os.path.lexists(p))


def move_aside(
    path: Path, label: str = "corrupt", now: Callable[[], datetime] = datetime.now
) -> Path:
    """Rename the file (or link, pipe, folder) to a free ``aside_name`` and return it.

    A hard link is made first where the file system allows it, so an existing name is
    never replaced even if another process takes the name in between; otherwise a name no
    entry holds is renamed to.
    """
    while True:
        aside = aside_name(path, label, now=now)
        if os.name == "nt":  # a rename never replaces a name here; and a hard link of a file
            try:  # held open could be unlinked no more than the file itself
                os.rename(path, aside)
            except FileExistsError:
                continue
            return aside
        try:
            os.link(path, aside, follow_symlinks=False)
        except FileExistsError:
            continue
        except (OSError, NotImplementedError):  # a folder, no hard links here, or Windows
            os.rename(path, aside)  # (which never replaces an existing name on Windows)
        else:
            os.unlink(path)
        return aside
