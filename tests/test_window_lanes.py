"""Thread lanes, the lock panel, deadlock recovery and trace export, in the window."""

import html
import json
import time

import numpy as np

from app.core import recorder as rec
from app.core.lanesimage import HOLD_RGBA, HOLD_ROWS, ROW_PX, STATE_RGBA
from helpers import LEFT, button, finish, open_lesson
from test_window import run_for

ADD, DIVIDE = "Thread-1 (increase)", "Thread-2 (divide)"  # the lock program's threads


def run_lesson(win, qtbot, lesson_id, timeout=15000, repeat=None, **params):
    """Choose ``lesson_id``, set its constants, press Start (or Run xN with ``repeat``)."""
    open_lesson(win, lesson_id, **params)
    if repeat is None:
        qtbot.mouseClick(button(win, "Start"), LEFT)
    else:
        win.lesson_panel.repeat_spin.setValue(repeat)
        qtbot.mouseClick(button(win, "Run xN"), LEFT)
    return finish(win, qtbot, timeout)


def row(win, name):
    (found,) = [r for r in win.lanes.rows if r[0].name == name]
    return found


def running_columns(win, name):
    """The pixel columns where the lane of ``name`` is painted "running"."""
    i = [r[0].name for r in win.lanes.rows].index(name)
    image = win.lanes.canvas._image
    bar = image[i * win.lanes.canvas._row_px + win.lanes.canvas._row_px // 2]  # the middle pixel row
    return np.all(bar == STATE_RGBA[rec.RUNNING], axis=1)


def holding_columns(win, name):
    """The pixel columns where the lane of ``name`` shows the thin "holds a lock" bar."""
    i = [r[0].name for r in win.lanes.rows].index(name)
    row_px = win.lanes.canvas._row_px
    bar = win.lanes.canvas._image[i * row_px + row_px * (HOLD_ROWS[0] + HOLD_ROWS[1]) // (2 * ROW_PX)]
    return np.all(bar == HOLD_RGBA, axis=1)


def test_lanes_show_the_locked_loops_one_after_the_other(window, qtbot):
    assert "matches the prediction" in run_lesson(window, qtbot, "lock", SIZE=20_000)
    adds, divides = row(window, ADD), row(window, DIVIDE)
    assert len(adds) == len(divides) == 10  # ten runs, one lane per thread name
    for add, divide in zip(adds, divides):
        (a,), (d,) = add.holds, divide.holds
        assert a.end <= d.start or d.end <= a.start  # never both inside the lock
    both = holding_columns(window, ADD) & holding_columns(window, DIVIDE)
    assert holding_columns(window, ADD).sum() > 20 and holding_columns(window, DIVIDE).sum() > 20
    assert both.sum() <= 20  # at most the pixel where one hands over to the other, twice per run


def test_lanes_show_the_unlocked_loops_running_together(window, qtbot):
    run_lesson(window, qtbot, "elementwise-race", repeat=2, SIZE=200_000)
    both = running_columns(window, "Thread-1 (increase)") & running_columns(window, DIVIDE)
    assert both.sum() > 20  # both threads are in the middle of their loops at once


def test_lanes_show_both_workers_waiting_while_the_gui_holds_the_lock(window, qtbot):
    for key, spin in window.controls.count_spins.items():
        spin.setValue(1 if key in ("add-elementwise", "divide-elementwise") else 0)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: all(w.job.stats.steps > 0 for w in window.lab.workers), timeout=5000)
    qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
    qtbot.waitUntil(lambda: window.lock_grab.state == "held", timeout=3000)

    holder = window.lab.shared.lock.owner.name

    def both_wait_and_the_holder_holds():  # (the lanes show what was painted one tick ago)
        states = {r[-1].name: r[-1].segments[-1] for r in window.lanes.rows if r[-1].segments}
        holds = any(r[-1].name == holder and r[-1].holds and r[-1].holds[-1].end is None for r in window.lanes.rows)
        return holds and all(states.get(name) is not None and states[name].state == rec.WAIT_LOCK
                             and states[name].end is None for name in ("add-elementwise-1", "divide-elementwise-1"))

    qtbot.waitUntil(both_wait_and_the_holder_holds, timeout=3000)
    lane = [r[0].name for r in window.lanes.rows].index("add-elementwise-1")
    # the right edge is the time of the frame on screen: once a frame painted after the
    # wait began is shown, hovering there names the lock
    qtbot.waitUntil(lambda: "waiting for lock 'shared array lock'"
                    in html.unescape(window.lanes.describe_at(0.0, lane)), timeout=3000)
    qtbot.mouseClick(button(window, "Release Lock"), LEFT)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    qtbot.waitUntil(lambda: not window.lab.alive(), timeout=2000)


def test_lock_order_deadlock_is_shown_with_its_locks_and_broken_from_the_window(window, qtbot):
    open_lesson(window, "lock-order")
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    (finding,) = window.session.findings()
    assert finding.detected_after <= 0.5
    banner = window.banner.label.text()
    assert "pay A-&gt;B" in banner and "pay B-&gt;A" in banner and "lock_order.py:" in banner
    window.bottom_tabs.setCurrentWidget(window.lock_panel)
    qtbot.waitUntil(lambda: {r["lock"]: r["waiting"] for r in window.lock_panel.rows()}
                    == {"locks['A']": "pay B->A", "locks['B']": "pay A->B"}, timeout=2000)
    qtbot.mouseClick(button(window, "Break the wait"), LEFT)
    text = finish(window, qtbot, 3000)
    assert "matches the prediction" in text and "1 transfer done, 1 failed" in text
    panel = {r["lock"]: r for r in window.lock_panel.rows()}
    assert panel["locks['A']"]["owner"] == "free" and panel["locks['A']"]["waiting"] == ""
    assert "WaitBroken" in window.output_view.toPlainText()


def test_rerun_with_one_global_order_finishes(window, qtbot):
    open_lesson(window, "lock-order")
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    qtbot.mouseClick(button(window, "Re-run with one global order"), LEFT)
    qtbot.waitUntil(lambda: "one global order:" in window.outcome.text(), timeout=5000)
    assert "2 of 2 transfers done" in window.outcome.text() and "matches the prediction" in window.outcome.text()
    assert window.lesson_panel.params.values()["ONE_ORDER"] is True
    assert "ONE_ORDER = True" in window.code_pane.editor.toPlainText()


def test_save_trace_writes_what_the_lanes_show(window, qtbot, tmp_path):
    run_lesson(window, qtbot, "event-ready", SIZE=20_000)
    path = tmp_path / "window.json"
    assert window.save_trace(str(path))
    events = json.loads(path.read_text())["traceEvents"]
    waits = [e for e in events if e["ph"] == "X" and e["args"].get("state") == rec.WAIT_EVENT]
    assert len(waits) == 2 and {e["args"]["obj"] for e in waits} == {"ready"}
    assert "saved to" in window.message_label.text()


def test_save_trace_to_a_bad_place_says_so(window, qtbot):
    run_lesson(window, qtbot, "shared-array")
    assert not window.save_trace("/no/such/folder/trace.json")
    assert "Could not save the trace" in window.message_label.text()


def test_save_trace_with_nothing_recorded_says_so_and_writes_nothing(window, tmp_path):
    path = tmp_path / "empty.json"
    assert not window.save_trace(str(path))
    assert not path.exists() and "Nothing to save yet" in window.message_label.text()


def test_repeated_starts_share_one_lane_per_thread_name(window, qtbot):
    for _ in range(2):
        run_lesson(window, qtbot, "first-thread", COUNT=2, DELAY=0.01)
    with window.lanes.feed.timeline_lock:  # the feed's thread adds to the timeline
        first = window.lanes.timeline.ordered()[0].first
    window.lanes.show_period(first, __import__("time").monotonic())
    names = [r[0].name for r in window.lanes.rows]
    assert names.count("MainThread") == 1 and names.count("Thread-1 (count)") == 1
    assert len(row(window, "MainThread")) == 10  # two Starts of five runs: one lane, ten lifetimes


def test_a_lock_with_waiters_has_its_whole_row_marked(window, qtbot):
    from app.gui.lockpanel import WAITING_BRUSH

    open_lesson(window, "lock-order")
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: all(r["waiting"] for r in window.lock_panel.rows()), timeout=2000)
    panel = window.lock_panel
    colours = {panel.item(r, c).background().color().name() for r in range(panel.rowCount())
               for c in range(panel.columnCount())}
    assert colours == {WAITING_BRUSH.color().name()}
    qtbot.mouseClick(button(window, "Break the wait"), LEFT)
    qtbot.waitUntil(lambda: not window.busy, timeout=3000)


