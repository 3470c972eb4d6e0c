"""The real command line, run in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.platforms import POSIX

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sciatica_timer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_version() -> None:
    """--version prints the name and version."""
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("sciatica-timer 0.")


def test_list_shows_every_bundled_routine() -> None:
    """--list shows id, name, total time and equipment."""
    proc = run("--list")
    assert proc.returncode == 0
    assert "sciatica-foam-roll" in proc.stdout and "9:15" in proc.stdout
    assert "foam roller" in proc.stdout
    assert len(proc.stdout.strip().splitlines()) == 6


def test_plan_json_for_the_foam_roll() -> None:
    """--plan --json shows 120 s glute roll phases per side and 60 s for the others."""
    proc = run("--plan", "sciatica-foam-roll", "--json")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    work = [
        (p["exercise"], p["side"], p["duration_s"]) for p in plan["phases"] if p["kind"] == "work"
    ]
    assert work == [
        ("figure-4-glute-roll", "left", 120),
        ("figure-4-glute-roll", "right", 120),
        ("it-band-roll", "left", 60),
        ("it-band-roll", "right", 60),
        ("hamstring-roll", "left", 60),
        ("hamstring-roll", "right", 60),
    ]
    assert plan["total_s"] == sum(p["duration_s"] for p in plan["phases"])


def test_plan_text_is_a_timetable() -> None:
    """The readable plan lists each phase with its start time and its cues."""
    proc = run("--plan", "sciatica-foam-roll")
    assert proc.returncode == 0
    assert "0:15   2:00  Roll          Figure-4 glute roll" in proc.stdout
    assert "“Switch sides”" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--plan", "sciatica-foam-rol"],
            "unknown routine 'sciatica-foam-rol' (did you mean 'sciatica-foam-roll'?)",
        ),
        (["--routine", "nope"], "unknown routine 'nope'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--json"], "--json goes with --plan"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], message: str) -> None:
    """Unknown routines and bad arguments give exit 2 and a single line."""
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert message in proc.stderr


def test_check_bundled_and_broken(tmp_path: Path) -> None:
    """--check passes the bundled file and fails a broken one with exit 2."""
    assert run("--check").returncode == 0
    bad = tmp_path / "my.json"
    bad.write_text('{"exercises": [{"id": "a", "name": "A", "duraton_s": 3}]}')
    proc = run("--check", str(bad))
    assert proc.returncode == 2
    assert proc.stdout.strip() == (
        f"{bad}:1:41: exercises[0]: unknown key 'duraton_s' (did you mean 'duration_s'?)"
    )


def test_user_file_is_listed_beside_the_bundled_routines(short_path: Path) -> None:
    """With --exercises, --list shows that file's routines after the bundled ones (as the
    README says), and --plan finds them."""
    proc = run("--exercises", str(short_path), "--list")
    assert proc.returncode == 0, proc.stderr
    ids = [line.split()[0] for line in proc.stdout.splitlines()[1:]]
    assert ids[0] == "sciatica-foam-roll" and ids[-1] == "short" and len(ids) == 6
    assert run("--exercises", str(short_path), "--plan", "short", "--json").returncode == 0


def test_broken_user_file_for_list_exits_2(tmp_path: Path) -> None:
    """A broken --exercises file gives its problems and exit 2, never a traceback."""
    bad = tmp_path / "b.json"
    bad.write_bytes(b"\xff\xfe")
    proc = run("--exercises", str(bad), "--list")
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_schema_is_published() -> None:
    """--schema prints the JSON Schema editors can use."""
    proc = run("--schema")
    schema = json.loads(proc.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_export_history_csv(tmp_path: Path) -> None:
    """--export-history writes one CSV row per session with the documented columns."""
    from sciatica_timer.core.records import PainStopRecord, SessionStatus
    from sciatica_timer.core.timeline import PhaseKind, Side
    from sciatica_timer.storage.journal.store import Journal

    journal = Journal.open(tmp_path / "journal.sqlite3")
    sid = journal.start_session("sciatica-foam-roll", "Sciatica foam roll")
    journal.record_pain_stop(
        PainStopRecord(sid, "sciatica-foam-roll", "it-band-roll", "IT-band roll", Side.LEFT,
                       PhaseKind.WORK, "Roll", 12.0)
    )  # fmt: skip
    done = journal.start_session("gentle-flare-up", "Gentle")
    journal.finish_session(done, SessionStatus.COMPLETED, ["a"], [])
    journal.close()
    proc = run("--data-dir", str(tmp_path), "--export-history", "-")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0])[:7] == [
        "session_id",
        "started_at",
        "ended_at",
        "routine_id",
        "status",
        "stopped_exercise",
        "stopped_side",
    ]
    assert {(r["routine_id"], r["status"], r["stopped_side"]) for r in rows} == {
        ("sciatica-foam-roll", "stopped_pain", "left"),
        ("gentle-flare-up", "completed", ""),
    }
    out = tmp_path / "history.csv"
    assert run("--data-dir", str(tmp_path), "--export-history", str(out)).returncode == 0
    assert out.read_text().startswith("session_id,")
    assert not POSIX or out.stat().st_mode & 0o077 == 0


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a clean copy of the checkout (no stale build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    junk = (".venv", "build", "dist", ".git", "*.egg-info", "*_cache", "__pycache__")
    shutil.copytree(ROOT, tmp / "src", ignore=shutil.ignore_patterns(*junk))
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    proc = subprocess.run(
        [*pip, "-w", str(tmp / "dist"), str(tmp / "src")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = (tmp / "dist").glob("sciatica_timer-*.whl")
    return built


def test_installed_wheel_carries_the_library_and_assets(wheel: Path) -> None:
    """`pip install .` gets exercises.json, the schema and the pictures inside the package."""
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "sciatica_timer/data/exercises.json" in names
    assert "sciatica_timer/exercises.schema.json" in names
    assert "sciatica_timer/data/assets/exercises/figure-4-glute-roll.svg" in names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sciatica_timer").rglob("*.py")}
    assert modules - names == set(), "left out of the wheel"


def test_the_installed_wheel_passes_its_self_test_from_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    """Installed from the wheel (every subpackage shipped), --self-test passes in any folder."""
    import zipfile

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what pip install does with a pure wheel
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    code = (
        "import sys, sciatica_timer\n"
        "print(sciatica_timer.__file__)\n"
        "from sciatica_timer.app import main\n"
        "sys.exit(main(['--self-test']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith(str(site)), run.stdout
    assert "self-test: passed" in run.stdout


def test_self_test_passes_from_source() -> None:
    """--self-test checks library, window, sound, speech and journal and exits 0."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sciatica_timer", "--self-test"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check in ("library: ok", "routines: ok", "window: ok", "journal: ok"):
        assert check in proc.stdout
    assert "self-test: passed" in proc.stdout
    assert "Audio saved" not in proc.stdout, "pyttsx3's per-file chatter stays off the terminal"


