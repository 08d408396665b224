"""Thread lanes: one row per thread, coloured by state, with the locks it holds, live.

A :class:`~app.core.lanesfeed.LanesFeed` reads the recorder and paints the lanes into
one RGBA image on its own thread (:func:`~app.core.lanesimage.render_lanes`); the
window's lanes timer calls :meth:`ThreadLanes.refresh` on the GUI thread, which shows
the image made since the last tick and asks for the next. The lane names and the time
axis ("seconds before now") are a picture cached until they change. A frame on the GUI
thread is therefore a handful of calls into Qt however many segments are in view: with
CPU-bound Python workers every entry of the GUI thread into Python waits for the GIL
(measured: vector bars on a scrolling pyqtgraph axis tripled the event-loop delay at
Python's 5 ms interval, and painting the image here took 2 ms at the median and 10 at
the 99th percentile with two element-wise workers).

While Follow is ticked the lanes scroll with the clock. Dragging them looks back (and
stops following), the wheel zooms; ticking Follow resumes.
Hovering a lane says what that thread was doing there, with lock and event names.
"""

from __future__ import annotations

import dataclasses
import html
import time

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core.lanesfeed import KEEP_S, LanesFeed, LanesFrame, View
from ..core.lanesimage import HOLD_COLOUR, LEGEND, ROW_PX, STATE_COLOURS
from ..core.primitives import format_site
from ..core import recorder as rec
from ..core.recorder import Recorder
from ..core.timeline import Segment, Track
from .qtcompat import event_global_pos, event_pos

#: Seconds shown while following the clock.
SPAN_S = 10.0
#: How long a tooltip waits for the feed to finish reading new records.
HOVER_WAIT_S = 0.02


class ThreadLanes(QtWidgets.QWidget):
    """A title, a legend, a Follow switch and the lanes canvas over one recorder."""

    def __init__(self, recorder: Recorder, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed = LanesFeed(recorder)
        self.timeline = self.feed.timeline
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._build_header())
        self.canvas = LanesCanvas(self.feed, self)
        layout.addWidget(self.canvas, 1)
        self.canvas.follow_changed.connect(self._show_following)

    def _build_header(self) -> QtWidgets.QVBoxLayout:
        rows = QtWidgets.QVBoxLayout()
        rows.setContentsMargins(6, 2, 6, 0)
        rows.setSpacing(0)
        row = QtWidgets.QHBoxLayout()
        title = QtWidgets.QLabel("<b>Thread lanes</b>: what each thread is doing")
        title.setWordWrap(True)  # (a large text: two lines, not a wider column)
        title.setToolTip("hover a lane for details; the wheel zooms; drag to look back")
        self.follow_box = QtWidgets.QCheckBox("Follow")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("scroll with the clock")
        self.follow_box.toggled.connect(lambda on: self.canvas.set_following(on))
        row.addWidget(title, 1)
        row.addWidget(self.follow_box)
        keys = [(colour, LEGEND[state]) for state, colour in STATE_COLOURS.items() if state in LEGEND]
        keys.append((HOLD_COLOUR, "holding a lock (thin bar)"))
        legend = QtWidgets.QLabel("<small>" + "&nbsp; ".join(  # (small: relative, so it follows View > Larger text)
            f'<span style="background:{colour}">&nbsp;&nbsp;&nbsp;</span>&nbsp;{html.escape(label)}'
            for colour, label in keys) + "</small>")
        legend.setObjectName("lanes-legend")
        legend.setWordWrap(True)
        rows.addLayout(row)
        rows.addWidget(legend)
        return rows

    @property
    def rows(self) -> list[list[Track]]:
        """The lanes drawn last, top to bottom: each is the tracks of one thread name in turn."""
        return self.canvas.rows

    def refresh(self, busy: bool = True) -> bool:
        """Show the lanes painted since the last call; ask for the next. True if a frame came.

        ``busy``: something runs, so time moves on the lanes even without new records.
        Not following, the feed still reads the recorder (the timeline stays bounded)
        and repaints the stretch in view only when new records arrived.
        """
        frame = self.feed.take()
        now = self.canvas.view(busy and self.canvas.following)
        shown = frame is not None and self.canvas.show_frame(frame, now)
        self.feed.request(dataclasses.replace(now, force=frame is not None and not shown))
        return shown

    def describe_at(self, x: float, lane: int) -> str:
        """What lane ``lane`` (0 at the top) showed ``x`` seconds after the right edge's time."""
        return self.canvas.describe_at(x, lane)

    def show_period(self, t0: float, t1: float) -> None:
        """Show ``t0`` to ``t1`` (monotonic seconds) and stop following (see the canvas)."""
        self.canvas.show_period(t0, t1)

    def show_lanes(self, first: int, last: int | None = None, always: tuple[int, ...] = ()) -> None:
        """Paint only the lanes numbered ``first`` up to ``last`` (see :meth:`Recorder.mark`),
        and those in ``always``: the threads of one session, not those of the one before."""
        self.canvas.lanes = (first, last, always)

    def _show_following(self, on: bool) -> None:
        if self.follow_box.isChecked() != on:
            self.follow_box.setChecked(on)


