"""The user's own library: real files in a tmp data folder, checked by the real validator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.platforms import POSIX

from sciatica_timer.core.models import (
    Category,
    Exercise,
    Library,
    Routine,
    Sides,
    Step,
    StepSides,
)
from sciatica_timer.storage.library_document import dumps, library_document
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.paths import AppPaths
from sciatica_timer.storage.problems import LibraryError
from sciatica_timer.storage.user_library import Clash, NotSaved, UserLibrary

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library(ROOT / "exercises.json")


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "data")


def _own_exercise(paths: AppPaths, picture: bool = True) -> Exercise:
    image = None
    if picture:
        paths.images_dir.mkdir(parents=True, exist_ok=True)
        (paths.images_dir / "wall-sit.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
        image = str(paths.images_dir / "wall-sit.svg")
    return Exercise(
        id="wall-sit",
        name="Wall sit",
        category=Category.REACTIVATION,
        sides=Sides.EACH,
        duration_s=40,
        sets=2,
        reps=8,
        rep_s=4,
        instructions=("Back flat against the wall.", "Slide down a little."),
        cautions=("Stop if the leg tingles.",),
        cue="Slide down slowly.",
        targets=("quads",),
        equipment=("wall",),
        image=image,
        avoid_in_flare=True,
        side_words="{side} leg forward",
    )


def _prescription() -> Routine:
    """figure-4 stretch, left only, 3 x 30 s; glute roll 90 s a side; skip the hamstrings."""
    return Routine(
        id="physio-plan",
        name="Physio plan",
        description="From the clinic, March.",
        rest_s=20,
        steps=(
            Step("figure-4-stretch", duration_s=30, sets=3, sides=StepSides.LEFT, prepare_s=20),
            Step("figure-4-glute-roll", duration_s=90, rest_s=10),
            Step("wall-sit", reps=10, rep_s=3, sides=StepSides.RIGHT),
        ),
    )


def test_a_missing_file_is_an_empty_library_with_nothing_to_tell(
    paths: AppPaths, bundled: Library
) -> None:
    """No library.json yet: the user has no routines, the bundled ones all show, no notice."""
    user, notices = UserLibrary.open(paths, bundled)
    assert notices == [] and user.routines == {} and user.exercises == {}
    assert user.library().routines == bundled.routines
    assert not paths.user_library.exists()


def test_models_go_to_the_file_and_come_back_identical(paths: AppPaths, bundled: Library) -> None:
    """Every field of an own exercise and of a prescription's steps survives a save and a
    fresh open; the picture is stored as images/NAME and made absolute again."""
    user, _ = UserLibrary.open(paths, bundled)
    exercise = _own_exercise(paths)
    user.put_exercise(exercise)
    user.put_routine(_prescription())
    raw = json.loads(paths.user_library.read_text(encoding="utf-8"))
    assert raw["exercises"][0]["image"] == "images/wall-sit.svg"
    assert raw["routines"][0]["steps"][0] == {
        "exercise": "figure-4-stretch",
        "duration_s": 30,
        "sets": 3,
        "prepare_s": 20,
        "sides": "left",
    }
    assert "prepare_s" not in raw["routines"][0]  # left to the user's default
    again, notices = UserLibrary.open(paths, bundled)
    assert notices == []
    assert again.exercises == {"wall-sit": exercise}
    assert again.routines == {"physio-plan": _prescription()}
    assert again.library().routines["physio-plan"] == _prescription()
    assert list(again.library().routines)[-1] == "physio-plan"  # after the bundled ones


def test_the_bundled_library_written_back_loads_identical(bundled: Library, tmp_path: Path) -> None:
    """The serialiser is the loader's inverse on every bundled exercise and routine."""
    path = tmp_path / "copy.json"
    path.write_text(dumps(library_document(bundled.exercises.values(), bundled.routines.values())))
    copy = load_library(path)
    assert copy.exercises == bundled.exercises and copy.routines == bundled.routines


def test_put_replace_rename_and_remove_keep_the_order(paths: AppPaths, bundled: Library) -> None:
    """A routine replaced or renamed stays in its place; a removed one is returned for undo."""
    user, _ = UserLibrary.open(paths, bundled)
    first = Routine("first", "First", (Step("childs-pose"),))
    second = Routine("second", "Second", (Step("dead-bug"),))
    user.put_routine(first)
    user.put_routine(second)
    user.put_routine(Routine("first", "First, longer", (Step("childs-pose", duration_s=60),)))
    assert list(user.routines) == ["first", "second"]
    renamed = Routine("one", "One", first.steps)
    user.put_routine(renamed, old_id="first")
    assert list(user.routines) == ["one", "second"]
    assert user.remove_routine("one") == renamed
    user2, _ = UserLibrary.open(paths, bundled)
    assert list(user2.routines) == ["second"]


