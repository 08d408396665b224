"""The lab window, driven the way a user (or a teacher's script) would: by button labels."""

import re
import threading
import time

import numpy as np
import pytest
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from app.core import lockgrab
from app.gui.controls import DEFAULT_COUNTS
from helpers import open_lesson

LEFT = QtCore.Qt.MouseButton.LeftButton


def button(win, label):
    """The push button whose text is exactly ``label``."""
    found = [b for b in win.findChildren(QtWidgets.QPushButton) if b.text() == label]
    assert len(found) == 1, f"expected one button labelled {label!r}, found {len(found)}"
    return found[0]


def button_shows(win, label):
    """True when some push button reads ``label`` (labels change on the display timer)."""
    return any(b.text() == label for b in win.findChildren(QtWidgets.QPushButton))


def plotted(win):
    return np.array(win.array_plot.curve.getData()[1], copy=True)


def first_frame(win, qtbot):
    """What the plot shows once the first envelope arrived (the feed makes it off-thread)."""
    qtbot.waitUntil(lambda: plotted(win).size > 0, timeout=3000)
    return plotted(win)


def choose(win, **counts):
    for key, spin in win.controls.count_spins.items():
        spin.setValue(counts.get(key.replace("-", "_"), 0))


def test_buttons_are_labelled_for_users_and_scripts(window):
    for label in ("Start", "Stop", "Acquire Lock"):
        assert button(window, label).isVisible()
    assert window.controls.counts() == {**dict.fromkeys(window.controls.counts(), 0), **DEFAULT_COUNTS}


def test_start_runs_threads_that_change_the_plot_and_stop_ends_them(window, qtbot):
    before = threading.active_count()
    first = first_frame(window, qtbot)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    assert threading.active_count() == before + 3
    qtbot.waitUntil(lambda: not np.array_equal(plotted(window), first), timeout=5000)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.lab.alive(), timeout=1000)
    assert threading.active_count() == before
    qtbot.waitUntil(lambda: button(window, "Start").isEnabled(), timeout=1000)


def test_acquire_lock_freezes_the_array_until_release(window, qtbot):
    choose(window, add_elementwise=1, divide_elementwise=1)  # together they hold it nearly always
    qtbot.mouseClick(button(window, "Start"), LEFT)
    mutators = [w.job for w in window.lab.workers]
    qtbot.waitUntil(lambda: all(m.stats.steps > 0 for m in mutators), timeout=5000)

    qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
    qtbot.waitUntil(lambda: button_shows(window, "Release Lock"), timeout=2000)
    assert window.lock_grab.state == lockgrab.HELD
    held = window.lab.shared.snapshot()
    steps = [m.stats.steps for m in mutators]
    # both mutators wait for the lock the GUI holds: the lock itself lists them
    names = {w.name for w in window.lab.workers}
    qtbot.waitUntil(lambda: {w.lane.name for w in window.lab.shared.lock.waiters()} == names, timeout=3000)
    assert np.array_equal(window.lab.shared.snapshot(), held)
    assert [m.stats.steps for m in mutators] == steps

    qtbot.mouseClick(button(window, "Release Lock"), LEFT)
    qtbot.waitUntil(lambda: not np.array_equal(window.lab.shared.snapshot(), held), timeout=3000)
    qtbot.waitUntil(lambda: button_shows(window, "Acquire Lock"), timeout=1000)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.lab.alive(), timeout=1000)


def test_lock_pressed_while_a_worker_holds_it_waits_without_blocking(window, qtbot):
    lock = window.lab.shared.lock
    lock.acquire()  # stands in for a worker in the middle of a pass
    try:
        qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
        assert window.lock_grab.state == lockgrab.WAITING
        assert "waiting" in window.lock_label.text()
        ticks = len(window.latency._samples)
        qtbot.waitUntil(lambda: len(window.latency._samples) > ticks + 3, timeout=2000)  # loop is live
    finally:
        lock.release()
    qtbot.waitUntil(lambda: button_shows(window, "Release Lock"), timeout=2000)
    assert window.lock_grab.state == lockgrab.HELD
    qtbot.mouseClick(button(window, "Release Lock"), LEFT)
    assert not lock.locked()