class LanesCanvas(QtWidgets.QWidget):
    """Paints the lanes: a cached picture of the labels and axis, and one image of the bars.

    A frame is one ``QImage`` made from the feed's numpy image and a repaint of two
    pictures, whatever is in view. The time axis reads in seconds before the right
    edge, which is "now" while following. A drag, a zoom or a resize paints at once,
    on the GUI thread.
    """

    follow_changed = QtCore.Signal(bool)
    name_clicked = QtCore.Signal(str)  # a click on a lane's name (Step through steps that thread)
    LEFT = 170  # room for the lane names at first ("Thread-2 (divide)"); it grows to fit them
    BOTTOM = 20  # room for the time axis

    def __init__(self, feed: LanesFeed, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lanes")
        self.setMinimumHeight(110)
        self.setMouseTracking(True)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.following = True
        self.span = SPAN_S
        self.anchor = time.monotonic()  # the time at the right edge
        self.rows: list[list[Track]] = []
        self.left = self.LEFT  # the names' column, in pixels
        self.lanes: tuple[int, int | None, tuple[int, ...]] = (0, None, ())  # View's first, last, always
        self._feed = feed
        self._image = np.full((1, 1, 4), 255, dtype=np.uint8)
        self._qimage: QtGui.QImage | None = None
        self._static: QtGui.QPixmap | None = None
        self._static_key: tuple = ()
        self._row_px = ROW_PX
        self._drag_from: tuple[float, float] | None = None

    # -- what is shown ---------------------------------------------------------------------
    def view(self, busy: bool = True, force: bool = False) -> View:
        """The stretch of time to paint now (up to the clock while following) and its room."""
        t1 = time.monotonic() if self.following else self.anchor
        width = max(self._bars_width(), 10)
        height = max(self.height() - self.BOTTOM - 2, 10)
        return View(t1 - self.span, t1, width, height, busy, self.following, force, *self.lanes)

    def show_frame(self, frame: LanesFrame, current: View | None = None) -> bool:
        """Show ``frame`` unless the view moved on since it was asked for (the size, the span,
        following, or the stretch of time when not following); True if shown. ``current``:
        the view now, if the caller has it."""
        if not frame.view.same_place(current or self.view()):
            return False
        self.anchor = frame.view.t1  # hover and drag read times off what is on screen
        self.rows, self._row_px, self._image = frame.rows, frame.row_px, frame.image
        self._fit_names()
        h, w = self._image.shape[:2]
        self._qimage = QtGui.QImage(self._image.data, w, h, w * 4, QtGui.QImage.Format.Format_RGBA8888)
        self.update()
        return True

    def show_period(self, t0: float, t1: float) -> None:
        """Stop following and show the times ``t0`` to ``t1`` (monotonic seconds), a little
        margin included: after a lesson run, the whole run fills the lanes."""
        margin = max((t1 - t0) * 0.04, 0.002)
        self.set_following(False)
        self.span = float(np.clip(t1 - t0 + 2 * margin, 0.02, KEEP_S))
        self.anchor = t1 + margin
        self._render()

    def set_following(self, on: bool) -> None:
        """Scroll with the clock (True) or stay on the stretch of time in view."""
        if on == self.following:
            return
        self.following = on
        if on:
            self.span = SPAN_S
        self.follow_changed.emit(on)

    def _bars_width(self) -> int:
        """Pixels across for the bars: the width less the names on the left and a margin."""
        return self.width() - self.left - 4

    def _render(self) -> None:
        """Paint the view now, on this thread (the user dragged, zoomed or resized)."""
        self.show_frame(self._feed.render_now(self.view()))

    def _fit_names(self) -> None:
        """Make the names' column as wide as the longest name (up to three fifths of the width):
        the next frame is painted for the bars' new width."""
        widest = max((self.fontMetrics().horizontalAdvance(row[0].name) for row in self.rows), default=0)
        wanted = int(np.clip(widest + 14, self.LEFT, max(self.LEFT, self.width() * 3 // 5)))
        if wanted != self.left:
            self.left = wanted
            self._static = None

    def _static_picture(self) -> QtGui.QPixmap:
        """Labels and axis, redrawn only when the lanes, the size or the span change."""
        key = (self.width(), self.height(), self._row_px, self.span, self.following,
               None if self.following else round(self.anchor, 1),
               tuple(row[0].name for row in self.rows))
        if self._static is not None and key == self._static_key:
            return self._static
        pixmap = QtGui.QPixmap(self.size())
        pixmap.fill(QtGui.QColor("white"))
        p = QtGui.QPainter(pixmap)
        p.setPen(QtGui.QColor("#222222"))
        metrics = p.fontMetrics()
        for i, row in enumerate(self.rows):
            rect = QtCore.QRect(2, i * self._row_px, self.left - 8, self._row_px)
            name = metrics.elidedText(row[0].name, QtCore.Qt.TextElideMode.ElideMiddle, rect.width())
            p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter, name)
        base = self.height() - self.BOTTOM
        width = self._bars_width()
        p.setPen(QtGui.QColor("#888888"))
        p.drawLine(self.left, base, self.left + width, base)
        p.setPen(QtGui.QColor("#222222"))
        step = _tick_step(self.span)
        free_left_of = self.width() + 10  # labels are drawn right to left and never overlap
        for k in range(int(self.span / step) + 1):
            x = self.left + width - int(k * step / self.span * width)
            p.drawLine(x, base, x, base + 4)
            label = f"-{k * step:g} s" if k else self._edge_label()
            text_width = metrics.horizontalAdvance(label)
            right = x if k == 0 else x + text_width // 2  # the edge's label ends at the edge
            if right > free_left_of - 6 or right - text_width < self.left - 20:
                continue
            p.drawText(QtCore.QRect(right - text_width, base + 4, text_width, self.BOTTOM - 4),
                       QtCore.Qt.AlignmentFlag.AlignCenter, label)
            free_left_of = right - text_width
        p.end()
        self._static, self._static_key = pixmap, key
        return pixmap

    def _edge_label(self) -> str:
        """"now" while following; otherwise the clock time of the right edge."""
        if self.following:
            return "now"
        wall = time.time() - (time.monotonic() - self.anchor)
        return time.strftime("%H:%M:%S", time.localtime(wall)) + f".{int(wall % 1 * 10)}"

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.drawPixmap(0, 0, self._static_picture())
        if self._qimage is not None:
            p.drawImage(self.left, 0, self._qimage)
        p.end()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        self._render()

    # -- looking around --------------------------------------------------------------------
    def _seconds_at(self, x: float) -> float:
        """Seconds from the right edge (negative) at pixel ``x``."""
        width = max(self._bars_width(), 1)
        return (x - self.left - width) / width * self.span

    def describe_at(self, x: float, lane: int) -> str:
        """What lane ``lane`` (0 at the top) showed ``x`` seconds from the right edge, in words."""
        # The feed's thread may be adding to these tracks. A mouse move waits a little for
        # it to finish (a paint takes a few ms), else shows no tooltip this time.
        if not self._feed.timeline_lock.acquire(timeout=HOVER_WAIT_S):
            return ""
        try:
            return self._describe(x, lane)
        finally:
            self._feed.timeline_lock.release()

    def _describe(self, x: float, lane: int) -> str:
        if not 0 <= lane < len(self.rows):
            return ""
        t = self.anchor + x
        row = self.rows[lane]
        track = next((tr for tr in reversed(row) if tr.first <= t), row[0])
        now = time.monotonic()
        lines = [f"<b>{html.escape(track.name)}</b>"]
        segment: Segment | None = track.state_at(t)
        if segment is not None:
            lasted = segment.end_or(now) - segment.start
            still = " so far" if segment.end is None else ""
            lines.append(f"{html.escape(segment.describe())} for {lasted:.3f} s{still}")
            if segment.end is None and segment.state == rec.WAIT_LOCK:
                waiter = next((w for w in segment.obj.waiters() if w.lane is track.lane), None)
                if waiter is not None:
                    lines.append(f"waits at {html.escape(format_site(waiter.site))}")
        for hold in track.holds_at(t):
            held = hold.end_or(now) - hold.start
            lines.append(f"holding {html.escape(repr(hold.lock.name))} ({held:.3f} s in all)")
            if hold.end is None and hold.lock.owner is track.lane:
                lines.append(f"took it at {html.escape(format_site(hold.lock.owner_site))}")
        if track.ended is not None and t >= track.ended:
            lines.append("failed" if track.failed else "finished")
        return "<br>".join(lines)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        pos = event_pos(event)
        if self._drag_from is not None:
            start_x, start_anchor = self._drag_from
            width = max(self._bars_width(), 1)
            self.anchor = min(start_anchor - (pos.x() - start_x) / width * self.span, time.monotonic())
            self._render()
            return
        text = self.describe_at(self._seconds_at(pos.x()), pos.y() // self._row_px) if pos.x() > self.left else ""
        if text:
            QtWidgets.QToolTip.showText(event_global_pos(event), text, self)
        else:
            QtWidgets.QToolTip.hideText()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        pos = event_pos(event)
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        if pos.x() > self.left:
            self.set_following(False)
            self._drag_from = (pos.x(), self.anchor)
            return
        lane = int(pos.y() // self._row_px)
        if 0 <= lane < len(self.rows) and self.rows[lane]:
            self.name_clicked.emit(self.rows[lane][-1].name)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        """Zoom; following, around the right edge (now), otherwise around the mouse."""
        factor = 0.8 if event.angleDelta().y() > 0 else 1.25
        span = float(np.clip(self.span * factor, 0.02, KEEP_S))
        if not self.following:
            under = self.anchor + self._seconds_at(event_pos(event).x())
            self.anchor = min(under + (self.anchor - under) * span / self.span, time.monotonic())
        self.span = span
        self._render()


def _tick_step(span: float) -> float:
    """A round step that gives five to ten ticks over ``span`` seconds."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60):
        if span / step <= 6:
            return step
    return 60.0

