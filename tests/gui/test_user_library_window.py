"""The user's library in the real window: imported routines show beside the bundled ones
and are selectable after a restart; a damaged library.json is moved aside and told once,
the bundled routines still there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext, build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.clock import FakeClock
from sciatica_timer.storage.paths import AppPaths
from sciatica_timer.storage.user_library import UserLibrary

ROOT = Path(__file__).resolve().parents[2]
PHYSIO = ROOT / "tests" / "fixtures" / "prescriptions" / "valid" / "physio-march.sciatica.json"


@pytest.fixture
def start(qtbot: QtBot) -> Iterator[list[AppContext]]:
    """Opens the real window on a data folder (each start closed at the end)."""
    started: list[AppContext] = []
    yield started
    for ctx in started:
        ctx.close()


def _open(qtbot: QtBot, data: Path, started: list[AppContext]) -> AppContext:
    ctx = build(parse_args(["--data-dir", str(data), "--no-voice"]), clock=FakeClock())
    qtbot.addWidget(ctx.window)
    ctx.window.resize(1366, 768)
    ctx.window.show()
    started.append(ctx)
    return ctx


def test_an_imported_routine_is_in_the_window_after_a_restart(
    qtbot: QtBot, tmp_path: Path, start: list[AppContext]
) -> None:
    """Imported through the window's UserLibrary, the routine is selectable in the home
    list; closed and opened again, it is still there, after the bundled ones."""
    ctx = _open(qtbot, tmp_path, start)
    assert ctx.window.user_library is ctx.user_library
    user = ctx.user_library
    imported = user.apply_import(user.plan_import(PHYSIO), {})
    ctx.window.set_library(user.library(), imported[0])
    assert ctx.window.home.selected_routine() == "physio-march"
    ctx.close()
    start.remove(ctx)
    ctx.window.close()
    again = _open(qtbot, tmp_path, start)
    assert list(again.library.routines)[-1] == "physio-march"
    assert again.window.home.select("physio-march")
    assert again.window.home.selected_routine() == "physio-march"
    assert again.notices == []


def test_a_damaged_library_is_moved_aside_and_told_once_in_the_window(
    qtbot: QtBot, tmp_path: Path, start: list[AppContext]
) -> None:
    """The banner names the file and where it went; the bundled routines show; the next
    start says nothing, and a routine saved then is kept."""
    paths = AppPaths.under(tmp_path)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    paths.user_library.write_text('{"routines": [', encoding="utf-8")
    ctx = _open(qtbot, tmp_path, start)
    (aside,) = paths.data_dir.glob("library.json.corrupt-*")
    (notice,) = [m for m in ctx.window.banner.messages() if "routines file" in m]
    assert str(paths.user_library) in notice and aside.name in notice
    assert ctx.window.banner.isVisible()
    assert len(ctx.library.routines) == 5 and ctx.window.home.selected_routine() is not None
    assert aside.read_text(encoding="utf-8") == '{"routines": ['
    ctx.close()
    start.remove(ctx)
    ctx.window.close()
    again = _open(qtbot, tmp_path, start)
    assert not [m for m in again.window.banner.messages() if "routines file" in m]
    assert isinstance(again.user_library, UserLibrary) and again.user_library.blocked is None