def run_for(window, seconds, mode):
    window.controls.gui_radio.setChecked(mode == "gui")
    window.controls.threads_radio.setChecked(mode != "gui")
    window.controls.stop_after.setValue(seconds)
    choose(window, add_elementwise=1, divide_elementwise=1)


def test_gui_thread_mode_freezes_and_the_watchdog_measures_it(window, qtbot):
    job = 1.0
    run_for(window, job, "gui")
    window.last_stall = None  # only a stall from this click counts
    qtbot.mouseClick(button(window, "Start"), LEFT)  # returns only when the job is done
    qtbot.waitUntil(lambda: window.last_stall is not None, timeout=2000)
    assert window.last_stall.seconds >= 0.9 * job, f"freeze measured {window.last_stall.seconds:.3f} s"
    message = window.message_label.text()
    assert "frozen" in message
    reported = float(re.search(r"([\d.]+) s", message).group(1))
    assert reported == pytest.approx(window.last_stall.seconds, abs=0.01)


def test_a_freeze_report_does_not_hide_a_refusal_on_show(window):
    from app.core.watchdog import Stall

    window._refuse("line 18: '(' was never closed")
    window._report_stall(Stall(time.time(), 0.11))  # (a loaded machine, right after the click)
    assert window.message_label.text() == "Not started: line 18: '(' was never closed"
    assert window.lab.log.entries()[-1].text == "the window was frozen for 0.11 s"
    window._message_timer.stop()  # once the refusal has had its time, freezes show again
    window._report_stall(Stall(time.time(), 0.12))
    assert window.message_label.text().startswith("The window was frozen for 0.12 s")


def test_clicks_made_during_a_freeze_start_nothing_and_are_told(window, qtbot, monkeypatch):
    run_for(window, 0.3, "gui")
    freeze = window.lab_page.before_freeze
    start = button(window, "Start")
    seen = {}

    def clicks_while_frozen(seconds):
        freeze(seconds)
        seen["start enabled"] = start.isEnabled()
        seen["stop enabled"] = button(window, "Stop").isEnabled()
        center = start.rect().center()
        on_screen = QtCore.QPointF(start.mapToGlobal(center))  # (Qt 6 deprecates leaving it out)
        for _ in range(2):  # two impatient clicks on Start: they queue up while the window is frozen
            for kind in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.MouseButtonRelease):
                QtWidgets.QApplication.postEvent(start, QtGui.QMouseEvent(
                    kind, QtCore.QPointF(center), on_screen, LEFT, LEFT, QtCore.Qt.KeyboardModifier.NoModifier))

    monkeypatch.setattr(window.lab_page, "before_freeze", clicks_while_frozen)
    qtbot.mouseClick(start, LEFT)  # returns when the frozen run is over
    assert seen == {"start enabled": False, "stop enabled": False}  # the frozen window shows the truth
    qtbot.waitUntil(lambda: "2 clicks or keys during the freeze ignored" in window.log_view.toPlainText(),
                    timeout=2000)
    runs = [e for e in window.lab.log.entries() if e.text.startswith("GUI-thread run ended")]
    assert len(runs) == 1  # one click, one run: the queued clicks started nothing
    assert start.isEnabled()


def test_each_mode_keeps_its_own_run_for(window):
    c = window.controls
    assert c.duration() is None  # worker threads: until Stop
    c.gui_radio.setChecked(True)
    assert c.duration() is not None  # the GUI thread needs a fixed time
    c.stop_after.setValue(1.5)
    c.threads_radio.setChecked(True)
    assert c.duration() is None  # back to what the worker mode had, not the GUI mode's time
    c.stop_after.setValue(4.0)
    c.gui_radio.setChecked(True)
    assert c.duration() == 1.5
    c.threads_radio.setChecked(True)
    assert c.duration() == 4.0


