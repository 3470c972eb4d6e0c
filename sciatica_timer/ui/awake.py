"""Keep the screen awake during a session; a quiet no-op where the system has no way."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import subprocess
import sys

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

_ES_CONTINUOUS = 0x80000000
_ES_SYSTEM_REQUIRED = 0x00000001
_ES_DISPLAY_REQUIRED = 0x00000002


class ScreenAwake(QObject):
    """Inhibits screen blanking and locking while ``active``.

    Linux: the freedesktop ScreenSaver D-Bus interface. Windows:
    SetThreadExecutionState. macOS: a ``caffeinate`` child tied to this process.

    ``set_enabled(False)`` (the "keep the screen awake" setting off) releases at once and
    keeps the screen free until it is enabled again, which inhibits again if a session
    still wants it.
    """

    def __init__(self, app_name: str = "Sciatica Timer", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app_name = app_name
        self._cookie: int | None = None
        self._caffeinate: subprocess.Popen[bytes] | None = None
        self.active = False
        self.backend = "none"
        self.enabled = True
        self.wanted = False
        """A session wants the screen awake (whether or not it is enabled)."""
        self._reason = ""

    def set_enabled(self, on: bool) -> None:
        """The "keep the screen awake" setting, live."""
        self.enabled = on
        if not on:
            self._release()
        elif self.wanted:
            self._inhibit(self._reason)

    def inhibit(self, reason: str = "A guided session is running") -> None:
        self.wanted = True
        self._reason = reason
        if self.enabled:
            self._inhibit(reason)

    def release(self) -> None:
        self.wanted = False
        self._release()

    def _inhibit(self, reason: str) -> None:
        if self.active:
            return
        self.active = True
        try:
            if sys.platform == "win32":
                kernel = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
                kernel.SetThreadExecutionState(
                    _ES_CONTINUOUS | _ES_SYSTEM_REQUIRED | _ES_DISPLAY_REQUIRED
                )
                self.backend = "windows"
            elif sys.platform == "darwin":
                self._caffeinate = subprocess.Popen(
                    ["caffeinate", "-d", "-i", "-w", str(os.getpid())],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                self.backend = "caffeinate"
            else:
                self._inhibit_dbus(reason)
        except (OSError, AttributeError) as exc:  # absent support is a quiet no-op
            log.info("cannot keep the screen awake: %s", exc)

    def _inhibit_dbus(self, reason: str) -> None:
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        iface = QDBusInterface(
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            bus,
        )
        if not iface.isValid():
            return
        iface.setTimeout(500)
        reply = iface.call("Inhibit", self._app_name, reason)
        if reply.type() == QDBusMessage.MessageType.ReplyMessage and reply.arguments():
            self._cookie = int(reply.arguments()[0])
            self.backend = "dbus"

    def _release(self) -> None:
        if not self.active:
            return
        self.active = False
        with contextlib.suppress(OSError, AttributeError):
            if sys.platform == "win32":
                kernel = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
                kernel.SetThreadExecutionState(_ES_CONTINUOUS)
            elif self._caffeinate is not None:
                self._caffeinate.terminate()
                self._caffeinate.wait(timeout=1)
                self._caffeinate = None
            elif self._cookie is not None:
                self._uninhibit_dbus(self._cookie)
                self._cookie = None

    @staticmethod
    def _uninhibit_dbus(cookie: int) -> None:
        """UnInhibit takes a uint32, and PySide6 sends every Python int as an int32, which
        the screensaver rejects; dbus-send can say uint32. Not waited for. (The bus also
        ends the inhibition when the app quits.)"""
        sender = shutil.which("dbus-send")
        if sender is None:
            return
        subprocess.Popen(
            [
                sender,
                "--session",
                "--type=method_call",
                "--dest=org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver.UnInhibit",
                f"uint32:{cookie}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