def test_bundled_ids_are_read_only(paths: AppPaths, bundled: Library) -> None:
    """A bundled routine or exercise cannot be overwritten; bundled routines say so."""
    user, _ = UserLibrary.open(paths, bundled)
    assert user.is_bundled("sciatica-foam-roll") and not user.is_bundled("nope")
    with pytest.raises(ValueError, match="bundled routine"):
        user.put_routine(Routine("sciatica-foam-roll", "Mine", (Step("childs-pose"),)))
    with pytest.raises(ValueError, match="bundled exercise"):
        user.put_exercise(Exercise("childs-pose", "Mine"))
    assert not paths.user_library.exists()


def test_new_id_is_free_and_made_from_the_name(paths: AppPaths, bundled: Library) -> None:
    """'My routine' -> 'my-routine', then 'my-routine-2'; a bundled id is never offered."""
    user, _ = UserLibrary.open(paths, bundled)
    assert user.new_id("My routine!") == "my-routine"
    user.put_routine(Routine("my-routine", "My routine", (Step("childs-pose"),)))
    assert user.new_id("My routine") == "my-routine-2"
    assert user.new_id("Sciatica foam roll") == "sciatica-foam-roll-2"
    assert user.new_id("???") == "routine"
    assert user.new_exercise_id("Child's pose") == "child-s-pose"


def test_an_invalid_change_is_refused_and_nothing_is_written(
    paths: AppPaths, bundled: Library
) -> None:
    """Left only on an exercise without sides, or an unknown exercise: NotSaved with the
    --check line, the library and its file unchanged."""
    user, _ = UserLibrary.open(paths, bundled)
    user.put_routine(Routine("ok", "OK", (Step("childs-pose"),)))
    before = paths.user_library.read_bytes()
    with pytest.raises(NotSaved) as caught:
        user.put_routine(Routine("bad", "Bad", (Step("childs-pose", sides=StepSides.LEFT),)))
    assert "routines[1].steps[0].sides: 'left' only: 'childs-pose' is not done on each side" in str(
        caught.value
    )
    with pytest.raises(NotSaved, match="unknown exercise 'nope'"):
        user.put_routine(Routine("bad", "Bad", (Step("nope"),)))
    assert list(user.routines) == ["ok"] and paths.user_library.read_bytes() == before


def test_the_previous_version_is_kept_as_a_backup(paths: AppPaths, bundled: Library) -> None:
    """Each save keeps the file it replaces as library.json.bak, private like the file."""
    user, _ = UserLibrary.open(paths, bundled)
    user.put_routine(Routine("a", "A", (Step("childs-pose"),)))
    first = paths.user_library.read_text(encoding="utf-8")
    assert not user.backup.exists()
    user.put_routine(Routine("b", "B", (Step("dead-bug"),)))
    assert user.backup == paths.data_dir / "library.json.bak"
    assert user.backup.read_text(encoding="utf-8") == first
    assert not POSIX or (user.backup.stat().st_mode & 0o777) == 0o600
    assert not POSIX or (paths.user_library.stat().st_mode & 0o777) == 0o600


def test_an_own_exercise_in_use_cannot_be_removed(paths: AppPaths, bundled: Library) -> None:
    """remove_exercise refuses while a routine uses it, naming the routine; then works."""
    user, _ = UserLibrary.open(paths, bundled)
    exercise = _own_exercise(paths, picture=False)
    user.put_exercise(exercise)
    user.put_routine(_prescription())
    with pytest.raises(ValueError, match="'Physio plan'"):
        user.remove_exercise("wall-sit")
    user.remove_routine("physio-plan")
    assert user.remove_exercise("wall-sit") == exercise
    assert UserLibrary.open(paths, bundled)[0].exercises == {}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"routines": [', "(line 1, column 15: not valid JSON: Expecting value)"),
        (
            b'{"routines": [{"id": "x", "name": "X", "steps": [{"exercise": "nope"}]}]}',
            "(line 1, column 63: routines[0].steps[0].exercise: unknown exercise 'nope')",
        ),
        (b"\xff\xfe", "(line 1, column 1: not UTF-8 text (byte 0xff); save the file as UTF-8)"),
    ],
    ids=["truncated", "unknown-exercise", "not-utf8"],
)
def test_a_bad_file_is_moved_aside_and_told_once(
    paths: AppPaths, bundled: Library, content: bytes, problem: str
) -> None:
    """The bundled routines still show, the file is moved aside (same bytes, never
    deleted) and one notice names it and the problem; the next start says nothing."""
    paths.data_dir.mkdir(parents=True)
    paths.user_library.write_bytes(content)
    user, notices = UserLibrary.open(paths, bundled)
    assert user.library().routines == bundled.routines
    (aside,) = [p for p in paths.data_dir.iterdir() if p.name.startswith("library.json.corrupt-")]
    assert aside.read_bytes() == content and not paths.user_library.exists()
    (notice,) = notices
    assert notice.startswith(f"Your routines file {paths.user_library} could not be used (")
    assert f"moved aside, beside it, as {aside.name} (nothing was deleted)" in notice
    assert problem in notice
    assert UserLibrary.open(paths, bundled)[1] == []
    user.put_routine(Routine("fresh", "Fresh", (Step("childs-pose"),)))  # saving works again
    assert UserLibrary.open(paths, bundled)[0].routines.keys() == {"fresh"}