def test_worker_thread_mode_keeps_the_event_loop_live(window, qtbot):
    job = 2.0
    run_for(window, job, "threads")
    window.latency.clear()
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: bool(window.lab.alive()), timeout=1000)
    qtbot.waitUntil(lambda: not window.lab.alive(), timeout=job * 1000 + 3000)
    assert all(w.job.stats.steps > 0 for w in window.lab.workers)
    # the same job froze the window for its whole length on the GUI thread (test above);
    # on worker threads the event loop never waited more than a quarter of it
    worst = window.latency.recent_max
    assert worst < 0.25 * job, f"largest event-loop delay {worst:.3f} s"
    assert window.last_stall is None or window.last_stall.seconds < 0.25 * job


def test_a_worker_that_raises_is_shown_and_the_app_goes_on(window, qtbot):
    choose(window, failing=1)
    window.controls.delay_spin.setValue(0.01)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: "ZeroDivisionError" in window.log_view.toPlainText(), timeout=3000)
    text = window.log_view.toPlainText()
    assert "Traceback" in text and "[failing-1]" in text
    qtbot.waitUntil(lambda: button(window, "Start").isEnabled(), timeout=2000)
    choose(window, counter=1)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: "[counter-1] 2" in window.log_view.toPlainText(), timeout=3000)


def test_a_failure_drawing_the_array_is_logged_and_the_plot_goes_on(window, qtbot, monkeypatch):
    real = window.array_plot.feed.request
    monkeypatch.setattr(window.array_plot.feed, "request",
                        lambda y, first=0, last=None: real(np.array([1, "a"] * 600, dtype=object)))
    window.array_plot.redraw_pending = True
    qtbot.waitUntil(lambda: "drawing the array failed" in window.log_view.toPlainText(), timeout=3000)
    assert "TypeError" in window.log_view.toPlainText()
    monkeypatch.undo()
    window.array_plot.redraw_pending = True
    before = first_frame(window, qtbot)
    window.lab.shared.data[:] = 7.0
    window.array_plot.redraw_pending = True
    qtbot.waitUntil(lambda: not np.array_equal(plotted(window), before), timeout=3000)


def test_zooming_in_while_idle_draws_the_envelope_of_what_is_in_view(window, qtbot):
    first_frame(window, qtbot)
    view = window.array_plot.plot.getViewBox()
    view.setRange(xRange=(1000, 2000), padding=0)
    view.sigRangeChangedManually.emit([True, True])  # what a wheel or a drag on the plot emits
    qtbot.waitUntil(lambda: window.array_plot.curve.getData()[0].size > 0 and window.array_plot.curve.getData()[0].max() <= 2001,
                    timeout=3000)
    assert window.array_plot.curve.getData()[0].min() >= 999


def test_log_lines_carry_thread_names_in_time_order(window, qtbot):
    choose(window, counter=2)
    window.controls.delay_spin.setValue(0.01)
    window.controls.count_spin.setValue(5)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: button(window, "Start").isEnabled(), timeout=3000)
    qtbot.waitUntil(lambda: window.log_view.toPlainText().count("finished after 5 steps") == 2, timeout=2000)
    lines = [ln for ln in window.log_view.toPlainText().splitlines() if re.match(r"\d\d:\d\d", ln)]
    assert {"[counter-1] 5", "[counter-2] 5"} <= {ln.split(" ", 1)[1] for ln in lines}
    stamps = [ln.split(" ", 1)[0] for ln in lines]
    assert stamps == sorted(stamps)


def test_zero_workers_is_refused_with_a_visible_reason(window, qtbot):
    choose(window)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    assert "choose at least one worker" in window.message_label.text()
    assert not window.lab.workers