def test_a_frame_painted_for_a_view_that_moved_on_is_dropped_and_asked_for_again(window, monkeypatch):
    canvas = window.lanes.canvas
    canvas.set_following(False)
    canvas.anchor = __import__("time").monotonic()
    old = canvas.view(busy=False)
    frame = window.lanes.feed.render_now(old)
    canvas.anchor -= 1.0  # the user dragged the lanes before the frame arrived
    assert not canvas.show_frame(frame)
    asked = []
    monkeypatch.setattr(window.lanes.feed, "take", lambda: frame)
    monkeypatch.setattr(window.lanes.feed, "request", asked.append)
    assert not window.lanes.refresh(busy=False)
    assert asked[-1].force and asked[-1].t1 == canvas.anchor
    assert canvas.show_frame(window.lanes.feed.render_now(canvas.view()))



def gui_idle_after(win, t):
    """True once the lanes show the GUI thread idle in its event loop at some time after ``t``
    (right after a freeze it first runs what queued up: which instant is idle varies)."""
    tracks = [r[0] for r in win.lanes.rows if r[0].name == "GUI"]
    return bool(tracks) and any(s.state == rec.EVENT_LOOP and s.start >= t for s in tracks[0].segments)


def test_the_gui_lane_is_idle_between_events_and_running_through_a_freeze(window, qtbot):
    run_for(window, 0.5, "gui")
    began = time.monotonic()
    qtbot.mouseClick(button(window, "Start"), LEFT)  # returns when the freeze is over
    ended = time.monotonic()
    qtbot.waitUntil(lambda: gui_idle_after(window, ended), timeout=3000)
    (gui,) = row(window, "GUI")
    # from the freeze's first running segment to the loop's next idle one: as long as the
    # work (0.5 s of passes, paced). Measured from where the lane says the work began: on a
    # busy machine the click took more than 50 ms to reach it, and the loop idled till then
    work_began = min(s.start for s in gui.segments if s.state == rec.RUNNING and s.start >= began)
    idle_again = min((s.start for s in gui.segments if s.state == rec.EVENT_LOOP and s.start > work_began),
                     default=ended)
    assert idle_again - work_began >= 0.45  # never idle while frozen
    assert sum(s.end_or(idle_again) - s.start for s in gui.segments  # (it runs the work)
               if s.state == rec.RUNNING and work_began <= s.start < idle_again) > 0.05
    # after it, it idles in its event loop far more than it runs ticks
    qtbot.waitUntil(lambda: sum(s.state == rec.RUNNING for s in gui.segments if s.start >= ended) >= 5, timeout=3000)
    now = time.monotonic()
    after = [s for s in gui.segments if s.start >= ended]
    idle = sum(s.end_or(now) - s.start for s in after if s.state == rec.EVENT_LOOP)
    assert idle > 3 * sum(s.end_or(now) - s.start for s in after if s.state == rec.RUNNING)


