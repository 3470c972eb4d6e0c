"""Keeping the screen awake through the freedesktop ScreenSaver interface, over a real bus."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER = ROOT / "tests" / "fixtures" / "screensaver_peer.py"

SCRIPT = textwrap.dedent(
    """
    import subprocess, sys, time
    peer = subprocess.Popen([sys.executable, sys.argv[1]], stdout=subprocess.PIPE, text=True)
    assert peer.stdout.readline().strip() == "ready"
    from PySide6.QtCore import QCoreApplication
    app = QCoreApplication([])
    from sciatica_timer.ui.awake import ScreenAwake
    awake = ScreenAwake()
    awake.inhibit("test reason")
    print("backend", awake.backend, flush=True)
    awake.release()
    time.sleep(1.0)  # dbus-send is not waited for
    peer.terminate()
    print(peer.stdout.read().strip())
    """
)


def test_inhibit_and_release_reach_the_screensaver() -> None:
    """On a private session bus, Inhibit gets a cookie and UnInhibit hands it back as uint32."""
    proc = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT, str(PEER)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "backend dbus"
    assert lines[1] == "inhibit Sciatica Timer test reason"
    assert lines[2] == "uninhibit 42"
