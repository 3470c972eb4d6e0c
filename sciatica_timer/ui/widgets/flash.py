"""A soft wash of colour over the session screen, for people who cannot hear the cues.

Cheap to draw: from its first frame on, the screen under it is a picture taken once
(``refresh()`` takes it again when the screen changes), so a frame repaints one picture
and the wash instead of every widget under it. The stop button's rectangle is left out of
the overlay altogether (its mask): the button is always drawn live, and always clickable.

Calm, never a strobe: it rises in a moment and fades out over about half a second, at most
``PEAK_ALPHA`` strong, and a request while one still shows is dropped, so it never comes
more than twice a second (the photosensitive limit is three). It lies on top of the screen,
is transparent to the mouse, and leaves the stop button's own rectangle unwashed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap, QRegion, QResizeEvent
from PySide6.QtWidgets import QWidget

FLASH_MS = 500
"""How long one flash lasts, its rise and its fade (at most two a second, then)."""
RISE_SHARE = 0.15
"""The part of the flash spent rising to the peak (a soft start, not a jump)."""
FRAME_MS = 40
"""One frame of the flash this often (25 a second): each frame repaints the whole screen
under the wash, so Qt's 60-a-second animations cost 148 ms of CPU a flash (measured under
Xvfb at 1366x768); a soft fade looks the same at 25."""
PEAK_ALPHA = 0.4
"""The strongest the colour gets: the digits under it stay readable."""
KEEP_CLEAR_PX = 6
"""Room left unwashed around the kept-clear rectangle (the stop button)."""


def flash_alpha(t: float) -> float:
    """The wash's strength at ``t`` (0 to 1) of the flash: up quickly, down slowly."""
    if t <= 0.0 or t >= 1.0:
        return 0.0
    if t < RISE_SHARE:
        return PEAK_ALPHA * t / RISE_SHARE
    fade = (t - RISE_SHARE) / (1.0 - RISE_SHARE)
    return PEAK_ALPHA * (1.0 - fade) ** 2


class FlashOverlay(QWidget):
    """Covers its parent; ``flash()`` washes it once in the colour it is given."""

    def __init__(self, parent: QWidget, keep_clear: Callable[[], QRect] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flashOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._keep_clear = keep_clear
        self._color = QColor("#ffffff")
        self._alpha = 0.0
        self.flashes = 0
        """How many flashes were shown (for tests and the screenshots)."""
        self.frames = 0
        """Frames painted since the app started (for tests and the bench)."""
        self.duration_ms = FLASH_MS
        """How long a flash lasts (a test may hold one longer, to look under it)."""
        self._backdrop: QPixmap | None = None
        """The screen under the flash, taken at its first frame (None: not taken yet)."""
        self._taking = False
        self._since = QElapsedTimer()
        self._frame = QTimer(self)
        self._frame.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._step)
        self.hide()

    def flashing(self) -> bool:
        return self._frame.isActive()

    def flash(self, color: str) -> bool:
        """One flash in ``color``; False (and nothing shown) while the last still shows."""
        if self.flashing():
            return False
        self._color = QColor(color)
        self.flashes += 1
        self._cover()
        self._alpha = 0.0
        self.show()
        self._since.start()
        self._frame.start()
        return True

    def hold_at(self, t: float, color: str) -> None:
        """Stand still at ``t`` of a flash (for a screenshot mid-flash)."""
        self._frame.stop()
        self._color = QColor(color)
        self._cover()
        self._alpha = flash_alpha(t)
        self.show()
        self.update()

    def stop(self) -> None:
        self._frame.stop()
        self._end()

    def refresh(self) -> None:
        """The screen under the flash changed: its picture is taken again at the next frame."""
        self._backdrop = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def _cover(self) -> None:
        """Lie over the whole parent, but for the stop button's rectangle (the mask)."""
        self.refresh()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.clearMask()
        if self._keep_clear is not None and (clear := self._keep_clear()).isValid():
            margin = KEEP_CLEAR_PX
            hole = QRegion(clear.adjusted(-margin, -margin, margin, margin))
            self.setMask(QRegion(self.rect()).subtracted(hole))
        self.raise_()

    def _take_backdrop(self) -> None:
        """The parent as it is now, without the wash (which paints nothing meanwhile)."""
        parent = self.parentWidget()
        if parent is None:
            return
        self._taking = True
        try:
            self._backdrop = parent.grab(self.geometry())
        finally:
            self._taking = False
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def _step(self) -> None:
        t = self._since.elapsed() / self.duration_ms
        if t >= 1.0:
            self.stop()
            return
        if self._backdrop is None:
            self._take_backdrop()
        self._alpha = flash_alpha(t)
        self.update()

    def _end(self) -> None:
        self._alpha = 0.0
        self.refresh()
        self.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._cover()  # a new picture, and the stop button's new place left out

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._taking:
            return  # the picture of what lies under the flash is being taken
        backdrop = self._backdrop
        if backdrop is not None:  # opaque: every pixel painted, nothing under it repainted
            painter = QPainter(self)
            painter.drawPixmap(0, 0, backdrop)
            painter.end()
        if self._alpha <= 0.0:
            return
        self.frames += 1
        color = QColor(self._color)
        color.setAlphaF(self._alpha)
        painter = QPainter(self)
        painter.fillRect(self.rect(), color)  # the mask keeps the stop button out of it
        painter.end()
