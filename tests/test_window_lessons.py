"""Lessons in the window: the program in the code pane, Start, Stop, Run xN, editing and
re-running, Acquire Lock on a program's lock, and the deadlock banner."""

import html
import os
import threading

import pytest
from pyqtgraph.Qt import QtCore, QtWidgets

from app.lessons import LESSONS
from helpers import LEFT, button, child_pids, finish, open_lesson, process_alive


def click(window, qtbot, label):
    """Click the button labelled ``label`` once it is laid out (a pane just shown is laid out
    by the event loop) and enabled."""
    found = button(window, label)
    qtbot.waitUntil(lambda: found.isEnabled() and found.width() > 0, timeout=2000)
    qtbot.mouseClick(found, LEFT)


def test_choosing_a_lesson_shows_its_text_its_constants_and_its_program(window):
    open_lesson(window, "deadlock")
    assert "RLock" in window.lesson_panel.text.toPlainText()
    assert set(window.lesson_panel.params.widgets) == {"SIZE", "REENTRANT"}
    assert window.code_pane.isVisible()
    assert window.code_pane.editor.toPlainText() == LESSONS["deadlock"].source
    assert "from threading import Lock, RLock, Thread" in window.code_pane.editor.toPlainText()
    open_lesson(window, "event-stop")  # (RUN_FOR = 1 in its code, 1.0 s in the form)
    assert "(edited)" not in window.code_pane.title.text() and not window.lesson_page.edited()


@pytest.mark.parametrize(
    ("lesson_id", "constants", "expected"),
    [
        ("first-thread", {"COUNT": 3, "DELAY": 0.02}, "all 3 numbers arrived"),
        ("shared-array", {}, "the result was lost"),
        ("lock", {"SIZE": 20_000}, "the lock kept the loops apart"),
        ("event-stop", {"PAUSE": 0.05, "RUN_FOR": 1.0}, "rounds"),  # (a starved loop: 1 round in 0.5 s)
        ("frozen-vs-threaded", {"JOB": 1.0}, "shorter"),  # (live: under a quarter of the job, 250 ms,
        # where a loaded machine once held a program's main thread 0.17 s)
    ],
)
def test_start_runs_the_program_and_the_outcome_panel_judges_it(window, qtbot, lesson_id, constants, expected):
    open_lesson(window, lesson_id, **constants)
    click(window, qtbot, "Start")
    text = finish(window, qtbot)
    assert "matches the prediction" in text and expected in text


def test_the_output_tab_shows_what_the_program_printed_as_a_terminal_would(window, qtbot):
    open_lesson(window, "shared-array")
    click(window, qtbot, "Start")
    finish(window, qtbot)
    assert "[2.]\n[3.]\n[3.]\n1\n" in window.output_view.toPlainText()
    assert "[MainThread] [2.]" in window.log_view.toPlainText()  # the log says which thread printed it


def test_a_constant_in_the_form_is_the_constant_in_the_code_and_back(window, qtbot):
    open_lesson(window, "lock")
    window.lesson_panel.params.set_value("SIZE", 20_000)
    assert "SIZE = 20_000\n" in window.code_pane.editor.toPlainText()
    assert not button(window, "Run edited code").isEnabled()  # the lesson as it is, with a constant set
    window.code_pane.editor.replace_text(window.code_pane.editor.toPlainText().replace("20_000", "3000"))
    assert window.lesson_panel.params.values() == {"SIZE": 3000}


def test_an_edit_that_takes_the_lock_away_changes_the_verdict(window, qtbot):
    open_lesson(window, "lock", SIZE=20_000)
    editor = window.code_pane.editor
    editor.replace_text(editor.toPlainText().replace("    with lock:\n        for i in range(len(array)):\n"
                                                     "            array[i] += 1",
                                                     "    for i in range(len(array)):\n        array[i] += 1"))
    assert "(edited)" in window.code_pane.title.text()
    click(window, qtbot, "Run edited code")
    text = finish(window, qtbot)
    assert "does NOT match the prediction" in text and "(edited program)" in text
    click(window, qtbot, "Revert")
    assert editor.toPlainText() == LESSONS["lock"].source


