"""A body picture to click: how far down the pain reaches, on the side that hurts."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from sciatica_timer.core.safety import Reach
from sciatica_timer.ui.theme import palette_of, set_role
from sciatica_timer.ui.widgets.parts import big_button

# A standing figure seen from behind, right leg drawn, in a 200 x 400 box.
_REGIONS: dict[Reach, QRectF] = {
    Reach.LOWER_BACK: QRectF(60, 70, 80, 60),
    Reach.BUTTOCK: QRectF(55, 130, 90, 55),
    Reach.THIGH: QRectF(95, 185, 50, 85),
    Reach.BELOW_KNEE: QRectF(100, 270, 42, 90),
    Reach.FOOT: QRectF(98, 360, 62, 30),
}
_BOX = QSize(200, 400)
_LEGS = {"left": QRectF(58, 180, 44, 180), "right": QRectF(98, 180, 44, 180)}
PAIN_SIDE = "painSide"
"""The window's property naming the side that hurts: a body map not told otherwise shows it."""
SIDES = ("left", "both", "right")
"""The sides the pain may be on (the settings' ``pain_side`` values)."""
SIDE_WORDS = {"left": "Left leg", "both": "Both legs", "right": "Right leg"}


def _mirrored(rect: QRectF) -> QRectF:
    """The same region on the left leg (seen from behind, the left leg is on the left)."""
    return QRectF(_BOX.width() - rect.x() - rect.width(), rect.y(), rect.width(), rect.height())


def _regions(side: str) -> list[tuple[Reach, QRectF]]:
    """Where each region is drawn for the pain on ``side``: the leg regions on that leg,
    on both for "both" (the back and buttock regions span both sides)."""
    shown: list[tuple[Reach, QRectF]] = []
    for reach, rect in _REGIONS.items():
        left = _mirrored(rect)
        if side in ("right", "both") or left == rect:
            shown.append((reach, rect))
        if side in ("left", "both") and left != rect:
            shown.append((reach, left))
    return shown


class BodyMap(QWidget):
    """Click the furthest point the pain reaches; everything above it is shaded too."""

    reach_changed = Signal(object)  # Reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reach: Reach | None = None
        self._side: str | None = None
        """Set by ``set_side``; None: the window's side that hurts (PAIN_SIDE)."""
        self.setMinimumSize(150, 260)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("How far down the pain reaches")
        self.setToolTip(
            "Click the furthest point the pain reaches, or use the Down and Up arrow keys"
        )
        self._say_reach()

    def reach(self) -> Reach | None:
        return self._reach

    def set_reach(self, reach: Reach | None) -> None:
        if reach != self._reach:
            self._reach = reach
            self._say_reach()
            self.update()
            self.reach_changed.emit(reach)

    def _say_reach(self) -> None:
        """What a screen reader reads with the name: the reach chosen, in words."""
        chosen = self._reach.words if self._reach else "nothing chosen yet"
        marked = f"{SIDE_WORDS[self._side]} marked. " if self._side else ""
        self.setAccessibleDescription(
            f"{marked}Chosen: {chosen}. Down and Up arrows move the furthest point of the pain."
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Like a slider, from the back down the leg: Down reaches further, Up less far
        (Home: the lower back, End: the foot); the choice follows the key at once."""
        reaches = [r for r in Reach if r is not Reach.NONE]
        at = reaches.index(self._reach) if self._reach in reaches else -1
        key = event.key()
        if key == Qt.Key.Key_Down:
            at = min(at + 1, len(reaches) - 1)
        elif key == Qt.Key.Key_Up:
            at = max(at - 1, 0)
        elif key == Qt.Key.Key_Home:
            at = 0
        elif key == Qt.Key.Key_End:
            at = len(reaches) - 1
        else:
            super().keyPressEvent(event)
            return
        self.set_reach(reaches[at])

    def side(self) -> str:
        """The leg marked: the one set, else the window's side that hurts, else both."""
        if self._side is not None:
            return self._side
        found = self.window().property(PAIN_SIDE)
        return found if isinstance(found, str) and found in SIDES else "both"

    def set_side(self, side: str) -> None:
        """Mark the leg that hurts: "left", "right" or "both"."""
        side = side if side in SIDES else "both"
        if side != self._side:
            self._side = side
            self._say_reach()
            self.update()

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
        rect = next(r for found, r in _regions(self.side()) if found is reach)
        return rect.center() * scale + offset

    def mousePressEvent(self, event: QMouseEvent) -> None:
        scale, offset = self._scale()
        point = (event.position() - offset) / scale
        for reach, rect in reversed(_regions(self.side())):
            if rect.contains(point):
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
        # head, torso, both legs (the regions are drawn on the leg that hurts)
        painter.drawEllipse(QPointF(100, 30), 22, 24)
        body = QPainterPath()
        body.addRoundedRect(QRectF(55, 56, 90, 130), 24, 24)
        for leg in _LEGS.values():
            body.addRoundedRect(leg, 18, 18)
        painter.drawPath(body.simplified())
        level = self._reach.level if self._reach else 0
        font = QFont(self.font())
        font.setPixelSize(11)
        painter.setFont(font)
        for reach, rect in _regions(self.side()):
            hit = 0 < reach.level <= level
            painter.setPen(QPen(QColor(colors.pain if hit else colors.muted), 2))
            painter.setBrush(QColor(colors.pain if hit else colors.region))
            if reach is self._reach:
                painter.setBrush(QColor(colors.pain_dark))
            painter.drawRoundedRect(rect, 12, 12)
            painter.setPen(QColor(colors.on_accent if hit else colors.text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             reach.words)  # fmt: skip
        if self.hasFocus():  # the keys move this: a ring around the choice (or the figure)
            painter.setPen(QPen(QColor(colors.accent), 3, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            chosen = [r for found, r in _regions(self.side()) if found is self._reach]
            ring = chosen[0] if chosen else QRectF(QPointF(0, 0), QSizeF(_BOX))
            painter.drawRoundedRect(ring.adjusted(-4, -4, 4, 4), 14, 14)
        painter.end()


class SideChoice(QWidget):
    """Left leg, both, right leg: three exclusive buttons (the check-in's side)."""

    changed = Signal(str)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for i, side in enumerate(SIDES):
            button = big_button(side.capitalize(), f"{prefix}{side.capitalize()}", checkable=True)
            button.setAccessibleName(SIDE_WORDS[side])
            set_role(button, "answer")
            button.setProperty("compact", True)
            self.group.addButton(button, i)
            self.buttons[side] = button
            row.addWidget(button)
        self.buttons["both"].setChecked(True)
        self.group.idClicked.connect(lambda i: self.changed.emit(SIDES[i]))

    def value(self) -> str:
        return SIDES[max(0, self.group.checkedId())]

    def set_value(self, side: str) -> None:
        self.buttons[side if side in SIDES else "both"].setChecked(True)