def test_the_size_field_shows_the_array_the_window_was_given_and_start_keeps_it(window, qtbot):
    assert window.controls.size_spin.value() == window.lab.shared.size == 20_000  # (not the default 100 000)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.busy, timeout=3000)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.busy, timeout=5000)
    assert window.lab.shared.size == 20_000


def test_out_of_range_size_is_clamped_by_the_field(window):
    window.controls.size_spin.setValue(10**9)
    assert window.controls.size_spin.value() == 10_000_000
    window.controls.size_spin.setValue(-4)
    assert window.controls.size_spin.value() == 10


def test_gui_mode_never_runs_until_stop(window):
    window.controls.stop_after.setValue(0)
    window.controls.gui_radio.setChecked(True)
    assert window.controls.duration() == pytest.approx(3.0)
    assert "Stop cannot be clicked" in window.controls.mode_hint.text()


def test_closing_mid_run_leaves_no_thread_alive(window, qtbot):
    before = set(threading.enumerate())
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: len(window.lab.alive()) == 3, timeout=2000)
    began = time.monotonic()
    window.close()
    assert time.monotonic() - began < 2.0
    assert not window.lab.alive()
    assert not [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not window.watchdog.alive


def test_a_worker_that_ignores_stop_is_named(window, qtbot, monkeypatch):
    from app.core import workers
    from app.core.session import LabSession
    from app.core.workers import Job, WorkerKind

    gate = threading.Event()

    class Stubborn(Job):
        def step(self, should_stop):
            gate.wait(10)  # ignores the stop Event until the test opens the gate
            return False

    monkeypatch.setitem(workers.KINDS, "stubborn", WorkerKind("stubborn", "Stubborn", Stubborn))
    try:
        window.run_session(LabSession(window.lab, {"stubborn": 1}))  # not in the panel
        qtbot.mouseClick(button(window, "Stop"), LEFT)
        qtbot.waitUntil(lambda: "Still running" in window.message_label.text(), timeout=3000)
        assert "stubborn-1" in window.message_label.text()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not window.lab.alive(), timeout=2000)


def test_gui_thread_run_is_refused_while_the_gui_holds_the_lock(window, qtbot):
    run_for(window, 1.0, "gui")
    qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
    assert window.lock_grab.state == lockgrab.HELD
    qtbot.mouseClick(button(window, "Start"), LEFT)
    assert "release the lock first" in window.message_label.text()
    assert window.last_stall is None or window.last_stall.seconds < 0.5
    qtbot.mouseClick(button(window, "Release Lock"), LEFT)


def test_the_switch_interval_control_sets_the_interpreter_and_closing_restores_it(qtbot):
    import sys

    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.window import LabWindow

    before = sys.getswitchinterval()
    win = LabWindow(Lab(SharedArray(1000), LogBook()))
    qtbot.addWidget(win)
    box = win.responsiveness.switch_box
    index = box.findText("20 ms")
    box.setCurrentIndex(index)
    box.activated.emit(index)  # what a user's choice in the list emits
    assert sys.getswitchinterval() == pytest.approx(0.02)
    assert "switch interval set to 20 ms" in win.lab.log.entries()[-1].text
    win.close()
    assert sys.getswitchinterval() == before


