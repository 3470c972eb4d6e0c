"""Loading an exercises file: read strictly, checked, and built into ``core.models``.

Given a ``VerifiedCache``, ``load_library`` skips the schema for a file whose exact bytes
passed before under the same schema and app version (``content_key``), so an ordinary
start never imports ``jsonschema``. A file with problems always gets the full check.

A user's file (the user library, a prescription) is loaded given the bundled exercises
(``known``): its steps may name them. Its pictures are given relative to its own folder
(``base``: ``images/NAME`` in the data folder) and made absolute here, so
``assets_dir() / exercise.image`` finds a bundled picture and a user's one alike.
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


def _exercise(raw: Mapping[str, Any], base: Path | None = None) -> Exercise:
    image = raw.get("image")
    if image is not None and base is not None:
        image = str(base / image)
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
        image=image,
        avoid_in_flare=bool(raw.get("avoid_in_flare", False)),
        side_words=raw.get("side_words"),
    )


def _optional_int(raw: Mapping[str, Any], key: str) -> int | None:
    return int(raw[key]) if key in raw else None


def step_from(s: Mapping[str, Any]) -> Step:
    """A step of the file format (already checked) as the model."""
    return Step(
        exercise=s["exercise"],
        duration_s=_optional_int(s, "duration_s"),
        sets=_optional_int(s, "sets"),
        reps=_optional_int(s, "reps"),
        rest_s=_optional_int(s, "rest_s"),
        rep_s=_optional_int(s, "rep_s"),
        sides=StepSides(s["sides"]) if "sides" in s else None,
        prepare_s=_optional_int(s, "prepare_s"),
    )


def routine_from(raw: Mapping[str, Any]) -> Routine:
    """A routine of the file format (already checked) as the model."""
    return Routine(
        id=raw["id"],
        name=raw["name"],
        description=raw.get("description", ""),
        prepare_s=_optional_int(raw, "prepare_s"),
        rest_s=_optional_int(raw, "rest_s"),
        switch_s=_optional_int(raw, "switch_s"),
        for_flare_days=bool(raw.get("for_flare_days", False)),
        steps=tuple(step_from(s) for s in raw["steps"]),
    )


def _build(value: Mapping[str, Any], path: Path, base: Path | None = None) -> Library:
    return Library(
        exercises={e["id"]: _exercise(e, base) for e in value.get("exercises", [])},
        routines={r["id"]: routine_from(r) for r in value.get("routines", [])},
        source=path,
    )


def known_key(known: Mapping[str, Exercise] | None) -> bytes:
    """What a file's validity takes from the exercises it was checked against: their ids
    and sides."""
    known = known or {}
    return "\n".join(f"{i}:{known[i].sides.value}" for i in sorted(known)).encode()


def content_key(raw: bytes, known: Mapping[str, Exercise] | None = None) -> str | None:
    """The digest a validation cache remembers for a file that passed, or None.

    A sha256 over the file's bytes, the schema's bytes, the app version (the checks
    written in code) and the ``known`` exercises' ids and sides; None when the schema
    cannot be read (the full check will say why).
    """
    try:
        schema = schema_path().read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256()
    parts = [raw, schema, __version__.encode()]
    if known:
        parts.append(known_key(known))
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _build_vouched(
    text: str,
    value: Any,
    path: Path,
    file: str,
    known: Mapping[str, Exercise] | None,
    base: Path | None,
    empty_ok: bool,
) -> Library | None:
    """The library from a file the cache vouches for, or None to check it in full.

    The checks written in code still run (they are cheap and import nothing), and a file
    that cannot be built is not trusted: the cache may be stale or edited by hand.
    """
    try:
        if isinstance(value, dict) and not semantic_problems(text, value, file, known, empty_ok):
            return _build(value, path, base)
        reason = "it has problems"
    except Exception as exc:
        reason = f"building it failed ({exc!r})"
    log.info("%s: the validation cache vouched for it, but %s; checking in full", file, reason)
    return None


def load_library(
    path: Path,
    display: str | None = None,
    verified: VerifiedCache | None = None,
    known: Mapping[str, Exercise] | None = None,
    base: Path | None = None,
    empty_ok: bool = False,
) -> Library:
    """Load a library file, or raise LibraryError listing every problem.

    With ``verified``, a file whose exact content passed before is built without the
    schema check, and a file that passes now is remembered there. Without it (``--check``,
    the self-test) every check runs. ``known``: the bundled exercises a user's file may
    name (they are not in the library returned); ``base``: the folder its pictures are
    relative to (made absolute); ``empty_ok``: a file with nothing in it is fine.
    """
    file = display or str(path)
    raw = read_bytes(path, file)
    text, value, problems = decode(raw, file)
    key = content_key(raw, known) if verified is not None else None
    if verified is not None and key is not None and not problems and verified.vouches_for(key):
        library = _build_vouched(text, value, path, file, known, base, empty_ok)
        if library is not None:
            log.debug("%s: validated before (%s), schema check skipped", file, key[:12])
            return library
    problems += check_document(text, value, file, known, empty_ok)
    if problems:
        raise LibraryError(problems)
    library = _build(value, path, base)
    log.debug("%s: validated in full", file)
    if verified is not None and key is not None:
        verified.record(key)
    return library
