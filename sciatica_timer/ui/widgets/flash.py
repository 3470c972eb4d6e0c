"""A soft wash of colour over the session screen, for people who cannot hear the cues.

Calm, never a strobe: it rises in a moment and fades out over about half a second, at most
``PEAK_ALPHA`` strong, and a request while one still shows is dropped, so it never comes
more than twice a second (the photosensitive limit is three). It lies on top of the screen,
is transparent to the mouse, and leaves the stop button's own rectangle unwashed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
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
KEEP_CLEAR_RADIUS = 18
"""The unwashed hole's corners: round, as the stop button's are."""


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
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self._alpha = 0.0
        self.show()
        self._since.start()
        self._frame.start()
        return True

    def hold_at(self, t: float, color: str) -> None:
        """Stand still at ``t`` of a flash (for a screenshot mid-flash)."""
        self._frame.stop()
        self._color = QColor(color)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self._alpha = flash_alpha(t)
        self.show()
        self.update()

    def stop(self) -> None:
        self._frame.stop()
        self._end()

    def _step(self) -> None:
        t = self._since.elapsed() / FLASH_MS
        if t >= 1.0:
            self.stop()
            return
        self._alpha = flash_alpha(t)
        self.update()

    def _end(self) -> None:
        self._alpha = 0.0
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._alpha <= 0.0:
            return
        self.frames += 1
        color = QColor(self._color)
        color.setAlphaF(self._alpha)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        wash = QPainterPath()
        wash.addRect(self.rect().toRectF())
        if self._keep_clear is not None:
            clear = self._keep_clear()
            if clear.isValid():
                margin = KEEP_CLEAR_PX
                hole = QPainterPath()
                hole.addRoundedRect(
                    clear.adjusted(-margin, -margin, margin, margin).toRectF(),
                    KEEP_CLEAR_RADIUS,
                    KEEP_CLEAR_RADIUS,
                )
                wash = wash.subtracted(hole)
        painter.fillPath(wash, color)
        painter.end()
