"""The lab window: the Lab, Lessons and Script tabs, the code pane, a live plot of the array, the
thread lanes, the log, the program's output and the lock panel.

The window holds one :class:`~app.core.session.Session` at a time (the Lab's workers,
a lesson's program or the user's own script) and drives it through that interface only: Start asks the current
tab's page for a new session and starts it; Stop, Acquire Lock and Break the wait go to
the session; the timers read it. Everything it shows is read on the GUI thread:

* the *display* timer (~30 Hz) asks the session what happened (its output, deadlocks
  found, runs done, its end), redraws the array plot, refreshes the lock panel and
  appends new log lines;
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
import sys
import threading
import time
from collections import deque

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from ..core import logbook, lockgrab
from ..core import recorder as rec
from ..core.chrometrace import save_trace, saved_note
from ..core.faults import FaultCounter
from ..core.lab import Lab
from ..core.latency import LatencyMeter, latency_stats
from ..core.primitives import Lock
from ..core.session import Ended, Found, Note, Output, Session
from ..core.stepcontrol import StepControl
from ..core.switching import SwitchInterval
from ..core.watchdog import Stall, Watchdog
from ..core.words import plural
from . import resources
from .arrayplot import ArrayPlot
from .collector import GuiThreadCollector
from .editor import fixed_pitch_font
from .controls import ButtonBar, ControlPanel, LabPage, VerticalScroll
from .lanes import ThreadLanes
from .lessons import (CodePane, DeadlockBanner, LessonPage, LessonPanel, OutcomePanel,
                             RunsHistogram)
from .lockpanel import LockPanel
from .logpane import LogPane
from .menus import build_menus
from . import remember
from .qtenv import FirstPaint, ShownTexts
from .responsiveness import QWIDGETSIZE_MAX, ResponsivenessPanel
from .scripts import ScriptPage, ScriptPanel, ScriptView
from .stepping import ExplorePanel, StepPanel
from ..lessons.exploring import ExploreSession

#: The array plot asks for a frame this often (33 a second, see PacedTimer).
DISPLAY_INTERVAL_MS = 30
PROBE_INTERVAL_MS = 20
CLOSE_JOIN_S = 1.5  # how long closing the window waits for workers
KILL_RESERVE_S = 0.3  # of which this is kept for a script's process to die once killed
LOG_LINES_KEPT = 5000
OUTPUT_LINES_KEPT = 20_000
#: The lanes are redrawn on their own timer, so no single event-loop task does both.
LANES_INTERVAL_MS = 50
#: A timed redraw waits at least this many times as long as it took (see PacedTimer).
LOAD_FACTOR = 4
MAX_PACED_MS = 500
PACING_WINDOW = 3  # calls whose median duration sets the pace
#: The window's text size may go from and to this many points (View > Larger text)
TEXT_POINTS = (7, 24)
LESSON_LEFT_MIN = 320  # the lesson list and text (prose wraps) may be this narrow
LAB_LEFT = 400  # the Lab's fields want this much (given back when the Lab tab is shown)
RIGHT_MIN = 460  # the plots, lanes and log keep at least this much beside the code
#: The splitters as a first run has them: the three columns, and the right side's panes.
COLUMNS_SIZES, PANES_SIZES = [400, 430, 530], [250, 230, 190]
PANEL_ONLY_HEIGHT = 150  # the top pane's height when it holds only the event-loop delay panel
#: The probe and the watchdog start after the first paint, or after this long if none came.
WATCHDOG_FALLBACK_S = 2.0
#: A gap between probe beats this long is reported as a freeze (a user notices 100 ms).
STALL_THRESHOLD_S = 0.1
#: The latency plot is redrawn every this many display ticks (about 10 times a second).
LATENCY_EVERY = 3


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


class LabWindow(QtWidgets.QMainWindow):
    """Main window over one :class:`~app.core.lab.Lab`, showing one session at a time."""

    def __init__(self, lab: Lab | None = None) -> None:
        super().__init__()
        self.lab = lab if lab is not None else Lab()
        self.recorder = self.lab.recorder  # the lab's workers and every program record here
        self._gui_lane = self.recorder.new_lane("GUI")  # (a program has a MainThread of its own: no mix-up)
        self.recorder.record(rec.EVENT_LOOP)  # the GUI lane: idle between events, running in a tick
        self.lock_grab = lockgrab.LockGrab(self.lab.shared.lock)
        self.latency = LatencyMeter(window=5.0)
        self.watchdog = Watchdog(self.lab.log, threshold=STALL_THRESHOLD_S)
        self.switch = SwitchInterval()  # remembers Python's interval; shutdown puts it back
        self._ticks = 0
        # a part of a tick that fails is said once (in the log, and on stderr in case the
        # log is what fails), then counted; the other parts go on
        self.faults = FaultCounter(self._tell_fault)
        self.collector = GuiThreadCollector(self, self.faults)  # cycles are collected on this thread only
        self.last_stall: Stall | None = None
        self._log_cursor = self.lab.log.next_index
        self._shown_lock_state = lockgrab.IDLE
        self._lock_wanted = False  # Acquire Lock clicked while the run had no lock yet
        self._texts = ShownTexts()
        self._started_at = time.monotonic()
        self._fix_after_end = False
        self._froze = False  # set when the work runs on the GUI thread (the window freezes)
        self._output_run = 0
        self._shut_down = False
        #: True: the layout and choices are saved at close (the app's own launch sets it)
        self.remembers = False
        #: The switch interval a reset goes back to (the launch's own), or None
        self.default_switch_s: float | None = None
        #: The text size the window opened with (the desktop's); View > Normal text size
        self._font_before = QtGui.QFont(QtWidgets.QApplication.font())
        self.default_text_points = _points(self._font_before)
        self._text_sized = False  # True once View sized the text: closing gives the desktop's back

        self.setWindowTitle("threadlab: threads, locks and a window that stays live")
        self.setWindowIcon(resources.icon())
        self.controls = ControlPanel()
        self.controls.size_spin.setValue(self.lab.shared.size)  # (the array it was given: --size)
        self.buttons = ButtonBar()
        self.lesson_panel = LessonPanel()
        self.code_pane = CodePane()
        self.script_panel = ScriptPanel()
        self.script_view = ScriptView()
        self.step_panel = StepPanel()
        self.explore_panel = ExplorePanel()
        self.outcome = OutcomePanel()
        self.histogram = RunsHistogram()
        self.banner = DeadlockBanner()
        self.array_plot = ArrayPlot()
        self.lanes = ThreadLanes(self.recorder)
        self.responsiveness = ResponsivenessPanel()
        self.lock_panel = LockPanel()
        self.log_pane = LogPane(LOG_LINES_KEPT)
        self.log_view = self.log_pane.view
        self.output_view = self._text_pane("output", OUTPUT_LINES_KEPT)
        self._build_layout()
        self._build_status()
        self.lab_page = LabPage(self.controls, self.lab, lambda: self.lock_grab.state != lockgrab.IDLE,
                                self._before_freeze)
        self.lesson_page = LessonPage(self.lesson_panel, self.code_pane, self.outcome, self.histogram,
                                      self.lab.log, self.recorder)
        self.script_page = ScriptPage(self.script_panel, self.script_view, self.lab.log, self.recorder)
        self._pages = [self.lab_page, self.lesson_page, self.script_page]  # in the order of the tabs
        self.page = self.lab_page  # the page of the tab shown
        self._session_page = self.page  # the page whose session the right side shows
        first = self.recorder.mark()
        #: Each page's lanes (the serials of its last session's threads: first, last) and
        #: that session's times (start, end): a tab shows its own threads, not the other's.
        self._page_lanes = {page: [first, None, None, None] for page in self._pages}
        self.session: Session = self.page.idle_session()
        self._wire()
        self.actions = build_menus(self)
        self._on_tab(0)
        self._start_timers()

    # -- building ----------------------------------------------------------------------
    @staticmethod
    def _text_pane(name: str, lines: int) -> QtWidgets.QPlainTextEdit:
        view = QtWidgets.QPlainTextEdit()
        view.setReadOnly(True)
        view.setMaximumBlockCount(lines)
        view.setObjectName(name)
        view.setFont(fixed_pitch_font())
        return view

    def _build_layout(self) -> None:
        self.histogram.hide()
        panes = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        panes.setChildrenCollapsible(False)
        self.plot_pane = _stack(_side_by_side(self.array_plot, self.responsiveness), self.histogram)
        panes.addWidget(self.plot_pane)
        panes.addWidget(self.lanes)
        self.bottom_tabs = QtWidgets.QTabWidget()
        self.bottom_tabs.addTab(self.log_pane, "Log")
        self.bottom_tabs.addTab(self.output_view, "Output")
        self.bottom_tabs.addTab(self.lock_panel, "Locks")
        self.bottom_tabs.setTabToolTip(1, "what the program printed, as a terminal shows it")
        panes.addWidget(self.bottom_tabs)
        panes.setSizes(PANES_SIZES)
        self.panes = panes
        right = _stack(panes, self.banner, self.outcome)
        scroll = VerticalScroll(self.controls)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(scroll, "Lab")
        self.tabs.addTab(self.lesson_panel, "Lessons")
        self.tabs.addTab(self.script_panel, "Script")
        self.tabs.setTabToolTip(2, "run a Python program of your own")
        left = _stack(self.tabs, self.buttons)
        for page in (self.lesson_panel, self.script_panel):
            page.setMinimumWidth(LESSON_LEFT_MIN)
        main = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.columns = main
        main.addWidget(left)
        self.middle = _stack(self.code_pane, self.explore_panel, self.step_panel, self.script_view)
        self.step_panel.hide()  # (until a lesson is stepped)
        self.explore_panel.hide()  # (until a lesson is explored)
        main.addWidget(self.middle)
        main.addWidget(right)
        main.setStretchFactor(2, 1)
        main.setSizes(COLUMNS_SIZES)
        self.setCentralWidget(main)
        self.resize(*fitting_size(QtWidgets.QApplication.primaryScreen()))

    def _build_status(self) -> None:
        bar = self.statusBar()
        self.message_label = QtWidgets.QLabel()
        self.message_label.setObjectName("message")
        self.message_label.setMinimumWidth(120)
        self.message_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self._message_timer = QtCore.QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message_label.clear)
        bar.addWidget(self.message_label, 1)
        self.errors_button = QtWidgets.QPushButton()  # hidden until the log has an error
        self.errors_button.setFlat(True)
        self.errors_button.setStyleSheet("color:#b03a2e; font-weight:bold")
        self.errors_button.setToolTip("show the errors in the log")
        self.errors_button.hide()
        bar.addPermanentWidget(self.errors_button)
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
        b.start_button.clicked.connect(lambda: self.start())
        b.stop_button.clicked.connect(self.stop)
        b.lock_button.clicked.connect(self.toggle_lock)
        b.runx_button.clicked.connect(self.run_many)
        b.reset_button.clicked.connect(self.reset_array)
        b.trace_button.clicked.connect(lambda: self.save_trace())
        self.code_pane.run_button.clicked.connect(lambda: self.start())
        self.code_pane.step_button.clicked.connect(lambda: self.start_stepping())
        self.code_pane.explore_button.clicked.connect(lambda: self.explore())
        self.explore_panel.replay_asked.connect(lambda steps: self.start_stepping(steps))
        self.code_pane.editor.thread_clicked.connect(self.step_panel.step)
        self.lanes.canvas.name_clicked.connect(self.step_panel.step)
        self.script_panel.start_asked.connect(lambda: self.start())
        self.banner.break_button.clicked.connect(self.break_deadlock)
        self.banner.fix_button.clicked.connect(self.rerun_fixed)
        self.tabs.currentChanged.connect(self._on_tab)
        self.log_pane.errors_changed.connect(self._show_error_count)
        self.errors_button.clicked.connect(self._show_errors)
        self.lesson_panel.lesson_changed.connect(lambda _id: setattr(self.explore_panel, "found", None))
        self.lesson_panel.lesson_changed.connect(lambda _id: self._on_tab(self.tabs.currentIndex()))
        self.lesson_panel.lesson_changed.connect(lambda _id: QtCore.QTimer.singleShot(0, self._fit_code_pane))
        self.tabs.currentChanged.connect(lambda _i: QtCore.QTimer.singleShot(0, self._fit_code_pane))
        c.use_lock_box.toggled.connect(self._set_use_lock)
        c.size_spin.editingFinished.connect(self.reset_array_if_resized)
        self._set_use_lock(c.use_lock_box.isChecked())
        self.responsiveness.switch_interval_chosen.connect(self.set_switch_interval)
        self.responsiveness.show_switch_interval(self.switch.seconds, self.switch.original)

    def _start_timers(self) -> None:
        self.collector.start()
        self.display_timer = PacedTimer(self._on_display_tick, DISPLAY_INTERVAL_MS, self)
        self.lanes_timer = PacedTimer(self._refresh_lanes, LANES_INTERVAL_MS, self)
        self.probe_timer = QtCore.QTimer(self)
        self.probe_timer.setSingleShot(True)
        self.probe_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.probe_timer.timeout.connect(self._on_probe)
        self._probe_armed_at = time.monotonic()
        # the probe and the watchdog start once the window is on screen: building it and its
        # first paint are start-up (bench/startup.py measures them), not a delay or a freeze
        FirstPaint(self, self._start_watching, WATCHDOG_FALLBACK_S)
        self.array_plot.start()
        self.lanes.feed.start()

    def _start_watching(self) -> None:
        if self._shut_down:
            return
        self.watchdog.start()
        self._probe_armed_at = time.monotonic()
        self.probe_timer.start(PROBE_INTERVAL_MS)

    # -- actions -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while the session runs."""
        return self.session.running

    def open_lesson(self, lesson_id: str) -> None:
        """Show the Lessons tab with ``lesson_id`` chosen (``ValueError`` if unknown)."""
        from ..lessons import get

        get(lesson_id)
        self.tabs.setCurrentIndex(1)
        self.lesson_panel.select(lesson_id)

    def open_script(self, path: str, args: str = "") -> None:
        """Show the Script tab with ``path`` opened and ``args`` typed (``ValueError`` in one
        line if the script cannot run)."""
        self.script_page.open(path)
        self.script_panel.args_edit.setText(args)
        self.tabs.setCurrentIndex(self._pages.index(self.script_page))

    def start(self, repeat: int | None = None) -> bool:
        """Start what the current tab shows: its workers, or its program (as the editor has
        it, ``repeat`` times). Refused with a message (and the line marked) if it cannot."""
        if self.busy:
            return False
        session = None
        try:
            session = self.page.new_session(repeat)
            self.step_panel.hide()
            self.explore_panel.hide()
            self.explore_panel.found = None  # (what was explored is not what runs now)
            return self.run_session(session)
        except (ValueError, RuntimeError) as exc:
            self._refuse(str(exc))
            self.page.refused(session, str(exc))
            return False

    def start_stepping(self, replay: list | None = None) -> bool:
        """Step through the lesson's program (as the editor has it): one run, whose threads
        go one line at a time as the Step panel says (after the steps of ``replay``, if
        given). Refused as Start is."""
        if self.busy or self.page is not self.lesson_page:
            return False
        control = StepControl(self.lesson_page.lesson.challenge)
        session = None
        try:
            session = self.lesson_page.new_session(stepping=control)
            self.step_panel.attach(control, self.lesson_page.lesson.id)
            self.explore_panel.hide()
            self.step_panel.show()
            if replay:
                control.replay(replay)
            return self.run_session(session)
        except (ValueError, RuntimeError) as exc:
            self.step_panel.hide()
            self._refuse(str(exc))
            self.page.refused(session, str(exc))
            return False

    def explore(self) -> bool:
        """Run the lesson's program (as the editor has it) under every interleaving of its
        threads, on a thread of the session's; the outcomes are listed when it ends."""
        if self.busy or self.page is not self.lesson_page:
            return False
        session = ExploreSession(self.lesson_page.lesson, self.lesson_page.program(), self.lab.log)
        self.code_pane.editor.clear_marks()
        self.step_panel.hide()
        self.explore_panel.hide()
        try:
            self.outcome.clear_outcome(f"{session.lesson.id}: exploring every interleaving (Stop ends it)...")
            return self.run_session(session)
        except (ValueError, RuntimeError) as exc:
            self._refuse(str(exc))
            self.page.refused(session, str(exc))
            return False

    def run_session(self, session: Session) -> bool:
        """Hold ``session`` and start it (``ValueError``/``RuntimeError`` if it cannot start)."""
        self.lanes.canvas.set_following(True)
        self.banner.hide()
        self._fix_after_end = False
        self.session = session
        self._started_at = time.monotonic()
        self._session_page = self.page
        self._lanes_from_now_on(self.page)
        self._output_run = 0
        self.array_plot.redraw_pending = True
        self._show_plot_if_used()  # (room for the histogram a lesson's Run xN shows)
        self._froze = False
        try:
            session.start()  # (on the GUI thread, the work runs right here: the window freezes)
        finally:
            if self._froze:
                self.recorder.record(rec.EVENT_LOOP)  # the freeze is over
                self._drop_input_from_the_freeze()
        self._refresh_controls()
        return True

    def _drop_input_from_the_freeze(self) -> None:
        """Clicks and keys that queued up while the window was frozen would run now, one
        after another (two clicks on Start: two more frozen runs). Drop them, and say so."""
        dropper = _InputDropper()
        app = QtWidgets.QApplication.instance()
        app.installEventFilter(dropper)
        try:
            app.processEvents()  # delivers what queued up: the filter takes the input
        finally:
            app.removeEventFilter(dropper)
        if dropper.dropped:
            n = dropper.dropped
            self.lab.log.write(f"{n} click{'s' if n > 1 else ''} or key{'s' if n > 1 else ''} during the freeze "
                               "ignored: the window was not listening", logbook.NOTE, thread="GUI")

    def run_many(self) -> None:
        """Run xN: repeat the program and draw the distribution of its outcome."""
        self.start(self.lesson_panel.repeat_spin.value())

    def stop(self) -> None:
        """Ask the session to end; the display timer reports when it has."""
        if self.busy:
            self.session.request_stop()

    def break_deadlock(self) -> None:
        """Make the stuck waits raise inside their threads."""
        self.banner.hide()
        self.session.break_waits()

    def rerun_fixed(self) -> None:
        """Stop this run, then run again with the lesson's fix (an RLock, one lock order)."""
        self._fix_after_end = True
        self.banner.hide()
        self.session.request_stop()

    def _before_freeze(self, seconds: float) -> None:
        self._froze = True
        self.recorder.record(rec.RUNNING)  # the GUI lane shows the freeze
        self.show_message(f"Working on the GUI thread for {seconds:g} s: frozen...")
        b = self.buttons  # what the frozen window shows must be true: nothing can be clicked
        for button in (b.start_button, b.stop_button, b.runx_button, b.reset_button, b.lock_button):
            button.setEnabled(False)
        self.repaint()  # paint the message now: the event loop is about to stop
        self.array_plot.redraw_pending = True

    def toggle_lock(self) -> None:
        """Acquire Lock / Release Lock; never blocks the GUI thread.

        Between two runs of a lesson (the old run is over, the new one has not made its
        lock yet) the click is kept: the GUI takes the next run's lock as soon as it exists.
        """
        if self._lock_wanted:  # a second click before the lock existed: never mind
            self._lock_wanted = False
            self.lab.log.write("GUI stopped waiting", logbook.NOTE)
        elif self.lock_grab.state == lockgrab.IDLE:
            target = self._hold_runs_for_a_target()
            if target is not None:
                self._grab_lock(target)
            elif not self.session.lends_lock:
                self.show_message(f"{self.session.title} runs in a process of its own: the window cannot take "
                                  "its locks (Acquire Lock is for the Lab and the lessons).", 8000)
            elif self.busy:
                self._lock_wanted = True
                self.lab.log.write("GUI waits for the program to make its lock", logbook.NOTE)
            else:
                self.show_message("There is no plain Lock to take now (a lesson's lock exists while it runs).",
                                  8000)
        else:
            held = self.lock_grab.state == lockgrab.HELD
            self.lock_grab.release()
            self._shown_lock_state = lockgrab.IDLE  # (said here, not again by the tick)
            self.lab.log.write("GUI released the lock" if held else "GUI stopped waiting", logbook.NOTE)
        self._show_lock_state()

    def _hold_runs_for_a_target(self) -> Lock | None:
        """The session's lock to take, with its next run held back: asked again once the
        hold is on, so a run that ended in between cannot let the next one start round
        the lock (a run's lock is no target once the run is over). No target, no hold."""
        target = self.session.grab_target()
        if target is None:
            return None
        self.session.hold_runs(True)
        if self.session.grab_target() is not target:  # (its run ended meanwhile)
            self.session.hold_runs(False)
            return None
        return target

    def _grab_lock(self, target: Lock) -> None:
        """Ask for ``target``, the session's lock, now, pointing the grab at it first."""
        if self.lock_grab.lock is not target:
            self.lock_grab.close(timeout=0.5)
            self.lock_grab = lockgrab.LockGrab(target)
        state = self.lock_grab.request()
        if state == lockgrab.WAITING:
            self.lab.log.write(f"GUI waits for {self.lock_grab.lock.name!r}: a thread holds it", logbook.NOTE)
        else:
            self.lab.log.write(f"GUI took {self.lock_grab.lock.name!r}", logbook.NOTE)

    def _grab_when_made(self) -> None:
        """A kept click: take the run's lock once it exists; drop the click when the session
        ends without one."""
        if not self._lock_wanted:
            return
        target = self._hold_runs_for_a_target()
        if target is not None:
            self._lock_wanted = False
            self._grab_lock(target)
        elif not self.busy:
            self._lock_wanted = False
            self.lab.log.write("GUI stopped waiting: the program ended without making a plain Lock", logbook.NOTE)

    def reset_array(self) -> None:
        """Refill the Lab's array with its start value (at the size in the panel)."""
        try:
            self.lab.resize(self.controls.size_spin.value())
        except (ValueError, RuntimeError) as exc:
            self._refuse(str(exc))
            self.lab_page.refused(None, str(exc))
        self.array_plot.redraw_pending = True

    def reset_array_if_resized(self) -> None:
        """A new array if the panel's size is not the array's (nothing while the Lab runs)."""
        if self.lab.running or self.controls.size_spin.value() == self.lab.shared.size:
            return
        self.reset_array()

    def save_trace(self, path: str | None = None) -> bool:
        """Save what the threads did as Chrome Trace JSON (asks where, if ``path`` is None).
        Refused, with a word, while no thread but the GUI has recorded anything."""
        gui = self._gui_lane
        if not any(record[1] is not gui for record in self.recorder.snapshot()):
            self.show_message("Nothing to save yet: no thread has run. Start the Lab or a lesson first.", 10000)
            return False
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

    def show_message(self, text: str, msecs: int = 0) -> None:
        """Show ``text`` at the left of the status bar (for ``msecs`` ms if given)."""
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        if msecs:
            self._message_timer.start(msecs)
        else:
            self._message_timer.stop()

    # -- the session's events ----------------------------------------------------------
    def _show_event(self, session: Session, event: object) -> None:
        if isinstance(event, Output):
            self._show_output(event)
        elif isinstance(event, Found):
            finding = event.finding
            headline, *details = finding.explain_lines()
            text = (f"<b>{html.escape(headline)}</b> (found {finding.detected_after:.2f} s after it formed)"
                    + "".join(f"<br>{html.escape(line)}" for line in details))
            self.banner.show_finding(text, event.fix_label)
            self.lab.log.write(finding.explain(), logbook.NOTE, thread="deadlock-watch")
        elif isinstance(event, Note):
            self.show_message(event.text, 8000)
        elif isinstance(event, Ended):
            self._session_ended()
            if isinstance(session, ExploreSession) and session.found is not None:
                self.explore_panel.show_exploration(session.lesson.id, session.found)
                self.explore_panel.setVisible(self.page is self.lesson_page)
        self._session_page.show(session, event)

    def _show_output(self, output: Output) -> None:
        view = self.output_view
        scrollbar = view.verticalScrollBar()
        follow = scrollbar.value() >= scrollbar.maximum() - 2  # unless the user scrolled up
        cursor = view.textCursor()
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        if output.run != self._output_run:
            self._output_run = output.run
            header = f"--- {self.session.title}, run {output.run} ---\n"
            if view.document().characterCount() > 1 and not view.toPlainText().endswith("\n"):
                header = "\n" + header
            cursor.insertText(header)
        cursor.insertText(output.text)
        if follow:
            scrollbar.setValue(scrollbar.maximum())

    def _session_ended(self) -> None:
        self.banner.hide()
        page = self._session_page
        idle_target = page.idle_session().grab_target()
        if self.lock_grab.state != lockgrab.IDLE and self.lock_grab.lock is not idle_target:
            self.lock_grab.release()  # the lock of a program that is over
        self._page_lanes[page][3] = time.monotonic()
        self._refresh_controls()
        self.lanes.show_period(self._started_at, time.monotonic())  # the whole run
        if page is not self.page:  # the user went on to the other tab meanwhile: show it now
            QtCore.QTimer.singleShot(0, self._show_page)
        elif self._fix_after_end:
            self._fix_after_end = False
            if page.fix():
                QtCore.QTimer.singleShot(0, lambda: self.start())

    def _lanes_from_now_on(self, page: object) -> None:
        """``page``'s session starts: its lanes go on from its last session's (so its earlier
        runs can be scrolled back to) unless the other page ran since; the other page's
        lanes end here."""
        mark = self.recorder.mark()
        for other, lanes in self._page_lanes.items():
            if other is not page and lanes[1] is None:
                lanes[1] = mark
        first, last = self._page_lanes[page][:2]
        first = first if last is None else mark
        self._page_lanes[page] = [first, None, time.monotonic(), None]
        self.lanes.show_lanes(first, None, (self._gui_lane.serial,))

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
        said = "The window was frozen for"
        if not self._message_timer.isActive() or self.message_label.text().startswith(said):
            # (a message still on show, a refusal say, stays: the freeze is in the log and below)
            self.show_message(f"{said} {stall.seconds:.2f} s (measured by the watchdog)", 15000)
        clock = time.strftime("%H:%M:%S", time.localtime(stall.started_wall))
        self.responsiveness.show_stall(f"last freeze: {stall.seconds:.2f} s, from {clock}")

    def _on_display_tick(self) -> None:
        """Each part of a tick runs even if another one failed (said once, then counted)."""
        session = self.session
        self.recorder.record(rec.RUNNING)  # (two appends a tick: the GUI lane's busy slivers)
        run = self.faults.run
        run("reading the session", lambda: self._poll(session))
        run("drawing the array", lambda: self._draw(session))
        run("the Locks tab", lambda: self.lock_panel.show_locks(session.locks()))
        run("the Step panel", lambda: self._show_steps(session))
        run("the event-loop delay plot", self._show_latency_now_and_then)
        run("the log pane", self._drain_log)
        run("the status bar", self._show_status)
        self._ticks += 1
        self.recorder.record(rec.EVENT_LOOP)

    def _tell_fault(self, text: str) -> None:
        self.lab.log.write(text, logbook.ERROR, thread="GUI")
        print(f"threadlab: {text}", file=sys.stderr)

    def _poll(self, session: Session) -> None:
        for event in session.poll():
            self._show_event(session, event)

    def _draw(self, session: Session) -> None:
        running = session.running
        fronts = session.pass_fronts() if running else {}  # (read before the array: never behind it)
        error = self.array_plot.refresh(session.array(), running, fronts)
        if not running:
            self.array_plot.forget_fronts()
        if error:
            self.lab.log.write(f"drawing the array failed:\n{error}", logbook.ERROR, thread="GUI")

    def _show_steps(self, session: Session) -> None:
        """The newest picture of a stepped run: the Step panel, and each thread's line marked."""
        control = getattr(session, "stepping", None)
        if control is None or control is not self.step_panel.control:
            return
        picture = control.picture()
        live = session.running
        if picture.serial != self.step_panel.picture.serial or live != self.step_panel.live:
            self.step_panel.show_picture(picture, live)
            self.code_pane.editor.set_thread_marks(self.step_panel.marks() if live else [])

    def _show_latency_now_and_then(self) -> None:
        if self._ticks % LATENCY_EVERY == 0:
            times, delays = self.latency.series()
            self.responsiveness.plot.show_series(times, delays, time.monotonic())
            self.responsiveness.show_stats(latency_stats(delays), 1000 / self.display_timer.next_ms)

    def _show_status(self) -> None:
        self._texts.set(self.threads_label, f"Python threads: {threading.active_count()}")
        self._show_lock_state()

    def _on_tab(self, index: int) -> None:
        """Show the page of tab ``index``: its widgets, and its idle session with its lanes.
        While a session runs the tab's controls can be read, and the right side goes on
        showing the session until it ends (then it shows this tab's)."""
        self.page = self._pages[index]
        for page in self._pages:
            page.activate(page is self.page)
        for tab in range(self.tabs.count()):  # the left column is as wide as the shown tab needs
            shown = QtWidgets.QSizePolicy.Policy.Preferred if tab == index else QtWidgets.QSizePolicy.Policy.Ignored
            self.tabs.widget(tab).setSizePolicy(shown, shown)
        last = self.lesson_page.last
        self.step_panel.setVisible(self.page is self.lesson_page and last is not None
                                   and last.stepping is not None and last.stepping is self.step_panel.control)
        self.explore_panel.setVisible(self.page is self.lesson_page and self.explore_panel.found is not None
                                      and not self.step_panel.isVisibleTo(self.middle))
        self.middle.setVisible(self.code_pane.isVisibleTo(self.middle) or self.script_view.isVisibleTo(self.middle))
        if self.busy:
            self.show_message(f"{self.session.title} is running: its plots stay until it ends (Stop ends it)", 8000)
            self._refresh_controls()
            return
        self._show_page()

    def _fit_code_pane(self) -> None:
        """Give the code pane the width of the program's longest line, taken from the lesson
        text (down to LESSON_LEFT_MIN) and the plots (down to RIGHT_MIN); the user's own
        splitter drag is kept until the next lesson."""
        left, code, right = self.columns.sizes()
        total = left + code + right
        if not self.middle.isVisible():  # the Lab: its fields get their room back
            if left < LAB_LEFT:
                self.columns.setSizes([LAB_LEFT, code, max(total - LAB_LEFT - code, 0)])
            return
        editor = self.code_pane.editor if self.code_pane.isVisible() else self.script_view.editor
        wanted = editor.needed_width()
        left = max(LESSON_LEFT_MIN, min(left, total - wanted - RIGHT_MIN))
        code = max(min(wanted, total - left - RIGHT_MIN), 200)
        self.columns.setSizes([left, code, total - left - code])

    def _show_page(self) -> None:
        """The right side shows the shown tab's idle session: its array, locks and lanes."""
        if self.busy:
            return
        self.banner.hide()
        self._fix_after_end = False
        self._session_page = self.page
        self.session = self.page.idle_session()
        first, last, began, ended = self._page_lanes[self.page]
        self.lanes.show_lanes(first, last, (self._gui_lane.serial,))
        if began is not None and ended is not None:
            self.lanes.show_period(began, ended)  # its last run, as it was left
        else:
            self.lanes.canvas.set_following(True)
        self._show_plot_if_used()
        self._refresh_controls()

    def _show_plot_if_used(self) -> None:
        """The array plot is hidden for a page that shows no array: the lanes get its room."""
        used = self._session_page.shows_array
        self.array_plot.setVisible(used)
        # without the array the latency panel becomes a low, wide strip; the lanes get the rest
        self.responsiveness.set_wide(not used)
        histogram = self.histogram.maximumHeight() if self.histogram.isVisibleTo(self) else 0
        self.plot_pane.setMaximumHeight(QWIDGETSIZE_MAX if used else PANEL_ONLY_HEIGHT + histogram)

    def _refresh_controls(self) -> None:
        """Enable what makes sense now: nothing starts twice, Stop only while busy.

        Called on every change of state (start, end, tab, lesson), so it also asks the
        plot for one more frame: the state that the change left behind.
        """
        self.array_plot.redraw_pending = True
        busy = self.busy
        b = self.buttons
        self.controls.set_running(busy)
        self.lesson_panel.setEnabled(not (busy and self._session_page is self.lesson_page))  # (read while the Lab runs)
        self.script_panel.set_running(busy and self._session_page is self.script_page)
        self.script_view.reload_button.setEnabled(not busy and self.script_page.path is not None)
        self.code_pane.run_button.setEnabled(not busy and self.lesson_page.edited())
        self.code_pane.step_button.setEnabled(not busy)
        self.code_pane.explore_button.setEnabled(not busy)
        self.code_pane.editor.setReadOnly(busy)
        b.start_button.setEnabled(not busy)
        b.stop_button.setEnabled(busy)
        b.reset_button.setEnabled(not busy and self.page.can_reset)
        b.runx_button.setEnabled(not busy and self.page.can_repeat)
        b.lock_button.setEnabled(True)  # (a freeze disables it: it works whenever the window does)

    def _refresh_lanes(self) -> None:
        self.faults.run("drawing the thread lanes", lambda: self.lanes.refresh(self.busy))
        error = self.lanes.feed.take_error()
        if error:
            self.lab.log.write(f"drawing the thread lanes failed:\n{error}", logbook.ERROR, thread="GUI")

    def _drain_log(self) -> None:
        entries = self.lab.log.since(self._log_cursor)
        if entries:
            self._log_cursor = entries[-1].index + 1
            self.log_pane.add(entries)

    def _show_error_count(self, errors: int) -> None:
        self.errors_button.setText(f"{errors} error{'s' if errors != 1 else ''} in the log")
        self.errors_button.setVisible(errors > 0)

    def _show_errors(self) -> None:
        self.bottom_tabs.setCurrentWidget(self.log_pane)
        self.log_pane.show_errors()

    def _show_lock_state(self) -> None:
        self._grab_when_made()
        state = self.lock_grab.state
        if state == lockgrab.HELD and self._shown_lock_state == lockgrab.WAITING:
            self.lab.log.write(f"GUI took the lock after waiting {self.lock_grab.waited:.2f} s", logbook.NOTE)
        elif state == lockgrab.IDLE and self._shown_lock_state == lockgrab.WAITING:
            self.lab.log.write("GUI stopped waiting: the program that made the lock is over", logbook.NOTE)
        self._shown_lock_state = state
        self.session.hold_runs(state != lockgrab.IDLE)  # a run's lock held: no new run goes round it
        waiting = self.session.held_back()
        waits = f"; {waiting} waits for Release Lock" if waiting else ""
        button = self.buttons.lock_button
        name = getattr(self.lock_grab.lock, "name", "the lock")
        if state == lockgrab.HELD:
            self._texts.set(button, "Release Lock")
            ignored = "; Use lock is off, so the mutators ignore it" if (
                self.lock_grab.lock is self.lab.shared.lock and not self.lab.shared.use_lock) else ""
            self._texts.set(self.lock_label,
                            f"GUI holds {name!r} ({self.lock_grab.seconds_in_state():.1f} s){ignored}{waits}")
        elif state == lockgrab.WAITING:
            self._texts.set(button, "Waiting for Lock...")
            self._texts.set(self.lock_label, f"GUI waiting for {name!r} ({self.lock_grab.seconds_in_state():.1f} s)")
        elif self._lock_wanted:
            self._texts.set(button, "Waiting for Lock...")
            self._texts.set(self.lock_label, "GUI waits for the program to make its lock")
        else:
            self._texts.set(button, "Acquire Lock")
            self._texts.set(self.lock_label, "lock: not held by GUI")

    # -- shutdown ----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the timers, the session, the watchdog and the feeds; give back the lock.

        Idempotent. Every wait shares one :data:`CLOSE_JOIN_S` budget, and each step runs
        even if an earlier one failed.
        """
        deadline = time.monotonic() + CLOSE_JOIN_S
        if self.remembers and not self._shut_down:
            try:
                remember.save(self)
            except Exception as exc:  # noqa: BLE001 - closing goes on; the user is told
                print(f"threadlab: the window's settings could not be saved: {exc!r}", file=sys.stderr)
        self._shut_down = True

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        self.display_timer.stop()
        self.lanes_timer.stop()
        self.probe_timer.stop()
        try:
            running = len(self.lab.alive())  # counted before they are asked to stop
            self.lock_grab.release()
            self.session.request_stop()
            self.lab.request_stop()
            if not self.session.join(max(0.0, left() - KILL_RESERVE_S)):
                self.session.kill()  # (a script's process: the window is going, so is it)
                if not self.session.join(left()):
                    print(f"threadlab: {self.session.title} was still running at exit")
            report = self.lab.join(left())
            if report.stragglers:
                print(f"threadlab: still running at exit: {', '.join(report.stragglers)}")
            elif running:
                print(f"threadlab: stopped and joined {plural(running, 'worker thread')}")
        finally:
            for step in (lambda: self.lock_grab.close(left()), lambda: self.watchdog.stop(left()),
                         lambda: self.array_plot.stop(left()), lambda: self.lanes.feed.stop(left()),
                         self.switch.restore, self.collector.stop,
                         self._give_back_text_size):
                try:
                    step()
                except Exception as exc:  # noqa: BLE001 - closing goes on; the user is told
                    print(f"threadlab: while closing: {exc!r}", file=sys.stderr)

    def text_points(self) -> int:
        """The text size of the window (of the whole application), in points."""
        return _points(QtWidgets.QApplication.font())

    def set_text_points(self, points: int) -> None:
        """Every text at ``points`` (within :data:`TEXT_POINTS`): the window's, its menus'
        and dialogs', and the code panes' by as many points more or fewer. Larger for a
        projector; back to :attr:`default_text_points`, as the window closes too."""
        points = max(TEXT_POINTS[0], min(TEXT_POINTS[1], int(points)))
        steps = points - self.text_points()
        if steps == 0:
            return
        editors = {editor: editor.point_size() + steps for editor in (self.code_pane.editor, self.script_view.editor)}
        self._text_sized = True
        _set_application_points(points)  # (which puts back the fonts the editors were first shown with)
        for editor, code_points in editors.items():
            editor.set_point_size(code_points)
        self.responsiveness.size_texts()

    def normal_text_size(self) -> None:
        """The text and both code panes at the sizes they opened with (View > Normal text size)."""
        self.set_text_points(self.default_text_points)
        for editor in (self.code_pane.editor, self.script_view.editor):
            editor.set_point_size(editor.default_points)

    def _give_back_text_size(self) -> None:
        """The application's font as it was before View sized it (another window may be open)."""
        if self._text_sized:
            _apply_application_font(self._font_before)

    def lay_out_as_first(self) -> None:
        """The window's size, splitters, tab, text and code font sizes and switch interval
        as a first run has them (View > Reset layout and settings)."""
        self.resize(*fitting_size(QtWidgets.QApplication.primaryScreen()))
        self.columns.setSizes(COLUMNS_SIZES)
        self.panes.setSizes(PANES_SIZES)
        self.normal_text_size()
        if self.default_switch_s is not None:
            self.set_switch_interval(self.default_switch_s)
        self.tabs.setCurrentIndex(0)
        QtCore.QTimer.singleShot(0, self._fit_code_pane)
        self.show_message("Layout and settings reset: the window is as it first opens", 8000)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)


