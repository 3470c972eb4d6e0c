"""Health data is readable by the user only, whatever the umask, and the app never changes
the mode of a folder or file it did not create, nor anything through a symbolic link."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from sciatica_timer import app
from sciatica_timer.cli import parse_args
from sciatica_timer.speech.engine import use_bundled_espeak
from sciatica_timer.speech.renderer import CueRenderer
from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.storage.paths import AppPaths, make_private_dir
from sciatica_timer.storage.settings import Settings, save_settings

ROOT = Path(__file__).resolve().parents[2]
UMASKS = pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask000", "umask022"])
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
LOG_NAME = "sciatica-timer.log"


def mode(path: Path) -> int:
    """The permission bits of the path itself (a symbolic link is not followed)."""
    return stat.S_IMODE(os.lstat(path).st_mode)


@contextmanager
def set_umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@contextmanager
def logging_set_up(paths: AppPaths) -> Iterator[list[str]]:
    """The app's own log set-up; its handlers are closed afterwards."""
    try:
        yield app._setup_logging(paths)
    finally:
        app._close_log_handlers()


def use_every_folder(paths: AppPaths) -> None:
    """Write the log, the journal, the settings and make the speech cache, as the app does."""
    with logging_set_up(paths) as notices:
        assert notices == []
        logging.getLogger("sciatica_timer").info("started")
        with Journal.open(paths.journal) as journal:
            journal.start_session("r", "R")
            assert journal.writable, journal.notices
            for side in ("-wal", "-shm"):
                wal = paths.journal.with_name(paths.journal.name + side)
                assert mode(wal) == 0o600, side
        assert save_settings(paths.settings, Settings()) is None
        make_private_dir(paths.speech_cache)


def _espeak_loads() -> bool:
    if use_bundled_espeak():
        return True
    try:
        ctypes.CDLL("libespeak-ng.so.1")
    except OSError:
        return False
    return True


@UMASKS
def test_new_folders_and_files_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """Every folder level the app creates below AppPaths.under() is 0700, and the settings,
    journal and log are 0600, under a umask of 000 and of 022 (mkdir's mode is masked by the
    umask, and mkdir(parents=True) ignores it for the parents)."""
    paths = AppPaths.under(tmp_path / "new" / "deeper")
    with set_umask(umask):
        use_every_folder(paths)
    root = paths.data_dir
    created = [root.parent, root, paths.config_dir, paths.cache_dir, paths.speech_cache]
    for folder in [*created, paths.log_dir]:
        assert mode(folder) == 0o700, folder
    for file in (paths.settings, paths.journal, paths.log_dir / LOG_NAME):
        assert mode(file) == 0o600, file


def test_rotated_logs_are_private_under_a_loose_umask(tmp_path: Path) -> None:
    """After a rollover the fresh log and the rotated copies are 0600 under umask 022 (the
    stock RotatingFileHandler reopens the log as the umask allows)."""
    paths = AppPaths.under(tmp_path)
    with set_umask(0o022), logging_set_up(paths):
        log = logging.getLogger("sciatica_timer")
        (handler,) = log.handlers
        assert isinstance(handler, RotatingFileHandler)
        for n in range(3):
            log.info("line %d", n)
            handler.doRollover()
        log.info("after")
    names = [LOG_NAME, f"{LOG_NAME}.1", f"{LOG_NAME}.2"]
    assert {name: mode(paths.log_dir / name) for name in names} == dict.fromkeys(names, 0o600)


