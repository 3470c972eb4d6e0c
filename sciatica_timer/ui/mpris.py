"""A running session as an MPRIS media player on the session bus.

Linux desktops take the media keys and a Bluetooth headset's button for themselves and
hand them to players over MPRIS (``org.mpris.MediaPlayer2``): so a press reaches the app
even when its window is not focused. The name is claimed only while a session runs, so the
app is not a "player" in the desktop's media widget the rest of the time. The buttons mean
what the media keys mean in the window (``KEYS`` in ``screens/main_window.py``): Play and
PlayPause toggle (a headset's one button arrives as Play both times), Pause pauses, Stop
only pauses (a stray press never loses a session), Next skips, Previous goes back.

No session bus: a quiet no-op, logged at debug.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import ClassInfo, Property, QMetaType, QObject, Slot
from PySide6.QtDBus import (
    QDBusAbstractAdaptor,
    QDBusArgument,
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
)

from sciatica_timer.core.engine import SessionState, Snapshot
from sciatica_timer.core.timeline import Phase, PhaseKind
from sciatica_timer.ui.controller import SessionController

log = logging.getLogger(__name__)

_class_info: Any = ClassInfo
"""PySide6's stub has ClassInfo take no dict and not be a decorator; both work."""

BUS_NAME = "org.mpris.MediaPlayer2.sciatica_timer"
"""The name while a session runs (a second window, for another data folder, adds
``.instance<pid>`` as the specification asks)."""
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_INTERFACE = "org.mpris.MediaPlayer2"
PLAYER_INTERFACE = "org.mpris.MediaPlayer2.Player"
TRACK_PATH = "/org/sciatica_timer/phase/"
"""A phase's track id is this and its index (``/org/mpris`` is reserved)."""
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
CALL_TIMEOUT_MS = 500
"""Claiming the name waits for the bus this long at most (a hung bus never holds a session)."""


def playback_status(snap: Snapshot | None) -> str:
    """MPRIS's word for the session's state: a check waiting for its answer is paused."""
    if snap is None or not snap.state.active:
        return "Stopped"
    return "Playing" if snap.state is SessionState.RUNNING else "Paused"


def track_title(phase: Phase | None, next_phase: Phase | None) -> str:
    """The exercise and its side in words, as the session screen shows them; between
    exercises, what the pause is and what comes next ("Rest: Piriformis stretch, left side")."""
    if phase is None:
        return ""
    if phase.kind is PhaseKind.CHECK:
        return "Check: is pain left? (answer on screen)"
    shown = phase if phase.exercise else next_phase
    words = ""
    if shown is not None and shown.exercise is not None:
        words = shown.exercise.name + (f", {shown.side_words}" if shown.side else "")
    if phase.kind is PhaseKind.WORK:
        return words
    return f"{phase.label}: {words}" if words else phase.label


