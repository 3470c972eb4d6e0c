"""The user's own routines and exercises: imported, made or changed in the editor.

They live in the data folder's ``library.json`` (``AppPaths.user_library``), in the same
file format as the bundled ``exercises.json`` and checked by the same validator, against
the bundled exercises (a routine may use them by id). Every change is checked before it is
written (nothing the next start would refuse is ever saved), written privately to a
temporary file and renamed into place, the previous version kept as ``library.json.bak``.

A file that cannot be used is moved aside (never deleted) and the user told once, by name:
the bundled routines still show. The pictures of the user's exercises are in
``AppPaths.images_dir``; the file names them ``images/NAME``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from sciatica_timer.core.models import Exercise, Library, Routine
from sciatica_timer.storage.files import move_aside, write_private_atomically
from sciatica_timer.storage.library_cache import VerifiedCache
from sciatica_timer.storage.library_checks import check_document, locate
from sciatica_timer.storage.library_document import dumps, library_document
from sciatica_timer.storage.library_file import content_key, load_library
from sciatica_timer.storage.paths import AppPaths, assets_dir, make_private_dir
from sciatica_timer.storage.pictures import PictureError, read_picture, store_picture
from sciatica_timer.storage.problems import LibraryError, Problem

log = logging.getLogger(__name__)

MAX_ID = 64
MAX_NAME = 80
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
MAX_PICTURE_BYTES = 5 * 1024 * 1024
"""An imported file's picture larger than this, or of another kind, is left out."""


class Clash(StrEnum):
    """What to do with an imported routine whose id the library already has."""

    KEEP_BOTH = "keep-both"
    """Import it under a free id, its name marked "(2)"; the existing one stays."""
    REPLACE = "replace"
    """The imported one takes the existing one's place (never a bundled routine)."""


@dataclass(frozen=True)
class ImportPlan:
    """A checked file, ready to import (``UserLibrary.plan_import``)."""

    source: Path
    routines: tuple[Routine, ...]
    exercises: tuple[Exercise, ...]
    clashes: tuple[str, ...]
    """Ids of the file's routines that the library already has (bundled or the user's)."""


class NotSaved(ValueError):
    """A change that would leave the library invalid; ``problems`` say why, as ``--check``
    would print them. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _plainly(problem: Problem) -> str:
    """A problem without the file's name (the notice names it once): 'line 1, column 15:
    routines[0]: ...'."""
    where = f"line {problem.line}" if problem.line is not None else ""
    if where and problem.col is not None:
        where += f", column {problem.col}"
    place = "" if problem.path == "$" else f"{problem.path}: "
    return f"{where}: {place}{problem.message}" if where else f"{place}{problem.message}"


