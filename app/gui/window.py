"""The lab window: the control panel, a live plot of the shared array, the thread lanes,
the lock panel and the log.

Everything the window shows is read from the core on the GUI thread by two timers:

* the *display* timer (~30 Hz) copies the array, redraws the plot and the lanes,
  refreshes the lock panel, appends new log lines and notices workers that ended;
* the *probe* timer (every 20 ms, single-shot and re-armed) measures how late it
  fires (event-loop latency) and beats the :class:`~app.core.watchdog.Watchdog`,
  whose own thread notices a freeze while it lasts.

The window also owns the interpreter's thread switch interval while it is open
(:class:`~app.core.switching.SwitchInterval`): the control beside the plot sets it,
and closing the window puts Python's back.

No worker ever touches a widget.
"""

from __future__ import annotations

import html
import threading
import time
from collections import deque

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from app.core import logbook, lockgrab
from app.core.axisrange import StickyRange
from app.core.chrometrace import save_trace, saved_note
from app.core.envelopefeed import Envelope, EnvelopeFeed
from app.core.lab import Lab
from app.core.latency import LatencyMeter, latency_stats
from app.core.switching import SwitchInterval
from app.core.watchdog import Stall, Watchdog
from app.gui import resources
from app.gui.controls import GUI_THREAD, ButtonBar, ControlPanel
from app.gui.lanes import ThreadLanes
from app.gui.lessons import (CodeView, DeadlockBanner, LessonController, LessonPanel, OutcomePanel,
                             QtLoop, RunsHistogram)
from app.gui.lockpanel import LockPanel
from app.gui.qtenv import ShownTexts
from app.gui.responsiveness import QWIDGETSIZE_MAX, ResponsivenessPanel

#: The array plot asks for a frame this often (33 a second, see PacedTimer).
DISPLAY_INTERVAL_MS = 30
PROBE_INTERVAL_MS = 20
STOP_GRACE_S = 1.0  # how long Stop waits before naming workers that did not end
CLOSE_JOIN_S = 1.5  # how long closing the window waits for workers
LOG_LINES_KEPT = 5000
#: The array plot draws at most twice this many points (a peak envelope). Kept under
#: 500 points on purpose: numpy lets go of the GIL in loops over more than 500
#: elements, and with busy workers each such release costs the GUI thread a wait for
#: the GIL (pyqtgraph runs several such loops over the points it is given).
PLOT_BINS = 240
#: The lanes are redrawn on their own timer, so no single event-loop task does both.
LANES_INTERVAL_MS = 50
#: A timed redraw waits at least this many times as long as it took (see PacedTimer).
LOAD_FACTOR = 4
MAX_PACED_MS = 500
PACING_WINDOW = 3  # calls whose median duration sets the pace
PANEL_ONLY_HEIGHT = 150  # the top pane's height when it holds only the event-loop delay panel
#: A gap between probe beats this long is reported as a freeze (a user notices 100 ms).
STALL_THRESHOLD_S = 0.1
#: The latency plot is redrawn every this many display ticks (about 10 times a second).
LATENCY_EVERY = 3
#: The array plot's empty margin left and right, as a fraction of the array's length.
X_MARGIN = 0.03


