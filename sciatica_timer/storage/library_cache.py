"""The digests of exercise files that already passed full validation.

Validating with ``jsonschema`` costs about 5 MB and tens of milliseconds at every start,
for a file that almost never changes. ``load_library`` asks this store whether a file's
digest (see ``library_file.content_key``) was accepted before and, if so, builds the library
without the schema. It is an optimisation only: a store that is missing, damaged,
unreadable or unwritable behaves as an empty one, and a failure is logged, never shown.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from sciatica_timer.storage.files import write_private_atomically
from sciatica_timer.storage.paths import AppPaths, shipped_verified

log = logging.getLogger(__name__)

MAX_KEYS = 16
"""How many accepted digests are kept (the newest); older files are validated again."""

_KEY = re.compile(r"[0-9a-f]{64}")


def _read_keys(path: Path) -> list[str]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.info("ignoring the validation cache %s: %s", path, exc)
        return []
    keys = raw.get("keys") if isinstance(raw, dict) else None
    if not isinstance(keys, list):
        log.info("ignoring the validation cache %s: it holds no list of keys", path)
        return []
    return [k for k in keys if isinstance(k, str) and _KEY.fullmatch(k)]


def _encode(keys: list[str]) -> str:
    return json.dumps({"keys": keys}, indent=1)


def write_keys(path: Path, keys: list[str]) -> None:
    """Write a file of accepted digests (for the package build's shipped file)."""
    path.write_text(_encode(keys), encoding="utf-8")


class VerifiedCache:
    """A small JSON file of sha256 digests, newest last, written atomically and privately."""

    def __init__(self, path: Path, max_keys: int = MAX_KEYS, shipped: Path | None = None) -> None:
        """``shipped``: a read-only file of the same form that comes with the packaged app,
        written when the package was built and its bundled library fully checked, so even
        the very first start skips the schema (packaging/sciatica-timer.spec)."""
        self.path = path
        self.max_keys = max_keys
        self.shipped = shipped

    @classmethod
    def of(cls, paths: AppPaths) -> VerifiedCache:
        """The app's store in its cache folder, with the digests the package shipped."""
        return cls(paths.verified_libraries, shipped=shipped_verified())

    def keys(self) -> list[str]:
        """The accepted digests, oldest first; empty when the file is missing or unusable."""
        return _read_keys(self.path)

    def vouches_for(self, key: str) -> bool:
        return key in self.keys() or (self.shipped is not None and key in _read_keys(self.shipped))

    def record(self, key: str) -> None:
        """Remember one more accepted digest; a failure to write is logged and forgotten."""
        keys = [k for k in self.keys() if k != key] + [key]
        try:
            self._write(keys[-self.max_keys :])
        except OSError as exc:
            log.info("could not write the validation cache %s: %s", self.path, exc)

    def _write(self, keys: list[str]) -> None:
        # no fsync: a lost file only costs one full check
        write_private_atomically(self.path, _encode(keys), ".verified-", ".json", sync=False)
