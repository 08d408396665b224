"""The array plot: the shared array, live, as a peak envelope that keeps every spike.

The twin of :mod:`app.gui.lanes`: a widget that shows what a feed thread made. The
window calls :meth:`ArrayPlot.refresh` from its display timer with the array to show
(read live, without a lock: a half-done pass is what a learner should see) and
whether something runs; the plot shows the envelope made since the last tick and asks
the :class:`~app.core.envelopefeed.EnvelopeFeed` for the next one. It moves its axes
only when the data leaves what it covered (:class:`~app.core.axisrange.StickyRange`),
and leaves them alone once the user zooms or pans (pyqtgraph's "A" gives them back).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtGui, QtWidgets

from ..core.axisrange import StickyRange
from ..core.envelopefeed import Envelope, EnvelopeFeed

#: The plot draws at most twice this many points (a peak envelope). Kept under 500
#: points on purpose: numpy lets go of the GIL in loops over more than 500 elements,
#: and with busy workers each such release costs the GUI thread a wait for the GIL
#: (pyqtgraph runs several such loops over the points it is given).
PLOT_BINS = 240
#: The plot's empty margin left and right, as a fraction of the array's length.
X_MARGIN = 0.03
#: The colour of the lines that mark where each pass under way has got to.
FRONT_COLOUR = "#c0580f"
FRONTS_NOTE = ("Orange line: where an element-wise pass has got to. The plot reads the array without "
               "the lock, so the part before the line is already done: a step there is a pass half "
               "done, not a race.")


def envelope_path(x: np.ndarray, y: np.ndarray) -> QtGui.QPainterPath:
    """The curve through the envelope's points (called on the envelope feed's thread)."""
    return pg.arrayToQPath(x, y) if x.size else QtGui.QPainterPath()


def short_count(value: float) -> str:
    """``20000`` as ``"20k"``, ``1500000`` as ``"1.5M"``; below 10 000 as it is."""
    for size, suffix in ((1e9, "G"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value / 1e3:g}k" if abs(value) >= 1e4 else f"{value:g}"


def nice_step(at_least: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``at_least``."""
    power = 10.0 ** math.floor(math.log10(at_least))
    return next(power * m for m in (1, 2, 5, 10) if power * m >= at_least * (1 - 1e-9))


class IndexAxis(pg.AxisItem):
    """An axis of element indices written short (``20k``, ``1.5M``), so that the labels of
    a long array still fit side by side when the plot is narrow (the Lessons tab)."""

    LABEL_ROOM = "00.0M"  # (the widest short label, and a gap)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [short_count(v * scale) for v in values]

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph's name
        """Major ticks only, no closer than a label's width: pyqtgraph asks for about
        four whatever the width, and in a narrow plot (a projector's scale factor) the
        labels ran into each other."""
        span = maxVal - minVal
        label = QtGui.QFontMetrics(self.style.get("tickFont") or self.font()).horizontalAdvance(self.LABEL_ROOM)
        fits = max(1.0, size / max(label, 1))
        if span <= 0 or not math.isfinite(span):
            return super().tickSpacing(minVal, maxVal, size)
        return [(nice_step(span / min(fits, 5.0)), 0)]


class EnvelopeCurve(QtWidgets.QGraphicsPathItem):
    """The array's curve: a plain Qt path item, which Qt paints without calling Python.

    pyqtgraph's ``PlotCurveItem`` paints and measures itself in Python, so every frame
    entered Python several times from Qt (its ``paint`` and, between frames, its
    ``boundingRect``), and with busy workers each entry waits for the GIL. Here the
    path is built with each new envelope on the envelope feed's thread (see
    :func:`envelope_path`; a ``QPainterPath`` may be made on any thread and handed
    over); Qt does the rest in C++. The pen is cosmetic: one pixel wide at any zoom.
    """

    def __init__(self, colour: str) -> None:
        super().__init__()
        pen = QtGui.QPen(QtGui.QColor(colour))
        pen.setCosmetic(True)
        pen.setWidthF(0)  # 0: a one-pixel line that adds nothing to the bounding box
        self.setPen(pen)
        self._x = self._y = np.empty(0)

    def show_envelope(self, envelope: Envelope) -> None:
        """Plot ``envelope``'s points."""
        self._x, self._y = envelope.x, envelope.y
        self.setPath(envelope.shape)  # built by envelope_path on the feed's thread

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name for it
        """The points plotted, as pyqtgraph's curves give them."""
        return self._x, self._y


