"""The "keep the screen awake" setting, seen by the screensaver over a private session bus:
off, a session asks nothing; on again (no restart), the next session inhibits; and off
still holds after a restart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER = ROOT / "tests" / "fixtures" / "screensaver_peer.py"

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    peer = subprocess.Popen([sys.executable, sys.argv[1]], stdout=subprocess.PIPE, text=True)
    assert peer.stdout.readline().strip() == "ready"
    from PySide6.QtDBus import QDBusConnection, QDBusInterface
    from PySide6.QtWidgets import QApplication
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.core.clock import FakeClock
    app = QApplication([])
    data = sys.argv[2]

    def start():
        return build(parse_args(["--data-dir", data, "--no-voice"]), clock=FakeClock())

    def heard():
        return peer.stdout.readline().strip()

    def marker(text):
        # Calls on one bus arrive in order: had the app inhibited before this, the peer
        # would have printed that first.
        iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                               "org.freedesktop.ScreenSaver", QDBusConnection.sessionBus())
        iface.call("Inhibit", "marker", text)

    def keep_awake(ctx, on):
        ctx.window.show_settings()
        ctx.window.settings_page.keep_awake.setChecked(on)
        ctx.window.settings_page.back.click()

    def session(ctx):
        ctx.window.start_routine("sciatica-foam-roll")
        assert ctx.controller.running

    def end(ctx):
        ctx.controller.end()
        ctx.window.show_home()

    ctx = start()
    keep_awake(ctx, False)
    session(ctx)
    marker("off")
    print(heard())
    end(ctx)
    keep_awake(ctx, True)
    session(ctx)
    print(heard())
    end(ctx)
    print(heard())
    keep_awake(ctx, False)
    ctx.close()
    ctx = start()
    session(ctx)
    marker("off after a restart")
    print(heard())
    end(ctx)
    ctx.close()
    peer.terminate()
    """
)


def test_the_keep_awake_setting_reaches_the_screensaver(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text('{"sounds_on": false}')
    proc = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT, str(PEER), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "inhibit marker off",
        "inhibit Sciatica Timer A guided session is running",
        "uninhibit 42",
        "inhibit marker off after a restart",
    ]