def test_a_syntax_error_names_its_line_and_the_app_goes_on(window, qtbot):
    open_lesson(window, "shared-array")
    editor = window.code_pane.editor
    editor.replace_text(editor.toPlainText().replace("data = np.ones((SIZE, 1))", "data = np.ones((SIZE, 1)"))
    click(window, qtbot, "Run edited code")
    line = LESSONS["shared-array"].source.splitlines().index("data = np.ones((SIZE, 1))") + 1
    assert f"line {line}" in window.message_label.text() and list(editor.marks()) == [line]
    assert not window.busy and button(window, "Start").isEnabled()
    click(window, qtbot, "Revert")
    click(window, qtbot, "Start")
    assert "matches the prediction" in finish(window, qtbot)


def test_an_exception_in_the_program_points_at_its_line(window, qtbot):
    open_lesson(window, "shared-array")
    editor = window.code_pane.editor
    editor.replace_text(editor.toPlainText().replace("print(number)", "print(number / 0)"))
    click(window, qtbot, "Run edited code")
    finish(window, qtbot)
    line = LESSONS["shared-array"].source.splitlines().index("print(number)") + 1
    assert list(editor.marks()) == [line]
    assert "ZeroDivisionError" in window.output_view.toPlainText()


def test_the_code_zooms_for_a_projector(window):
    open_lesson(window, "lock")
    editor = window.code_pane.editor
    size = editor.point_size()
    for _ in range(3):
        window.code_pane.larger.click()
    assert editor.point_size() == size + 3 and editor.number_width() > 0


def test_stop_ends_a_running_lesson_early(window, qtbot):
    open_lesson(window, "event-stop", PAUSE=0.1, RUN_FOR=10.0)
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: window.busy, timeout=2000)
    click(window, qtbot, "Stop")
    assert "stopped early" in finish(window, qtbot, timeout=3000)


def test_stop_ends_a_program_that_never_looks_at_an_event(window, qtbot):
    open_lesson(window, "shared-array")
    editor = window.code_pane.editor
    editor.replace_text("from threading import Thread\n\n\ndef spin():\n    while True:\n        pass\n\n\n"
                        "Thread(target=spin).start()\nwhile True:\n    pass\n")
    before = threading.active_count()
    click(window, qtbot, "Run edited code")
    qtbot.waitUntil(lambda: threading.active_count() >= before + 3, timeout=2000)
    click(window, qtbot, "Stop")
    qtbot.waitUntil(lambda: not window.busy, timeout=3000)
    qtbot.waitUntil(lambda: threading.active_count() == before, timeout=3000)


def test_run_x_n_draws_the_distribution_of_outcomes(window, qtbot):
    open_lesson(window, "vectorized-race", K=10)
    window.lesson_panel.repeat_spin.setValue(6)
    click(window, qtbot, "Run xN")
    finish(window, qtbot)
    assert window.histogram.isVisible()
    assert sum(window.histogram.counts.values()) == 6
    assert window.output_view.toPlainText().count("--- vectorized-race, run") == 6


def test_start_runs_the_lessons_own_check_and_run_x_n_more_runs_with_the_histogram(window, qtbot):
    open_lesson(window, "first-thread", COUNT=2, DELAY=0.01)
    assert window.lesson_panel.repeat_spin.value() > LESSONS["first-thread"].repeat
    click(window, qtbot, "Start")
    finish(window, qtbot)
    assert len(window.session.runs) == LESSONS["first-thread"].repeat and not window.histogram.isVisible()


def test_deadlock_is_found_while_the_window_stays_live_and_can_be_broken(window, qtbot):
    open_lesson(window, "deadlock", SIZE=2000)
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    finding = window.session.findings()[0]
    assert finding.detected_after < 1.0 and finding.threads == ["MainThread"]
    banner = html.unescape(window.banner.label.text())
    assert "Lock 'lock'" in banner and "deadlock.py:" in banner
    samples = len(window.latency._samples)
    qtbot.waitUntil(lambda: len(window.latency._samples) > samples + 5, timeout=2000)  # still live
    assert window.busy
    click(window, qtbot, "Break the wait")
    for _ in range(2):  # then Python's exit join waits for each worker, which waits for the lock
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
        assert "end of the program" in window.banner.label.text()
        click(window, qtbot, "Break the wait")
    assert "matches the prediction" in finish(window, qtbot, timeout=3000)