def _two_sessions(data: Path) -> None:
    from sciatica_timer.core.records import SessionStatus
    from sciatica_timer.storage.journal.store import Journal

    with Journal.open(data / "journal.sqlite3") as journal:
        for name in ("A", "B"):
            sid = journal.start_session(name.lower(), name)
            journal.finish_session(sid, SessionStatus.COMPLETED, ["x"])


def test_export_history_to_a_file_says_where_and_how_many(tmp_path: Path) -> None:
    """--export-history FILE prints the file's full path and how many sessions it holds."""
    _two_sessions(tmp_path)
    proc = run("--data-dir", str(tmp_path), "--export-history", "out.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Wrote 2 sessions to {tmp_path.resolve() / 'out.csv'}\n"
    assert proc.stderr == ""
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 3


def test_export_history_of_one_session_says_session(tmp_path: Path) -> None:
    """One session is '1 session'."""
    from sciatica_timer.storage.journal.store import Journal

    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        journal.start_session("a", "A")
    proc = run("--data-dir", str(tmp_path), "--export-history", str(tmp_path / "one.csv"))
    assert proc.stdout.startswith("Wrote 1 session to "), proc.stdout


def test_export_history_to_stdout_is_only_csv(tmp_path: Path) -> None:
    """With '-' standard output holds the CSV alone (nothing else to corrupt it)."""
    _two_sessions(tmp_path)
    proc = run("--data-dir", str(tmp_path), "--export-history", "-")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0][:2] == ["session_id", "started_at"] and len(rows) == 3
    assert "Wrote" not in proc.stdout + proc.stderr


def test_export_history_to_an_unwritable_path_is_one_line(tmp_path: Path) -> None:
    """A FILE that cannot be written: one line naming it on stderr, exit 1, no traceback."""
    _two_sessions(tmp_path)
    target = tmp_path / "no such folder" / "out.csv"
    proc = run("--data-dir", str(tmp_path), "--export-history", str(target))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"sciatica-timer: {target}: cannot write"), proc.stderr


def test_every_plan_has_the_stop_rule_first_and_the_rep_cues() -> None:
    """--plan --json of every routine: the first get-ready says how to stop for spreading
    pain, and rep exercises' own cues are in the plan (the real CLI, in a subprocess)."""
    from sciatica_timer.core.timeline import STOP_RULE

    listing = run("--list").stdout.splitlines()[1:]
    ids = [line.split()[0] for line in listing if line.strip()]
    assert len(ids) >= 5
    library = json.loads((Path(__file__).parents[2] / "exercises.json").read_text())
    rep_cues = {e["id"]: e["cue"] for e in library["exercises"] if "reps" in e and "cue" in e}
    for rid in ids:
        plan = json.loads(run("--plan", rid, "--json").stdout)
        first = next(p for p in plan["phases"] if p["kind"] == "prepare")
        assert STOP_RULE in first["cues"][0]["text"], rid
        seen: set[str] = set()
        for phase in plan["phases"]:
            if phase["exercise"] in rep_cues and phase["exercise"] not in seen:
                seen.add(phase["exercise"])  # said the first time it comes
                texts = [c["text"] for c in phase["cues"]]
                assert rep_cues[phase["exercise"]] in texts, (rid, phase["exercise"])
