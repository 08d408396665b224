"""The Log tab: the lab's log lines, following the newest unless the user scrolled up.

What the window's display tick reads from the :class:`~app.core.logbook.LogBook` goes
in with :meth:`LogPane.add`. The view follows the end whatever happens around it (a
banner shown, a tab switched, a lesson chosen: each changes its height), and stops
following only while the user has scrolled away from the end. Errors stay findable:
they are red, counted (:attr:`LogPane.errors`, which the status bar shows), and a
filter shows errors only, or one thread's lines. **Clear** empties the view.
"""

from __future__ import annotations

import html
from collections import deque

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core import logbook
from ..core.logbook import Entry
from .editor import fixed_pitch_font

#: What the Show filter offers, in its order.
EVERYTHING, ERRORS_ONLY = "every line", "errors only"
ALL_THREADS = "all threads"
ERROR_STYLE = "color:#b03a2e"


class LogPane(QtWidgets.QWidget):
    """The log view with its filters, Clear, and an error count."""

    errors_changed = QtCore.Signal(int)  # the error count, after each change

    def __init__(self, lines_kept: int, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors = 0  # error lines added since the last Clear
        self._kept: deque[Entry] = deque(maxlen=lines_kept)  # what the filters choose from
        self._following = True
        self._threads: set[str] = set()  # the names the thread filter offers
        self.view = QtWidgets.QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(lines_kept)
        self.view.setObjectName("log")
        self.view.setFont(fixed_pitch_font())
        self.level_box = QtWidgets.QComboBox()
        self.level_box.addItems([EVERYTHING, ERRORS_ONLY])
        self.level_box.setToolTip("show every line, or the errors only")
        self.thread_box = QtWidgets.QComboBox()
        self.thread_box.addItem(ALL_THREADS)
        self.thread_box.setToolTip("show the lines of one thread")
        self.thread_box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.clear_button = QtWidgets.QPushButton("Clear")
        self.clear_button.setToolTip("empty the log view (the lines are not kept)")
        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QtWidgets.QLabel("Show"))
        bar.addWidget(self.level_box)
        bar.addWidget(self.thread_box)
        bar.addStretch(1)
        bar.addWidget(self.clear_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        scrollbar = self.view.verticalScrollBar()
        scrollbar.valueChanged.connect(self._on_scrolled)
        scrollbar.rangeChanged.connect(self._on_range)
        self.level_box.currentIndexChanged.connect(self._refilter)
        self.thread_box.currentIndexChanged.connect(self._refilter)
        self.clear_button.clicked.connect(self.clear)

    # -- the interface -------------------------------------------------------------------
    @property
    def following(self) -> bool:
        """True while the view keeps to the newest line."""
        return self._following

    def add(self, entries: list[Entry]) -> None:
        """Add log entries (oldest first); the view shows those the filters let through."""
        if not entries:
            return
        self._kept.extend(entries)
        errors = sum(entry.kind == logbook.ERROR for entry in entries)
        for thread in dict.fromkeys(entry.thread for entry in entries):  # (in the order they came)
            if thread not in self._threads:
                self._threads.add(thread)
                self.thread_box.addItem(thread)
        self._show([e for e in entries if self._passes(e)])
        if errors:
            self.errors += errors
            self.errors_changed.emit(self.errors)

    def show_errors(self) -> None:
        """Show the errors only, of every thread (the status bar's error count does this)."""
        self.thread_box.setCurrentIndex(0)
        self.level_box.setCurrentText(ERRORS_ONLY)

    def clear(self) -> None:
        """Empty the view and the error count; the filters stay."""
        self._kept.clear()
        self.view.clear()
        self._following = True
        self.errors = 0
        self.errors_changed.emit(0)

    # -- inside --------------------------------------------------------------------------
    def _passes(self, entry: Entry) -> bool:
        if self.level_box.currentText() == ERRORS_ONLY and entry.kind != logbook.ERROR:
            return False
        thread = self.thread_box.currentText()
        return thread == ALL_THREADS or entry.thread == thread

    def _show(self, entries: list[Entry]) -> None:
        plain: list[str] = []  # consecutive plain lines go in with one call
        for entry in entries:
            if entry.kind == logbook.ERROR:
                if plain:
                    self.view.appendPlainText("\n".join(plain))
                    plain = []
                self.view.appendHtml(f'<pre style="{ERROR_STYLE}">{html.escape(entry.format())}</pre>')
            else:
                plain.append(entry.format())
        if plain:
            self.view.appendPlainText("\n".join(plain))
        if self._following:
            self._to_end()

    def _refilter(self) -> None:
        self.view.clear()
        self._following = True
        self._show([e for e in self._kept if self._passes(e)])

    def _on_scrolled(self, value: int) -> None:
        # the user scrolled away from the end (or back to it); a change of range that moved
        # the value (the view grew or shrank) is followed by _on_range, which puts it back
        self._following = value >= self.view.verticalScrollBar().maximum() - 1

    def _on_range(self, _low: int, _high: int) -> None:
        if self._following:
            self._to_end()

    def _to_end(self) -> None:
        scrollbar = self.view.verticalScrollBar()
        scrollbar.setValue(scrollbar.maximum())