class MediaPlayer(QObject):
    """The session's MPRIS player: claims the bus name when a session starts and gives it
    up when it ends (the done or safety screen) or the app closes."""

    def __init__(
        self,
        controller: SessionController,
        raise_window: Callable[[], None],
        desktop_entry: str = "sciatica-timer",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.raise_window = raise_window
        self.desktop_entry = desktop_entry
        self.bus_name = ""
        """The name held on the session bus; empty when none is."""
        self.snapshot: Snapshot | None = None
        self._sent: dict[str, object] = {}
        """What the desktop was last told (PropertiesChanged), to tell only changes."""
        RootAdaptor(self)
        PlayerAdaptor(self)
        controller.updated.connect(self._on_snapshot)
        controller.finished.connect(lambda _summary: self.release())

    # --- what the adaptors show -------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.snapshot is not None and self.snapshot.state.active

    @property
    def status(self) -> str:
        return playback_status(self.snapshot)

    def metadata(self) -> dict[str, object]:
        snap = self.snapshot
        phase = snap.phase if snap else None
        engine = self.controller.engine
        meta: dict[str, object] = {
            "mpris:trackid": QDBusObjectPath(
                f"{TRACK_PATH}{phase.index}" if phase is not None else NO_TRACK
            ),
            "xesam:title": track_title(phase, snap.next_phase if snap else None),
        }
        if engine is not None:
            meta["xesam:artist"] = [engine.timeline.routine.name]
            meta["xesam:album"] = "Sciatica Timer"
        return meta

    def position_us(self) -> int:
        """How far into the phase, in microseconds (live: read when asked)."""
        snap = self.controller.snapshot()
        if snap is None or not snap.state.active:
            return 0
        return max(0, snap.total_ns - snap.remaining_ns) // 1000

    # --- the session's life -----------------------------------------------------------

    def _on_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        if not snap.state.active:
            self.release()
            return
        if not self.bus_name:
            self._claim()
            return
        self._tell_changes()

    def _claim(self) -> None:
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            log.debug("no session bus: no media player")
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            log.debug("no session bus: %s", bus.lastError().message())
            return
        if not bus.registerObject(OBJECT_PATH, self):
            log.debug("the media player's object is taken: %s", bus.lastError().message())
            return
        driver = bus.interface()  # registerService asks the bus through it, and waits
        driver.setTimeout(CALL_TIMEOUT_MS)
        for name in (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}"):
            if bus.registerService(name):
                self.bus_name = name
                self._sent = self._now_shown()
                log.debug("media player %s", name)
                return
        bus.unregisterObject(OBJECT_PATH)
        log.debug("no media player: %s", bus.lastError().message())

    def release(self) -> None:
        """Give up the name (the session has ended, or the app is closing)."""
        if not self.bus_name:
            return
        self._tell_changes()  # "Stopped", for a widget that looks before the name goes
        bus = QDBusConnection.sessionBus()
        bus.unregisterService(self.bus_name)
        bus.unregisterObject(OBJECT_PATH)
        log.debug("media player %s released", self.bus_name)
        self.bus_name = ""

    def _now_shown(self) -> dict[str, object]:
        meta = self.metadata()
        path = meta["mpris:trackid"]
        assert isinstance(path, QDBusObjectPath)
        key = (path.path(), meta["xesam:title"], meta.get("xesam:artist"))
        can = self.active
        return {
            "PlaybackStatus": self.status,
            "Metadata": key,
            **{f"Can{what}": can for what in ("Play", "Pause", "GoNext", "GoPrevious")},
        }

    def _tell_changes(self) -> None:
        """PropertiesChanged with what has changed since last time (desktops update their
        media widget from it)."""
        shown = self._now_shown()
        changed: dict[str, Any] = {k: v for k, v in shown.items() if self._sent.get(k) != v}
        if not changed:
            return
        self._sent = shown
        if "Metadata" in changed:
            changed["Metadata"] = self.metadata()
        signal = QDBusMessage.createSignal(
            OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged"
        )
        invalidated = QDBusArgument()  # an empty list of strings: "as", not "av"
        invalidated.beginArray(QMetaType(QMetaType.Type.QString))
        invalidated.endArray()
        signal.setArguments([PLAYER_INTERFACE, changed, invalidated])
        if not QDBusConnection.sessionBus().send(signal):
            log.debug("PropertiesChanged not sent")

    # --- the buttons ------------------------------------------------------------------

    def play_pause(self) -> None:
        if self.active:
            self.controller.toggle_pause()

    def pause(self) -> None:
        if self.active:
            self.controller.pause()

    def skip(self) -> None:
        if self.active:
            self.controller.skip()

    def back(self) -> None:
        if self.active:
            self.controller.back()


@_class_info({"D-Bus Interface": ROOT_INTERFACE})
class RootAdaptor(QDBusAbstractAdaptor):
    """``org.mpris.MediaPlayer2``: who the player is; Raise brings the window forward."""

    def __init__(self, player: MediaPlayer) -> None:
        super().__init__(player)
        self._player = player

    def _identity(self) -> str:
        return "Sciatica Timer"

    def _desktop_entry(self) -> str:
        return self._player.desktop_entry

    def _yes(self) -> bool:
        return True

    def _no(self) -> bool:
        return False

    def _none(self) -> list[str]:
        return []

    Identity = Property(str, _identity)
    DesktopEntry = Property(str, _desktop_entry)
    CanQuit = Property(bool, _no)
    CanRaise = Property(bool, _yes)
    HasTrackList = Property(bool, _no)
    # Qt type names give the D-Bus types the specification asks for ("as", "a{sv}", "x"),
    # which list, dict and int would not; the stub takes only a Python type
    SupportedUriSchemes = Property("QStringList", _none)  # type: ignore[arg-type]
    SupportedMimeTypes = Property("QStringList", _none)  # type: ignore[arg-type]

    @Slot()
    def Raise(self) -> None:
        self._player.raise_window()

    @Slot()
    def Quit(self) -> None:
        """CanQuit is false: a stray call never closes a session."""


@_class_info({"D-Bus Interface": PLAYER_INTERFACE})
class PlayerAdaptor(QDBusAbstractAdaptor):
    """``org.mpris.MediaPlayer2.Player``: the session's buttons and what it is doing."""

    def __init__(self, player: MediaPlayer) -> None:
        super().__init__(player)
        self._player = player

    def _status(self) -> str:
        return self._player.status

    def _metadata(self) -> dict[str, object]:
        return self._player.metadata()

    def _active(self) -> bool:
        return self._player.active

    def _no(self) -> bool:
        return False

    def _one(self) -> float:
        return 1.0

    def _position(self) -> int:
        return self._player.position_us()

    PlaybackStatus = Property(str, _status)
    Metadata = Property("QVariantMap", _metadata)  # type: ignore[arg-type]
    CanPlay = Property(bool, _active)
    CanPause = Property(bool, _active)
    CanGoNext = Property(bool, _active)
    CanGoPrevious = Property(bool, _active)
    CanControl = Property(bool, _active)
    CanSeek = Property(bool, _no)
    Rate = Property(float, _one)
    MinimumRate = Property(float, _one)
    MaximumRate = Property(float, _one)
    Volume = Property(float, _one)
    Position = Property("qlonglong", _position)  # type: ignore[arg-type]

    @Slot()
    def PlayPause(self) -> None:
        self._player.play_pause()

    @Slot()
    def Play(self) -> None:
        """Toggles, like PlayPause: a Linux headset's one button arrives as Play both times."""
        self._player.play_pause()

    @Slot()
    def Pause(self) -> None:
        self._player.pause()

    @Slot()
    def Stop(self) -> None:
        """Only pauses: never an end nor a pain stop from a stray press."""
        self._player.pause()

    @Slot()
    def Next(self) -> None:
        self._player.skip()

    @Slot()
    def Previous(self) -> None:
        self._player.back()

    @Slot("qlonglong")
    def Seek(self, _offset_us: int) -> None:
        """CanSeek is false."""

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, _track: QDBusObjectPath, _position_us: int) -> None:
        """CanSeek is false."""

    @Slot(str)
    def OpenUri(self, _uri: str) -> None:
        """No URIs are supported."""
