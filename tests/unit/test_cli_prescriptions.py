"""A prescription in and out through the real command line, in a subprocess: --check,
--import, --export-routine, and the imported routines in --list and --plan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.processes import end_process, run_python

from sciatica_timer.core.models import Library
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.paths import AppPaths
from sciatica_timer.storage.user_library import UserLibrary

ROOT = Path(__file__).resolve().parents[2]
PRESCRIPTIONS = Path("tests") / "fixtures" / "prescriptions"
INVALID = sorted((ROOT / PRESCRIPTIONS / "invalid").glob("*.json"))
PHYSIO = PRESCRIPTIONS / "valid" / "physio-march.sciatica.json"
OWN = PRESCRIPTIONS / "valid" / "with-own-exercise.sciatica.json"
CLI = "import sys\nfrom sciatica_timer.app import main\nsys.exit(main(sys.argv[1:]))\n"
BUNDLED_ROUTINES = 5


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line (``sciatica-timer ARGS``) in a fresh process, from the root."""
    return run_python(CLI, *args)


def listed(data: Path, *extra: str) -> list[str]:
    proc = cli("--data-dir", str(data), "--list", *extra)
    assert proc.returncode == 0, proc.stderr
    return [line.split()[0] for line in proc.stdout.splitlines()[1:]]


def plan_json(data: Path, routine_id: str) -> dict[str, Any]:
    proc = cli("--data-dir", str(data), "--plan", routine_id, "--json")
    assert proc.returncode == 0, proc.stderr
    plan: dict[str, Any] = json.loads(proc.stdout)
    return plan


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library(ROOT / "exercises.json")


def test_there_are_at_least_15_invalid_prescriptions_each_with_its_lines() -> None:
    """Every invalid fixture comes with the exact lines --check prints for it."""
    assert len(INVALID) >= 15
    for path in INVALID:
        assert path.with_suffix(".expected").read_text(encoding="utf-8").strip(), path.name


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_an_invalid_prescription_gets_the_same_lines_from_check_and_import(
    tmp_path: Path, path: Path
) -> None:
    """--check and --import print exactly the expected FILE:LINE:COL lines and exit 2;
    --import imports nothing (no library file, only the bundled routines listed)."""
    shown = str(path.relative_to(ROOT))
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").replace("{file}", shown)
    check = cli("--check", shown)
    imported = cli("--data-dir", str(tmp_path), "--import", shown)
    assert (check.returncode, imported.returncode) == (2, 2)
    assert check.stdout == expected, check.stdout
    assert imported.stdout == check.stdout
    assert imported.stderr == "" and "Traceback" not in check.stderr
    assert not (tmp_path / "library.json").exists()
    assert len(listed(tmp_path)) == BUNDLED_ROUTINES


def test_a_valid_prescription_checks_imports_and_then_shows_everywhere(tmp_path: Path) -> None:
    """--check says what it checked against; --import names what it imported, exit 0;
    then --list and --plan show the routine with no flag: figure-4 left only 3 x 30 s and
    the glute roll 90 s a side, 30 s to get into position for it."""
    check = cli("--check", str(PHYSIO))
    assert check.returncode == 0
    assert check.stdout == f"{PHYSIO}: OK (checked against the 21 bundled exercises)\n"
    imported = cli("--data-dir", str(tmp_path), "--import", str(PHYSIO))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines() == [
        "Imported routine physio-march (Physio plan, March)",
        f"into {tmp_path.resolve() / 'library.json'}",
    ]
    assert listed(tmp_path)[-1] == "physio-march"
    assert len(listed(tmp_path)) == BUNDLED_ROUTINES + 1
    plan = plan_json(tmp_path, "physio-march")
    work = [
        (p["exercise"], p["side"], p["duration_s"]) for p in plan["phases"] if p["kind"] == "work"
    ]
    assert work == [
        ("figure-4-stretch", "left", 30),
        ("figure-4-stretch", "left", 30),
        ("figure-4-stretch", "left", 30),
        ("figure-4-glute-roll", "left", 90),
        ("figure-4-glute-roll", "right", 90),
    ]
    assert not any(p["exercise"] == "hamstring-roll" for p in plan["phases"])


def test_an_id_clash_is_refused_on_the_command_line_and_changes_nothing(tmp_path: Path) -> None:
    """The same file twice: one line naming the taken id, exit 2, the library file as it
    was; a routine with a bundled routine's id is refused the same way."""
    assert cli("--data-dir", str(tmp_path), "--import", str(PHYSIO)).returncode == 0
    before = (tmp_path / "library.json").read_bytes()
    again = cli("--data-dir", str(tmp_path), "--import", str(PHYSIO))
    assert again.returncode == 2
    assert again.stdout == (
        f"{PHYSIO}:4:13: routines[0].id: your library already has a routine 'physio-march' "
        "(Physio plan, March); nothing was imported: give this one another id, or import it "
        "in the window to keep both or replace it\n"
    )
    assert (tmp_path / "library.json").read_bytes() == before
    bundled_id = tmp_path / "foam.json"
    bundled_id.write_text(
        '{"routines": [{"id": "sciatica-foam-roll", "name": "Mine",\n'
        '  "steps": [{"exercise": "childs-pose"}]}]}\n'
    )
    refused = cli("--data-dir", str(tmp_path), "--import", str(bundled_id))
    assert refused.returncode == 2
    assert refused.stdout.startswith(
        f"{bundled_id}:1:22: routines[0].id: a bundled routine already has the id "
        "'sciatica-foam-roll'; nothing was imported"
    )
    assert (tmp_path / "library.json").read_bytes() == before


