"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.speech import Collector, MakeRenderer


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where a journal is opened: a data folder that does not exist yet."""
    return tmp_path / "data" / "journal.sqlite3"


@pytest.fixture
def make_renderer(tmp_path: Path) -> Iterator[MakeRenderer]:
    """Real renderers with a collector each, all shut down (and checked) afterwards."""
    from sciatica_timer.speech.renderer import CueRenderer

    made: list[CueRenderer] = []

    def make(expect: int = 0, cache: Path | None = None, **kw: Any) -> tuple[Any, Collector]:
        got = Collector(expect)
        renderer = CueRenderer(
            cache or tmp_path / "cache",
            on_failure=got.on_failure,
            on_rendered=got.on_rendered,
            **kw,
        )
        made.append(renderer)
        return renderer, got

    yield make
    for renderer in made:
        assert renderer.shutdown(timeout=5), "the speech worker did not stop"