def _set_application_points(points: int) -> None:
    """The application's font at ``points``."""
    font = QtGui.QFont(QtWidgets.QApplication.font())
    if _points(font) != points:
        font.setPointSize(points)
        _apply_application_font(font)


def _apply_application_font(font: QtGui.QFont) -> None:
    """``font`` for the application, and its style sheet applied again: once a style sheet
    is set, a new font reaches no widget that was already polished without it."""
    app = QtWidgets.QApplication.instance()
    app.setFont(font)
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())


def _points(font: QtGui.QFont) -> int:
    """``font``'s size in points (a font set in pixels: its points at this screen's 96 dpi)."""
    points = font.pointSizeF()
    return round(points if points > 0 else font.pixelSize() * 72 / 96)


class _InputDropper(QtCore.QObject):
    """An event filter that takes every click, key and wheel turn, and counts the presses."""

    DROPPED = {QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.MouseButtonRelease,
               QtCore.QEvent.Type.MouseButtonDblClick, QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease,
               QtCore.QEvent.Type.Wheel}
    PRESSES = {QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.KeyPress}

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in self.PRESSES:
            self.dropped += 1  # (taken at its first stop, so each press is seen once)
        return kind in self.DROPPED


def fitting_size(screen: QtGui.QScreen | None) -> tuple[int, int]:
    """1360 x 820, or less: what the screen has room for once its panels and the window's
    frame are counted (a 1366 x 768 laptop or projector shows the whole window)."""
    width, height = 1360, 820
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() - 16), min(height, room.height() - 40)
    return max(width, 800), max(height, 560)


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