def test_rerun_with_rlock_finishes(window, qtbot):
    open_lesson(window, "deadlock", SIZE=2000)
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    click(window, qtbot, "Re-run with RLock")
    qtbot.waitUntil(lambda: "finished" in window.outcome.text() and not window.busy, timeout=8000)
    assert "matches the prediction" in window.outcome.text()
    assert window.lesson_panel.params.values()["REENTRANT"] is True
    assert "REENTRANT = True" in window.code_pane.editor.toPlainText()


TAKES_THE_LOCK_AGAIN_AND_AGAIN = """from threading import Lock, Thread
from time import sleep

lock = Lock()
done = 0


def work():
    global done
    for _ in range(300):
        with lock:
            done += 1
        sleep(0.01)


t = Thread(target=work)
t.start()
t.join()
print(done)
"""


def test_acquire_lock_takes_the_programs_lock_and_its_thread_waits(window, qtbot):
    open_lesson(window, "shared-array")  # (one run per Start)
    window.code_pane.editor.replace_text(TAKES_THE_LOCK_AGAIN_AND_AGAIN)
    click(window, qtbot, "Run edited code")
    qtbot.waitUntil(lambda: window.session.grab_target() is not None, timeout=3000)
    lock = window.session.grab_target()
    click(window, qtbot, "Acquire Lock")
    qtbot.waitUntil(lambda: window.lock_grab.state == "held", timeout=3000)
    assert lock.owner.name in ("GUI (Acquire Lock)", "GUI") and window.busy
    qtbot.waitUntil(lambda: [w.lane.name for w in lock.waiters()] == ["Thread-1 (work)"], timeout=3000)
    qtbot.waitUntil(lambda: "GUI holds 'lock'" in window.lock_label.text(), timeout=1000)
    window.bottom_tabs.setCurrentWidget(window.lock_panel)  # the Locks tab says the same
    qtbot.waitUntil(lambda: [(r["owner"], r["waiting"]) for r in window.lock_panel.rows()]
                    == [(lock.owner.name, "Thread-1 (work)")], timeout=2000)
    click(window, qtbot, "Release Lock")
    finish(window, qtbot)
    assert "300" in window.output_view.toPlainText()


def test_closing_during_a_lesson_leaves_no_thread(window, qtbot):
    open_lesson(window, "event-stop", PAUSE=0.1, RUN_FOR=10.0)
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: window.busy, timeout=2000)
    window.close()
    assert not window.busy


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads a process's children from /proc")
def test_closing_during_ctrl_c_leaves_no_child_process(window, qtbot):
    open_lesson(window, "ctrl-c", WORK=5.0)
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: len(child_pids(os.getpid())) == 1, timeout=5000)
    (child,) = child_pids(os.getpid())
    window.close()
    assert not window.busy and not process_alive(child)


def test_a_long_start_says_how_long_it_will_take(window, qtbot):
    open_lesson(window, "first-thread", COUNT=100, DELAY=2.0)  # 200 s a run, 5 runs
    click(window, qtbot, "Start")
    qtbot.waitUntil(lambda: "running (0 of 5 runs done, about 17 min left)" in window.outcome.text(), timeout=3000)
    assert any("5 runs of first-thread will take at least 17 min" in e.text for e in window.lab.log.entries())
    click(window, qtbot, "Stop")
    finish(window, qtbot)


def test_the_lab_tab_is_one_session_too(window, qtbot):
    window.tabs.setCurrentIndex(0)
    assert window.session.title == "Lab" and window.session.grab_target() is window.lab.shared.lock
    QtCore.QCoreApplication.processEvents()


