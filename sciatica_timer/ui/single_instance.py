"""One window per data folder.

Two windows on one journal would each see the other's running session as "interrupted".
The first start holds a ``QLockFile`` in the data folder and listens on a local socket
(a named pipe or Unix socket: never the network); a second start finds the lock taken,
asks the first to come to the front (and to import the file it was opened with, if any),
and exits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Signal

if TYPE_CHECKING:  # QtNetwork is loaded after the first paint, or by a second start
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = ".sciatica-timer.lock"
WAIT_MS = 2000
OPEN = b"open\0"
"""A later start's message naming a file to import: ``open\0`` + the path + ``\0``."""


def server_name(folder: Path) -> str:
    """The local socket's name for this data folder (short: Unix socket paths are limited)."""
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8", "backslashreplace"))
    return f"sciatica-timer-{digest.hexdigest()[:16]}"


def folder_in_use(folder: Path) -> bool:
    """Whether a running window holds this data folder (a killed one's lock does not count)."""
    if not (folder / LOCK_NAME).exists():
        return False
    lock = QLockFile(str(folder / LOCK_NAME))
    lock.setStaleLockTime(0)
    if lock.tryLock(0):
        lock.unlock()
        return False
    return lock.error() is QLockFile.LockError.LockFailedError


class SingleInstance(QObject):
    """``acquire()`` is True for the first start; ``activated`` fires when a later start
    asks this one to come to the front, ``open_requested`` (an absolute path) when it was
    opened with a file."""

    activated = Signal()
    open_requested = Signal(str)

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("singleInstance")
        self._folder = folder
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # held as long as we run; a dead owner's lock is taken
        self._server: QLocalServer | None = None

    def acquire(self, open_file: Path | None = None) -> bool:
        """Take the folder, or tell the window that has it to come forward, and to import
        ``open_file`` when given (False)."""
        if self._lock.tryLock(0):
            return True  # ``listen()`` once the window has painted
        if self._lock.error() is not QLockFile.LockError.LockFailedError:
            log.warning("cannot lock %s (%s); running anyway", self._folder, self._lock.error())
            return True  # a read-only folder, say: better two windows than none
        self._ask_to_raise(open_file)
        return False

    def listen(self) -> None:
        """Answer later starts (call once the window is up: QtNetwork costs start-up time)."""
        from PySide6.QtNetwork import QLocalServer

        if self._server is not None or not self._lock.isLocked():
            return
        name = server_name(self._folder)
        QLocalServer.removeServer(name)  # a socket file left by a killed run
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(name):
            log.warning("cannot listen for a second start: %s", server.errorString())
            return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            received = bytearray()
            socket.readyRead.connect(lambda s=socket, r=received: r.extend(s.readAll().data()))
            socket.disconnected.connect(lambda s=socket, r=received: self._said(s, r))
            self.activated.emit()

    def _said(self, socket: QLocalSocket, received: bytearray) -> None:
        """A later start has said all it had to say: a file to import, or just 'raise'."""
        received.extend(socket.readAll().data())
        socket.deleteLater()
        if received.startswith(OPEN):
            path = os.fsdecode(bytes(received[len(OPEN) :]).split(b"\0")[0])
            if path:
                self.open_requested.emit(path)

    def _ask_to_raise(self, open_file: Path | None = None) -> None:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(server_name(self._folder))
        if socket.waitForConnected(WAIT_MS):
            if open_file is None:
                socket.write(b"raise\n")
            else:  # absolute: the running window has its own working folder
                socket.write(OPEN + os.fsencode(os.path.abspath(open_file)) + b"\0")
            socket.waitForBytesWritten(WAIT_MS)
            socket.disconnectFromServer()
            if socket.state() is not QLocalSocket.LocalSocketState.UnconnectedState:
                socket.waitForDisconnected(WAIT_MS)

    @property
    def listening(self) -> bool:
        """Whether a later start can reach this one now."""
        return self._server is not None

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()
