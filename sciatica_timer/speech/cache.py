"""The speech cache: one WAV a text, keyed by the text, voice, rate and engine versions.

It stays small: whenever it holds more than ``CACHE_MAX_BYTES`` the least recently used
WAVs go, and at each start those unused for ``CACHE_MAX_AGE_S``; the key includes pyttsx3's
and espeak-ng's versions, so an upgraded engine never plays audio rendered by the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import time
import wave
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_MAX_BYTES = 50 * 1024 * 1024
"""The speech cache is pruned, least recently used first, when it holds more than this."""
CACHE_PRUNE_TO = 0.9
"""During a session, a cache over its cap is pruned to this share of it (not one file a cue)."""
CACHE_MAX_AGE_S = 60 * 24 * 3600.0
"""A cached WAV not used for this long is removed at the next start."""
PART_STALE_S = 600.0
"""A half-written ``.part.wav`` this old was left by a crash (younger: another instance's)."""
_CACHE_FILE = re.compile(r"[0-9a-f]{64}(\.part)?\.wav")


def cache_key(text: str, voice_id: str | None, rate: int, engine: str = "") -> str:
    """The cache file stem: sha256 of the text, voice, rate and engine (``engine_version``)."""
    payload = json.dumps([text, voice_id or "", rate, engine])  # ASCII: any text encodes
    return hashlib.sha256(payload.encode()).hexdigest()


def engine_version(engine: Any = None) -> str:
    """What renders the audio, for the cache key: "pyttsx3 2.99; espeak-ng 1.51".

    espeak-ng's version comes from the library pyttsx3 loaded (``espeak_Info``); another
    driver (SAPI 5, NSSpeechSynthesizer) is named with the system's release. Never raises.
    """
    from importlib import metadata

    try:
        pyttsx3_version = metadata.version("pyttsx3")
    except Exception:  # not installed as a distribution (a frozen app without its metadata)
        pyttsx3_version = "unknown"
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    module = type(driver).__module__ if driver is not None else "pyttsx3.drivers.espeak"
    espeak: Any = sys.modules.get("pyttsx3.drivers._espeak")
    if module == "pyttsx3.drivers.espeak" and espeak is not None:
        try:
            raw = espeak.Info(None)  # the version string; NULL: no data path wanted
            library = "espeak-ng " + (raw.decode(errors="replace") if raw else "unknown")
        except Exception:
            library = "espeak-ng unknown"
    else:
        import platform

        library = f"{module} {platform.system()} {platform.release()}"
    return f"pyttsx3 {pyttsx3_version}; {library}"


@dataclass(frozen=True)
class Pruned:
    """What one pass over the speech cache found and removed."""

    files: int
    total_bytes: int
    removed: int
    removed_bytes: int
    seconds: float

    @property
    def kept_bytes(self) -> int:
        return self.total_bytes - self.removed_bytes


def prune_cache(
    cache_dir: Path,
    *,
    max_bytes: int = CACHE_MAX_BYTES,
    max_age_s: float = CACHE_MAX_AGE_S,
    keep: Collection[str] = (),
    now: float | None = None,
) -> Pruned:
    """Remove the cached WAVs unused for more than ``max_age_s``, then the least recently
    used until at most ``max_bytes`` remain; never the file names in ``keep``.

    A file was last used at the later of its access time (``mark_used``) and its
    modification time (when it was rendered). Only regular files named like cache entries
    are looked at, never through a link; one that cannot be removed is left. Slow disk work:
    call it on the speech worker, never on the GUI thread. Never raises.
    """
    started = time.perf_counter()
    now_ns = time.time_ns() if now is None else round(now * 1e9)
    found: list[tuple[int, str, int]] = []
    with contextlib.suppress(OSError), os.scandir(cache_dir) as entries:
        for entry in entries:
            if _CACHE_FILE.fullmatch(entry.name) is None:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((max(st.st_atime_ns, st.st_mtime_ns), entry.name, st.st_size))
    found.sort()  # least recently used first
    total = sum(size for _, _, size in found)
    removed = removed_bytes = 0
    for used_ns, name, size in found:
        idle_s = (now_ns - used_ns) / 1e9
        if name in keep:
            continue
        if name.endswith(".part.wav"):
            drop = idle_s > PART_STALE_S
        else:
            drop = idle_s > max_age_s or total - removed_bytes > max_bytes
        if not drop:
            continue
        try:
            os.unlink(cache_dir / name)
        except FileNotFoundError:  # another instance pruned it meanwhile
            pass
        except OSError:
            continue
        removed += 1
        removed_bytes += size
    return Pruned(len(found), total, removed, removed_bytes, time.perf_counter() - started)


def mark_used(path: Path) -> None:
    """Record that a cached WAV was just used: its access time becomes now, whatever the
    mount's atime policy; its modification time (when it was rendered) stays."""
    with contextlib.suppress(OSError):
        os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file, 0.0 when it is missing, empty or unreadable."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error, ZeroDivisionError):
        return 0.0