@pytest.fixture
def frozen_data_dir(paths: AppPaths) -> Iterator[AppPaths]:
    """A data folder nobody can write in, even root (chattr +i)."""
    if not POSIX:
        pytest.skip("a folder made read-only by its mode: POSIX only")
    paths.data_dir.mkdir(parents=True)
    if os.geteuid() == 0:
        subprocess.run([str(shutil.which("chattr")), "+i", str(paths.data_dir)], check=True)
    else:
        paths.data_dir.chmod(0o500)
    try:
        yield paths
    finally:
        if os.geteuid() == 0:
            subprocess.run([str(shutil.which("chattr")), "-i", str(paths.data_dir)], check=True)
        paths.data_dir.chmod(0o700)


def test_a_read_only_folder_gives_an_oserror_naming_the_file(
    frozen_data_dir: AppPaths, bundled: Library
) -> None:
    """Saving into a folder that cannot be written raises OSError naming library.json; the
    library in memory is unchanged."""
    user, _ = UserLibrary.open(frozen_data_dir, bundled)
    with pytest.raises(OSError) as caught:
        user.put_routine(Routine("a", "A", (Step("childs-pose"),)))
    assert caught.value.filename == str(frozen_data_dir.user_library)
    assert "cannot save your routines" in str(caught.value)
    assert user.routines == {}


