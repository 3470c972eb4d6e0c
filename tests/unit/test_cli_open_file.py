"""Opening a routine file with the app: the desktop entry declares the file type, passes the
file, and the command line takes it as the file to import in the window."""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path

import pytest
from support.platforms import linux_only

from sciatica_timer.cli import UsageError, parse_args

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
MIME_TYPE = "application/x-sciatica-timer-routine"


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(LINUX / "sciatica-timer.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_a_file_given_alone_opens_the_window_to_import_it() -> None:
    """`sciatica-timer FILE` (what the desktop runs) keeps the window and names the file."""
    opts = parse_args(["--data-dir", "/tmp/d", "physio.sciatica.json"])
    assert opts.opens_window and opts.open_file == Path("physio.sciatica.json")
    assert parse_args([]).open_file is None


@pytest.mark.parametrize(
    "argv",
    [["--list"], ["--plan", "sciatica-foam-roll"], ["--plan", "sciatica-foam-roll", "--json"]],
)
def test_list_and_plan_are_unaffected_by_the_file_argument(argv: list[str]) -> None:
    """--list and --plan ID parse as before: the routine id is not taken for a file."""
    opts = parse_args(argv)
    assert opts.open_file is None and not opts.opens_window
    assert opts.plan == (argv[1] if len(argv) > 1 else None)


def test_a_file_with_a_command_is_refused_with_the_way_to_import() -> None:
    """A FILE beside --list is a usage error pointing at --import, never silently ignored."""
    with pytest.raises(UsageError, match=r"--import physio\.json"):
        parse_args(["--list", "physio.json"])


def test_the_desktop_entry_opens_the_routine_file_type() -> None:
    """Exec passes one file (%f); MimeType is the type the shared-mime-info file declares,
    and the metainfo says the app provides it."""
    entry = _entry()
    assert entry["Exec"] == "sciatica-timer %f"
    assert entry["MimeType"] == f"{MIME_TYPE};"
    mime = (LINUX / "sciatica-timer.xml").read_text(encoding="utf-8")
    assert re.findall(r'mime-type type="([^"]+)"', mime) == [MIME_TYPE]
    assert '<glob pattern="*.sciatica.json"' in mime
    metainfo = next(LINUX.glob("*.metainfo.xml")).read_text(encoding="utf-8")
    assert f"<mediatype>{MIME_TYPE}</mediatype>" in metainfo


@linux_only
def test_the_desktop_entry_validates_and_the_type_builds(tmp_path: Path) -> None:
    """desktop-file-validate accepts the entry, and update-mime-database builds the type,
    mapping *.sciatica.json to it (the tools CI installs)."""
    check = subprocess.run(
        ["desktop-file-validate", str(LINUX / "sciatica-timer.desktop")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and check.stdout == "", check.stdout + check.stderr
    (tmp_path / "packages").mkdir()
    (tmp_path / "packages" / "sciatica-timer.xml").write_bytes(
        (LINUX / "sciatica-timer.xml").read_bytes()
    )
    build = subprocess.run(["update-mime-database", str(tmp_path)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    globs = (tmp_path / "globs2").read_text(encoding="utf-8").splitlines()
    assert f"60:{MIME_TYPE}:*.sciatica.json" in globs
    assert (tmp_path / "application" / "x-sciatica-timer-routine.xml").is_file()
