"""How live the window is, measured and shown: event-loop delay, freezes, the switch interval.

Beside the array plot: a small plot of how late the window's 20 ms probe timer fired
over the last seconds (log scale, so 1 ms and a 2 s freeze both fit), its p50, p99
and max, the last freeze the watchdog measured, and a control for the interpreter's
thread switch interval with a sentence on what it does. Painting uses one cached
``QPainterPath`` and a few ``QPainter`` calls, like the lanes (see ``app/gui/lanes.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core import switching
from ..core.latency import LatencyStats
from .qtenv import ShownTexts

#: The plot's vertical range, log scale (seconds): from 0.5 ms to 2 s.
LOW_S, HIGH_S = 0.0005, 2.0
TICKS_S = (0.001, 0.01, 0.1, 1.0)
GOAL_S = 0.010  # the dashed line: a delay nobody notices
QWIDGETSIZE_MAX = 16777215  # Qt's "no maximum"
NARROW_WIDTH = 290  # the panel's width beside the array plot


class LatencyPlot(QtWidgets.QWidget):
    """The probe timer's delays over the last ``window`` seconds."""

    LEFT = 50  # the labels' column, at least (wider with a larger font)

    def __init__(self, window_s: float = 5.0, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("latency-plot")
        self.window_s = window_s
        self.setMinimumSize(180, 64)
        self._path: QtGui.QPainterPath | None = None
        self._grid_pixmap: QtGui.QPixmap | None = None
        self._pen = QtGui.QPen(QtGui.QColor("#1f77b4"), 1.5)

    def show_series(self, times: np.ndarray, delays: np.ndarray, now: float) -> None:
        """Plot ``delays`` (s) measured at ``times`` (monotonic s) up to ``now``."""
        if len(delays) < 2:
            self._path = None
        else:
            w, h = self._plot_size()
            x = self._left() + (1 - (now - times) / self.window_s) * w
            self._path = pg.arrayToQPath(x, self._y(delays, h))
        self.update()

    def _label_font(self) -> QtGui.QFont:
        font = QtGui.QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.8)
        return font

    def _left(self) -> int:
        """The labels' column: room for the widest label at this font."""
        return max(self.LEFT, QtGui.QFontMetrics(self._label_font()).horizontalAdvance("100 ms") + 8)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._grid_pixmap = None  # (its labels are drawn at the old size)
        super().changeEvent(event)

    def _plot_size(self) -> tuple[int, int]:
        return max(self.width() - self._left() - 4, 10), max(self.height() - 6, 10)

    @staticmethod
    def _y(delays: np.ndarray, height: int) -> np.ndarray:
        clipped = np.clip(delays, LOW_S, HIGH_S)
        span = math.log10(HIGH_S) - math.log10(LOW_S)
        return 3 + (1 - (np.log10(clipped) - math.log10(LOW_S)) / span) * height

    def _grid(self) -> QtGui.QPixmap:
        """Background, grid, labels and the 10 ms line: drawn again only after a resize."""
        if self._grid_pixmap is not None and self._grid_pixmap.size() == self.size():
            return self._grid_pixmap
        pixmap = QtGui.QPixmap(self.size())
        pixmap.fill(QtGui.QColor("white"))
        p = QtGui.QPainter(pixmap)
        p.setFont(self._label_font())
        w, h = self._plot_size()
        left = self._left()
        for tick in TICKS_S:
            y = float(self._y(np.array([tick]), h)[0])
            p.setPen(QtGui.QColor("#dddddd"))
            p.drawLine(QtCore.QPointF(left, y), QtCore.QPointF(left + w, y))
            p.setPen(QtGui.QColor("#555555"))
            label = f"{tick * 1000:g} ms" if tick < 1 else f"{tick:g} s"
            p.drawText(QtCore.QRectF(0, y - 8, left - 4, 16), QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                       label)
        goal = float(self._y(np.array([GOAL_S]), h)[0])
        p.setPen(QtGui.QPen(QtGui.QColor("#2e9d57"), 1, QtCore.Qt.PenStyle.DashLine))
        p.drawLine(QtCore.QPointF(left, goal), QtCore.QPointF(left + w, goal))
        p.end()
        self._grid_pixmap = pixmap
        return pixmap

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.drawPixmap(0, 0, self._grid())
        if self._path is not None:
            p.setPen(self._pen)
            p.drawPath(self._path)
        p.end()


