"""The main window's pages, each scrolling when the window is too small for it.

A large text size on a small screen can need more room than there is; a page then
scrolls instead of squeezing its questions over each other. The session page is added
with ``scroll=False``: its stop button must always show, and it fits itself to the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QStackedWidget, QWidget


class PageStack(QStackedWidget):
    """A QStackedWidget of pages (each in a scroll area unless asked not to); the pages,
    not their scroll areas, are what ``currentWidget``, ``setCurrentWidget``, ``indexOf``
    and ``widget`` deal in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: dict[int, QScrollArea] = {}
        """The scroll area of each scrolling page, by the page's id."""

    def addWidget(self, page: QWidget, scroll: bool = True) -> int:
        if not scroll:
            return super().addWidget(page)
        area = QScrollArea()
        area.setObjectName(f"{page.objectName() or type(page).__name__}Scroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        area.setWidget(page)
        self._areas[id(page)] = area
        return super().addWidget(area)

    def _outer(self, page: QWidget) -> QWidget:
        return self._areas.get(id(page), page)

    def _inner(self, widget: QWidget | None) -> QWidget | None:
        if isinstance(widget, QScrollArea) and widget in self._areas.values():
            return widget.widget()
        return widget

    def setCurrentWidget(self, page: QWidget) -> None:
        super().setCurrentWidget(self._outer(page))

    def currentWidget(self) -> QWidget | None:
        return self._inner(super().currentWidget())

    def indexOf(self, page: QWidget) -> int:
        return super().indexOf(self._outer(page))

    def widget(self, index: int) -> QWidget | None:
        return self._inner(super().widget(index))
