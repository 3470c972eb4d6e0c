"""Closing the window mid-session asks once, as E does; the program's own quit never asks.

The ask is for the user's close only: the window manager's request (the title bar's close
button, Alt+F4), which reaches Qt as a spontaneous close event. Offscreen there is no window
manager, so the first test runs the real app on an X server (Xvfb) and sends the very
message a window manager sends (``WM_DELETE_WINDOW``) with python-xlib.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from pytestqt.qtbot import QtBot
from support.journal import query

from sciatica_timer.app import AppContext

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest
    app = QApplication([])
    from Xlib import X, display, protocol
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.ui.screens.main_window import CLOSE_AGAIN

    ctx = build(parse_args(["--data-dir", sys.argv[1], "--no-voice"]))
    window = ctx.window

    def wait(what, condition):
        deadline = time.monotonic() + 30
        while not condition():
            if time.monotonic() > deadline:
                sys.exit(f"timed out waiting for {what}")
            QTest.qWait(10)

    def close_as_the_window_manager_does():
        x = display.Display()
        target = x.create_resource_object("window", int(window.winId()))
        message = protocol.event.ClientMessage(
            window=target, client_type=x.intern_atom("WM_PROTOCOLS"),
            data=(32, [x.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]))
        target.send_event(message, event_mask=X.NoEventMask)
        x.sync()  # a round trip: the server has sent it on before this connection closes
        x.close()

    window.show()
    if not QTest.qWaitForWindowExposed(window, 60000):
        sys.exit("the window was never shown")
    window.start_routine("gentle-flare-up")
    close_as_the_window_manager_does()
    wait("the question", lambda: CLOSE_AGAIN in window.banner.messages())
    print("after one close:", window.isVisible(), ctx.controller.running, flush=True)
    close_as_the_window_manager_does()
    wait("the window to close", lambda: not window.isVisible())
    print("after two:", window.isVisible(), ctx.controller.running, flush=True)
    ctx.close()
    """
)


def test_the_window_managers_close_asks_once_and_a_second_ends_the_session(
    tmp_path: Path,
) -> None:
    """A close from the title bar mid-session leaves the session running and says how to
    end it; a second close ends it (recorded as ended early) and closes the window."""
    assert shutil.which("xvfb-run"), "this test needs an X server: apt-get install xvfb xauth"
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-c", SCRIPT,
         str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["after one close: True True", "after two: False False"]
    rows = query(tmp_path / "journal.sqlite3", "SELECT status FROM session")
    assert rows == [("ended_early",)]


def test_the_programs_own_close_never_asks(ctx: AppContext, qtbot: QtBot) -> None:
    """close() from the program (as quit and logging out do) closes at once; the session is
    left as it was, to be reported as interrupted at the next start."""
    window = ctx.window
    window.start_routine("gentle-flare-up")
    assert window.close()
    assert not window.isVisible()
    assert ctx.controller.running, "not ended: the journal keeps it as running"
    assert not window.banner.messages()


def test_a_close_between_sessions_never_asks(ctx: AppContext) -> None:
    assert ctx.window.close()
    assert not ctx.window.banner.messages()
