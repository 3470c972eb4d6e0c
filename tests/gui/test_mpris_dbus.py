"""The session as an MPRIS media player, driven over a private session bus with dbus-send
(what a desktop does with the media keys and a headset's button): the real app, a fake
clock, and the bus name held only while a session runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = textwrap.dedent(
    """
    import os, subprocess, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import SLOT, QObject, Slot
    from PySide6.QtDBus import QDBusConnection, QDBusMessage
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.core.clock import FakeClock
    app = QApplication([])
    NAME = "org.mpris.MediaPlayer2.sciatica_timer"
    PATH = "/org/mpris/MediaPlayer2"
    PLAYER = "org.mpris.MediaPlayer2.Player"
    ctx = build(parse_args(["--data-dir", sys.argv[1], "--no-voice"]), clock=FakeClock())
    engine = lambda: ctx.controller.engine

    def wait(done, what):
        # as qtbot.waitUntil does: the events run between looks, up to a deadline
        deadline = time.monotonic() + 10
        while not done():
            assert time.monotonic() < deadline, what
            QTest.qWait(5)

    def dbus_send(*args, dest=NAME, path=PATH):
        # the app answers while dbus-send waits: the event loop runs until it has exited
        proc = subprocess.Popen(
            ["dbus-send", "--session", "--print-reply", f"--dest={dest}", path, *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        wait(lambda: proc.poll() is not None, f"dbus-send {args}")
        out = proc.stdout.read()
        assert proc.returncode == 0, out
        return out

    def call(method):
        dbus_send(f"{PLAYER}.{method}")

    def get(prop, interface=PLAYER):
        return dbus_send("org.freedesktop.DBus.Properties.Get",
                         f"string:{interface}", f"string:{prop}")

    def owned(name=NAME):
        out = dbus_send("org.freedesktop.DBus.NameHasOwner", f"string:{name}",
                        dest="org.freedesktop.DBus", path="/org/freedesktop/DBus")
        return "boolean true" in out

    class Watcher(QObject):
        # PropertiesChanged as a desktop's media widget hears it, on a connection of its
        # own; only the signature the specification gives matches (an "av" would not)
        def __init__(self):
            super().__init__()
            self.heard = []
            bus = QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, "desktop")
            assert bus.connect("", PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                               "sa{sv}as", self, SLOT("got(QString,QVariantMap,QStringList)"))

        @Slot(str, "QVariantMap", "QStringList")
        def got(self, interface, changed, invalidated):
            assert interface == PLAYER and invalidated == [], (interface, invalidated)
            self.heard.append(changed)

    def heard(watcher, key, value=None, since=0):
        return any(
            key in c and (value is None or c[key] == value) for c in watcher.heard[since:]
        )

    def start():
        ctx.window.start_routine("sciatica-foam-roll")
        assert ctx.controller.running
    """
)

FOLLOWS = textwrap.dedent(
    """
    assert not owned(), "a player before any session"
    watcher = Watcher()
    start()
    assert owned(), "no player while a session runs"
    assert 'string "Playing"' in get("PlaybackStatus")
    meta = get("Metadata")
    phase = engine().phase
    exercise = (phase.exercise or engine().snapshot(0).next_phase.exercise).name
    assert exercise in meta and "Sciatica foam roll" in meta, meta
    assert f'object path "/org/sciatica_timer/phase/{phase.index}"' in meta, meta
    print("title", meta.split('"xesam:title"')[1].split('"')[1])
    assert "boolean true" in get("CanGoNext") and "boolean false" in get("CanSeek")

    call("PlayPause")
    wait(lambda: engine().state.value == "paused", "PlayPause did not pause")
    assert 'string "Paused"' in get("PlaybackStatus")
    wait(lambda: heard(watcher, "PlaybackStatus", "Paused"), "no PropertiesChanged: Paused")
    call("Play")  # a headset's one button: Play resumes too
    wait(lambda: engine().state.value == "running", "Play did not resume")
    wait(lambda: heard(watcher, "PlaybackStatus", "Playing"), "no PropertiesChanged: Playing")
    call("Play")
    wait(lambda: engine().state.value == "paused", "Play did not pause")
    call("PlayPause")
    wait(lambda: engine().state.value == "running", "PlayPause did not resume")

    before = engine().phase.index
    told = len(watcher.heard)
    call("Next")
    wait(lambda: engine().phase.index == before + 1, "Next did not skip")
    wait(lambda: heard(watcher, "Metadata", since=told), "no PropertiesChanged: Metadata")
    meta, work = get("Metadata"), engine().phase
    assert f'"/org/sciatica_timer/phase/{before + 1}"' in meta
    assert work.kind.value == "work" and work.side is not None  # the first roll, one side
    assert f'string "{work.exercise.name}, {work.side_words}"' in meta, meta
    call("Previous")
    wait(lambda: engine().phase.index == before, "Previous did not go back")

    for _ in range(2):  # Stop pauses, and a second Stop does not resume nor end
        call("Stop")
        wait(lambda: engine().state.value == "paused", "Stop did not pause")
        assert ctx.controller.running and owned()
    call("PlayPause")
    wait(lambda: engine().state.value == "running", "PlayPause did not resume")
    call("Pause")
    wait(lambda: engine().state.value == "paused", "Pause did not pause")
    call("Pause")
    assert engine().state.value == "paused"

    ctx.controller.end()
    wait(lambda: ctx.window.stack.currentWidget() is ctx.window.done, "no done screen")
    assert not owned(), "still a player on the done screen"
    wait(lambda: heard(watcher, "PlaybackStatus", "Stopped"), "no PropertiesChanged: Stopped")
    call_failed = subprocess.run(
        ["dbus-send", "--session", "--print-reply", f"--dest={NAME}", PATH, f"{PLAYER}.Play"],
        capture_output=True,
    ).returncode  # the bus answers that nobody has the name: the app is not asked
    assert call_failed != 0
    ctx.window.show_home()

    start()  # the next session is a player again; a pain stop gives up the name
    assert owned()
    ctx.controller.pain_stop()
    wait(lambda: ctx.window.stack.currentWidget() is ctx.window.safety, "no safety screen")
    assert not owned(), "still a player on the safety screen"
    ctx.close()
    print("ok")
    """
)

ROOT_INTERFACE = textwrap.dedent(
    """
    start()
    root = "org.mpris.MediaPlayer2"
    assert 'string "Sciatica Timer"' in get("Identity", root)
    assert 'string "sciatica-timer"' in get("DesktopEntry", root)
    assert "boolean false" in get("CanQuit", root)
    assert "boolean true" in get("CanRaise", root)
    assert "boolean false" in get("HasTrackList", root)
    assert get("SupportedUriSchemes", root).split("variant", 1)[1].split() == ["array", "[", "]"]
    ctx.window.showMinimized()
    wait(lambda: ctx.window.isMinimized(), "not minimised")
    dbus_send(f"{root}.Raise")
    wait(lambda: not ctx.window.isMinimized(), "Raise did not bring the window back")
    ctx.controller.end()
    ctx.close()
    print("ok")
    """
)


def _run(body: str, data: Path, env: dict[str, str] | None = None) -> list[str]:
    script = PRELUDE + body
    command = [sys.executable, "-c", script, str(data)]
    if env is None:
        command = ["dbus-run-session", "--", *command]
    proc = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    if env is not None:  # no bus: not a word (under dbus-run-session, the daemon's own)
        assert proc.stderr == ""
    return proc.stdout.splitlines()


def _data(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text('{"sounds_on": false}')
    return tmp_path


def test_the_media_buttons_drive_the_session_over_the_bus(tmp_path: Path) -> None:
    """PlayPause and Play toggle, Pause and Stop only pause (a session is never lost),
    Next and Previous skip and go back; PlaybackStatus and Metadata follow, with
    PropertiesChanged; the name is held only while a session runs."""
    lines = _run(FOLLOWS, _data(tmp_path))
    assert lines[-1] == "ok"
    assert lines[0].startswith("title Get ready: ")  # the routine opens with a get ready


def test_the_player_says_who_it_is_and_raise_brings_the_window_back(tmp_path: Path) -> None:
    """org.mpris.MediaPlayer2: the identity and desktop entry, no quit, Raise works."""
    assert _run(ROOT_INTERFACE, _data(tmp_path))[-1] == "ok"


def test_without_a_session_bus_a_session_runs_and_nothing_is_said(tmp_path: Path) -> None:
    """No bus (none at that address, or no address at all): no player, no traceback, no
    warning, and the session runs as ever."""
    body = textwrap.dedent(
        """
        start()
        ctx.controller.toggle_pause()
        assert engine().state.value == "paused"
        assert ctx.media is not None and ctx.media.bus_name == ""
        ctx.controller.end()
        ctx.close()
        print("ok")
        """
    )
    for address in ("unix:path=/nonexistent/bus", None):
        env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
        if address:
            env["DBUS_SESSION_BUS_ADDRESS"] = address
        folder = tmp_path / ("none" if address is None else "dead")
        folder.mkdir()
        proc_lines = _run(body, _data(folder), env=env)
        assert proc_lines == ["ok"]


def test_with_the_name_taken_the_session_takes_an_instance_name(tmp_path: Path) -> None:
    """Another player holds the name (a second window, for another data folder): the
    session is a player as the specification asks, as NAME.instance<pid>, and gives it up."""
    body = textwrap.dedent(
        """
        other = QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, "other")
        assert other.registerService(NAME)
        start()
        mine = f"{NAME}.instance{os.getpid()}"
        assert ctx.media.bus_name == mine and owned(mine)
        dbus_send(f"{PLAYER}.Next", dest=mine)
        wait(lambda: engine().phase.index == 1, "Next did not skip")
        ctx.controller.end()
        wait(lambda: not owned(mine), "the instance name is still held")
        assert owned(), "the other player lost its name"
        ctx.close()
        print("ok")
        """
    )
    assert _run(body, _data(tmp_path))[-1] == "ok"