def test_lane_names_get_the_room_they_need(window, qtbot):
    window.resize(1366, 768)
    run_lesson(window, qtbot, "shared-array")
    canvas = window.lanes.canvas
    name = "Thread-2 (increased_copy)"
    qtbot.waitUntil(lambda: any(r[0].name == name for r in canvas.rows), timeout=3000)
    assert canvas.left - 8 >= canvas.fontMetrics().horizontalAdvance(name)  # (was cut at 170 px)


def wheel(widget, x, clicks):
    """A mouse wheel turned ``clicks`` notches (positive: away from the user) at ``x``."""
    from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

    at = QtCore.QPointF(x, widget.height() / 2)
    event = QtGui.QWheelEvent(at, QtCore.QPointF(widget.mapToGlobal(at.toPoint())), QtCore.QPoint(0, 0),
                              QtCore.QPoint(0, 120 * clicks), QtCore.Qt.MouseButton.NoButton,
                              QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(widget, event)


def test_the_wheel_zooms_the_lanes_around_the_mouse_when_not_following(window):
    canvas = window.lanes.canvas
    span = canvas.span
    wheel(canvas, canvas.width() / 2, 1)
    assert canvas.span < span  # (following: around now)
    canvas.set_following(False)
    anchor, span = canvas.anchor, canvas.span
    wheel(canvas, canvas.width() / 2, -1)  # (read through the binding's own event position)
    assert canvas.span > span and canvas.anchor != anchor