def test_a_gui_stall_is_noticed_while_it_lasts_and_measured_to_within_ten_percent_and_a_probe(window, qtbot):
    from app.gui.window import PROBE_INTERVAL_MS

    induced = {}

    def stall():
        induced["wall"], began = time.time(), time.monotonic()
        threading.Event().wait(1.0)  # the freeze being measured, not a synchronisation
        induced["s"] = time.monotonic() - began

    def ours():  # the stall that covers the induced one (another could happen on a busy machine)
        found = [s for s in list(window.watchdog.stalls) if "wall" in induced
                 and s.started_wall <= induced["wall"] <= s.started_wall + s.seconds]
        return found[-1] if found else None

    with qtbot.waitSignal(window.probe_timer.timeout, timeout=2000):
        pass
    QtCore.QTimer.singleShot(0, stall)
    qtbot.waitUntil(lambda: ours() is not None and window.last_stall is not None, timeout=3000)
    # (a gap between two probes: it holds the induced stall and up to one probe interval
    # before it; a busy machine's scheduler adds what it adds, within the ten percent)
    assert 0.9 * induced["s"] <= ours().seconds <= 1.1 * induced["s"] + PROBE_INTERVAL_MS / 1000
    notes = [e.text for e in window.lab.log.entries() if "has not answered" in e.text]
    assert notes, "the watchdog thread said nothing while the window was frozen"
    # the label shows the last freeze measured: ours, or one a busy machine made after it
    last = window.last_stall
    assert last is ours() or last.started_wall > ours().started_wall
    assert window.responsiveness.stall_label.text().startswith(f"last freeze: {last.seconds:.2f} s, from ")
    assert window.latency.stats().max >= 0.9 * induced["s"]  # the probe fired that late once


def test_element_indices_are_written_short_so_they_fit_a_narrow_plot():
    from app.gui.arrayplot import short_count

    assert [short_count(v) for v in (0, 9999, 20_000, 1_500_000, 10_000_000)] == ["0", "9999", "20k", "1.5M", "10M"]


def test_index_labels_never_run_into_each_other_in_a_narrow_plot(qtbot):
    from app.gui.arrayplot import IndexAxis, nice_step

    assert [nice_step(x) for x in (0.3, 1, 1.2, 3, 7, 4000, 25_000)] == [0.5, 1, 2, 5, 10, 5000, 50_000]
    axis = IndexAxis("bottom")
    label = QtGui.QFontMetrics(axis.font()).horizontalAdvance("100k")
    for width in (90, 130, 200, 400, 1000):
        ((spacing, _offset),) = axis.tickSpacing(0, 100_000, width)
        labels = 100_000 // spacing + 1
        assert labels * label <= width or labels <= 2, (width, spacing)  # (two always: both ends)
        assert labels >= 2


def test_a_failing_part_of_the_display_tick_is_told_once_and_the_rest_goes_on(window, qtbot, monkeypatch, capsys):
    def broken(locks):
        raise RuntimeError("injected fault in the lock panel")

    monkeypatch.setattr(window.lock_panel, "show_locks", broken)
    ticks = window._ticks
    qtbot.waitUntil(lambda: window._ticks > ticks + 10, timeout=3000)
    window.lab.log.write("a line written while the panel fails")
    qtbot.waitUntil(lambda: "a line written while the panel fails" in window.log_view.toPlainText(), timeout=2000)
    shown = window.log_view.toPlainText()
    assert shown.count("the Locks tab failed") == 1  # told once...
    assert window.faults.failing()["the Locks tab"] > 10  # ...and counted
    assert "the Locks tab failed" in capsys.readouterr().err
    monkeypatch.undo()
    qtbot.waitUntil(lambda: "the Locks tab works again" in window.log_view.toPlainText(), timeout=2000)


def test_the_status_bar_counts_errors_and_shows_them(window, qtbot):
    assert not window.errors_button.isVisible()
    window.lab.log.write("something broke", "error", thread="counter-1")
    qtbot.waitUntil(lambda: window.errors_button.isVisible(), timeout=2000)
    assert window.errors_button.text() == "1 error in the log"
    window.bottom_tabs.setCurrentIndex(2)
    qtbot.mouseClick(window.errors_button, LEFT)
    assert window.bottom_tabs.currentWidget() is window.log_pane
    assert window.log_view.toPlainText().strip().endswith("something broke")