def test_acquire_lock_during_run_x_n_holds_every_run_until_release(window, qtbot):
    open_lesson(window, "lock", SIZE=20_000)
    window.lesson_panel.repeat_spin.setValue(200)  # (far more runs than the test lets happen)
    click(window, qtbot, "Run xN")
    qtbot.waitUntil(lambda: window.session.grab_target() is not None, timeout=3000)
    window.bottom_tabs.setCurrentWidget(window.lock_panel)
    click(window, qtbot, "Acquire Lock")
    qtbot.waitUntil(lambda: window.lock_grab.state == "held", timeout=3000)
    held = window.lock_grab.lock
    # taken from a run still going, its threads wait for it; taken after them, the next run
    # waits to start: either way nothing goes on, and the window says which
    qtbot.waitUntil(lambda: "waits for Release Lock" in window.lock_label.text() or bool(held.waiters()),
                    timeout=3000)
    done = len(window.session.runs)
    # the Locks tab names the same holder as the status bar, for as long as it is held
    try:
        qtbot.waitUntil(lambda: [r["owner"] for r in window.lock_panel.rows() if r["lock"] == held.name]
                        in (["GUI"], ["GUI (Acquire Lock)"]), timeout=5000)  # (display rate: slow under load)
    except Exception:
        print("Locks tab:", window.lock_panel.rows(), "| the GUI's grab:", window.lock_grab.state,
              "| the run's locks:", [(lock.name, lock is held, lock.owner) for lock in window.session.locks()],
              "| status:", window.lock_label.text())  # (it once showed the next run's lock: see grab_target)
        raise
    qtbot.waitUntil(lambda: window.lock_grab.seconds_in_state() > 0.5, timeout=2000)
    assert len(window.session.runs) == done and window.busy  # no run went on past the held lock
    click(window, qtbot, "Release Lock")
    qtbot.waitUntil(lambda: len(window.session.runs) > done + 1, timeout=5000)  # they go on
    click(window, qtbot, "Stop")
    finish(window, qtbot)


MAKES_ITS_LOCK_WHEN_TOLD = """\
import os
import time
from threading import Lock

while not os.path.exists(GO):
    time.sleep(0.01)
lock = Lock()
while not lock.locked():  # until someone else takes it
    time.sleep(0.01)
with lock:
    print("main took the lock")
"""


def test_acquire_lock_before_the_program_made_its_lock_takes_it_once_made(window, qtbot, tmp_path):
    go = tmp_path / "go"
    open_lesson(window, "shared-array")
    window.code_pane.editor.replace_text(f"GO = {str(go)!r}\n" + MAKES_ITS_LOCK_WHEN_TOLD)
    click(window, qtbot, "Run edited code")
    qtbot.waitUntil(lambda: window.busy, timeout=3000)
    click(window, qtbot, "Acquire Lock")  # no lock yet: the click is kept, not refused
    assert window.lock_label.text() == "GUI waits for the program to make its lock"
    assert window.buttons.lock_button.text() == "Waiting for Lock..."
    go.touch()
    qtbot.waitUntil(lambda: window.lock_grab.state == "held", timeout=3000)
    lock = window.lock_grab.lock
    qtbot.waitUntil(lambda: [w.lane.name for w in lock.waiters()] == ["MainThread"], timeout=3000)
    click(window, qtbot, "Release Lock")
    finish(window, qtbot)
    assert "main took the lock" in window.output_view.toPlainText()


def test_a_kept_acquire_lock_ends_with_a_program_that_makes_no_lock(window, qtbot, tmp_path):
    go = tmp_path / "go"
    open_lesson(window, "shared-array")
    window.code_pane.editor.replace_text(f"GO = {str(go)!r}\n" + MAKES_ITS_LOCK_WHEN_TOLD.split("lock = ")[0])
    click(window, qtbot, "Run edited code")
    qtbot.waitUntil(lambda: window.busy, timeout=3000)
    click(window, qtbot, "Acquire Lock")
    go.touch()
    finish(window, qtbot)
    qtbot.waitUntil(lambda: window.buttons.lock_button.text() == "Acquire Lock", timeout=1000)
    assert any("ended without making a plain Lock" in e.text for e in window.lab.log.entries())


@pytest.mark.parametrize(("edge", "width", "label"), [(5.55e-17, 1 / 12, "0"), (-0.5, 1 / 12, "-0.5"),
                                                      (1.818181, 0.0075, "1.8182"), (3.78e-162, 0.2, "0")])
def test_histogram_bins_are_labelled_to_their_width(edge, width, label):
    from app.gui.lessons import bin_label

    assert bin_label(edge, width) == label
