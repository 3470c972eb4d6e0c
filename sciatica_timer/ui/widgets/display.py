"""Small custom widgets: the phase ring and labels sized by hand (the exercise picture is
``picture.Picture``)."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from sciatica_timer.ui.theme import palette_of


class ProgressRing(QWidget):
    """A ring that fills as the phase runs; holds the countdown label in its middle.

    Counting costs one small repaint a second: the countdown sits in a fixed box just big
    enough for its widest text, placed by hand, so new digits never re-lay out the window
    (a layout pass repainted the word-wrapped instructions every second), and a step of
    progress repaints only the stretch of ring that changed.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._progress = 0.0
        self._color = ""  # the accent until a phase gives one
        self._center: FitLabel | None = None
        self._widest: tuple[str, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)

    def set_center(self, widget: FitLabel, *widest: str) -> None:
        """Put a label (the countdown) in the middle, sized for the widest of ``widest``."""
        widget.setParent(self)
        widget.installEventFilter(self)
        self._center = widget
        self.set_widest(*widest)

    def set_widest(self, *widest: str) -> None:
        """The texts the middle must hold ('88:88', '88 of 88'): its font fits the widest."""
        if widest != self._widest:
            self._widest = widest
            self._place_center()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._center and event.type() is QEvent.Type.FontChange:
            self._place_center()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_center()

    def inner_radius(self) -> float:
        """The radius of the clear disc inside the ring's stroke."""
        rect, width = self._track()
        return rect.width() / 2 - width / 2

    def largest_fitting_px(self, font: QFont) -> int:
        """The largest pixel size of ``font`` at which each widest text, centred, lies
        inside the ring's inner disc (logical pixels: the same at any screen scale)."""
        limit = self.inner_radius() - 4  # a little air between the digits and the ring
        lo, hi = 8, 1000
        while lo < hi:
            mid = (lo + hi + 1) // 2
            trial = QFont(font)
            trial.setPixelSize(mid)
            if all(text_reach(QFontMetrics(trial), t) <= limit for t in self._widest):
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _place_center(self) -> None:
        center = self._center
        if center is None or not self._widest:
            return
        center.set_ceiling(self.largest_fitting_px(center.font()))
        metrics = center.fontMetrics()
        wide = max(metrics.horizontalAdvance(t) for t in self._widest)
        box = QSize(wide + 16, metrics.height() + 8)
        box = box.boundedTo(self.size())
        center.setFixedSize(box)  # fixed: its new text never asks for a new layout
        center.move((self.width() - box.width()) // 2, (self.height() - box.height()) // 2)

    def set_progress(self, value: float, color: str | None = None) -> None:
        value = max(0.0, min(1.0, value))
        new_color = color or self._color
        if abs(value - self._progress) < 0.002 and new_color == self._color:
            return
        if new_color == self._color:
            self.update(self._arc_bounds(self._progress, value))
        else:
            self.update()
        self._progress, self._color = value, new_color

    def _arc_bounds(self, start: float, end: float) -> QRect:
        """The pixels that change when the filled arc moves from ``start`` to ``end``."""
        rect, width = self._track()
        lo, hi = sorted((start, end))
        turns = [lo, hi, *(q / 4 for q in range(5) if lo < q / 4 < hi)]
        cx, cy, rx, ry = rect.center().x(), rect.center().y(), rect.width() / 2, rect.height() / 2
        points = [
            (cx + rx * math.sin(2 * math.pi * t), cy - ry * math.cos(2 * math.pi * t))
            for t in turns
        ]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        pad = width / 2 + 2
        return QRectF(
            min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad
        ).toAlignedRect()

    def _track(self) -> tuple[QRectF, float]:
        """The ring's centre line and its pen width."""
        rect = self.ring_rect()
        width = max(8.0, rect.width() * 0.045)
        rect.adjust(width / 2, width / 2, -width / 2, -width / 2)
        return rect, width

    def ring_rect(self) -> QRectF:
        side = min(self.width(), self.height()) - 16
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect, width = self._track()
        colors = palette_of(self)
        pen = QPen(QColor(colors.ring_track), width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawEllipse(rect)
        if self._progress > 0:
            pen.setColor(QColor(self._color or colors.accent))
            painter.setPen(pen)
            painter.drawArc(rect, 90 * 16, -round(self._progress * 360 * 16))
        painter.end()


def text_reach(metrics: QFontMetrics, text: str) -> float:
    """How far the farthest corner of ``text``'s ink can be from the middle of a line box
    centred on a point: half its advance across, its ink above or below the line's middle."""
    ink = metrics.tightBoundingRect(text)
    baseline = metrics.ascent() - metrics.height() / 2  # from the line box's middle
    up, down = baseline + ink.top(), baseline + ink.bottom() + 1
    return math.hypot(metrics.horizontalAdvance(text) / 2, max(abs(up), abs(down)))


class SlimBar(QWidget):
    """The whole session's progress; unlike QProgressBar it never repaints synchronously."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0.0
        self.setFixedHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        value = max(0.0, min(1.0, value))
        if round(value * self.width()) != round(self._value * self.width()):
            self.update()
        self._value = value

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        radius = self.height() / 2
        colors = palette_of(self)
        painter.setBrush(QColor(colors.ring_track))
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        if self._value > 0:
            painter.setBrush(QColor(colors.accent))
            width = max(self.height(), self.width() * self._value)
            painter.drawRoundedRect(QRectF(0, 0, width, self.height()), radius, radius)
        painter.end()


def set_font_px(widget: QWidget, px: int, bold: bool = False, color: str = "") -> None:
    """Size a widget's font by hand (to the window): through its own style sheet, because
    the window's style sheet would override a plain ``setFont``. Colours stay with the theme
    (``color``, a theme colour, only for a state the theme's roles do not name: paused)."""
    weight = "font-weight: 800;" if bold else ""
    tint = f" color: {color};" if color else ""
    widget.setStyleSheet(f"font-size: {px}px; {weight}{tint}")


class FitLabel(QLabel):
    """A label whose font is a fixed share of a reference height (the window's), never
    larger than its ceiling (the countdown: what fits inside the ring)."""

    def __init__(self, text: str = "", share: float = 0.05, bold: bool = False) -> None:
        super().__init__(text)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names come from files: never markup
        self._share = share
        self._bold = bold
        self._wanted = 0
        self._ceiling = 0
        self._color = ""
        self._applied: tuple[int, str] = (0, "")

    def pixel_size(self) -> int:
        return self._applied[0]

    def wanted_px(self) -> int:
        """The size the reference height asks for, before the ceiling."""
        return self._wanted

    def fit_to(self, reference_height: int, max_px: int | None = None) -> None:
        px = max(12, round(reference_height * self._share))
        if max_px:
            px = min(px, max_px)
        self._wanted = px
        self._apply()

    def set_ceiling(self, px: int) -> None:
        """The largest font size allowed (0: none)."""
        self._ceiling = px
        self._apply()

    def set_color(self, color: str) -> None:
        """Draw the text in this theme colour ("" for the theme's usual text colour)."""
        self._color = color
        self._apply()

    def _apply(self) -> None:
        px = self._wanted
        if self._ceiling:
            px = min(px, self._ceiling)
        if px and (px, self._color) != self._applied:
            self._applied = (px, self._color)
            set_font_px(self, px, self._bold, self._color)


class SteadyLabel(QLabel):
    """A label as big as its ``widest`` text in its font, so a new text (every second)
    never re-lays out the window; it follows its font when the style sheet sets it."""

    def __init__(self, widest: str) -> None:
        super().__init__()
        self._widest = widest
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() is QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        self.setFixedSize(metrics.horizontalAdvance(self._widest) + 8, metrics.height() + 4)
