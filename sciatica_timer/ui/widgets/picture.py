"""An exercise's picture (SVG, PNG or JPEG) scaled to fit, or a clear placeholder.

A missing or unreadable picture (a user's file deleted from the data folder, say) says so
in words: never an empty white box. ``take_picture`` checks a picture the user chose
(``storage.pictures``, then decoding it here, which needs Qt) and copies it into the data
folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QImageReader, QPainter, QPaintEvent, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget

from sciatica_timer.storage.pictures import (
    PictureError,
    check_pixels,
    read_picture,
    store_picture,
)
from sciatica_timer.storage.problems import printable
from sciatica_timer.ui.theme import palette_of

NO_PICTURE = "No picture"
UNREADABLE = "Picture could not be read: {name}"


def decode_problem(path: Path, kind: str) -> str | None:
    """Why Qt cannot draw the picture at ``path`` (one sentence naming it), or None."""
    name = printable(path.name)
    if kind == "svg":
        renderer = QSvgRenderer()
        if not renderer.load(str(path)) or not renderer.isValid():
            return f"{name} is an SVG picture that cannot be drawn."
        return None
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        try:
            check_pixels(name, size.width(), size.height())
        except PictureError as exc:
            return str(exc)
    image = reader.read()
    if image.isNull():
        return f"{name} is a damaged picture that cannot be shown ({reader.errorString()})."
    return None


def take_picture(path: Path, images_dir: Path) -> Path:
    """Check the picture the user chose and copy it into ``images_dir``; the copy's path
    (the original may then be deleted). Raises ``PictureError``."""
    picture = read_picture(path)
    problem = decode_problem(path, picture.kind)
    if problem:
        raise PictureError(problem)
    try:
        return store_picture(picture, images_dir)
    except OSError as exc:
        raise PictureError(
            f"{printable(path.name)} could not be copied into {printable(str(images_dir))}: "
            f"{exc.strerror or exc}."
        ) from exc


class Picture(QWidget):
    """A picture from a file, kept to its proportions inside the widget, optionally
    mirrored (the right side of a sided exercise); else drawn text saying why not."""

    def __init__(self, parent: QWidget | None = None, minimum: QSize | None = None) -> None:
        super().__init__(parent)
        self._renderer = QSvgRenderer(self)
        self._image = QImage()
        self._svg = False
        self._path: Path | None = None
        self._mirrored = False
        self._placeholder = NO_PICTURE
        self._drawn: tuple[object, QPixmap] | None = None
        """The picture as last drawn, and what it was drawn for (path, size, side, scale):
        an SVG is costly to render, and the whole screen repaints under a colour flash."""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        minimum = minimum or QSize(200, 150)
        self.setMinimumSize(minimum)
        self.setAccessibleName("Exercise picture")
        self.setAccessibleDescription(NO_PICTURE)

    def set_image(self, path: Path | None) -> bool:
        """Show the picture at ``path`` (None: no picture); whether it could be shown."""
        if path == self._path:  # every second in a session: nothing to do, nothing to paint
            return self.has_image()
        self._path = path
        self._svg = False
        self._image = QImage()
        self._drawn = None
        ok = False
        if path is None:
            self._placeholder = NO_PICTURE
        else:
            ok = self._load(path)
        if path is not None:
            self._placeholder = "" if ok else UNREADABLE.format(name=printable(path.name))
        shown = f"Picture: {printable(path.name)}" if path is not None else ""
        self.setAccessibleDescription(self._placeholder or shown)
        self.update()
        return ok

    def _load(self, path: Path) -> bool:
        """Read the picture, checked as a chosen one is (a user's file may have changed
        since, or come in an import): a refused or undecodable one is not drawn."""
        try:
            picture = read_picture(path)
        except PictureError:
            return False
        if picture.kind == "svg":
            self._svg = self._renderer.load(QByteArray(picture.data)) and self._renderer.isValid()
            return self._svg
        buffer = QBuffer()
        buffer.setData(QByteArray(picture.data))
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)
        self._image = reader.read()
        return not self._image.isNull()

    def has_image(self) -> bool:
        return not self._placeholder

    def placeholder_text(self) -> str:
        """What is drawn instead of the picture ("" when there is one)."""
        return self._placeholder

    def path(self) -> Path | None:
        return self._path

    def set_mirrored(self, mirrored: bool) -> None:
        if mirrored != self._mirrored:
            self._mirrored = mirrored
            self.update()

    def mirrored(self) -> bool:
        return self._mirrored

    def sizeHint(self) -> QSize:
        return QSize(400, 300)

    def paintEvent(self, event: QPaintEvent) -> None:
        colors = palette_of(self)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setPen(Qt.PenStyle.NoPen)
        # a picture is drawn in dark lines, as for paper: on the theme's picture backdrop
        painter.setBrush(QColor(colors.panel if self._placeholder else colors.picture))
        painter.drawRoundedRect(QRectF(self.rect()), 18, 18)
        avail = QRectF(self.rect()).adjusted(12, 12, -12, -12)
        if self._placeholder:
            painter.setPen(QColor(colors.border))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            pen = painter.pen()
            pen.setWidth(2)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(avail, 12, 12)
            font = QFont(self.font())
            font.setPixelSize(max(14, min(22, int(avail.height() / 8))))
            painter.setFont(font)
            painter.setPen(QColor(colors.muted))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(avail.adjusted(12, 12, -12, -12), int(flags), self._placeholder)
            painter.end()
            return
        if self._svg:
            view = self._renderer.viewBoxF()
            ratio = view.width() / view.height() if view.height() else 4 / 3
        else:
            ratio = self._image.width() / self._image.height()
        w = min(avail.width(), avail.height() * ratio)
        h = w / ratio
        target = QRectF(avail.center().x() - w / 2, avail.center().y() - h / 2, w, h)
        painter.drawPixmap(target.topLeft(), self._rendered(target.size()))
        painter.end()

    def _rendered(self, size: QSizeF) -> QPixmap:
        """The picture at ``size`` (logical pixels), mirrored if asked, drawn once for it."""
        scale = self.devicePixelRatioF()
        key = (self._path, size.width(), size.height(), self._mirrored, scale)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        pixmap = QPixmap((size * scale).toSize())
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = QRectF(QPointF(0, 0), size)
        if self._mirrored:
            painter.translate(size.width(), 0)
            painter.scale(-1, 1)
        if self._svg:
            self._renderer.render(painter, target)
        else:
            painter.drawImage(target, self._image)
        painter.end()
        self._drawn = (key, pixmap)
        return pixmap
