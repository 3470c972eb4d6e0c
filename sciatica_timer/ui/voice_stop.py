"""The voice stop: while a session runs (and only when the user has turned it on), the
microphone is listened to for "stop", which does the pain stop as the red button does.

Listening happens in the listener process (``ui.audio.listener_process``) on this computer
only; nothing heard is recorded or stored. It does not listen while the app speaks. The
session screen shows a mark while it really listens; a missing microphone is said once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from sciatica_timer.core.engine import Snapshot
from sciatica_timer.ui.audio.listener_client import ListenerProcess
from sciatica_timer.ui.audio.voice import Voice
from sciatica_timer.ui.controller import SessionController

log = logging.getLogger(__name__)


class VoiceStop(QObject):
    """Starts the listener with each session (if on) and ends it with the session."""

    def __init__(
        self,
        controller: SessionController,
        voice: Voice,
        show_listening: Callable[[bool], None],
        tell: Callable[[str], None],
        enabled: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.enabled = enabled
        self.listener = ListenerProcess(self)
        self._active = False
        self._told = False
        voice.speaking.connect(self.listener.quiet_for)
        self.listener.heard.connect(self._on_heard)
        self.listener.listening.connect(show_listening)
        self.listener.unavailable.connect(self._on_unavailable)
        self._tell = tell
        controller.updated.connect(self._on_snapshot)
        controller.finished.connect(lambda _summary: self._session_over())

    def set_enabled(self, on: bool) -> None:
        """The setting changed: start or stop listening now if a session runs."""
        if on == self.enabled:
            return
        self.enabled = on
        if not on:
            self.listener.stop()
        elif self._active:
            self._told = False
            self.listener.start()

    def shutdown(self) -> None:
        self.listener.shutdown()

    def _on_snapshot(self, snap: Snapshot) -> None:
        active = snap.state.active
        if active and not self._active:
            self._active = True
            self._told = False
            if self.enabled:
                self.listener.start()
        elif not active and self._active:
            self._session_over()

    def _session_over(self) -> None:
        self._active = False
        self.listener.stop()

    def _on_heard(self, word: str) -> None:
        if self._active and self.enabled:
            log.info("voice stop: %r heard: pain stop", word)
            self.controller.pain_stop()

    def _on_unavailable(self, message: str) -> None:
        if not self._told:  # once a session
            self._told = True
            self._tell(message)