class ResponsivenessPanel(QtWidgets.QGroupBox):
    """The latency plot, its figures, the last freeze, and the switch interval control."""

    switch_interval_chosen = QtCore.Signal(float)  # seconds

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Event-loop delay, last 5 s", parent)
        self.setObjectName("responsiveness")
        self.setToolTip("how late the window's 20 ms timer fires: while it is high, clicks and "
                        "repaints wait. The dashed line is 10 ms.")
        self._box = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom, self)
        self._box.setContentsMargins(6, 2, 6, 4)
        measured, controls = QtWidgets.QVBoxLayout(), QtWidgets.QVBoxLayout()
        for half in (measured, controls):
            half.setSpacing(2)
            self._box.addLayout(half, 1)
        self.plot = LatencyPlot()
        self.stats_label = QtWidgets.QLabel("p50 – · p99 – · max –")
        self.stats_label.setObjectName("latency-stats")
        self.stats_label.setWordWrap(True)  # (a large text: two lines, not a wider column)
        self.stall_label = QtWidgets.QLabel("no freeze over 100 ms yet")
        self.rate_label = QtWidgets.QLabel()
        self.rate_label.setWordWrap(True)
        self.switch_box = QtWidgets.QComboBox()
        self.switch_box.setObjectName("switch-interval")
        for ms in switching.CHOICES_MS:
            self.switch_box.addItem(f"{ms:g} ms", ms / 1000)
        self.switch_box.setToolTip(
            "sys.setswitchinterval (0.5 ms to 50 ms): how long a thread may run Python before a "
            "thread waiting for the GIL gets its turn. Shorter: the window gets the GIL back "
            "sooner when workers compute in Python, at the cost of more switches.")
        self.switch_box.activated.connect(self._on_switch_chosen)
        self.gil_label = QtWidgets.QLabel("GIL: on" if switching.gil_enabled() else "GIL: off")
        self.gil_label.setToolTip(switching.describe_gil())
        row = self._switch_row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Switch interval"))
        row.addWidget(self.switch_box)
        row.addStretch(1)
        row.addWidget(self.gil_label)
        self.switch_note = QtWidgets.QLabel()
        self.switch_note.setWordWrap(True)
        self.size_texts()
        measured.addWidget(self.plot, 1)
        measured.addWidget(self.stats_label)
        controls.addWidget(self.rate_label)
        controls.addWidget(self.stall_label)
        controls.addLayout(row)
        controls.addWidget(self.switch_note)
        controls.addStretch(1)
        self._wide = False
        self.set_wide(False)
        self._texts = ShownTexts()
        self._refit = QtCore.QTimer(self)
        self._refit.setSingleShot(True)
        # (a method, not a lambda that holds ``self``: Qt's bindings hold a method weakly and
        # drop it with the panel, where a lambda collected with the panel's wrappers while
        # the timer still ran was called freed: a segfault, seen with two windows in one
        # process)
        self._refit.timeout.connect(self._fit_again)

    def _on_switch_chosen(self, index: int) -> None:
        self.switch_interval_chosen.emit(self.switch_box.itemData(index))

    def _fit_again(self) -> None:
        """Narrow or wide as before, measured again at the new font."""
        self.set_wide(self._wide)

    def set_wide(self, wide: bool) -> None:
        """Narrow: one column beside the array plot. Wide: the plot and the controls side by
        side, in a low strip (when a lesson has no array and the lanes need the height)."""
        self._box.setDirection(QtWidgets.QBoxLayout.Direction.LeftToRight if wide else QtWidgets.QBoxLayout.Direction.TopToBottom)
        self._wide = wide
        if wide:
            self.setMinimumWidth(0)
            self.setMaximumWidth(QWIDGETSIZE_MAX)
        else:
            self.setFixedWidth(self._narrow_width())
        self.updateGeometry()

    def size_texts(self) -> None:
        """The notes a little smaller than the panel's text, and the switch interval's box
        as wide as its longest choice needs: both again when the text size changes (the
        window calls it after it applied its style sheet again, which puts fonts back)."""
        for small in (self.switch_note, self.stall_label, self.rate_label):
            font = QtGui.QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 0.85)
            small.setFont(font)
        self.switch_box.setFixedWidth(max(84, self.switch_box.sizeHint().width()))

    def _narrow_width(self) -> int:
        """NARROW_WIDTH, or what the switch-interval row needs at this font."""
        margins = self._box.contentsMargins()
        return max(NARROW_WIDTH, self._switch_row.minimumSize().width() + margins.left() + margins.right() + 4)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.FontChange and hasattr(self, "_refit"):
            self.size_texts()
            self._refit.start(0)  # (a larger font needs a wider column: measured once the labels have it)
        super().changeEvent(event)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        """Narrow, the height that the wrapped sentences need at this width: the splitter
        above asks only for the minimum size, which counts one line per label, and
        squeezed the labels over the plot when the runs histogram took room."""
        hint = super().minimumSizeHint()
        if not self._wide:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.minimumWidth())))
        return hint

    def show_switch_interval(self, seconds: float, python_default: float) -> None:
        """Select ``seconds`` in the control and say what it means."""
        index = self.switch_box.findData(round(seconds, 6))
        if index < 0:  # a value set elsewhere that is not one of the choices
            self.switch_box.addItem(f"{seconds * 1000:g} ms", seconds)
            index = self.switch_box.count() - 1
        self.switch_box.setCurrentIndex(index)
        lowered = "" if math.isclose(seconds, python_default) else "; shorter keeps the window livelier"
        self.switch_note.setText(f"How long a thread may run Python before another gets the GIL "
                                 f"(Python's own: {python_default * 1000:g} ms{lowered}).")

    def show_stats(self, stats: LatencyStats, redraws_per_s: float) -> None:
        """p50, p99, max, and how often the plot is redrawn now (labels touched only on change)."""
        self._texts.set(self.stats_label, stats.describe() if stats.samples else "p50 – · p99 – · max –")
        slowed = redraws_per_s < 29  # said only when the window draws less often to stay live
        if self._texts.set(self.rate_label, f"plot redrawn {redraws_per_s:.0f} times a second while "
                           "busy threads hold the GIL" if slowed else ""):
            self.rate_label.setVisible(slowed)

    def show_stall(self, text: str) -> None:
        self._texts.set(self.stall_label, text)