def test_export_then_import_in_a_clean_data_dir_gives_the_identical_routine(
    tmp_path: Path, bundled: Library
) -> None:
    """A routine with an own exercise and its picture, imported, exported and imported into
    a clean --data-dir: the same routine and exercise (its picture in the new folder) and
    the same --plan --json."""
    first, clean = tmp_path / "first", tmp_path / "clean"
    assert cli("--data-dir", str(first), "--import", str(OWN)).returncode == 0
    target = tmp_path / "send" / "clinic.sciatica.json"
    target.parent.mkdir()
    exported = cli("--data-dir", str(first), "--export-routine", "clinic-home", str(target))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"Wrote routine clinic-home (Clinic home plan) to {target}\n"
    raw = json.loads(target.read_text(encoding="utf-8"))
    assert [e["id"] for e in raw["exercises"]] == ["wall-sit"]  # bundled ones by id only
    (picture,) = (target.parent / "clinic.sciatica-images").iterdir()
    assert raw["exercises"][0]["image"] == f"clinic.sciatica-images/{picture.name}"
    assert cli("--data-dir", str(clean), "--import", str(target)).returncode == 0
    mine, _ = UserLibrary.open(AppPaths.under(first), bundled)
    theirs, _ = UserLibrary.open(AppPaths.under(clean), bundled)
    assert theirs.routines == mine.routines
    assert theirs.exercises.keys() == mine.exercises.keys() == {"wall-sit"}
    mine_ex, theirs_ex = mine.exercises["wall-sit"], theirs.exercises["wall-sit"]
    assert Path(str(theirs_ex.image)).parent == clean.resolve() / "images"
    assert Path(theirs_ex.image).read_bytes() == Path(str(mine_ex.image)).read_bytes()
    assert theirs_ex == mine_ex.__class__(**{**mine_ex.__dict__, "image": theirs_ex.image})
    assert plan_json(clean, "clinic-home") == plan_json(first, "clinic-home")


def test_a_bundled_routine_exports_by_id_alone(tmp_path: Path) -> None:
    """Exporting a bundled routine writes it with no exercises: they are all bundled."""
    target = tmp_path / "foam.sciatica.json"
    proc = cli("--data-dir", str(tmp_path), "--export-routine", "sciatica-foam-roll", str(target))
    assert proc.returncode == 0, proc.stderr
    raw = json.loads(target.read_text(encoding="utf-8"))
    assert "exercises" not in raw and [r["id"] for r in raw["routines"]] == ["sciatica-foam-roll"]
    assert cli("--check", str(target)).returncode == 0


def test_export_of_an_unknown_routine_or_to_a_folder_says_why(tmp_path: Path) -> None:
    """An unknown id: one line with a hint, exit 2; a target that cannot be written: one
    line naming it, exit 1; never a traceback."""
    proc = cli("--data-dir", str(tmp_path), "--export-routine", "physio", str(tmp_path / "x"))
    assert proc.returncode == 2 and "unknown routine 'physio'" in proc.stderr
    folder = tmp_path / "a-folder"
    folder.mkdir()
    proc = cli("--data-dir", str(tmp_path), "--export-routine", "sciatica-foam-roll", str(folder))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"sciatica-timer: {folder}: cannot write the routine there")
    assert "Traceback" not in proc.stderr


def test_exercises_file_may_use_bundled_exercises_and_is_listed_beside_them(
    tmp_path: Path,
) -> None:
    """--exercises with a prescription (bundled exercises by id) lists it after the
    bundled routines and the user's, without importing it."""
    assert cli("--data-dir", str(tmp_path), "--import", str(OWN)).returncode == 0
    ids = listed(tmp_path, "--exercises", str(PHYSIO))
    assert ids[-2:] == ["clinic-home", "physio-march"] and ids[0] == "sciatica-foam-roll"
    assert listed(tmp_path)[-1] == "clinic-home"  # physio-march was not imported


