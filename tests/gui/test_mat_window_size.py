"""The window opens to fit the screen, and every session control shows whole on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize

from sciatica_timer.ui.screens.main_window import opening_size

SHOW_ON_SCREEN = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QApplication, QPushButton
    app = QApplication([])
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.core.clock import FakeClock
    ctx = build(parse_args(["--data-dir", sys.argv[1], "--no-voice"]), clock=FakeClock())
    window = ctx.window
    window.show_fitted()
    for _ in range(50):
        app.processEvents()
    window.start_routine("sciatica-foam-roll")
    for _ in range(50):
        app.processEvents()
    view = window.session
    def rect(w):
        return list(QRect(w.mapTo(window, QPoint(0, 0)), w.size()).getRect())
    print(json.dumps({
        "maximised": window.isMaximized(),
        "frame": list(window.frameGeometry().getRect()),
        "window": [0, 0, window.width(), window.height()],
        "available": list(window.screen().availableGeometry().getRect()),
        "buttons": {b.objectName(): rect(b) for b in view.findChildren(QPushButton)
                    if b.isVisible()},
        "stop_visible": view.pain_button.isVisible(),
    }))
    ctx.close()
    """
)


def _contains(outer: list[int], inner: list[int]) -> bool:
    return QRect(*outer).contains(QRect(*inner))


@pytest.mark.parametrize(("width", "height"), [(1024, 600), (1280, 720), (1920, 1080)])
def test_window_opens_within_the_screen_with_every_session_button_whole(
    tmp_path: Path, width: int, height: int
) -> None:
    """On a screen of this size (the offscreen platform's screen, from a config file, so in
    a process of its own) the window fits the available geometry, maximised up to 1366x768,
    and the stop button and every other control of a session lie whole inside it."""
    screens = {"screens": [{"name": "mat", "x": 0, "y": 0, "width": width, "height": height,
                            "logicalDpi": 96, "dpr": 1}]}  # fmt: skip
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(screens))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_ON_SCREEN, str(tmp_path / "data")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["available"] == [0, 0, width, height]
    assert shown["maximised"] is (width <= 1366)
    assert _contains(shown["available"], shown["frame"])
    assert shown["stop_visible"]
    buttons = shown["buttons"]
    assert "painStopButton" in buttons and len(buttons) >= 7
    for name, rect in buttons.items():
        assert _contains(shown["window"], rect), f"{name} {rect} is cut off at {width}x{height}"


def test_opening_size_maximises_small_screens_and_fits_larger_ones() -> None:
    for small in (QRect(0, 0, 1024, 600), QRect(0, 0, 1280, 720), QRect(0, 27, 1366, 741)):
        assert opening_size(small) is None
    for available in (QRect(0, 0, 1440, 870), QRect(0, 0, 1920, 1050), QRect(0, 0, 3840, 2110)):
        size = opening_size(available)
        assert size is not None
        assert size.width() <= available.width() - 32 and size.height() <= available.height() - 72
        assert size.width() >= min(1280, available.width() - 32)
    assert opening_size(QRect(0, 0, 1920, 1050)) == QSize(1344, 788)
