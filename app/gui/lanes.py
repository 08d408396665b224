"""Thread lanes: one row per thread, coloured by state, with the locks it holds, live.

The view reads a :class:`~app.core.recorder.Recorder` through a
:class:`~app.core.timeline.Timeline` when the window's display timer calls
:meth:`ThreadLanes.refresh` (on the GUI thread, at display rate).

The lanes are painted into one RGBA image with numpy (:func:`render_lanes`); the lane
names and the time axis ("seconds before now") are a picture cached until they change.
A frame is therefore a handful of calls into Qt however many segments are in view.
That matters here more than usual: every call into Qt lets go of the GIL, and with
CPU-bound Python workers each one can cost the GUI thread a whole switch interval
(measured: vector bars on a scrolling pyqtgraph axis tripled the event-loop delay at
Python's 5 ms interval).

While Follow is ticked the lanes scroll with the clock. Dragging them looks back (and
stops following), the wheel zooms; ticking Follow resumes.
Hovering a lane says what that thread was doing there, with lock and event names.
"""

from __future__ import annotations

import bisect
import html
import time

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from app.core import recorder as rec
from app.core.primitives import format_site
from app.core.recorder import Recorder
from app.core.timeline import Segment, Timeline, Track

#: What each state looks like, in the order of the legend.
STATE_COLOURS = {
    rec.RUNNING: "#2e9d57",
    rec.WAIT_LOCK: "#d9412b",
    rec.WAIT_EVENT: "#f0a92e",
    rec.WAIT_COND: "#b565c9",
    rec.JOINING: "#6f86d6",
    rec.PACING: "#c9d3e0",
}
LEGEND = {
    rec.RUNNING: "running",
    rec.WAIT_LOCK: "waiting for a lock",
    rec.WAIT_EVENT: "waiting for an event",
    rec.WAIT_COND: "waiting on a condition",
    rec.JOINING: "joining a thread",
    rec.PACING: "pacing (a wait with a timeout)",
}
HOLD_COLOUR = "#3b3b3b"
#: Instants drawn as a thin tick across the lane.
MARK_COLOURS = {
    rec.SET: "#c27c00",
    rec.NOTIFY: "#8a3c9e",
    rec.BROKEN: "#9b1c0c",
    rec.FAILED: "#9b1c0c",
    rec.TIMED_OUT: "#222222",
    rec.GAVE_UP: "#222222",
}
#: Seconds shown while following the clock, and kept for scrolling back.
SPAN_S = 10.0
KEEP_S = 120.0
#: Pixel rows of one lane: the state bar, then the thin "holds a lock" bar.
ROW_PX = 22
BAR_ROWS = (3, 14)
HOLD_ROWS = (16, 19)
#: At most this many segments of one lane are painted per frame (every k-th beyond).
MAX_SEGMENTS_PER_LANE = 4000


def _rgba(colour: str) -> np.ndarray:
    qc = QtGui.QColor(colour)
    return np.array([qc.red(), qc.green(), qc.blue(), 255], dtype=np.uint8)


_STATE_RGBA = {state: _rgba(colour) for state, colour in STATE_COLOURS.items()}
_HOLD_RGBA = _rgba(HOLD_COLOUR)
_MARK_RGBA = {kind: _rgba(colour) for kind, colour in MARK_COLOURS.items()}


def in_view(items: list, t0: float, t1: float, now: float) -> list:
    """The items that overlap ``[t0, t1]``, from a list in time order without overlaps
    (one lane's segments, or its holds of one lock)."""
    first = bisect.bisect_left(items, t0, key=lambda item: item.end_or(now))
    last = bisect.bisect_right(items, t1, key=lambda item: item.start)
    return items[first:last]


def stack_rows(tracks: list[Track]) -> list[list[Track]]:
    """Put tracks in rows: a thread whose name already has a row that was free when it
    started joins that row, so a lesson run ten times shows one "add" lane, not ten."""
    rows: list[list[Track]] = []
    for track in tracks:
        for row in rows:
            last = row[-1]
            if last.name == track.name and last.ended is not None and last.ended <= track.first:
                row.append(track)
                break
        else:
            rows.append([track])
    return rows


