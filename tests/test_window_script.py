"""The Script tab: your own program run from the window, with its lanes, locks, output
and deadlock banner; the window stays live and leaves no process behind."""

import html
import os
from pathlib import Path

from pyqtgraph.Qt import QtCore

from app.gui.scripts import recent_scripts
from helpers import LEFT, button, child_pids, process_alive
from test_tracecli import script

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_script(win, qtbot, path, args=""):
    win.open_script(str(path), args)
    assert win.start()
    return win.session


def finish(win, qtbot, timeout=20000):
    qtbot.waitUntil(lambda: not win.busy, timeout=timeout)
    return win.script_panel.result.text()


def lane_names(win):
    return [r[0].name for r in win.lanes.rows]


def test_a_deadlocked_script_shows_the_banner_and_goes_on_after_break_the_wait(window, qtbot):
    run_script(window, qtbot, EXAMPLES / "dining_philosophers.py")
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    assert "philosopher 0" in window.banner.label.text() and window.busy
    qtbot.waitUntil(lambda: {"philosopher 0", "philosopher 1", "philosopher 2"} <= set(lane_names(window)),
                    timeout=5000)
    lane = lane_names(window).index("philosopher 0")
    qtbot.waitUntil(lambda: "waits at dining_philosophers.py:24 in dine"
                    in html.unescape(window.lanes.describe_at(0.0, lane)), timeout=3000)
    rows = window.lock_panel.rows()
    assert sorted(r["lock"] for r in rows) == ["forks", "forks #2", "forks #3"]
    assert all(r["owner"].startswith("philosopher") and r["waiting"] for r in rows)
    qtbot.mouseClick(button(window, "Break the wait"), LEFT)
    summary = finish(window, qtbot)
    assert "exit status 0" in summary and "1 deadlock" in summary
    assert window.output_view.toPlainText().endswith("everyone has eaten\n")
    assert not window.banner.isVisible()


def test_the_script_tab_shows_what_runs_and_remembers_it(window, qtbot):
    path = EXAMPLES / "producer_consumer.py"
    run_script(window, qtbot, path)
    assert window.script_view.editor.toPlainText() == path.read_text(encoding="utf-8")
    assert window.script_view.isVisible() and not window.code_pane.isVisible()
    assert "exit status 0" in finish(window, qtbot)
    assert "20 jobs done" in window.output_view.toPlainText()
    printed = [e for e in window.lab.log.entries() if e.text.startswith("20 jobs done")]
    assert [e.thread for e in printed] == ["MainThread"]  # (the log: each print with its thread)
    assert recent_scripts()[0] == str(path)
    assert window.script_panel.recent.item(0).toolTip() == str(path)
    assert {"producer", "consumer 1", "consumer 2"} <= set(lane_names(window))


def test_start_without_a_script_or_with_a_broken_one_is_refused(window, qtbot, tmp_path):
    window.tabs.setCurrentIndex(2)
    assert not window.start()
    assert "open a script first" in window.script_panel.result.text()
    bad = script(tmp_path, "print('unclosed'\n", "bad.py")
    window.script_panel.chosen.emit(str(bad))
    assert "Cannot open it" in window.script_panel.result.text() and "bad.py" in window.script_panel.result.text()


def test_stop_ends_the_script_and_acquire_lock_says_why_it_cannot(window, qtbot, tmp_path):
    forever = script(tmp_path, "import time\nwhile True:\n    time.sleep(0.05)\n")
    session = run_script(window, qtbot, forever)
    qtbot.mouseClick(button(window, "Acquire Lock"), LEFT)
    assert "process of its own" in window.message_label.text()
    qtbot.mouseClick(button(window, "Stop"), LEFT)
    assert "stopped by Stop" in finish(window, qtbot)
    assert not process_alive(session.child.pid)


def test_closing_the_window_mid_run_leaves_no_process(qtbot, tmp_path):
    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.window import LabWindow

    win = LabWindow(Lab(SharedArray(1000), LogBook()))
    qtbot.addWidget(win)
    win.show()
    stubborn = script(tmp_path, "print('go', flush=True)\nsum(range(10 ** 12))\n")  # (holds the GIL in C)
    session = run_script(win, qtbot, stubborn)
    qtbot.waitUntil(lambda: "go" in win.output_view.toPlainText(), timeout=10000)
    win.close()
    assert not process_alive(session.child.pid) and session.child.pid not in child_pids(os.getpid())


def test_a_recent_script_starts_on_double_click(window, qtbot, tmp_path):
    path = script(tmp_path, "import sys\nprint('args:', sys.argv[1:])\n", "hello.py")
    session = run_script(window, qtbot, path, "one 'two three'")
    finish(window, qtbot)
    window.output_view.clear()
    item = window.script_panel.recent.item(0)
    assert item.text() == "hello.py"
    rect = window.script_panel.recent.visualItemRect(item)
    qtbot.mouseClick(window.script_panel.recent.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(window.script_panel.recent.viewport(), LEFT, pos=rect.center())
    assert window.busy and window.session is not session
    finish(window, qtbot)
    assert "args: ['one', 'two three']" in window.output_view.toPlainText()
