"""A layout that lines its widgets up in a row and wraps to the next row when the row
is full: a bar of buttons that stays whole on a narrow screen or with a large text."""

from __future__ import annotations

from pyqtgraph.Qt import QtCore, QtWidgets


class FlowLayout(QtWidgets.QLayout):
    """Widgets left to right, as many per row as the width allows (after Qt's flow layout
    example). Its minimum height is what its rows need at the width it was given last.

    Not Qt's height-for-width: a splitter asks that at a column's minimum width, where
    every widget takes a row, and a window grew taller than the screen for it. The
    height follows the width it gets instead, one layout pass later.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._gap = spacing
        self._height = 0  # (the rows' height at the last width; 0: one row)

    # -- what a QLayout must answer ---------------------------------------------------------
    def addItem(self, item: QtWidgets.QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QtWidgets.QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QtWidgets.QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> QtCore.Qt.Orientation:  # noqa: N802 - Qt's name
        return QtCore.Qt.Orientation(0)

    def setGeometry(self, rect: QtCore.QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        height = self._arrange(rect, place=True)
        parent = self.parentWidget()
        if rect.width() < self._widest() or (parent is not None and not parent.isVisible()):
            return  # (a hidden pane, or one not laid out yet: its rows say nothing of what it will need)
        if height != self._height:  # (more or fewer rows: the parent is asked again, by an event Qt posts)
            self._height = height
            self.invalidate()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        """As wide as all in one row, as high as the rows at the last width."""
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self._gap * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return self._with_margins(QtCore.QSize(width, height)).expandedTo(QtCore.QSize(0, self._height))

    def minimumSize(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        """As wide as the widest widget, as high as the rows at the last width."""
        size = QtCore.QSize(0, 0)
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        size = self._with_margins(size)
        return size.expandedTo(QtCore.QSize(0, self._height))

    def _widest(self) -> int:
        margins = self.contentsMargins()
        return max((item.sizeHint().width() for item in self._shown()), default=0) + margins.left() + margins.right()

    # -- placing -------------------------------------------------------------------------------
    def _shown(self) -> list[QtWidgets.QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _with_margins(self, size: QtCore.QSize) -> QtCore.QSize:
        margins = self.contentsMargins()
        return size + QtCore.QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QtCore.QRect, place: bool) -> int:
        """Lay the widgets out in ``rect`` (only measure unless ``place``); the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            size = QtCore.QSize(min(hint.width(), area.width()), hint.height())  # (a long title: cut, not off the edge)
            if x > area.x() and x + size.width() > area.right() + 1:  # (full: the next row)
                x, y, row_height = area.x(), y + row_height + self._gap, 0
            if place:
                item.setGeometry(QtCore.QRect(QtCore.QPoint(x, y), size))
            x += size.width() + self._gap
            row_height = max(row_height, size.height())
        return y + row_height - rect.y() + margins.bottom()