def test_the_log_keeps_following_after_a_banner_takes_room(window, qtbot):
    for i in range(300):
        window.lab.log.write(f"filler {i}")
    qtbot.waitUntil(lambda: "filler 299" in window.log_view.toPlainText(), timeout=2000)
    window.banner.show()  # what a deadlock does: the panes above the banner get shorter
    window.bottom_tabs.setCurrentIndex(1)
    window.bottom_tabs.setCurrentIndex(0)
    window.lab.log.write("after the banner")
    qtbot.waitUntil(lambda: "after the banner" in window.log_view.toPlainText(), timeout=2000)
    bar = window.log_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0, timeout=2000)


def test_the_plot_marks_where_each_pass_has_got_to_and_says_what_the_line_means(window, qtbot):
    window.controls.size_spin.setValue(200_000)  # (passes long enough to be seen half done)
    choose(window, add_elementwise=1, divide_elementwise=1)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    plot = window.array_plot
    size = window.lab.shared.data.size

    def a_line_inside_the_array():
        lines = [line for line in plot._front_lines.values() if line.isVisible()]
        return bool(lines) and all(0 <= line.line().x1() < size for line in lines)

    qtbot.waitUntil(a_line_inside_the_array, timeout=3000)
    assert plot.fronts_note.isVisible() and "not a race" in plot.fronts_note.text()
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.busy, timeout=3000)
    qtbot.waitUntil(lambda: not plot.fronts_note.isVisible(), timeout=1000)
    assert not any(line.isVisible() for line in plot._front_lines.values())


def lane_names(window, qtbot, expected_present, expected_absent):
    """Wait until the lanes show every name in ``expected_present`` and none of ``expected_absent``."""
    def shown():
        names = {r[0].name for r in window.lanes.rows}
        return expected_present <= names and not names & expected_absent
    qtbot.waitUntil(shown, timeout=3000)


def test_each_tab_shows_its_own_threads(window, qtbot):
    choose(window, add_elementwise=1)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.busy, timeout=2000)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.busy, timeout=3000)
    lab_lanes, lesson_lanes = {"add-elementwise-1"}, {"MainThread", "Thread-1 (increase)"}
    lane_names(window, qtbot, lab_lanes, set())
    open_lesson(window, "shared-array")
    lane_names(window, qtbot, {"GUI"}, lab_lanes)  # nothing of the Lab's run
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: not window.busy and "matches" in window.outcome.text(), timeout=5000)
    lane_names(window, qtbot, lesson_lanes, lab_lanes)
    window.tabs.setCurrentIndex(0)
    lane_names(window, qtbot, lab_lanes, lesson_lanes)  # the Lab's run again, not the lesson's


def test_a_lesson_can_be_read_while_the_lab_runs(window, qtbot):
    choose(window, add_elementwise=1)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.busy, timeout=2000)
    assert window.tabs.tabBar().isEnabled()
    open_lesson(window, "deadlock")
    assert window.lesson_panel.isEnabled() and window.code_pane.isVisible()
    assert "RLock" in window.lesson_panel.text.toPlainText()
    assert window.session.title == "Lab" and not button(window, "Start").isEnabled()
    assert "Lab is running" in window.message_label.text()
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: window.session.title == "deadlock", timeout=3000)  # the tab's own, once it ended
    assert button(window, "Start").isEnabled() and window.lesson_panel.isEnabled()


def test_a_refused_input_is_said_next_to_its_field(window, qtbot):
    from pyqtgraph.Qt import QtTest

    spin = window.controls.count_spins["counter"]
    spin.lineEdit().selectAll()
    QtTest.QTest.keyClicks(spin, "-3")
    note = spin.parentWidget().note
    assert spin.value() == 3 and note.isVisible() and "not taken" in note.text()
    open_lesson(window, "lock")
    size = window.lesson_panel.params.widgets["SIZE"]
    size.lineEdit().selectAll()
    QtTest.QTest.keyClicks(size, "nan")
    assert not size.parentWidget().note.isHidden()  # (shown; the test window may be too small to see it)
