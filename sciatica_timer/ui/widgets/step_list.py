"""A routine's steps in order: reordered by drag and drop, by Alt+Up / Alt+Down (or
Ctrl+Up / Ctrl+Down), or by the editor's Move up / Move down buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from sciatica_timer.ui.widgets.step_draft import StepDraft

STEP_ROWS_MIME = "application/x-sciatica-timer-step-rows"
"""What a dragged step carries: the list it comes from and its row (this list only)."""

Index = QModelIndex | QPersistentModelIndex


class StepListModel(QAbstractListModel):
    """The steps being edited; ``describe(row, step)`` says how a row reads."""

    def __init__(self, describe: Callable[[int, StepDraft], str]) -> None:
        super().__init__()
        self._steps: list[StepDraft] = []
        self._describe = describe

    # reading

    def steps(self) -> list[StepDraft]:
        return list(self._steps)

    def step(self, row: int) -> StepDraft:
        return self._steps[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(index.row(), self._steps[index.row()])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return Qt.ItemFlag.ItemIsDropEnabled  # between rows, never onto one

    # changing

    def set_steps(self, steps: Sequence[StepDraft]) -> None:
        self.beginResetModel()
        self._steps = list(steps)
        self.endResetModel()

    def insert(self, row: int, step: StepDraft) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._steps.insert(row, step)
        self.endInsertRows()

    def remove(self, row: int) -> StepDraft:
        self.beginRemoveRows(QModelIndex(), row, row)
        step = self._steps.pop(row)
        self.endRemoveRows()
        return step

    def replace(self, row: int, step: StepDraft) -> None:
        self._steps[row] = step
        self.refresh()

    def refresh(self) -> None:
        """Every row read again (a step's numbers change what the others say, too)."""
        if self._steps:
            self.dataChanged.emit(self.index(0), self.index(len(self._steps) - 1))

    def move(self, row: int, to: int) -> bool:
        """Move the step at ``row`` so that it ends up at ``to``."""
        if not (0 <= row < len(self._steps) and 0 <= to < len(self._steps)) or row == to:
            return False
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to + 1 if to > row else to)

    def moveRows(
        self,
        source_parent: Index,
        source_row: int,
        count: int,
        destination_parent: Index,
        destination: int,
    ) -> bool:
        """Qt's move: ``destination`` is the row the moved ones go before (as in the view's
        drop), so moving down by one is ``destination = source_row + 2``."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        last = source_row + count - 1
        if source_row < 0 or last >= len(self._steps) or source_row <= destination <= last + 1:
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, last, QModelIndex(), destination):
            return False
        moved = self._steps[source_row : last + 1]
        del self._steps[source_row : last + 1]
        at = destination if destination < source_row else destination - count
        self._steps[at:at] = moved
        self.endMoveRows()
        return True

    # drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [STEP_ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        text = f"{id(self)}:{','.join(map(str, rows))}"
        mime.setData(STEP_ROWS_MIME, QByteArray(text.encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return action is Qt.DropAction.MoveAction and self._rows(data) is not None

    def _rows(self, data: QMimeData) -> list[int] | None:
        """The rows a drag from this very list carries (None: not a drag of ours)."""
        if not data.hasFormat(STEP_ROWS_MIME):
            return None
        owner, _, rows = bytes(data.data(STEP_ROWS_MIME).data()).decode().partition(":")
        if owner != str(id(self)):
            return None
        return [int(r) for r in rows.split(",") if r.isdigit() and int(r) < len(self._steps)]

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """A dragged step put down before ``row`` (-1, or on the empty space: at the end)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if parent.isValid():  # dropped onto a step: before it
            row = parent.row()
        if row < 0:
            row = len(self._steps)
        rows = self._rows(data) or []
        moved = False
        for source in sorted(rows, reverse=True):
            if self.moveRows(QModelIndex(), source, 1, QModelIndex(), row):
                moved = True
                row = row if source > row else row - 1
        return moved


class StepListView(QListView):
    """The step list; ``move_requested(delta)`` for Alt/Ctrl+Up and Alt/Ctrl+Down."""

    move_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepList")
        self.setAccessibleName("Steps (Alt+Up or Alt+Down to reorder)")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        # DragDrop, not InternalMove: the model takes only a drag of its own rows (it moves
        # them itself), and a drop is handled the same whoever delivers it
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        reorder = mods in (Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier)
        if reorder and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def startDrag(self, supported: Qt.DropAction) -> None:
        """The model moves the step itself when it is dropped: nothing is removed after."""
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.model().mimeData(indexes))
        drag.exec(Qt.DropAction.MoveAction)