class ArrayPlot(QtWidgets.QWidget):
    """The array, its axes and the feed that makes its envelope (owner of that thread)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"bottom": IndexAxis("bottom")})
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen("#444444")
            self.plot.getAxis(side).setTextPen("#222222")
            # Major ticks only, pointing out of the view: an axis that moves regenerates all
            # its ticks and labels in Python, and without the minor ones that takes half as
            # long (0.5 ms against 1 ms here, tripled by busy workers).
            self.plot.getAxis(side).setStyle(tickLength=5, maxTickLevel=0, maxTextLevel=0)
        self.plot.setLabel("bottom", "element index")
        self.plot.setLabel("left", "value")
        # No grid: pyqtgraph draws it as part of the axes, which makes every frame of the
        # curve repaint both axes too (the most expensive part of a frame, measured).
        self.plot.disableAutoRange()  # the plot sets the ranges (see _fit_axes)
        self.plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self._on_range_changed_by_user())
        self.curve = EnvelopeCurve("#1f77b4")
        self.plot.addItem(self.curve, ignoreBounds=True)
        self._front_lines: dict[str, QtWidgets.QGraphicsLineItem] = {}
        self._fronts_shown: dict[str, int] = {}
        self._fronts_asked: dict[str, int] = {}  # the fronts when the envelope under way was asked for
        self.fronts_note = QtWidgets.QLabel(FRONTS_NOTE)
        self.fronts_note.setWordWrap(True)
        self.fronts_note.setStyleSheet(f"color:{FRONT_COLOUR}")
        self.fronts_note.hide()
        self._note_shown = False
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        layout.addWidget(self.fronts_note)
        self.feed = EnvelopeFeed(PLOT_BINS, shape=envelope_path)
        self.redraw_pending = True  # draw once more even when nothing runs
        self._plotted_size = -1
        self._user_range = False  # True once the user zoomed or panned
        self._y_range = StickyRange()
        self._setting_range = False

    def start(self) -> None:
        """Start the envelope feed's thread."""
        self.feed.start()

    def stop(self, timeout: float) -> bool:
        """Stop the envelope feed's thread; True if it ended within ``timeout``."""
        return self.feed.stop(timeout)

    def refresh(self, y: np.ndarray | None, busy: bool, fronts: dict[str, int] | None = None) -> str | None:
        """Show the envelope made since the last call; ask for ``y`` as it is now if
        something runs (or a redraw is pending). ``fronts``: where the passes under way
        have got to now, shown with the envelope of this ``y`` (on a later call, so the
        lines and the curve are of the same moment). Returns the feed's errors, if any."""
        error = self.feed.take_error()
        done = self.feed.take()
        if done is not None and done.size == self._plotted_size:  # (not one made before a resize)
            self.curve.show_envelope(done)
            if not self._user_range and done.y.size:
                self._fit_axes(done.size, done.low, done.high)
            self.show_fronts(self._fronts_asked)
        if self.redraw_pending or busy:
            self.redraw_pending = False  # an idle plot does not redraw an unchanged array
            self._request(y if y is not None else np.empty(0))
            self._fronts_asked = dict(fronts or {})
        return error

    def show_fronts(self, fronts: dict[str, int]) -> None:
        """Mark where each pass under way has got to (an element index, by worker name).
        The note under the plot stays while the workers run (passes begin and end many
        times a second: a note that came and went would shake the layout)."""
        if fronts == self._fronts_shown:
            return
        low, high = self.plot.getViewBox().viewRange()[1]
        for name, line in list(self._front_lines.items()):
            if name not in fronts:
                line.hide()
        for name, front in fronts.items():
            line = self._front_lines.get(name)
            if line is None:
                line = self._front_lines[name] = QtWidgets.QGraphicsLineItem()
                pen = QtGui.QPen(QtGui.QColor(FRONT_COLOUR))
                pen.setCosmetic(True)
                pen.setWidthF(2)
                line.setPen(pen)
                self.plot.addItem(line, ignoreBounds=True)
            line.setLine(front, low, front, high)
            line.show()
        if fronts and not self._note_shown:
            self.fronts_note.show()
            self._note_shown = True
        self._fronts_shown = dict(fronts)

    def forget_fronts(self) -> None:
        """No pass runs any more: drop the lines and the note (called every idle tick, so it
        touches Qt only when there is something to drop)."""
        self._fronts_asked = {}
        if self._fronts_shown or self._note_shown:
            self.show_fronts({})
            self.fronts_note.hide()
            self._note_shown = False

    def _request(self, y: np.ndarray) -> None:
        """Ask the feed for ``y``'s envelope (of what is in view, once the user zoomed)."""
        view = self.plot.getViewBox()
        auto = any(view.state["autoRange"])  # the user pressed pyqtgraph's "A": ours again
        if auto:
            view.disableAutoRange()
        if auto or y.size != self._plotted_size:  # (or a new array)
            self._plotted_size = y.size
            self._user_range = False
            self._y_range.reset()
        first, last = 0, y.size
        if self._user_range:
            x0, x1 = view.viewRange()[0]
            first, last = max(int(x0), 0), min(int(np.ceil(x1)) + 1, y.size)
        self.feed.request(y, first, max(first, last))

    def _fit_axes(self, size: int, low: float, high: float) -> None:
        """Move the ranges only when :class:`StickyRange` says the data needs it.

        The x range leaves a margin of :data:`X_MARGIN` on both sides: Qt repaints a few
        pixels around what changed, and a curve that came that close to the left axis
        made every frame repaint the axis too (measured: 31 axis paints a second with a
        margin of 0.5 %, none with 3 %).
        """
        y_range = self._y_range.fit(low, high, time.monotonic())
        if y_range is None:
            return
        edge = max(size * X_MARGIN, 0.5)
        self._setting_range = True
        self.plot.getViewBox().setRange(xRange=(-edge, size - 1 + edge), yRange=y_range, padding=0)
        self._setting_range = False

    def _on_range_changed_by_user(self) -> None:
        if not self._setting_range:
            self._user_range = True
            self.redraw_pending = True  # the envelope of what is in view now, also when idle
