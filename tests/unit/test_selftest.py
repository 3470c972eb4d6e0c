"""The self-test, run from source: its report, its exit code, and what counts as failing."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sciatica_timer import app, selftest
from sciatica_timer.ui import selftest_checks

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ["library", "routines", "window", "sound", "speech", "journal"]


def _report(code_and_text: tuple[int, str]) -> dict[str, str]:
    """Check name -> its line, for the lines between the header and the summary."""
    _, text = code_and_text
    lines = text.splitlines()[1:-1]
    return {line.split(":", 1)[0]: line for line in lines}


def _run() -> tuple[int, str]:
    out = io.StringIO()
    code = app.self_test(out)
    return code, out.getvalue()


def test_passes_from_source_with_one_line_per_check_in_order() -> None:
    """From a source checkout every check reports ok (speech may be none) and it exits 0."""
    code, text = _run()
    lines = text.splitlines()
    assert code == 0, text
    assert lines[0].startswith("Sciatica Timer ") and "self-test (source" in lines[0]
    assert [line.split(":", 1)[0] for line in lines[1:-1]] == CHECKS
    report = _report((code, text))
    for name in ("library", "routines", "window", "journal"):
        assert report[name].startswith(f"{name}: ok ("), report[name]
    for name in ("sound", "speech"):
        assert report[name].startswith((f"{name}: ok (", f"{name}: none (")), report[name]
    assert "exercises" in report["library"] and "routines" in report["library"]
    assert "shown at 1366x768" in report["window"] and "QtCharts" in report["window"]
    assert lines[-1].startswith("self-test: passed in ")


def test_missing_speech_engine_is_reported_as_none_and_does_not_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No usable pyttsx3 driver: 'speech: none (reason; install hint)', exit code still 0."""
    import pyttsx3

    def no_driver(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("no espeak here")

    monkeypatch.setattr(pyttsx3, "init", no_driver)
    code, text = _run()
    assert code == 0, text
    speech = _report((code, text))["speech"]
    assert speech.startswith("speech: none (") and "no espeak here" in speech
    assert speech.endswith("on Debian/Ubuntu: apt-get install libespeak-ng1)")


def test_a_broken_bundled_sound_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A bundled sound that is not a readable WAV (a broken bundle) fails the check."""
    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets)
    chime = assets / "sounds" / "chime.wav"
    chime.write_bytes(chime.read_bytes()[:30])
    monkeypatch.setattr(selftest, "assets_dir", lambda: assets)
    monkeypatch.setattr(selftest_checks, "assets_dir", lambda: assets)
    code, text = _run()
    sound = _report((code, text))["sound"]
    assert code == 1, text
    assert sound.startswith("sound: FAIL (chime.wav cannot be read: ")
    assert "sound: " in text.splitlines()[-1]


def test_broken_library_fails_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A bundled library that does not validate: FAIL lines naming the problem, exit 1."""
    broken = tmp_path / "exercises.json"
    broken.write_text('{"exercises": [{"id": "x"}]}', encoding="utf-8")
    monkeypatch.setattr(selftest, "bundled_library", lambda: broken)
    code, text = _run()
    report = _report((code, text))
    assert code == 1, text
    assert report["library"].startswith("library: FAIL (") and "name" in report["library"]
    assert report["routines"] == "routines: FAIL (no library to compile)"
    assert report["journal"].startswith("journal: ok (")
    assert text.splitlines()[-1].startswith("self-test: FAILED in ")
    assert "library: " in text.splitlines()[-1]


def test_importing_it_does_not_load_qt() -> None:
    """The module imports no Qt until the window check runs."""
    code = "import sys, sciatica_timer.selftest; assert 'PySide6' not in sys.modules"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_without_the_qt_checks_it_loads_no_qt_and_says_none_for_them() -> None:
    """selftest.run alone (no window or sound check handed in) never imports Qt."""
    code = (
        "import io, sys\n"
        "from sciatica_timer import selftest\n"
        "out = io.StringIO()\n"
        "code = selftest.run(out)\n"
        "print(out.getvalue())\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = _report((0, proc.stdout.strip()))
    assert report["window"].startswith("window: none (the window check needs"), report["window"]
    assert report["sound"].startswith("sound: none (the sound check needs"), report["sound"]
    assert report["journal"].startswith("journal: ok ("), report["journal"]


def test_it_reads_the_users_own_library_and_never_changes_it(tmp_path: Path) -> None:
    """With a data folder, a 'your library' line after 'routines': none yet; then the
    imported routine counted; then a broken file fails with its first problem and is left
    exactly where and as it was (the window moves it aside, not the self-test)."""
    from support.processes import cli

    data = tmp_path / "data"
    first = cli("--data-dir", str(data), "--self-test")
    mine = _report((first.returncode, first.stdout))["your library"]
    assert mine.startswith("your library: ok (no routines or exercises of your own yet")
    assert [line.split(":", 1)[0] for line in first.stdout.splitlines()[1:4]] == [
        "library",
        "routines",
        "your library",
    ]
    physio = ROOT / "tests" / "fixtures" / "prescriptions" / "valid" / "physio-march.sciatica.json"
    assert cli("--data-dir", str(data), "--import", str(physio)).returncode == 0
    second = cli("--data-dir", str(data), "--self-test")
    mine = _report((second.returncode, second.stdout))["your library"]
    assert second.returncode == 0, second.stdout
    assert mine.startswith("your library: ok (1 routine, 0 exercises of your own in ")
    broken = data / "library.json"
    broken.write_text('{"routines": [{"id": "x", "name": "X", "steps": []}]}\n')
    third = cli("--data-dir", str(data), "--self-test")
    mine = _report((third.returncode, third.stdout))["your library"]
    assert third.returncode == 1
    assert mine.startswith("your library: FAIL (1 problem(s), first: ") and "steps" in mine
    assert broken.read_text() == '{"routines": [{"id": "x", "name": "X", "steps": []}]}\n'
    assert sorted(p.name for p in data.glob("library.json*")) == ["library.json"]
