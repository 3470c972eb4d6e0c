"""Shared by the speech tests: what a ``CueRenderer`` reports through its callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


class Collector:
    """Records the renderer's callbacks and the threads they ran on. ``all_rendered`` is
    set once ``expect`` texts are rendered, ``failed`` on a failure; ``wait_for(n)`` waits
    until n texts are rendered (False on a failure or timeout)."""

    def __init__(self, expect: int = 0) -> None:
        self.rendered: dict[str, Path] = {}
        self.failures: list[str] = []
        self.threads: set[str] = set()
        self._expect = expect
        self.all_rendered = threading.Event()
        self.failed = threading.Event()
        self._changed = threading.Condition()

    def on_rendered(self, text: str, path: Path) -> None:
        with self._changed:
            self.rendered[text] = path
            self.threads.add(threading.current_thread().name)
            if len(self.rendered) >= self._expect:
                self.all_rendered.set()
            self._changed.notify_all()

    def on_failure(self, reason: str) -> None:
        with self._changed:
            self.failures.append(reason)
            self.threads.add(threading.current_thread().name)
            self.failed.set()
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> bool:
        with self._changed:
            return (
                self._changed.wait_for(
                    lambda: len(self.rendered) >= count or bool(self.failures), timeout
                )
                and not self.failures
            )


MakeRenderer = Callable[..., tuple[Any, Collector]]
"""``make_renderer(expect=0, cache=None, **CueRenderer options) -> (renderer, collector)``."""