def _write_prescription(folder: Path, paths: AppPaths) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pics").mkdir(exist_ok=True)
    (folder / "pics" / "wall-sit.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    exercise = _own_exercise(paths, picture=False)
    doc = library_document([exercise], [_prescription()])
    doc["exercises"][0]["image"] = "pics/wall-sit.svg"
    path = folder / "physio.json"
    path.write_text(dumps(doc), encoding="utf-8")
    return path


def test_import_of_a_valid_file_then_a_clash_kept_both_or_replaced(
    tmp_path: Path, paths: AppPaths, bundled: Library
) -> None:
    """A prescription imports with its exercise and picture (copied into images/); the
    same file again clashes: keep both renames it '(2)', replace takes its place."""
    source = _write_prescription(tmp_path / "mail", paths)
    user, _ = UserLibrary.open(paths, bundled)
    plan = user.plan_import(source)
    assert plan.clashes == () and [r.id for r in plan.routines] == ["physio-plan"]
    assert user.apply_import(plan, {}) == ["physio-plan"]
    original = source.parent / "pics" / "wall-sit.svg"
    copy = Path(str(user.exercises["wall-sit"].image))
    assert copy.parent == paths.images_dir.resolve() and copy.read_bytes() == original.read_bytes()
    original.unlink()  # the original may go now
    assert copy.is_file()
    again = user.plan_import(source)
    assert again.clashes == ("physio-plan",)
    assert user.apply_import(again, {"physio-plan": Clash.KEEP_BOTH}) == ["physio-plan-2"]
    assert user.routines["physio-plan-2"].name == "Physio plan (2)"
    assert set(user.exercises) == {"wall-sit"}  # the same exercise, not copied twice
    assert user.apply_import(again, {"physio-plan": Clash.REPLACE}) == ["physio-plan"]
    assert list(user.routines) == ["physio-plan", "physio-plan-2"]
    reopened, _ = UserLibrary.open(paths, bundled)
    assert reopened.routines == user.routines and reopened.exercises == user.exercises


def test_an_invalid_import_raises_the_check_problems_and_changes_nothing(
    tmp_path: Path, paths: AppPaths, bundled: Library
) -> None:
    """plan_import raises LibraryError with the --check lines, the file named as given."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"routines": [{"id": "x", "name": "X", "steps": [{"exercise": "figure-4"}]}]}')
    user, _ = UserLibrary.open(paths, bundled)
    with pytest.raises(LibraryError) as caught:
        user.plan_import(bad)
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}:1:63: routines[0].steps[0].exercise: unknown exercise 'figure-4' "
        "(did you mean 'figure-4-stretch'?)"
    ]
    assert not paths.user_library.exists()


def test_a_bundled_routine_cannot_be_replaced_by_an_import(
    tmp_path: Path, paths: AppPaths, bundled: Library
) -> None:
    """An imported routine with a bundled id clashes; replace is refused, keep both works."""
    path = tmp_path / "f.json"
    routine = Routine("sciatica-foam-roll", "My foam roll", (Step("childs-pose"),))
    path.write_text(dumps(library_document([], [routine])))
    user, _ = UserLibrary.open(paths, bundled)
    plan = user.plan_import(path)
    assert plan.clashes == ("sciatica-foam-roll",)
    with pytest.raises(ValueError, match="bundled routine"):
        user.apply_import(plan, {"sciatica-foam-roll": Clash.REPLACE})
    assert user.routines == {}
    assert user.apply_import(plan, {}) == ["sciatica-foam-roll-2"]


def test_export_then_import_in_a_clean_folder_gives_the_identical_routine(
    tmp_path: Path, paths: AppPaths, bundled: Library
) -> None:
    """The routine and the own exercises it uses (bundled ones by id only), its picture
    copied beside the file; imported elsewhere they are identical but for the picture's
    new place."""
    user, _ = UserLibrary.open(paths, bundled)
    user.put_exercise(_own_exercise(paths))
    user.put_routine(_prescription())
    target = tmp_path / "out" / "physio.json"
    target.parent.mkdir()
    user.export_routine("physio-plan", target)
    raw = json.loads(target.read_text(encoding="utf-8"))
    assert [e["id"] for e in raw["exercises"]] == ["wall-sit"]
    assert raw["exercises"][0]["image"].startswith("physio-images/")
    clean = AppPaths.under(tmp_path / "clean")
    other, _ = UserLibrary.open(clean, bundled)
    assert other.apply_import(other.plan_import(target), {}) == ["physio-plan"]
    assert other.routines == user.routines
    theirs = other.exercises["wall-sit"]
    assert theirs == replace(_own_exercise(clean), image=theirs.image)
    assert Path(str(theirs.image)).parent == clean.images_dir.resolve()
    assert (
        Path(str(theirs.image)).read_bytes() == Path(str(_own_exercise(paths).image)).read_bytes()
    )


def test_a_routine_or_exercise_is_checked_alone_with_the_check_messages(
    paths: AppPaths, bundled: Library
) -> None:
    """check_routine / check_exercise give the --check problems of one routine or exercise
    (for the editor's inline messages) and save nothing."""
    user, _ = UserLibrary.open(paths, bundled)
    assert user.check_routine(_prescription()) != []  # wall-sit is not there yet
    user.put_exercise(_own_exercise(paths, picture=False))
    assert user.check_routine(_prescription()) == []
    bad = Routine("bad", "Bad", (Step("figure-4-stretch", duration_s=0, prepare_s=601),))
    assert [(p.path, p.message) for p in user.check_routine(bad)] == [
        ("routines[0].steps[0].duration_s", "must be between 1 and 3600 seconds, got 0"),
        ("routines[0].steps[0].prepare_s", "must be between 0 and 600 seconds, got 601"),
    ]
    (problem,) = user.check_exercise(Exercise("dead-bug", "Mine"))
    assert problem.path == "exercises[0].id" and "bundled exercise" in problem.message
    assert user.check_exercise(Exercise("mine", "Mine", duration_s=45)) == []
    assert "bad" not in user.routines


def test_an_imported_picture_is_checked_like_a_chosen_one(
    tmp_path: Path, paths: AppPaths, bundled: Library
) -> None:
    """A prescription's SVG with a script in it is left out of the import (the exercise
    comes in with no picture, so the placeholder shows); nothing of it is copied."""
    source = _write_prescription(tmp_path / "mail", paths)
    (source.parent / "pics" / "wall-sit.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    )
    user, _ = UserLibrary.open(paths, bundled)
    assert user.apply_import(user.plan_import(source), {}) == ["physio-plan"]
    assert user.exercises["wall-sit"].image is None
    assert not paths.images_dir.exists() or not any(paths.images_dir.iterdir())
