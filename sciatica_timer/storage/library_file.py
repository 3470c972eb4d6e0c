"""Loading an exercises file: read strictly, checked, and built into ``core.models``.

Given a ``VerifiedCache``, ``load_library`` skips the schema for a file whose exact bytes
passed before under the same schema and app version (``content_key``), so an ordinary
start never imports ``jsonschema``. A file with problems always gets the full check.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sciatica_timer import __version__
from sciatica_timer.core.models import (
    DEFAULT_DURATION_S,
    DEFAULT_REP_S,
    Category,
    Exercise,
    Library,
    Routine,
    Sides,
    Step,
    StepSides,
)
from sciatica_timer.storage.library_checks import check_document, schema_path, semantic_problems
from sciatica_timer.storage.problems import LibraryError
from sciatica_timer.storage.strict_json import decode, read_bytes

if TYPE_CHECKING:
    from sciatica_timer.storage.library_cache import VerifiedCache

log = logging.getLogger(__name__)


def _exercise(raw: Mapping[str, Any]) -> Exercise:
    return Exercise(
        id=raw["id"],
        name=raw["name"],
        category=Category(raw.get("category", Category.RELEASE)),
        sides=Sides(raw.get("sides", Sides.NONE)),
        duration_s=int(raw.get("duration_s", DEFAULT_DURATION_S)),
        sets=int(raw.get("sets", 1)),
        reps=int(raw["reps"]) if "reps" in raw else None,
        rep_s=int(raw.get("rep_s", DEFAULT_REP_S)),
        instructions=tuple(raw.get("instructions", ())),
        cautions=tuple(raw.get("cautions", ())),
        cue=raw.get("cue"),
        targets=tuple(raw.get("targets", ())),
        equipment=tuple(raw.get("equipment", ())),
        image=raw.get("image"),
        avoid_in_flare=bool(raw.get("avoid_in_flare", False)),
        side_words=raw.get("side_words"),
    )


def _optional_int(raw: Mapping[str, Any], key: str) -> int | None:
    return int(raw[key]) if key in raw else None


def _routine(raw: Mapping[str, Any]) -> Routine:
    return Routine(
        id=raw["id"],
        name=raw["name"],
        description=raw.get("description", ""),
        prepare_s=_optional_int(raw, "prepare_s"),
        rest_s=_optional_int(raw, "rest_s"),
        switch_s=_optional_int(raw, "switch_s"),
        steps=tuple(
            Step(
                exercise=s["exercise"],
                duration_s=_optional_int(s, "duration_s"),
                sets=_optional_int(s, "sets"),
                reps=_optional_int(s, "reps"),
                rest_s=_optional_int(s, "rest_s"),
                rep_s=_optional_int(s, "rep_s"),
                sides=StepSides(s["sides"]) if "sides" in s else None,
                prepare_s=_optional_int(s, "prepare_s"),
            )
            for s in raw["steps"]
        ),
    )


def _build(value: Mapping[str, Any], path: Path) -> Library:
    return Library(
        exercises={e["id"]: _exercise(e) for e in value["exercises"]},
        routines={r["id"]: _routine(r) for r in value.get("routines", [])},
        source=path,
    )


def content_key(raw: bytes) -> str | None:
    """The digest a validation cache remembers for a file that passed, or None.

    A sha256 over the file's bytes, the schema's bytes and the app version (the checks
    written in code); None when the schema cannot be read (the full check will say why).
    """
    try:
        schema = schema_path().read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in (raw, schema, __version__.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _build_vouched(text: str, value: Any, path: Path, file: str) -> Library | None:
    """The library from a file the cache vouches for, or None to check it in full.

    The checks written in code still run (they are cheap and import nothing), and a file
    that cannot be built is not trusted: the cache may be stale or edited by hand.
    """
    try:
        if isinstance(value, dict) and not semantic_problems(text, value, file):
            return _build(value, path)
        reason = "it has problems"
    except Exception as exc:
        reason = f"building it failed ({exc!r})"
    log.info("%s: the validation cache vouched for it, but %s; checking in full", file, reason)
    return None


def load_library(
    path: Path, display: str | None = None, verified: VerifiedCache | None = None
) -> Library:
    """Load a library file, or raise LibraryError listing every problem.

    With ``verified``, a file whose exact content passed before is built without the
    schema check, and a file that passes now is remembered there. Without it (``--check``,
    the self-test) every check runs.
    """
    file = display or str(path)
    raw = read_bytes(path, file)
    text, value, problems = decode(raw, file)
    key = content_key(raw) if verified is not None else None
    if verified is not None and key is not None and not problems and verified.vouches_for(key):
        library = _build_vouched(text, value, path, file)
        if library is not None:
            log.debug("%s: validated before (%s), schema check skipped", file, key[:12])
            return library
    problems += check_document(text, value, file)
    if problems:
        raise LibraryError(problems)
    library = _build(value, path)
    log.debug("%s: validated in full", file)
    if verified is not None and key is not None:
        verified.record(key)
    return library
