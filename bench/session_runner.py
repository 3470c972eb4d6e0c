"""A program for bench/footprint.py to measure from outside, running until it is ended.

    python bench/session_runner.py MODE DATA_DIR

MODE:
- ``bare``: a bare PySide6 label window ticking each second (what every row is held against);
- ``bare-big``: the same label as large as the session's: a window of the session's size,
  the seconds as "m:ss" in digits as tall as the session's (what the countdown alone costs);
- ``no-voice``: a Sciatica Timer session with ``--no-voice`` (sounds on);
- ``voice``: a session as a user runs it by default, voice and sounds on;
- ``every-feature``: voice and sounds on, the voice stop listening (``--voice-stop``) and the
  colour flash on: what a user with every feature on pays.

The session is the bundled sided routine, started as the home screen's Start does (past
the check-in). Nothing here measures anything: the figures are read from /proc by the caller,
so the runner costs the program nothing.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROUTINE = "compress-reactivate-stretch"


def main() -> int:
    mode, data_dir = sys.argv[1], sys.argv[2]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([sys.argv[0]])
    if mode in ("bare", "bare-big"):
        big = mode == "bare-big"
        label = QLabel("2:00" if big else "0")
        label.setWindowTitle("bare")
        if big:
            from PySide6.QtCore import Qt

            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("font-size: 150px; font-weight: 800;")
            label.resize(1334, 696)  # the session window's size on a 1366x768 screen
        label.show()
        count = [0]

        def tick() -> None:
            count[0] += 1
            left = max(0, 120 - count[0] % 121)
            label.setText(f"{left // 60}:{left % 60:02d}" if big else str(count[0]))

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(1000)
        return app.exec()

    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.storage.paths import AppPaths, make_private_dir
    from sciatica_timer.storage.settings import load_settings, save_settings

    flags = {"no-voice": ["--no-voice"], "voice": [], "every-feature": ["--voice-stop"]}[mode]
    if mode == "every-feature":
        path = AppPaths.under(Path(data_dir)).settings
        settings, _ = load_settings(path)
        make_private_dir(path.parent)
        save_settings(path, dataclasses.replace(settings, flash_on=True))
    ctx = build(parse_args(["--data-dir", data_dir, *flags]))
    ctx.window.show_fitted()
    QTimer.singleShot(0, lambda: ctx.window.start_routine(ROUTINE))
    try:
        return app.exec()
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
