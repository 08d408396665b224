"""The lock panel: every instrumented lock in view, its owner, its waiters and its history.

One row per lock, refreshed from the window's display timer. The values are read
from the locks without waiting for them (see :class:`~app.core.primitives.Lock`).
"""

from __future__ import annotations

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core import lockgrab
from ..core.primitives import Lock, format_site

COLUMNS = ("lock", "kind", "owner", "held for", "taken at", "waiting", "taken", "had to wait")
WAITING_BRUSH = QtGui.QBrush(QtGui.QColor("#fbe3e1"))
PLAIN_BRUSH = QtGui.QBrush(QtGui.QColor(QtCore.Qt.GlobalColor.white))


def lock_row(lock: Lock) -> tuple[str, ...]:
    """What the panel shows for ``lock``, in :data:`COLUMNS` order."""
    owner = lock.owner
    waiters = lock.waiters()
    held = f"{lock.held_for():.2f} s" if owner is not None else ""
    waiting = ", ".join(w.lane.name for w in waiters) or ""
    share = f" ({lock.contended / lock.acquisitions:.0%})" if lock.acquisitions else ""
    site = format_site(lock.owner_site) if owner is not None else ""
    if isinstance(lock.owner_site, tuple) and lock.owner_site[0].co_filename == lockgrab.__file__:
        site = "the Acquire Lock button"  # (the line in threadlab's taker says nothing to a learner)
    return (
        lock.name,
        lock.kind,
        owner.name if owner is not None else "free",
        held,
        site,
        waiting,
        f"{lock.acquisitions:,}",
        f"{lock.contended:,}{share}",
    )


class LockPanel(QtWidgets.QTableWidget):
    """A table of locks; :meth:`show_locks` refreshes it in place."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("locks")
        self.setHorizontalHeaderLabels([c.capitalize() for c in COLUMNS])
        self.verticalHeader().hide()
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        tips = {
            "owner": "the thread that holds it now",
            "held for": "how long the owner has held it",
            "taken at": "where the owner took it: file, line, function",
            "waiting": "threads waiting for it now",
            "taken": "how often it was taken",
            "had to wait": "how often a thread found it held and had to wait (share of all takes)",
        }
        for col, name in enumerate(COLUMNS):
            self.horizontalHeaderItem(col).setToolTip(tips.get(name, ""))
        self._shown: list[tuple[str, ...]] = []

    def show_locks(self, locks: list[Lock]) -> None:
        """Show one row per lock (in the order given); touches only cells that changed.

        What is shown is remembered on the Python side, so an unchanged panel costs no
        call into Qt at all: with busy workers every half millisecond of Python on the
        GUI thread costs it a wait for the GIL (see "Little Python per frame" in the README).
        """
        rows = [lock_row(lock) for lock in locks]
        if rows == self._shown:
            return
        if len(rows) != len(self._shown):
            self.setRowCount(len(rows))
            self._shown = [("",) * len(COLUMNS)] * len(rows)
        w = COLUMNS.index("waiting")
        for r, (values, before) in enumerate(zip(rows, self._shown)):
            recolour = bool(values[w]) != bool(before[w]) or self.item(r, 0) is None  # the whole row
            for c, value in enumerate(values):
                item = self.item(r, c)
                if item is None:
                    item = QtWidgets.QTableWidgetItem()
                    self.setItem(r, c, item)
                elif value == before[c] and not recolour:
                    continue
                item.setText(value)
                item.setBackground(WAITING_BRUSH if values[w] else PLAIN_BRUSH)
        self._shown = rows

    def rows(self) -> list[dict[str, str]]:
        """The table as dicts keyed by column (for tests and scripts)."""
        return [
            {name: (self.item(r, c).text() if self.item(r, c) else "") for c, name in enumerate(COLUMNS)}
            for r in range(self.rowCount())
        ]