@pytest.mark.skipif(not _espeak_loads(), reason="needs libespeak-ng (libespeak-ng1)")
@UMASKS
def test_speech_cache_wav_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """A cue rendered by the real pyttsx3 + espeak-ng into a new cache folder is 0600 and the
    folders made for it 0700, under a umask of 000 and of 022."""
    cache = tmp_path / "cache" / "speech"
    rendered: dict[str, Path] = {}
    done, failed = threading.Event(), threading.Event()

    def on_rendered(text: str, path: Path) -> None:
        rendered[text] = path
        done.set()

    renderer = CueRenderer(cache, on_rendered=on_rendered, on_failure=lambda _reason: failed.set())
    try:
        with set_umask(umask):
            renderer.render(["Rest"])
            assert done.wait(30) and not failed.is_set()
    finally:
        assert renderer.shutdown(timeout=5)
    wav = rendered["Rest"]
    assert wav.parent == cache and wav.stat().st_size > 44
    assert (mode(cache.parent), mode(cache), mode(wav)) == (0o700, 0o700, 0o600)
    assert sorted(p.name for p in cache.iterdir()) == [wav.name]


def test_existing_shared_folder_given_as_data_dir_keeps_its_mode(tmp_path: Path) -> None:
    """A shared folder (mode 1777, like /tmp) passed as --data-dir is used but keeps its mode;
    only the folders the app makes inside it become 0700."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    paths = parse_args(["--data-dir", str(shared)]).paths
    with set_umask(0o022):
        use_every_folder(paths)
    assert mode(shared) == 0o1777
    for folder in (paths.config_dir, paths.cache_dir, paths.speech_cache, paths.log_dir):
        assert mode(folder) == 0o700, folder
    assert mode(paths.journal) == 0o600


def test_existing_folders_and_files_keep_their_modes(tmp_path: Path) -> None:
    """Folders and files that were there before (a 0755 folder, a 0644 log and journal) are
    used as they are: the app sets modes only on what it creates."""
    paths = AppPaths.under(tmp_path / "root")
    for folder in (paths.data_dir, paths.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
    log_file = paths.log_dir / LOG_NAME
    log_file.write_text("old line\n", encoding="utf-8")
    log_file.chmod(0o644)
    sqlite3.connect(paths.journal).close()
    paths.journal.chmod(0o644)
    use_every_folder(paths)
    assert (mode(paths.data_dir), mode(paths.log_dir)) == (0o755, 0o755)
    assert (mode(log_file), mode(paths.journal)) == (0o644, 0o644)
    assert log_file.read_text(encoding="utf-8").startswith("old line\n")


def test_journal_symlink_is_refused_and_its_target_keeps_its_mode(tmp_path: Path) -> None:
    """A journal that is a symbolic link to the user's 0644 file is not used (a notice says
    why, sessions are kept in memory): the file keeps its mode and contents, and no -wal/-shm
    appear beside it. The app writes health data only into files whose mode it controls."""
    target = tmp_path / "elsewhere" / "mine.sqlite3"
    target.parent.mkdir()
    sqlite3.connect(target).close()
    target.chmod(0o644)
    before = target.read_bytes()
    paths = AppPaths.under(tmp_path / "data")
    paths.data_dir.mkdir()
    paths.journal.symlink_to(target)
    with Journal.open(paths.journal) as journal:
        journal.start_session("r", "R")
        assert not journal.writable
        assert any("symbolic link" in n for n in journal.notices), journal.notices
    assert mode(target) == 0o644 and target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    assert paths.journal.is_symlink()


def test_log_symlink_is_refused_and_its_target_is_untouched(tmp_path: Path) -> None:
    """A log that is a symbolic link to another 0644 file is not written through: logging
    reports a one-line notice, and the file keeps its mode and contents."""
    target = tmp_path / "other.txt"
    target.write_text("keep\n", encoding="utf-8")
    target.chmod(0o644)
    paths = AppPaths.under(tmp_path / "data")
    paths.log_dir.mkdir(parents=True)
    (paths.log_dir / LOG_NAME).symlink_to(target)
    with logging_set_up(paths) as notices:
        logging.getLogger("sciatica_timer").info("started")
    assert len(notices) == 1 and "symbolic link" in notices[0], notices
    assert mode(target) == 0o644 and target.read_text(encoding="utf-8") == "keep\n"


def _cli_under_umask_022(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m sciatica_timer --data-dir D --export-history -`` under umask 022."""
    command = [sys.executable, "-m", "sciatica_timer", "--data-dir", str(data_dir)]
    command += ["--export-history", "-"]
    sh = shutil.which("sh")
    assert sh is not None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sh, "-c", 'umask 022; exec "$@"', "sh", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_creates_a_private_journal_under_umask_022(tmp_path: Path) -> None:
    """The real command line, under umask 022, creates the journal 0600 and each folder level
    it made 0700."""
    data = tmp_path / "new" / "deeper"
    done = _cli_under_umask_022(data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("session_id,")
    assert (mode(data.parent), mode(data)) == (0o700, 0o700)
    assert mode(data / "journal.sqlite3") == 0o600


def test_cli_leaves_a_shared_data_dir_as_it_was(tmp_path: Path) -> None:
    """The real command line given an existing 1777 folder as --data-dir keeps its mode and
    puts a 0600 journal in it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    done = _cli_under_umask_022(shared)
    assert done.returncode == 0, done.stderr
    assert mode(shared) == 0o1777
    assert mode(shared / "journal.sqlite3") == 0o600


def test_history_exports_are_private_and_never_chmod_an_existing_file(tmp_path: Path) -> None:
    """A new export file is 0600 under a loose umask; a file the user already had keeps its
    mode (the app sets modes only on what it creates)."""
    with Journal.open(tmp_path / "data" / "journal.sqlite3") as journal:
        journal.start_session("r", "R")
    fresh, mine = tmp_path / "fresh.csv", tmp_path / "mine.csv"
    mine.write_text("old")
    mine.chmod(0o644)
    with set_umask(0o022):
        for target in (fresh, mine):
            run = subprocess.run(
                [sys.executable, "-m", "sciatica_timer", "--data-dir", str(tmp_path / "data"),
                 "--export-history", str(target)],
                capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
    assert mode(fresh) == 0o600 and mode(mine) == 0o644
    assert mine.read_text().startswith("session_id")


FULL_DISK_LOG = (
    "import logging, resource, signal, sys\n"
    "from pathlib import Path\n"
    "from sciatica_timer import app\n"
    "from sciatica_timer.storage.paths import AppPaths\n"
    "paths = AppPaths.under(Path(sys.argv[1]))\n"
    "assert app._setup_logging(paths) == []\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))  # writes past 2 kB fail (EFBIG)\n"
    "log = logging.getLogger('sciatica_timer.test')\n"
    "for n in range(200):\n"
    "    log.warning('line %d %s', n, 'x' * 80)\n"
    "print('done', logging.getLogger('sciatica_timer').handlers[0].dropped)\n"
)


def test_a_full_disk_keeps_the_terminal_quiet(tmp_path: Path) -> None:
    """When log lines can no longer be written (a file-size limit: the nearest real fault
    to a full disk that needs no mount), nothing is printed on the terminal, and the app
    carries on."""
    run = subprocess.run(
        [sys.executable, "-c", FULL_DISK_LOG, str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Logging error" not in run.stderr and run.stderr == ""
    done, dropped = run.stdout.split()
    assert done == "done" and int(dropped) > 100


LIBRARY_LOGS_AT_ROOT = (
    "import logging, sys\n"
    "from pathlib import Path\n"
    "from sciatica_timer import app\n"
    "from sciatica_timer.storage.paths import AppPaths\n"
    "assert app._setup_logging(AppPaths.under(Path(sys.argv[1]))) == []\n"
    "logging.debug('a library logging at the root, as pyttsx3 does')\n"
    "logging.getLogger('sciatica_timer.journal').warning('pain stop at the hamstring roll')\n"
)


def test_app_log_lines_never_reach_the_terminal(tmp_path: Path) -> None:
    """A library's bare ``logging.debug`` must not give the root logger a terminal handler
    that then prints the app's own (health) log lines on stderr."""
    run = subprocess.run(
        [sys.executable, "-c", LIBRARY_LOGS_AT_ROOT, str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "hamstring" not in run.stderr
    log = next((tmp_path / "logs").glob("*.log")).read_text()
    assert "pain stop at the hamstring roll" in log