def render_lanes(rows: list[list[Track]], t0: float, t1: float, width: int, now: float,
                 row_px: int = ROW_PX) -> np.ndarray:
    """Paint ``rows`` of tracks between times ``t0`` and ``t1`` into an RGBA image ``width``
    pixels wide.

    Pixel row ``i * row_px`` starts lane ``i``: a state bar, then a thin bar while its
    thread holds a lock. A segment shorter than a pixel still paints one pixel, so a
    short wait stays visible; where several share a pixel the last one wins.
    """
    width = max(int(width), 1)
    bar = (max(1, row_px * BAR_ROWS[0] // ROW_PX), row_px * BAR_ROWS[1] // ROW_PX)
    hold_rows = (row_px * HOLD_ROWS[0] // ROW_PX, max(row_px * HOLD_ROWS[1] // ROW_PX, row_px * HOLD_ROWS[0] // ROW_PX + 1))
    image = np.full((max(len(rows), 1) * row_px, width, 4), 255, dtype=np.uint8)
    scale = width / max(t1 - t0, 1e-9)

    def columns(start: float, end: float) -> tuple[int, int]:
        x0 = int((start - t0) * scale)
        return max(x0, 0), min(max(int((end - t0) * scale + 0.999), x0 + 1), width)

    for i, track in ((i, track) for i, row in enumerate(rows) for track in row):
        top = i * row_px
        segments = in_view(track.segments, t0, t1, now)
        segments = segments[:: max(1, len(segments) // MAX_SEGMENTS_PER_LANE)]
        for waits in (False, True):  # waits last: a pixel with any wait in it shows the wait
            for segment in segments:
                if (segment.state in rec.WAITING) == waits:
                    x0, x1 = columns(segment.start, segment.end_or(now))
                    image[top + bar[0]: top + bar[1], x0:x1] = _STATE_RGBA[segment.state]
        for lock_holds in track.holds_by_lock.values():
            holds = in_view(lock_holds, t0, t1, now)
            for hold in holds[:: max(1, len(holds) // MAX_SEGMENTS_PER_LANE)]:
                x0, x1 = columns(hold.start, hold.end_or(now))
                image[top + hold_rows[0]: top + hold_rows[1], x0:x1] = _HOLD_RGBA
        first = bisect.bisect_left(track.marks, t0, key=lambda mark: mark.t)
        for mark in track.marks[first: bisect.bisect_right(track.marks, t1, key=lambda mark: mark.t)]:
            if mark.kind in _MARK_RGBA:
                x0, _ = columns(mark.t, mark.t)
                image[top + 1: top + row_px - 1, x0: x0 + 2] = _MARK_RGBA[mark.kind]
    return image


class ThreadLanes(QtWidgets.QWidget):
    """A title, a legend, a Follow switch and the lanes canvas over one recorder."""

    def __init__(self, recorder: Recorder, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.timeline = Timeline()
        self._pruned_at = 0.0
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._build_header())
        self.canvas = LanesCanvas(self.timeline, self)
        layout.addWidget(self.canvas, 1)
        self.canvas.follow_changed.connect(self._show_following)

    def _build_header(self) -> QtWidgets.QVBoxLayout:
        rows = QtWidgets.QVBoxLayout()
        rows.setContentsMargins(6, 2, 6, 0)
        rows.setSpacing(0)
        row = QtWidgets.QHBoxLayout()
        title = QtWidgets.QLabel("<b>Thread lanes</b>: what each thread is doing")
        title.setToolTip("hover a lane for details; the wheel zooms; drag to look back")
        self.follow_box = QtWidgets.QCheckBox("Follow")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("scroll with the clock")
        self.follow_box.toggled.connect(lambda on: self.canvas.set_following(on))
        row.addWidget(title, 1)
        row.addWidget(self.follow_box)
        keys = [(colour, LEGEND[state]) for state, colour in STATE_COLOURS.items()]
        keys.append((HOLD_COLOUR, "holding a lock (thin bar)"))
        legend = QtWidgets.QLabel("&nbsp; ".join(
            f'<span style="background:{colour}">&nbsp;&nbsp;&nbsp;</span>&nbsp;{html.escape(label)}'
            for colour, label in keys))
        legend.setObjectName("lanes-legend")
        legend.setWordWrap(True)
        font = legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        legend.setFont(font)
        rows.addLayout(row)
        rows.addWidget(legend)
        return rows

    @property
    def rows(self) -> list[list[Track]]:
        """The lanes drawn last, top to bottom: each is the tracks of one thread name in turn."""
        return self.canvas.rows

    def refresh(self, busy: bool = True) -> bool:
        """Read new records; while following, redraw if anything moved. True if drawn.

        ``busy``: something runs, so time moves on the lanes even without new records.
        """
        new = self.timeline.follow(self.recorder)
        now = time.monotonic()
        if now - self._pruned_at >= 1.0:  # following or not: the timeline stays bounded
            self._pruned_at = now
            self.timeline.forget_before(now - KEEP_S)
        if not self.canvas.following or not (new or busy):
            return False
        self.canvas.show_now(now)
        return True

    def describe_at(self, x: float, lane: int) -> str:
        """What lane ``lane`` (0 at the top) showed ``x`` seconds after the right edge's time."""
        return self.canvas.describe_at(x, lane)

    def show_period(self, t0: float, t1: float) -> None:
        """Show ``t0`` to ``t1`` (monotonic seconds) and stop following (see the canvas)."""
        self.timeline.follow(self.recorder)
        self.canvas.show_period(t0, t1)

    def _show_following(self, on: bool) -> None:
        if self.follow_box.isChecked() != on:
            self.follow_box.setChecked(on)


class LanesCanvas(QtWidgets.QWidget):
    """Paints the lanes: a cached picture of the labels and axis, and one image of the bars.

    A frame is one ``QImage`` made from the numpy image and a repaint of two pictures,
    whatever is in view. The time axis reads in seconds before the right edge, which is
    "now" while following.
    """

    follow_changed = QtCore.Signal(bool)
    LEFT = 140  # room for the lane names
    BOTTOM = 20  # room for the time axis

    def __init__(self, timeline: Timeline, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lanes")
        self.setMinimumHeight(110)
        self.setMouseTracking(True)
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Expanding)
        self.following = True
        self.span = SPAN_S
        self.anchor = time.monotonic()  # the time at the right edge
        self.rows: list[list[Track]] = []
        self._timeline = timeline
        self._image = np.full((1, 1, 4), 255, dtype=np.uint8)
        self._qimage: QtGui.QImage | None = None
        self._static: QtGui.QPixmap | None = None
        self._static_key: tuple = ()
        self._row_px = ROW_PX
        self._drag_from: tuple[float, float] | None = None

    # -- what is shown ---------------------------------------------------------------------
    def show_now(self, now: float) -> None:
        """Draw the timeline up to ``now`` at the right edge (following)."""
        self.anchor = now
        self._render()

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

    def _render(self) -> None:
        t1 = self.anchor
        t0 = t1 - self.span
        self.rows = stack_rows(self._timeline.visible(t0, t1))
        width = max(self.width() - self.LEFT - 4, 10)
        height = max(self.height() - self.BOTTOM - 2, 10)
        self._row_px = max(8, min(ROW_PX, height // max(len(self.rows), 1)))
        self._image = render_lanes(self.rows, t0, t1, width, time.monotonic(), self._row_px)
        h, w = self._image.shape[:2]
        self._qimage = QtGui.QImage(self._image.data, w, h, w * 4, QtGui.QImage.Format_RGBA8888)
        self.update()

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
            rect = QtCore.QRect(2, i * self._row_px, self.LEFT - 8, self._row_px)
            name = metrics.elidedText(row[0].name, QtCore.Qt.ElideMiddle, rect.width())
            p.drawText(rect, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, name)
        base = self.height() - self.BOTTOM
        width = self.width() - self.LEFT - 4
        p.setPen(QtGui.QColor("#888888"))
        p.drawLine(self.LEFT, base, self.LEFT + width, base)
        p.setPen(QtGui.QColor("#222222"))
        step = _tick_step(self.span)
        free_left_of = self.width() + 10  # labels are drawn right to left and never overlap
        for k in range(int(self.span / step) + 1):
            x = self.LEFT + width - int(k * step / self.span * width)
            p.drawLine(x, base, x, base + 4)
            label = f"-{k * step:g} s" if k else self._edge_label()
            text_width = metrics.horizontalAdvance(label)
            right = x if k == 0 else x + text_width // 2  # the edge's label ends at the edge
            if right > free_left_of - 6 or right - text_width < self.LEFT - 20:
                continue
            p.drawText(QtCore.QRect(right - text_width, base + 4, text_width, self.BOTTOM - 4),
                       QtCore.Qt.AlignCenter, label)
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
            p.drawImage(self.LEFT, 0, self._qimage)
        p.end()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        self._render()

    # -- looking around --------------------------------------------------------------------
    def _seconds_at(self, x: float) -> float:
        """Seconds from the right edge (negative) at pixel ``x``."""
        width = max(self.width() - self.LEFT - 4, 1)
        return (x - self.LEFT - width) / width * self.span

    def describe_at(self, x: float, lane: int) -> str:
        """What lane ``lane`` (0 at the top) showed ``x`` seconds from the right edge, in words."""
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
        for hold in track.holds_at(t):
            held = hold.end_or(now) - hold.start
            lines.append(f"holding {html.escape(repr(hold.lock.name))} ({held:.3f} s in all)")
            if hold.end is None and hold.lock.owner is track.lane:
                lines.append(f"took it at {html.escape(format_site(hold.lock.owner_site))}")
        if track.ended is not None and t >= track.ended:
            lines.append("failed" if track.failed else "finished")
        return "<br>".join(lines)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        pos = event.pos()
        if self._drag_from is not None:
            start_x, start_anchor = self._drag_from
            width = max(self.width() - self.LEFT - 4, 1)
            self.anchor = min(start_anchor - (pos.x() - start_x) / width * self.span, time.monotonic())
            self._render()
            return
        text = self.describe_at(self._seconds_at(pos.x()), pos.y() // self._row_px) if pos.x() > self.LEFT else ""
        if text:
            QtWidgets.QToolTip.showText(event.globalPos(), text, self)
        else:
            QtWidgets.QToolTip.hideText()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if event.button() == QtCore.Qt.LeftButton and event.pos().x() > self.LEFT:
            self.set_following(False)
            self._drag_from = (event.pos().x(), self.anchor)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        """Zoom; following, around the right edge (now), otherwise around the mouse."""
        factor = 0.8 if event.angleDelta().y() > 0 else 1.25
        span = float(np.clip(self.span * factor, 0.02, KEEP_S))
        if not self.following:
            under = self.anchor + self._seconds_at(event.pos().x())
            self.anchor = min(under + (self.anchor - under) * span / self.span, time.monotonic())
        self.span = span
        self._render()


def _tick_step(span: float) -> float:
    """A round step that gives five to ten ticks over ``span`` seconds."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60):
        if span / step <= 6:
            return step
    return 60.0