class PacedTimer(QtCore.QObject):
    """Calls ``callback`` every ``interval_ms``, or less often when a call takes long.

    The next call is due ``max(interval_ms, LOAD_FACTOR x the median of the last calls'
    durations)`` after the last one was due, so neither the call's own time nor a late
    timer slows the rate (a timer that restarted after each call gave 27 frames a
    second for 30 asked); a call that falls behind comes a quarter interval after the
    last one ended, never back to back, and the count starts again from there. A call
    is slow when busy Python threads keep the GUI thread
    waiting for the GIL; drawing less often then leaves the event loop time for clicks
    and repaints, instead of queueing frame after frame (measured: with eight busy
    workers a fixed 30 Hz left the window 140 ms behind at the median). The median
    keeps one unlucky call from slowing the display down.
    """

    def __init__(self, callback, interval_ms: int, parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.callback = callback
        self.interval_ms = interval_ms
        self.next_ms = interval_ms  # the interval in use now (the window shows the rate)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._timer.start(interval_ms)
        self._due = time.monotonic() + interval_ms / 1000
        self._took_ms: deque[float] = deque(maxlen=PACING_WINDOW)

    def _fire(self) -> None:
        began = time.monotonic()
        try:
            self.callback()
        finally:
            self._took_ms.append((time.monotonic() - began) * 1000)
            typical = sorted(self._took_ms)[len(self._took_ms) // 2]
            self.next_ms = int(min(MAX_PACED_MS, max(self.interval_ms, LOAD_FACTOR * typical)))
            if self._timer is not None:
                now = time.monotonic()
                # never back to back: a late call still leaves the loop a quarter interval
                self._due = max(self._due + self.next_ms / 1000, now + self.next_ms / LOAD_FACTOR / 1000)
                self._timer.start(int((self._due - now) * 1000))

    def stop(self) -> None:
        """No more calls (safe to call twice)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


def envelope_path(x: np.ndarray, y: np.ndarray) -> QtGui.QPainterPath:
    """The curve through the envelope's points (called on the envelope feed's thread)."""
    return pg.arrayToQPath(x, y) if x.size else QtGui.QPainterPath()


class IndexAxis(pg.AxisItem):
    """An axis of element indices written short (``20k``, ``1.5M``), so that the labels of
    a long array still fit side by side when the plot is narrow (the Lessons tab)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [short_count(v * scale) for v in values]


def short_count(value: float) -> str:
    """``20000`` as ``"20k"``, ``1500000`` as ``"1.5M"``; below 10 000 as it is."""
    for size, suffix in ((1e9, "G"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value / 1e3:g}k" if abs(value) >= 1e4 else f"{value:g}"


class EnvelopeCurve(QtWidgets.QGraphicsPathItem):
    """The array's curve: a plain Qt path item, which Qt paints without calling Python.

    pyqtgraph's ``PlotCurveItem`` paints and measures itself in Python, so every frame
    entered Python several times from Qt (its ``paint`` and, between frames, its
    ``boundingRect``), and with busy workers each entry waits for the GIL. Here the
    path is built with each new envelope on the envelope feed's thread (see
    :func:`envelope_path`; a ``QPainterPath`` may be made on any thread and handed
    over); Qt does the rest in C++.
    The pen is cosmetic: one pixel wide at any zoom.
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


class LabWindow(QtWidgets.QMainWindow):
    """Main window over one :class:`~app.core.lab.Lab`."""

    def __init__(self, lab: Lab | None = None) -> None:
        super().__init__()
        self.lab = lab if lab is not None else Lab()
        self.recorder = self.lab.recorder  # the lab's workers and every lesson run record here
        self.lock_grab = lockgrab.LockGrab(self.lab.shared.lock)
        self.latency = LatencyMeter(window=5.0)
        self.watchdog = Watchdog(self.lab.log, threshold=STALL_THRESHOLD_S)
        self.switch = SwitchInterval()  # remembers Python's interval; shutdown puts it back
        self._ticks = 0
        self.last_stall: Stall | None = None
        self._log_cursor = self.lab.log.next_index
        self._was_running = False
        self._stop_clicked_at: float | None = None
        self._shown_lock_state = lockgrab.IDLE
        self._redraw_pending = True
        self._plotted_size = -1
        self._user_range = False  # True once the user zoomed or panned the array plot
        self._y_range = StickyRange()
        self._envelopes = EnvelopeFeed(PLOT_BINS, shape=envelope_path)
        self._setting_range = False
        self._texts = ShownTexts()
        self._lessons_tab = False
        self._busy = False  # something runs: the lanes scroll

        self.setWindowTitle("threadlab: threads, locks and a window that stays live")
        self.setWindowIcon(resources.icon())
        self.controls = ControlPanel()
        self.buttons = ButtonBar()
        self.lesson_panel = LessonPanel()
        self.code_view = CodeView()
        self.outcome = OutcomePanel()
        self.histogram = RunsHistogram()
        self.banner = DeadlockBanner()
        self.lanes = ThreadLanes(self.recorder)
        self.responsiveness = ResponsivenessPanel()
        self.lock_panel = LockPanel()
        self.plot = self._build_plot()
        self.log_view = self._build_log()
        self._build_layout()
        self._build_status()
        self.lessons = LessonController(
            self.lesson_panel, self.code_view, self.outcome, self.histogram, self.banner,
            self.lab.log, QtLoop(self.latency, self.watchdog, self), self.recorder, self.show_message,
        )
        self._wire()

        self._refresh_controls()
        self._start_timers()

    # -- building ----------------------------------------------------------------------
    def _build_plot(self) -> pg.PlotWidget:
        plot = pg.PlotWidget(background="w", axisItems={"bottom": IndexAxis("bottom")})
        for side in ("left", "bottom"):
            plot.getAxis(side).setPen("#444444")
            plot.getAxis(side).setTextPen("#222222")
            # Major ticks only, pointing out of the view: an axis that moves regenerates all
            # its ticks and labels in Python, and without the minor ones that takes half as
            # long (0.5 ms against 1 ms here, tripled by busy workers).
            plot.getAxis(side).setStyle(tickLength=5, maxTickLevel=0, maxTextLevel=0)
        plot.setLabel("bottom", "element index")
        plot.setLabel("left", "value")
        # No grid: pyqtgraph draws it as part of the axes, which makes every frame of the
        # curve repaint both axes too (the most expensive part of a frame, measured).
        plot.disableAutoRange()  # the window sets the ranges (see _fit_axes)
        plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self._on_plot_range_changed_by_user())
        self.curve = EnvelopeCurve("#1f77b4")
        plot.addItem(self.curve, ignoreBounds=True)  # the window sets the ranges itself
        return plot

    def _build_log(self) -> QtWidgets.QPlainTextEdit:
        view = QtWidgets.QPlainTextEdit()
        view.setReadOnly(True)
        view.setMaximumBlockCount(LOG_LINES_KEPT)
        view.setObjectName("log")
        view.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        return view

    def _build_layout(self) -> None:
        self.histogram.hide()
        panes = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        panes.setChildrenCollapsible(False)
        self.plot_pane = _stack(_side_by_side(self.plot, self.responsiveness), self.histogram)
        panes.addWidget(self.plot_pane)
        panes.addWidget(self.lanes)
        self.bottom_tabs = QtWidgets.QTabWidget()
        self.bottom_tabs.addTab(self.log_view, "Log")
        self.bottom_tabs.addTab(self.lock_panel, "Locks")
        panes.addWidget(self.bottom_tabs)
        panes.setSizes([250, 230, 190])
        right = _stack(panes, self.banner, self.outcome)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(scroll, "Lab")
        self.tabs.addTab(self.lesson_panel, "Lessons")
        left = _stack(self.tabs, self.buttons)
        left.setMinimumWidth(360)
        main = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        main.addWidget(left)
        main.addWidget(self.code_view)
        main.addWidget(right)
        main.setStretchFactor(2, 1)
        main.setSizes([420, 330, 610])
        self.code_view.hide()
        self.outcome.hide()
        self.setCentralWidget(main)
        self.resize(1360, 820)  # fits a 1366-pixel-wide screen

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setMinimumWidth(120)
        self.message_label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self._message_timer = QtCore.QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message_label.clear)
        bar.addWidget(self.message_label, 1)
        self.threads_label = QtWidgets.QLabel()
        self.lock_label = QtWidgets.QLabel()
        widest = {
            self.threads_label: "Python threads: 999",
            self.lock_label: "GUI waiting for the lock (999.9 s)",
        }
        for label, text in widest.items():
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(text) + 8)
            bar.addPermanentWidget(label)

    def _wire(self) -> None:
        c, b = self.controls, self.buttons
        b.start_button.clicked.connect(self.start)
        b.stop_button.clicked.connect(self.stop)
        b.lock_button.clicked.connect(self.toggle_lock)
        b.runx_button.clicked.connect(self.run_many)
        b.reset_button.clicked.connect(self.reset_array)
        b.trace_button.clicked.connect(lambda: self.save_trace())
        self.tabs.currentChanged.connect(self._on_tab)
        self.lesson_panel.lesson_changed.connect(lambda _id: (self._refresh_controls(), self._show_plot_if_used()))
        c.use_lock_box.toggled.connect(self._set_use_lock)
        c.size_spin.editingFinished.connect(self._apply_size)
        self._set_use_lock(c.use_lock_box.isChecked())
        self.responsiveness.switch_interval_chosen.connect(self.set_switch_interval)
        self.responsiveness.show_switch_interval(self.switch.seconds, self.switch.original)

    def _start_timers(self) -> None:
        self.display_timer = PacedTimer(self._on_display_tick, DISPLAY_INTERVAL_MS, self)
        self.lanes_timer = PacedTimer(self._refresh_lanes, LANES_INTERVAL_MS, self)
        self.probe_timer = QtCore.QTimer(self)
        self.probe_timer.setSingleShot(True)
        self.probe_timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.probe_timer.timeout.connect(self._on_probe)
        self._probe_armed_at = time.monotonic()
        self.probe_timer.start(PROBE_INTERVAL_MS)
        self.watchdog.start()
        self._envelopes.start()
        self.lanes.feed.start()

    # -- actions -----------------------------------------------------------------------
    def in_lessons(self) -> bool:
        """True while the Lessons tab is shown: the buttons act on the chosen lesson."""
        return self._lessons_tab

    def start(self) -> None:
        """Start the chosen lesson, or the chosen workers (on threads, or here, freezing)."""
        self.lanes.canvas.set_following(True)
        if self.in_lessons():
            self.lessons.start()
            self._refresh_controls()
            return
        c = self.controls
        try:
            if c.size_spin.value() != self.lab.shared.size:
                self.lab.resize(c.size_spin.value())
            if c.mode() == GUI_THREAD:
                self._run_on_gui_thread()
                return
            workers = self.lab.start(c.counts(), c.settings(), c.duration())
        except (ValueError, RuntimeError) as exc:
            self._refuse(str(exc))
            return
        self._stop_clicked_at = None
        self._was_running = True
        self._refresh_controls()
        self.show_message(f"Started {len(workers)} worker threads", 5000)

    def run_many(self) -> None:
        """Run xN: repeat the chosen lesson and draw the distribution of its outcome."""
        if self.in_lessons():
            self.lessons.start(self.lesson_panel.repeat_spin.value())
            self._refresh_controls()

    def _run_on_gui_thread(self) -> None:
        c = self.controls
        if self.lock_grab.state != lockgrab.IDLE:
            raise RuntimeError(
                "release the lock first: on the GUI thread the mutators would wait for a lock "
                "that their own thread holds"
            )
        seconds = c.duration()
        self.lab.log.write(
            f"running the work on the GUI thread for {seconds:g} s: the window will not respond",
            logbook.NOTE,
        )
        self.show_message(f"Working on the GUI thread for {seconds:g} s: frozen...")
        self.repaint()  # paint the message now: the event loop is about to stop
        report = self.lab.run_here(c.counts(), c.settings(), seconds)
        self.lab.log.write(
            f"GUI-thread run ended after {report.seconds:.2f} s; steps: {report.steps}", logbook.NOTE
        )
        self._redraw_pending = True

    def stop(self) -> None:
        """Set the stop Event; the display timer reports when every worker has ended."""
        if self.lessons.running:
            self.lessons.stop()
            self.lab.log.write("Stop clicked: the lesson's stop Event set", logbook.NOTE, thread="GUI")
            return
        if not self.lab.running:
            return
        self.lab.request_stop()
        self._stop_clicked_at = time.monotonic()
        self.lab.log.write("Stop clicked: stop Event set", logbook.NOTE)

    def toggle_lock(self) -> None:
        """Acquire Lock / Release Lock; never blocks the GUI thread."""
        if self.lock_grab.state == lockgrab.IDLE and not self._aim_lock_grab():
            return
        if self.lock_grab.state == lockgrab.IDLE:
            state = self.lock_grab.request()
            if state == lockgrab.WAITING:
                self.lab.log.write("GUI waits for the lock: a worker holds it", logbook.NOTE)
            else:
                self.lab.log.write("GUI took the lock", logbook.NOTE)
        else:
            held = self.lock_grab.state == lockgrab.HELD
            self.lock_grab.release()
            self.lab.log.write("GUI released the lock" if held else "GUI stopped waiting", logbook.NOTE)
        self._show_lock_state()

    def _aim_lock_grab(self) -> bool:
        """Point the grab at the lab's lock, or at the running lesson's; False if there is none."""
        target = self.lessons.lock_target() if self.in_lessons() else self.lab.shared.lock
        if target is None:
            self.show_message("This lesson has no plain Lock to take (or is not running).", 8000)
            return False
        if self.lock_grab.lock is not target:
            self.lock_grab.close(timeout=0.5)
            self.lock_grab = lockgrab.LockGrab(target)
        return True

    def reset_array(self) -> None:
        """Refill the array with its start value (at the size in the panel)."""
        try:
            self.lab.resize(self.controls.size_spin.value())
        except (ValueError, RuntimeError) as exc:
            self._refuse(str(exc))
        self._redraw_pending = True

    def _apply_size(self) -> None:
        if self.lab.running or self.controls.size_spin.value() == self.lab.shared.size:
            return
        self.reset_array()

    def save_trace(self, path: str | None = None) -> bool:
        """Save what the threads did as Chrome Trace JSON (asks where, if ``path`` is None)."""
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self, "Save the thread trace", "threadlab-trace.json", "Trace Event JSON (*.json)")
            if not path:
                return False
        try:
            save_trace(self.recorder, path)
        except OSError as exc:
            self.show_message(f"Could not save the trace: {exc}", 10000)
            return False
        self.lab.log.write(saved_note(self.recorder, path), logbook.NOTE, thread="GUI")
        self.show_message(f"Trace saved to {path} (open it in ui.perfetto.dev)", 10000)
        return True

    def set_switch_interval(self, seconds: float) -> None:
        """Set the interpreter's thread switch interval (0.5 to 50 ms) and say so."""
        try:
            now = self.switch.set(seconds)
        except ValueError as exc:
            self.show_message(str(exc), 10000)
            return
        self.lab.log.write(f"thread switch interval set to {now * 1000:g} ms (Python's default: "
                           f"{self.switch.original * 1000:g} ms)", logbook.NOTE, thread="GUI")
        self.responsiveness.show_switch_interval(now, self.switch.original)

    def _set_use_lock(self, on: bool) -> None:
        self.lab.shared.use_lock = on

    def _refuse(self, reason: str) -> None:
        self.show_message(f"Not started: {reason}", 10000)
        self.lab.log.write(f"refused: {reason}", logbook.NOTE, thread="GUI")
        if self.controls.size_spin.value() != self.lab.shared.size and not self.lab.running:
            self.controls.size_spin.setValue(self.lab.shared.size)

    def show_message(self, text: str, msecs: int = 0) -> None:
        """Show ``text`` at the left of the status bar (for ``msecs`` ms if given)."""
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        if msecs:
            self._message_timer.start(msecs)
        else:
            self._message_timer.stop()

    # -- timers ------------------------------------------------------------------------
    def _on_probe(self) -> None:
        now = time.monotonic()
        self.latency.record(now - self._probe_armed_at - PROBE_INTERVAL_MS / 1000, now)
        stall = self.watchdog.beat()
        if stall is not None:
            self._report_stall(stall)
        self._probe_armed_at = time.monotonic()
        self.probe_timer.start(PROBE_INTERVAL_MS)

    def _report_stall(self, stall: Stall) -> None:
        self.last_stall = stall
        self.lab.log.write(f"the window was frozen for {stall.seconds:.2f} s", logbook.NOTE, thread="watchdog")
        self.show_message(
            f"The window was frozen for {stall.seconds:.2f} s (measured by the watchdog)", 15000
        )
        clock = time.strftime("%H:%M:%S", time.localtime(stall.started_wall))
        self.responsiveness.show_stall(f"last freeze: {stall.seconds:.2f} s, from {clock}")

    def _on_display_tick(self) -> None:
        if self.lessons.tick():  # a lesson run just ended
            if self.lock_grab.lock is not self.lab.shared.lock:
                self.lock_grab.release()
            self._refresh_controls()
            self.lanes.show_period(self.lessons.started_at, time.monotonic())  # the whole run
        alive = self.lab.alive()
        busy = self.lessons.running or bool(alive)
        self._show_envelope()  # the one asked for on the last tick
        if self._redraw_pending or busy:
            self._redraw_pending = False
            self._request_envelope()  # an idle window does not redraw an unchanged array 30 times a second
        self._busy = busy
        self.lock_panel.show_locks(self._locks_in_view())
        self._ticks += 1
        if self._ticks % LATENCY_EVERY == 0:
            self._show_latency()
        self._drain_log()
        self._follow_workers(alive)
        self._show_lock_state()

    def _show_plot_if_used(self) -> None:
        """The array plot is hidden for lessons that have no array: the lanes get its room."""
        used = not self.in_lessons() or self.lesson_panel.lesson().shows_array
        self.plot.setVisible(used)
        # without the array the latency panel becomes a low, wide strip; the lanes get the rest
        self.responsiveness.set_wide(not used)
        self.plot_pane.setMaximumHeight(QWIDGETSIZE_MAX if used else PANEL_ONLY_HEIGHT)

    def _locks_in_view(self) -> list:
        """The Lab's shared lock, or the running (last) lesson's locks."""
        return self.lessons.locks() if self.in_lessons() else [self.lab.shared.lock]

    def _on_tab(self, index: int) -> None:
        self._lessons_tab = index == 1  # remembered: asking Qt 30 times a second costs GIL trips
        lessons = self.in_lessons()
        self.code_view.setVisible(lessons)
        self.outcome.setVisible(lessons)
        self._show_plot_if_used()
        if not lessons:
            self.histogram.hide()
            self.banner.hide()
        self._refresh_controls()

    def _refresh_controls(self) -> None:
        """Enable what makes sense now: nothing starts twice, Stop only while busy.

        Called on every change of state (start, end, tab, lesson), so it also asks the
        display timer for one more frame: the state that the change left behind.
        """
        self._redraw_pending = True
        busy = bool(self.lab.alive()) or self.lessons.running
        b = self.buttons
        self.controls.set_running(busy)
        self.lesson_panel.setEnabled(not busy)
        self.tabs.tabBar().setEnabled(not busy)
        b.start_button.setEnabled(not busy)
        b.stop_button.setEnabled(busy)
        b.reset_button.setEnabled(not busy and not self.in_lessons())
        b.runx_button.setEnabled(not busy and self.in_lessons() and self.lesson_panel.lesson().varies)

    def _request_envelope(self) -> None:
        """Ask the envelope feed for the array as it is now; the next tick plots it.

        The envelope is read straight from the live array, without the lock and without
        a copy (see :class:`~app.core.shared.SharedArray`), on the feed's own thread (see
        :mod:`app.core.envelopefeed`), and has at most ``2 * PLOT_BINS`` points however
        long the array is.
        """
        if self.in_lessons():  # the lesson's own array, or nothing if it has none
            lesson_array = self.lessons.array()
            y = lesson_array if lesson_array is not None else np.empty(0)
        else:
            y = self.lab.shared.data
        view = self.plot.getViewBox()
        auto = any(view.state["autoRange"])  # the user pressed pyqtgraph's "A": ours again
        if auto:
            view.disableAutoRange()
        if auto or y.size != self._plotted_size:  # (or a new array)
            self._plotted_size = y.size
            self._user_range = False
            self._y_range.reset()
        first, last = 0, y.size
        if self._user_range:  # zoomed in: the envelope of what is in view
            x0, x1 = view.viewRange()[0]
            first, last = max(int(x0), 0), min(int(np.ceil(x1)) + 1, y.size)
        self._envelopes.request(y, first, max(first, last))

    def _refresh_lanes(self) -> None:
        self.lanes.refresh(self._busy)
        error = self.lanes.feed.take_error()
        if error:
            self.lab.log.write(f"drawing the thread lanes failed:\n{error}", logbook.ERROR, thread="GUI")

    def _show_envelope(self) -> None:
        """Plot the envelope the feed finished since the last tick, if any; keep the axes still."""
        error = self._envelopes.take_error()
        if error:
            self.lab.log.write(f"drawing the array failed:\n{error}", logbook.ERROR, thread="GUI")
        done = self._envelopes.take()
        if done is None or done.size != self._plotted_size:  # nothing new, or made before a resize
            return
        self.curve.show_envelope(done)
        if not self._user_range and done.y.size:
            self._fit_axes(done.size, done.low, done.high)

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

    def _on_plot_range_changed_by_user(self) -> None:
        if not self._setting_range:
            self._user_range = True
            self._redraw_pending = True  # the envelope of what is in view now, also when idle

    def _drain_log(self) -> None:
        entries = self.lab.log.since(self._log_cursor)
        if not entries:
            return
        self._log_cursor = entries[-1].index + 1
        scrollbar = self.log_view.verticalScrollBar()
        follow = scrollbar.value() >= scrollbar.maximum() - 2  # unless the user scrolled up
        plain: list[str] = []  # consecutive plain lines go in with one call
        for entry in entries:
            if entry.kind == logbook.ERROR:
                if plain:
                    self.log_view.appendPlainText("\n".join(plain))
                    plain = []
                text = html.escape(entry.format())
                self.log_view.appendHtml(f'<pre style="color:#b03a2e">{text}</pre>')
            else:
                plain.append(entry.format())
        if plain:
            self.log_view.appendPlainText("\n".join(plain))
        if follow:
            scrollbar.setValue(scrollbar.maximum())

    def _follow_workers(self, alive: list) -> None:
        """``alive``: the workers still running, as this tick found them."""
        self._texts.set(self.threads_label, f"Python threads: {threading.active_count()}")
        if alive and self._stop_clicked_at is not None:
            if time.monotonic() - self._stop_clicked_at > STOP_GRACE_S:
                report = self.lab.join(0)  # also names them in the log
                self.show_message(
                    f"Still running {STOP_GRACE_S:g} s after Stop: {', '.join(report.stragglers)}", 15000
                )
                self._stop_clicked_at = None
        if self._was_running and not alive:
            self._was_running = False
            self.lab.join(0)
            if self._stop_clicked_at is not None:
                ms = (time.monotonic() - self._stop_clicked_at) * 1000
                self.lab.log.write(f"all workers ended; seen {ms:.0f} ms after Stop", logbook.NOTE)
            self._stop_clicked_at = None
            self._refresh_controls()

    def _show_lock_state(self) -> None:
        state = self.lock_grab.state
        if state == lockgrab.HELD and self._shown_lock_state == lockgrab.WAITING:
            self.lab.log.write(f"GUI took the lock after waiting {self.lock_grab.waited:.2f} s", logbook.NOTE)
        self._shown_lock_state = state
        button = self.buttons.lock_button
        if state == lockgrab.HELD:
            self._texts.set(button, "Release Lock")
            ignored = "; Use lock is off, so the mutators ignore it" if (
                self.lock_grab.lock is self.lab.shared.lock and not self.lab.shared.use_lock) else ""
            self._texts.set(self.lock_label, f"GUI holds the lock ({self.lock_grab.seconds_in_state():.1f} s){ignored}")
        elif state == lockgrab.WAITING:
            self._texts.set(button, "Waiting for Lock...")
            self._texts.set(self.lock_label, f"GUI waiting for the lock ({self.lock_grab.seconds_in_state():.1f} s)")
        else:
            self._texts.set(button, "Acquire Lock")
            self._texts.set(self.lock_label, "lock: not held by GUI")

    def _show_latency(self) -> None:
        times, delays = self.latency.series()
        self.responsiveness.plot.show_series(times, delays, time.monotonic())
        self.responsiveness.show_stats(latency_stats(delays), 1000 / self.display_timer.next_ms)

    # -- shutdown ----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the timers, the lesson, the workers, the watchdog and the feeds; give back the lock.

        Idempotent. Every wait shares one :data:`CLOSE_JOIN_S` budget, and each step runs
        even if an earlier one failed.
        """
        deadline = time.monotonic() + CLOSE_JOIN_S

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        self.display_timer.stop()
        self.lanes_timer.stop()
        self.probe_timer.stop()
        self.lessons.loop.closed.set()
        try:
            running = len(self.lab.alive())  # counted before they are asked to stop
            self.lock_grab.release()
            self.lessons.stop()
            self.lab.request_stop()
            if not self.lessons.shutdown(left()):
                print("threadlab: the lesson thread was still running at exit")
            report = self.lab.join(left())
            if report.stragglers:
                print(f"threadlab: still running at exit: {', '.join(report.stragglers)}")
            elif running:
                print(f"threadlab: stopped and joined {running} worker threads")
        finally:
            self.lock_grab.close(left())
            self.watchdog.stop(left())
            self._envelopes.stop(left())
            self.lanes.feed.stop(left())
            self.switch.restore()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)


def _side_by_side(*widgets: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """``widgets`` in a row, the first one stretching."""
    return _boxed(QtWidgets.QHBoxLayout, widgets)


def _stack(*widgets: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """``widgets`` one above the other, the first one stretching."""
    return _boxed(QtWidgets.QVBoxLayout, widgets)


def _boxed(layout_class: type, widgets: tuple) -> QtWidgets.QWidget:
    box = QtWidgets.QWidget()
    layout = layout_class(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if i == 0 else 0)
    return box