def test_a_corrupt_user_library_is_moved_aside_and_told_once(tmp_path: Path) -> None:
    """--list with a damaged library.json: the bundled routines, one line naming the file
    and where it went; the next --list says nothing."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "library.json").write_text('{"routines": [', encoding="utf-8")
    proc = cli("--data-dir", str(tmp_path), "--list")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == BUNDLED_ROUTINES + 1
    (aside,) = tmp_path.glob("library.json.corrupt-*")
    assert proc.stderr.count("\n") == 1
    assert str(tmp_path.resolve() / "library.json") in proc.stderr and aside.name in proc.stderr
    assert aside.read_text(encoding="utf-8") == '{"routines": ['
    again = cli("--data-dir", str(tmp_path), "--list")
    assert again.returncode == 0 and again.stderr == ""


HOLD_THE_FOLDER = (
    "import sys\n"
    "from PySide6.QtCore import QLockFile\n"
    "from sciatica_timer.ui.single_instance import LOCK_NAME\n"
    "lock = QLockFile(sys.argv[1] + '/' + LOCK_NAME)\n"
    "lock.setStaleLockTime(0)\n"
    "assert lock.tryLock(0)\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)


def test_import_is_refused_while_a_window_holds_the_data_folder(tmp_path: Path) -> None:
    """A window's library would be saved over a command-line import: --import says to use
    the window (or close it) and imports nothing."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        proc = cli("--data-dir", str(tmp_path), "--import", str(PHYSIO))
    finally:
        end_process(holder)
        assert holder.stdin is not None
        holder.stdin.close()
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        f"sciatica-timer: Sciatica Timer is open for {tmp_path.resolve()}; import from its "
        "window (Import on the home screen), or close it and try again\n"
    )
    assert not (tmp_path / "library.json").exists()


def _readme_examples() -> list[str]:
    """The JSON examples of the README's section on your own routines, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Your own routines", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```json\n(.*?)```", section, flags=re.S)


def test_the_readme_examples_check_and_the_prescription_imports_as_written(
    tmp_path: Path,
) -> None:
    """The README's prescription passes --check and imports as the physiotherapist wrote
    it: the same steps as the fixture; the format example passes too."""
    prescription, example = _readme_examples()
    for name, text in (("physio.json", prescription), ("example.json", example)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        check = cli("--check", str(tmp_path / name))
        assert check.returncode == 0 and check.stdout.endswith(
            "OK (checked against the 21 bundled exercises)\n"
        ), check.stdout
    data = tmp_path / "data"
    assert cli("--data-dir", str(data), "--import", str(tmp_path / "physio.json")).returncode == 0
    fixture = json.loads((ROOT / PHYSIO).read_text(encoding="utf-8"))["routines"][0]["steps"]
    for step in fixture:
        step.pop("prepare_s", None)
    written = json.loads((data / "library.json").read_text(encoding="utf-8"))
    assert written["routines"][0]["steps"] == fixture


LIST_AND_TELL_SCHEMA = (
    "import sys\n"
    "from sciatica_timer.app import main\n"
    "status = main(sys.argv[1:])\n"
    "print('jsonschema' in sys.modules, status)\n"
)


def test_a_saved_library_is_read_at_the_next_start_without_the_schema(tmp_path: Path) -> None:
    """library.json was checked in full when it was saved, so --list (like the window's
    start) builds it without importing jsonschema, and still shows it."""
    assert cli("--data-dir", str(tmp_path), "--import", str(OWN)).returncode == 0
    proc = run_python(LIST_AND_TELL_SCHEMA, "--data-dir", str(tmp_path), "--list")
    assert proc.returncode == 0, proc.stderr
    *rows, last = proc.stdout.splitlines()
    assert last == "False 0" and rows[-1].startswith("clinic-home ")


def test_import_names_the_exercises_it_brought_and_keeps_yours(tmp_path: Path) -> None:
    """A file's own exercise is listed as imported; a second file with a different exercise
    under the same id brings it under a free id, and the first stays as it was."""
    first = cli("--data-dir", str(tmp_path), "--import", str(OWN))
    assert first.stdout.splitlines()[:2] == [
        "Imported routine clinic-home (Clinic home plan)",
        "Imported exercise wall-sit (Wall sit)",
    ]
    other = tmp_path / "other.json"
    other.write_text(
        '{"exercises": [{"id": "wall-sit", "name": "Wall sit, deeper", "duration_s": 45}],\n'
        ' "routines": [{"id": "deeper", "name": "Deeper", "steps": [{"exercise": "wall-sit"}]}]}\n'
    )
    second = cli("--data-dir", str(tmp_path), "--import", str(other))
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.splitlines()[:2] == [
        "Imported routine deeper (Deeper)",
        "Imported exercise wall-sit-2 (Wall sit, deeper)",
    ]
    library = json.loads((tmp_path / "library.json").read_text(encoding="utf-8"))
    steps = {r["id"]: r["steps"][0]["exercise"] for r in library["routines"]}
    assert steps == {"clinic-home": "figure-4-glute-roll", "deeper": "wall-sit-2"}
    assert library["exercises"][0] == {
        "id": "wall-sit",
        "name": "Wall sit",
        "category": "reactivation",
        "sides": "each",
        "duration_s": 20,
        "image": library["exercises"][0]["image"],
    }
    picture = tmp_path / library["exercises"][0]["image"]
    assert picture.parent == tmp_path / "images" and picture.suffix == ".svg"
    assert picture.read_bytes() == (OWN.parent / "pictures" / "wall-sit.svg").read_bytes()
