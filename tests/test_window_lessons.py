"""Lessons in the window: choose, Start, Stop, Run xN, Acquire Lock, and the deadlock banner."""

import pytest
from pyqtgraph.Qt import QtWidgets

from app.lessons import LESSONS
from helpers import LEFT, button, open_lesson


def finish(win, qtbot, timeout=15000):
    qtbot.waitUntil(lambda: not win.lessons.running and "running" not in win.outcome.text(), timeout=timeout)
    return win.outcome.text()


def test_choosing_a_lesson_shows_text_params_and_its_own_code(window):
    open_lesson(window, "deadlock")
    assert "RLock" in window.lesson_panel.text.toPlainText()
    assert set(window.lesson_panel.params.widgets) == {"lock_kind"}
    assert window.code_view.isVisible()
    assert window.code_view.toPlainText() == LESSONS["deadlock"].source
    assert "def update(lock, data)" in window.code_view.toPlainText()


@pytest.mark.parametrize(
    ("lesson_id", "params", "expected"),
    [
        ("first-thread", {"count": 3, "delay": 0.02}, "3 numbers arrived"),
        ("shared-array", {}, "the queue delivered 42"),
        ("lock", {"size": 5000}, "ended with all elements equal"),
        ("event-stop", {"period": 0.05, "run_for": 0.3}, "rounds"),
    ],
)
def test_start_runs_the_chosen_lesson_and_the_outcome_panel_judges_it(window, qtbot, lesson_id, params, expected):
    open_lesson(window, lesson_id, **params)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    text = finish(window, qtbot)
    assert "matches the prediction" in text and expected in text


def test_frozen_vs_threaded_freezes_the_real_gui_thread(window, qtbot):
    open_lesson(window, "frozen-vs-threaded", job=0.5)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    text = finish(window, qtbot)
    assert "matches the prediction" in text
    assert window.last_stall is not None and window.last_stall.seconds >= 0.45
    assert "frozen" in window.message_label.text()


def test_stop_ends_a_running_lesson_early(window, qtbot):
    open_lesson(window, "event-stop", period=0.1, run_for=10.0)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.lessons.running, timeout=2000)
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    text = finish(window, qtbot, timeout=2000)
    assert "stopped early" in text


def test_run_x_n_draws_the_distribution_of_outcomes(window, qtbot):
    open_lesson(window, "vectorized-race", k=10)
    window.lesson_panel.repeat_spin.setValue(6)
    qtbot.mouseClick(button(window, "Run xN"), LEFT)
    text = finish(window, qtbot)
    assert window.histogram.isVisible()
    assert sum(window.histogram.counts.values()) == 6
    assert len(window.histogram.counts) <= 2  # small K: adds first or divides first, nothing else
    assert "matches the prediction" in text


def test_deadlock_is_found_while_the_window_stays_live_and_can_be_broken(window, qtbot):
    open_lesson(window, "deadlock", lock_kind="Lock")
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    finding = window.lessons.runner.ctx.findings[0]
    assert finding.detected_after < 1.0 and finding.threads == ["lesson-main"]
    assert "data lock" in window.banner.label.text() and "deadlock.py" in window.banner.label.text()
    samples = len(window.latency._samples)
    qtbot.waitUntil(lambda: len(window.latency._samples) > samples + 5, timeout=2000)  # still live
    assert window.lessons.running
    qtbot.mouseClick(button(window, "Break the wait"), LEFT)
    text = finish(window, qtbot, timeout=3000)
    assert "matches the prediction" in text and "deadlock found" in text


def test_rerun_with_rlock_finishes(window, qtbot):
    open_lesson(window, "deadlock", lock_kind="Lock")
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    qtbot.mouseClick(button(window, "Re-run with RLock"), LEFT)
    qtbot.waitUntil(lambda: "RLock" in window.outcome.text(), timeout=5000)
    assert "finished" in window.outcome.text() and "matches the prediction" in window.outcome.text()
    assert window.lesson_panel.params.values() == {"lock_kind": "RLock"}


def test_acquire_lock_acts_on_the_running_lessons_lock(window, qtbot):
    # lock-timeout: "holder" keeps the lesson's lock for 0.6 s, the worker gives up after 0.2 s,
    # and the run goes on until the 1.5 s join ends
    open_lesson(window, "lock-timeout", hold=0.6, timeout=0.2, join_timeout=1.5, slow=3.0)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.lessons.lock_target() is not None
                    and window.lessons.lock_target().locked(), timeout=3000)
    lock = window.lessons.lock_target()
    qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
    assert window.lock_grab.lock is lock and window.lock_grab.state == "waiting"
    qtbot.waitUntil(lambda: "waiting" in window.lock_label.text(), timeout=1000)
    qtbot.waitUntil(lambda: window.lock_grab.state == "held", timeout=3000)  # after the holder let go
    assert lock.owner.name == "lock-taker" and window.lessons.running
    qtbot.waitUntil(lambda: any(b.text() == "Release Lock" for b in window.findChildren(QtWidgets.QPushButton)),
                    timeout=1000)
    qtbot.mouseClick(button(window, "Release Lock"), LEFT)
    assert not lock.locked()
    text = finish(window, qtbot)
    assert "matches the prediction" in text


def test_closing_during_a_lesson_leaves_no_thread(window, qtbot):
    open_lesson(window, "event-stop", period=0.1, run_for=10.0)
    qtbot.mouseClick(button(window, "Start"), LEFT)
    qtbot.waitUntil(lambda: window.lessons.running, timeout=2000)
    window.close()
    assert not window.lessons.running
