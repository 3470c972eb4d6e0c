"""A body picture to click: how far down the pain reaches."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from sciatica_timer.core.safety import Reach
from sciatica_timer.ui.theme import palette_of

# A standing figure seen from behind, right leg drawn, in a 200 x 400 box.
_REGIONS: dict[Reach, QRectF] = {
    Reach.LOWER_BACK: QRectF(60, 70, 80, 60),
    Reach.BUTTOCK: QRectF(55, 130, 90, 55),
    Reach.THIGH: QRectF(95, 185, 50, 85),
    Reach.BELOW_KNEE: QRectF(100, 270, 42, 90),
    Reach.FOOT: QRectF(98, 360, 62, 30),
}
_BOX = QSize(200, 400)


class BodyMap(QWidget):
    """Click the furthest point the pain reaches; everything above it is shaded too."""

    reach_changed = Signal(object)  # Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reach: Reach | None = None
        self.setMinimumSize(150, 260)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("How far down the pain reaches")
        self.setToolTip("Click the furthest point the pain reaches")

    def reach(self) -> Reach | None:
        return self._reach

    def set_reach(self, reach: Reach | None) -> None:
        if reach != self._reach:
            self._reach = reach
            self.update()
            self.reach_changed.emit(reach)

    def sizeHint(self) -> QSize:
        return QSize(180, 360)

    def _scale(self) -> tuple[float, QPointF]:
        scale = min(self.width() / _BOX.width(), self.height() / _BOX.height())
        offset = QPointF(
            (self.width() - _BOX.width() * scale) / 2, (self.height() - _BOX.height() * scale) / 2
        )
        return scale, offset

    def region_center(self, reach: Reach) -> QPointF:
        """Where a region is on screen (tests click there)."""
        scale, offset = self._scale()
        return _REGIONS[reach].center() * scale + offset

    def mousePressEvent(self, event: QMouseEvent) -> None:
        scale, offset = self._scale()
        point = (event.position() - offset) / scale
        for reach in reversed(list(_REGIONS)):
            if _REGIONS[reach].contains(point):
                self.set_reach(reach)
                return

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, offset = self._scale()
        painter.translate(offset)
        painter.scale(scale, scale)
        colors = palette_of(self)
        outline = QPen(QColor(colors.muted), 2)
        painter.setPen(outline)
        painter.setBrush(QColor(colors.figure))
        # head, torso, the other (unmarked) leg
        painter.drawEllipse(QPointF(100, 30), 22, 24)
        body = QPainterPath()
        body.addRoundedRect(QRectF(55, 56, 90, 130), 24, 24)
        body.addRoundedRect(QRectF(58, 180, 44, 180), 18, 18)
        painter.drawPath(body.simplified())
        level = self._reach.level if self._reach else 0
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        for reach, rect in _REGIONS.items():
            hit = 0 < reach.level <= level
            painter.setPen(QPen(QColor(colors.pain if hit else colors.muted), 2))
            painter.setBrush(QColor(colors.pain if hit else colors.region))
            if reach is self._reach:
                painter.setBrush(QColor(colors.pain_dark))
            painter.drawRoundedRect(rect, 12, 12)
            painter.setPen(QColor(colors.on_accent if hit else colors.text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             reach.words)  # fmt: skip
        painter.end()
