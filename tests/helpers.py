"""Small helpers shared by the tests: find a button as a user would, choose a lesson, wait."""

import os
import signal
import threading

from pyqtgraph.Qt import QtCore, QtWidgets

LEFT = QtCore.Qt.MouseButton.LeftButton
WAIT_S = 5.0  # bound on every wait for another thread


def button(win, label):
    """The one visible push button labelled ``label``."""
    found = [b for b in win.findChildren(QtWidgets.QPushButton) if b.text() == label and b.isVisible()]
    assert len(found) == 1, f"expected one visible button labelled {label!r}, found {len(found)}"
    return found[0]


def open_lesson(win, lesson_id, **params):
    """Show the Lessons tab with ``lesson_id`` chosen and its constants ``params`` set."""
    win.open_lesson(lesson_id)
    for name, value in params.items():
        win.lesson_panel.params.set_value(name, value)


def finish(win, qtbot, timeout=15000):
    """Wait until the session has ended and the outcome says so; return the outcome's text."""
    qtbot.waitUntil(lambda: not win.busy and "running" not in win.outcome.text(), timeout=timeout)
    return win.outcome.text()


def wait_until(condition, timeout=WAIT_S):
    """Poll ``condition`` on a short Event wait; fail after ``timeout`` s."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if condition():
            return
        pause.wait(0.005)
    raise AssertionError("condition not met in time")


def process_alive(pid):
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, is not alive)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def end_if_running(proc, group=False):
    """A test's ``finally``: kill ``proc`` (with ``group``, its whole process group) if it still
    runs, and reap it, so that no child outlives a failed test."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL) if group else proc.kill()
        proc.wait(5)


def child_pids(parent):
    """The live children of process ``parent``, from /proc (Linux)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(name))
    return found


def bytes_written(pid):
    """How many bytes process ``pid`` has written so far (``wchar`` in /proc/PID/io)."""
    try:
        with open(f"/proc/{pid}/io") as io:
            return int(next(line.split()[1] for line in io if line.startswith("wchar:")))
    except OSError:
        return 0