def slug(name: str, fallback: str = "routine") -> str:
    """An id made from a name: 'My routine!' -> 'my-routine'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:MAX_ID].strip("-")
    return text or fallback


def _free(base: str, taken: Iterable[str], start: int = 2) -> tuple[str, int]:
    """``base`` if free, else ``base-N`` for the first free N >= start (and that N)."""
    used = set(taken)
    if base not in used:
        return base, 1
    n = start
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_ID - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate, n
        n += 1


def _named(name: str, n: int) -> str:
    mark = f" ({n})"
    return name[: MAX_NAME - len(mark)] + mark


@dataclass
class UserLibrary:
    """The user's routines and exercises beside the read-only bundled ones."""

    paths: AppPaths
    bundled: Library
    exercises: dict[str, Exercise] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)
    blocked: str | None = None
    """Why saving is refused: a bad file could not be moved aside, and is never
    overwritten (None: saving works)."""

    @property
    def path(self) -> Path:
        return self.paths.user_library

    @property
    def backup(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    # --- reading ---------------------------------------------------------------------

    @classmethod
    def open(cls, paths: AppPaths, bundled: Library) -> tuple[UserLibrary, list[str]]:
        """The user's library, and what to tell the user (a bad file moved aside, named).

        A missing file is an empty library. A file that cannot be used is moved aside, so
        the user hears of it once; the bundled routines are there either way."""
        path = paths.user_library
        if not os.path.lexists(path):
            return cls(paths, bundled), []
        try:
            loaded = load_library(
                path,
                str(path),
                verified=VerifiedCache.of(paths),
                known=bundled.exercises,
                base=paths.data_dir,
                empty_ok=True,
            )
        except LibraryError as exc:
            return cls._unusable(paths, bundled, exc.problems)
        library = cls(paths, bundled, dict(loaded.exercises), dict(loaded.routines))
        return library, []

    @classmethod
    def _unusable(
        cls, paths: AppPaths, bundled: Library, problems: list[Problem]
    ) -> tuple[UserLibrary, list[str]]:
        path = paths.user_library
        first = _plainly(problems[0]) if problems else "it could not be read"
        more = f", and {len(problems) - 1} more" if len(problems) > 1 else ""
        try:
            aside = move_aside(path)
        except OSError as exc:
            why = exc.strerror or str(exc)
            log.info("user library %s unusable and kept in place: %s", path, first)
            return cls(paths, bundled, blocked=f"it could not be moved aside ({why})"), [
                f"Your routines file {path} could not be used ({first}{more}), so only the "
                f"bundled routines are shown. It could not be moved aside ({why}), so it is "
                "left as it is and nothing will be saved over it."
            ]
        log.info("user library %s moved aside to %s: %s", path, aside, first)
        return cls(paths, bundled), [
            f"Your routines file {path} could not be used ({first}{more}), so only the "
            f"bundled routines are shown. It was moved aside, beside it, as {aside.name} "
            "(nothing was deleted)."
        ]

    def library(self) -> Library:
        """The bundled routines and exercises, then the user's."""
        return Library(
            exercises={**self.bundled.exercises, **self.exercises},
            routines={**self.bundled.routines, **self.routines},
            source=self.bundled.source,
        )

    def is_bundled(self, routine_id: str) -> bool:
        """A bundled routine (read-only: duplicate it to change it)."""
        return routine_id in self.bundled.routines and routine_id not in self.routines

    def _routine_ids(self) -> set[str]:
        return set(self.bundled.routines) | set(self.routines)

    def _exercise_ids(self) -> set[str]:
        return set(self.bundled.exercises) | set(self.exercises)

    def new_id(self, name: str) -> str:
        """A routine id no routine has, made from a name ('My routine' -> 'my-routine',
        or 'my-routine-2' when that is taken)."""
        return _free(slug(name), self._routine_ids())[0]

    def new_exercise_id(self, name: str) -> str:
        """An exercise id no exercise has, made from a name."""
        return _free(slug(name, "exercise"), self._exercise_ids())[0]

    # --- checking a change before it is made (the editor's inline messages) -----------

    def check_routine(self, routine: Routine) -> list[Problem]:
        """What ``--check`` would say about this routine alone (empty when it is valid):
        paths ``routines[0].steps[N].KEY``, messages and limits as ``--check`` prints them.
        Its steps may use the bundled exercises and the user's."""
        text = dumps(library_document([], [routine]))
        known = {**self.bundled.exercises, **self.exercises}
        return check_document(text, json.loads(text), "routine", known)

    def check_exercise(self, exercise: Exercise) -> list[Problem]:
        """What ``--check`` would say about this exercise alone (paths ``exercises[0].KEY``);
        a bundled exercise's id is refused."""
        text = dumps(library_document([exercise], [], self.paths.data_dir))
        return check_document(text, json.loads(text), "exercise", self.bundled.exercises)

    # --- changing it (each change saved at once) --------------------------------------

    def put_routine(self, routine: Routine, old_id: str | None = None) -> None:
        """Add a routine, replace the one with its id, or (``old_id``) rename that one in
        its place. Saved at once: NotSaved (a ValueError) when it is invalid, OSError when
        the file cannot be written; either way nothing changes."""
        if routine.id in self.bundled.routines:
            raise ValueError(f"'{routine.id}' is a bundled routine's id; choose another")
        if old_id is not None and old_id != routine.id and routine.id in self.routines:
            raise ValueError(f"a routine with the id '{routine.id}' already exists")
        routines: dict[str, Routine] = {}
        placed = False
        for rid, existing in self.routines.items():
            if rid in (old_id, routine.id):
                if not placed:
                    routines[routine.id] = routine
                    placed = True
                continue
            routines[rid] = existing
        if not placed:
            routines[routine.id] = routine
        self._commit(self.exercises, routines)

    def remove_routine(self, routine_id: str) -> Routine:
        """Remove one of the user's routines (saved); it is returned, for undo."""
        if routine_id not in self.routines:
            raise KeyError(routine_id)
        removed = self.routines[routine_id]
        routines = {k: v for k, v in self.routines.items() if k != routine_id}
        self._commit(self.exercises, routines)
        return removed

    def put_exercise(self, exercise: Exercise) -> None:
        """Add or replace one of the user's exercises (saved). Its picture, if any, must
        already be in ``paths.images_dir``."""
        if exercise.id in self.bundled.exercises:
            raise ValueError(f"'{exercise.id}' is a bundled exercise's id; choose another")
        self._commit({**self.exercises, exercise.id: exercise}, self.routines)

    def remove_exercise(self, exercise_id: str) -> Exercise:
        """Remove one of the user's exercises (saved); refused (ValueError) while a routine
        uses it. Its picture stays in the images folder."""
        if exercise_id not in self.exercises:
            raise KeyError(exercise_id)
        users = [
            r.name
            for r in self.routines.values()
            if any(s.exercise == exercise_id for s in r.steps)
        ]
        if users:
            names = ", ".join(f"'{n}'" for n in users)
            raise ValueError(
                f"'{self.exercises[exercise_id].name}' is used by {names}; "
                "take it out of those routines first"
            )
        removed = self.exercises[exercise_id]
        exercises = {k: v for k, v in self.exercises.items() if k != exercise_id}
        self._commit(exercises, self.routines)
        return removed

    # --- import and export -------------------------------------------------------------

    def plan_import(self, path: Path) -> ImportPlan:
        """Check a file for import; LibraryError with exactly the problems ``--check``
        prints (the file named as given). Nothing is changed."""
        loaded = load_library(path, str(path), known=self.bundled.exercises, base=path.parent)
        routines = tuple(loaded.routines.values())
        existing = self._routine_ids()
        clashes = tuple(r.id for r in routines if r.id in existing)
        return ImportPlan(path, routines, tuple(loaded.exercises.values()), clashes)

    def apply_import(self, plan: ImportPlan, choices: Mapping[str, Clash]) -> list[str]:
        """Import everything in the plan at once (saved), each clash as ``choices`` says
        (KEEP_BOTH when it says nothing); the ids of the routines imported.

        An imported exercise whose id the user already has for a different exercise is
        imported under a free id (the imported routines follow it); the user's routines
        are never changed but by REPLACE. Pictures are copied into the images folder."""
        exercises = dict(self.exercises)
        renamed: dict[str, str] = {}
        copied: list[Path] = []
        try:
            for exercise in plan.exercises:
                mine = exercises.get(exercise.id)
                if mine is not None and replace(mine, image=None) == replace(exercise, image=None):
                    continue  # the same exercise, already here (its picture kept)
                picture = self._import_picture(exercise.image, plan.source.parent, copied)
                incoming = replace(exercise, image=picture)
                if mine is not None:
                    new, _ = _free(exercise.id, set(exercises) | set(self.bundled.exercises))
                    renamed[exercise.id] = new
                    incoming = replace(incoming, id=new)
                exercises[incoming.id] = incoming
            routines = dict(self.routines)
            imported: list[str] = []
            taken = self._routine_ids()
            for routine in plan.routines:
                steps = tuple(
                    replace(s, exercise=renamed.get(s.exercise, s.exercise)) for s in routine.steps
                )
                routine = replace(routine, steps=steps)
                if routine.id in taken:
                    choice = choices.get(routine.id, Clash.KEEP_BOTH)
                    if choice is Clash.REPLACE:
                        if routine.id in self.bundled.routines and routine.id not in self.routines:
                            raise ValueError(
                                f"'{routine.id}' is a bundled routine and cannot be replaced; "
                                "keep both instead"
                            )
                    else:
                        new, n = _free(routine.id, taken)
                        routine = replace(routine, id=new, name=_named(routine.name, n))
                taken.add(routine.id)
                routines[routine.id] = routine
                imported.append(routine.id)
            self._commit(exercises, routines)
        except BaseException:
            for picture_path in copied:
                with contextlib.suppress(OSError):
                    picture_path.unlink()
            raise
        return imported

    def _import_picture(self, image: str | None, folder: Path, copied: list[Path]) -> str | None:
        """An imported exercise's picture (beside the file, else one of the bundled
        pictures by its path in ``assets/``) copied into the images folder: its new path,
        or None when there is none to copy (missing, not a picture, too large)."""
        if image is None:
            return None
        source = Path(image)
        if not source.exists() and source.is_relative_to(folder):
            bundled = assets_dir() / source.relative_to(folder)
            if bundled.is_file():
                source = bundled
        images = self.paths.images_dir
        if source.parent == images.resolve() and source.is_file():
            return str(source)
        try:  # checked as a picture chosen in the window is: content, size, no scripts
            picture = read_picture(source)
        except PictureError as exc:
            log.info("imported picture left out: %s", exc)
            return None
        existed = {p.name for p in images.iterdir()} if images.is_dir() else set()
        target = store_picture(picture, images)
        if target.name not in existed:
            copied.append(target)
        return str(target)

    def export_routine(self, routine_id: str, target: Path) -> None:
        """Write one routine (bundled or the user's; KeyError for another id) to a file,
        with the user's exercises it uses (bundled ones are named by id only). Their
        pictures are copied into a folder beside the file, ``<file stem>-images/``, which
        the file names. OSError when it cannot be written."""
        library = self.library()
        routine = library.routines[routine_id]
        own: list[Exercise] = []
        for step in routine.steps:
            exercise = self.exercises.get(step.exercise)
            if exercise is not None and exercise not in own:
                own.append(exercise)
        pictures = target.parent / f"{target.stem}-images"
        written: list[Exercise] = []
        for exercise in own:
            image = exercise.image
            if image is not None and Path(image).is_file():
                make_private_dir(pictures)
                shutil.copyfile(image, pictures / Path(image).name)
                written.append(replace(exercise, image=str(pictures / Path(image).name)))
            else:
                written.append(replace(exercise, image=None))
        text = dumps(library_document(written, [routine], base=target.parent))
        write_private_atomically(target, text, ".export-", ".json")

    # --- saving ------------------------------------------------------------------------

    def _commit(self, exercises: dict[str, Exercise], routines: dict[str, Routine]) -> None:
        """Check and save this content, then hold it (nothing changes if either fails)."""
        self.save(exercises, routines)
        self.exercises = dict(exercises)
        self.routines = dict(routines)

    def save(
        self,
        exercises: Mapping[str, Exercise] | None = None,
        routines: Mapping[str, Routine] | None = None,
    ) -> None:
        """Write the library (this content, or what it holds): checked first (NotSaved),
        the previous file kept as ``library.json.bak``; OSError names the file."""
        if self.blocked is not None:
            raise OSError(errno.EEXIST, f"not saved: {self.blocked}", str(self.path))
        exercises = self.exercises if exercises is None else exercises
        routines = self.routines if routines is None else routines
        text = dumps(library_document(exercises.values(), routines.values(), self.paths.data_dir))
        problems = check_document(
            text, json.loads(text), str(self.path), self.bundled.exercises, empty_ok=True
        )
        if problems:
            raise NotSaved(problems)
        try:
            self._keep_backup()
            write_private_atomically(self.path, text, ".library-", ".json")
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot save your routines ({exc.strerror or exc})", str(self.path)
            ) from exc
        key = content_key(text.encode("utf-8"), self.bundled.exercises)
        if key is not None:  # checked in full just now: the next start skips the schema
            VerifiedCache.of(self.paths).record(key)

    def _keep_backup(self) -> None:
        try:
            previous = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, PermissionError):
                raise
            log.info("no backup of %s: %s", self.path, exc)
            return
        write_private_atomically(self.backup, previous, ".library-", ".bak")


def clash_problems(plan: ImportPlan, display: str, user: UserLibrary) -> list[Problem]:
    """One line per routine of an import that has an id already taken, placed in the file
    like a ``--check`` problem (the command line refuses these; the window asks)."""
    try:
        text = plan.source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    problems = []
    for i, routine in enumerate(plan.routines):
        if routine.id not in plan.clashes:
            continue
        if user.is_bundled(routine.id):
            message = (
                f"a bundled routine already has the id '{routine.id}'; nothing was imported: "
                "give yours another id, or import it in the window to keep both"
            )
        else:
            name = user.library().routines[routine.id].name
            message = (
                f"your library already has a routine '{routine.id}' ({name}); nothing was "
                "imported: give this one another id, or import it in the window to keep "
                "both or replace it"
            )
        line, col = locate(text, ["routines", i, "id"]) if text else (None, None)
        problems.append(Problem(display, f"routines[{i}].id", message, line, col))
    return problems
